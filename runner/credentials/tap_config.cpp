// runner/credentials/tap_config.cpp
#include <runner/credentials/json_value.hpp>
#include <runner/credentials/master_key.hpp>
#include <runner/credentials/tap_config.hpp>
#include <runner/util/json_string.hpp>

#include <fmt/format.h>
#include <sodium.h>

#include <array>
#include <cstdint>

namespace tapline::credentials {

namespace {

// A JSON object from `text`, or an error with `code` at `where`.
Result<JsonValue>
parse_object(std::string_view text,
             ErrorCode code,
             std::string_view what,
             std::string_view where)
{
  auto parsed = parse_json(text);
  if (!parsed) {
    return fail(
        code,
        fmt::format("{} is not valid JSON: {}", what, parsed.error().message),
        std::string(where));
  }
  if (parsed->kind != JsonValue::Kind::object) {
    return fail(code,
                fmt::format("{} must be a JSON object, got {}",
                            what,
                            kind_name(parsed->kind)),
                std::string(where));
  }
  return parsed;
}

// Hash input framing: each part is prefixed with its length, so no two
// different sequences of parts hash the same bytes.
void
update(crypto_generichash_state& state, std::string_view part)
{
  std::array<unsigned char, 8> length{};
  auto size = static_cast<uint64_t>(part.size());
  for (auto& byte : length) {
    byte = static_cast<unsigned char>(size & 0xffU);
    size >>= 8U;
  }
  crypto_generichash_update(&state, length.data(), length.size());
  crypto_generichash_update(
      &state, reinterpret_cast<const unsigned char*>(part.data()), part.size());
}

} // namespace

Result<std::string>
merge_config(std::string_view base_json,
             const Overrides& overrides,
             std::string_view where)
{
  TRY_ASSIGN(const auto base,
             parse_object(base_json, ErrorCode::config, "tap config", where));
  std::string out = "{";
  const auto append = [&out](std::string_view key, std::string_view json) {
    if (out.size() > 1) {
      out += ',';
    }
    util::append_json_string(out, key);
    out += ':';
    out += json;
  };
  for (const auto& field : base.fields) {
    if (const Secret* value = overrides.find(field.key)) {
      append(field.key, value->reveal());
    } else {
      append(field.key, to_json(field.value, KeyOrder::as_written));
    }
  }
  for (const auto& field : overrides.fields()) {
    if (base.find(field.key) == nullptr) {
      append(field.key, field.value_json.reveal());
    }
  }
  out += '}';
  return out;
}

Result<Overrides>
changed_values(std::string_view written_json, std::string_view read_back_json)
{
  TRY_ASSIGN(const auto written,
             parse_object(written_json, ErrorCode::internal, "tap config", ""));
  TRY_ASSIGN(const auto read_back,
             parse_object(read_back_json,
                          ErrorCode::invalid_data,
                          "tap config rewritten by the tap",
                          ""));
  Overrides changed;
  for (const auto& field : read_back.fields) {
    const JsonValue* before = written.find(field.key);
    std::string after = to_json(field.value, KeyOrder::sorted);
    if (before == nullptr || to_json(*before, KeyOrder::sorted) != after) {
      TRY(changed.set_json(field.key,
                           to_json(field.value, KeyOrder::as_written)));
    }
  }
  return changed;
}

Result<std::string>
fingerprint(std::string_view config_json,
            const std::map<std::string, std::string>& env)
{
  TRY(init_sodium());
  TRY_ASSIGN(const auto config,
             parse_object(config_json, ErrorCode::config, "tap config", ""));
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, crypto_generichash_BYTES);
  update(state, "tapline-fingerprint-v1");
  update(state, to_json(config, KeyOrder::sorted));
  // std::map iterates by name, so the order variables were given in does
  // not matter.
  for (const auto& [name, value] : env) {
    update(state, name);
    update(state, value);
  }
  std::array<unsigned char, crypto_generichash_BYTES> hash{};
  crypto_generichash_final(&state, hash.data(), hash.size());
  std::array<char, crypto_generichash_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), hash.data(), hash.size());
  return std::string(hex.data(), crypto_generichash_BYTES * 2);
}

} // namespace tapline::credentials
