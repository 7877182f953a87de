// runner/credentials/overrides.cpp
#include <runner/credentials/json_value.hpp>
#include <runner/credentials/overrides.hpp>
#include <runner/util/json_string.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <ostream>
#include <utility>

namespace tapline::credentials {

Result<Overrides>
Overrides::parse(std::string_view json_object, std::string_view where)
{
  auto parsed = parse_json(json_object);
  if (!parsed) {
    return fail(ErrorCode::config,
                "invalid JSON: " + parsed.error().message,
                std::string(where));
  }
  if (parsed->kind != JsonValue::Kind::object) {
    return fail(ErrorCode::config,
                fmt::format("expected a JSON object of credential values, "
                            "got {}",
                            kind_name(parsed->kind)),
                std::string(where));
  }
  Overrides overrides;
  for (const auto& field : parsed->fields) {
    overrides.put(
        field.key,
        Secret(credentials::to_json(field.value, KeyOrder::as_written)));
  }
  return overrides;
}

void
Overrides::set_string(std::string key, std::string_view value)
{
  put(std::move(key), Secret(util::json_string(value)));
}

Result<void>
Overrides::set_json(std::string key, std::string_view value_json)
{
  auto parsed = parse_json(value_json);
  if (!parsed) {
    return fail(ErrorCode::config,
                fmt::format("value of '{}' is not valid JSON: {}",
                            key,
                            parsed.error().message));
  }
  put(std::move(key),
      Secret(credentials::to_json(*parsed, KeyOrder::as_written)));
  return {};
}

void
Overrides::merge(const Overrides& other)
{
  for (const auto& field : other.m_fields) {
    put(field.key, field.value_json);
  }
}

bool
Overrides::erase(std::string_view key)
{
  const auto it =
      std::find_if(m_fields.begin(), m_fields.end(), [key](const auto& field) {
        return field.key == key;
      });
  if (it == m_fields.end()) {
    return false;
  }
  m_fields.erase(it);
  return true;
}

std::vector<std::string>
Overrides::keys() const
{
  std::vector<std::string> keys;
  keys.reserve(m_fields.size());
  for (const auto& field : m_fields) {
    keys.push_back(field.key);
  }
  return keys;
}

const Secret*
Overrides::find(std::string_view key) const
{
  for (const auto& field : m_fields) {
    if (field.key == key) {
      return &field.value_json;
    }
  }
  return nullptr;
}

Secret
Overrides::to_json() const
{
  std::string out = "{";
  for (const auto& field : m_fields) {
    if (out.size() > 1) {
      out += ',';
    }
    util::append_json_string(out, field.key);
    out += ':';
    out += field.value_json.reveal();
  }
  out += '}';
  return Secret(std::move(out));
}

void
Overrides::put(std::string key, Secret value_json)
{
  for (auto& field : m_fields) {
    if (field.key == key) {
      field.value_json = std::move(value_json);
      return;
    }
  }
  m_fields.push_back(OverrideField{std::move(key), std::move(value_json)});
}

bool
operator==(const Overrides& a, const Overrides& b)
{
  if (a.size() != b.size()) {
    return false;
  }
  return std::all_of(
      a.m_fields.begin(), a.m_fields.end(), [&b](const OverrideField& field) {
        const Secret* other = b.find(field.key);
        return other != nullptr && *other == field.value_json;
      });
}

std::string
describe(const Overrides& overrides)
{
  std::string out = "{";
  for (const auto& field : overrides.fields()) {
    if (out.size() > 1) {
      out += ", ";
    }
    out += field.key;
    out += ": ";
    out += k_redacted;
  }
  out += '}';
  return out;
}

std::ostream&
operator<<(std::ostream& out, const Overrides& overrides)
{
  return out << describe(overrides);
}

} // namespace tapline::credentials
