// runner/credentials/json_value.cpp
//
// simdjson On-Demand into a JsonValue tree. The text is parsed wrapped in
// "[...]" because On-Demand cannot hand out a scalar document as a value;
// the wrapper must then hold exactly one element. The padded copy is wiped
// after parsing, since it holds secrets.

#include <runner/credentials/json_value.hpp>
#include <runner/singer/json_number.hpp>
#include <runner/util/json_error.hpp>
#include <runner/util/json_string.hpp>

#include <simdjson.h>
#include <sodium.h>

#include <algorithm>
#include <utility>

namespace tapline::credentials {

namespace {

namespace od = simdjson::ondemand;

// As deep as simdjson's DOM parser goes by default.
constexpr int k_max_depth = 1024;

std::string_view
describe(simdjson::error_code error)
{
  if (error == simdjson::INCORRECT_TYPE) {
    return "invalid literal"; // a literal that starts right, as "tru"
  }
  return util::json_error_text(error).value_or("not valid JSON");
}

std::string_view
trim_token(std::string_view token)
{
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t' ||
                            token.back() == '\r' || token.back() == '\n')) {
    token.remove_suffix(1);
  }
  return token;
}

void
add_field(JsonValue& object, std::string key, JsonValue value)
{
  for (auto& field : object.fields) {
    if (field.key == key) {
      field.value = std::move(value);
      return;
    }
  }
  object.fields.push_back(JsonField{std::move(key), std::move(value)});
}

simdjson::error_code
build(od::value value, JsonValue& out, int depth)
{
  if (depth > k_max_depth) {
    return simdjson::DEPTH_ERROR;
  }
  od::json_type type{};
  if (auto error = value.type().get(type)) {
    return error;
  }
  switch (type) {
  case od::json_type::object: {
    out.kind = JsonValue::Kind::object;
    od::object object;
    if (auto error = value.get_object().get(object)) {
      return error;
    }
    for (auto field : object) {
      std::string_view key;
      if (auto error = field.unescaped_key().get(key)) {
        return error;
      }
      std::string key_copy(key);
      JsonValue child;
      if (auto error = build(field.value(), child, depth + 1)) {
        return error;
      }
      add_field(out, std::move(key_copy), std::move(child));
    }
    return simdjson::SUCCESS;
  }
  case od::json_type::array: {
    out.kind = JsonValue::Kind::array;
    od::array array;
    if (auto error = value.get_array().get(array)) {
      return error;
    }
    for (auto element : array) {
      od::value item;
      if (auto error = element.get(item)) {
        return error;
      }
      JsonValue child;
      if (auto error = build(item, child, depth + 1)) {
        return error;
      }
      out.items.push_back(std::move(child));
    }
    return simdjson::SUCCESS;
  }
  case od::json_type::string: {
    out.kind = JsonValue::Kind::string;
    std::string_view text;
    if (auto error = value.get_string().get(text)) {
      return error;
    }
    out.text = text;
    return simdjson::SUCCESS;
  }
  case od::json_type::number: {
    out.kind = JsonValue::Kind::number;
    const std::string_view token = trim_token(value.raw_json_token());
    if (!singer::is_json_number(token)) {
      return simdjson::NUMBER_ERROR;
    }
    out.text = token;
    return simdjson::SUCCESS;
  }
  case od::json_type::boolean: {
    out.kind = JsonValue::Kind::boolean;
    bool flag = false;
    if (auto error = value.get_bool().get(flag)) {
      return error;
    }
    out.text = flag ? "true" : "false";
    return simdjson::SUCCESS;
  }
  case od::json_type::null: {
    out.kind = JsonValue::Kind::null;
    bool is_null = false;
    if (auto error = value.is_null().get(is_null)) {
      return error;
    }
    return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
  }
  }
  return simdjson::TAPE_ERROR;
}

// The one element of the wrapping array, checked to be the whole input.
Result<JsonValue>
parse_wrapped(od::parser& parser, simdjson::padded_string& padded)
{
  const auto invalid = [](simdjson::error_code error) {
    return fail(ErrorCode::config, std::string(describe(error)));
  };
  od::document doc;
  if (auto error = parser.iterate(padded).get(doc)) {
    return invalid(error);
  }
  od::array wrapper;
  if (auto error = doc.get_array().get(wrapper)) {
    return invalid(error);
  }
  JsonValue result;
  std::size_t count = 0;
  for (auto element : wrapper) {
    od::value item;
    if (auto error = element.get(item)) {
      return invalid(error);
    }
    if (++count > 1) {
      return fail(ErrorCode::config, "unexpected content after the value");
    }
    if (auto error = build(item, result, 1)) {
      return invalid(error);
    }
  }
  if (count == 0) {
    return fail(ErrorCode::config, "empty text, expected a JSON value");
  }
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == simdjson::SUCCESS) {
    // Something follows the wrapper's "]": the input closed it early.
    return fail(ErrorCode::config, "unexpected content after the value");
  }
  return result;
}

void
write(const JsonValue& value, KeyOrder order, std::string& out)
{
  switch (value.kind) {
  case JsonValue::Kind::null:
    out += "null";
    return;
  case JsonValue::Kind::boolean:
  case JsonValue::Kind::number:
    out += value.text;
    return;
  case JsonValue::Kind::string:
    util::append_json_string(out, value.text);
    return;
  case JsonValue::Kind::array: {
    out += '[';
    bool first = true;
    for (const auto& item : value.items) {
      if (!first) {
        out += ',';
      }
      first = false;
      write(item, order, out);
    }
    out += ']';
    return;
  }
  case JsonValue::Kind::object: {
    std::vector<const JsonField*> fields;
    fields.reserve(value.fields.size());
    for (const auto& field : value.fields) {
      fields.push_back(&field);
    }
    if (order == KeyOrder::sorted) {
      std::sort(fields.begin(), fields.end(), [](const auto* a, const auto* b) {
        return a->key < b->key;
      });
    }
    out += '{';
    bool first = true;
    for (const auto* field : fields) {
      if (!first) {
        out += ',';
      }
      first = false;
      util::append_json_string(out, field->key);
      out += ':';
      write(field->value, order, out);
    }
    out += '}';
    return;
  }
  }
}

} // namespace

const JsonValue*
JsonValue::find(std::string_view key) const
{
  for (const auto& field : fields) {
    if (field.key == key) {
      return &field.value;
    }
  }
  return nullptr;
}

Result<JsonValue>
parse_json(std::string_view text)
{
  std::string wrapped;
  wrapped.reserve(text.size() + 2);
  wrapped += '[';
  wrapped += text;
  wrapped += ']';
  simdjson::padded_string padded(wrapped);
  sodium_memzero(wrapped.data(), wrapped.size());
  od::parser parser;
  auto result = parse_wrapped(parser, padded);
  sodium_memzero(padded.data(), padded.size());
  return result;
}

std::string
to_json(const JsonValue& value, KeyOrder order)
{
  std::string out;
  write(value, order, out);
  return out;
}

std::string_view
kind_name(JsonValue::Kind kind)
{
  switch (kind) {
  case JsonValue::Kind::null:
    return "null";
  case JsonValue::Kind::boolean:
    return "a boolean";
  case JsonValue::Kind::number:
    return "a number";
  case JsonValue::Kind::string:
    return "a string";
  case JsonValue::Kind::array:
    return "an array";
  case JsonValue::Kind::object:
    return "an object";
  }
  return "a value";
}

} // namespace tapline::credentials
