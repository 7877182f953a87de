// runner/singer/message_reader.cpp
#include <runner/singer/json_number.hpp>
#include <runner/singer/message_reader.hpp>
#include <runner/util/json_error.hpp>

#include <fmt/format.h>

#include <string>

namespace tapline::singer {

namespace {

namespace od = simdjson::ondemand;

std::string_view
to_message(simdjson::error_code error)
{
  switch (error) {
  case simdjson::TRAILING_CONTENT:
    return "unexpected content after the object";
  case simdjson::INCORRECT_TYPE:
    return "unexpected value";
  case simdjson::EMPTY:
    return "empty line";
  default:
    return util::json_error_text(error).value_or(
        simdjson::error_message(error));
  }
}

// As deep as simdjson's DOM parser goes by default; deeper input is an
// error rather than a stack overflow.
constexpr int k_max_depth = 1024;

simdjson::error_code
validate(od::value value, int depth = 0)
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
    od::object object;
    if (auto error = value.get_object().get(object)) {
      return error;
    }
    for (auto field : object) {
      // Unescaping validates the key's escape sequences, the one part of a
      // key stage 1 does not check.
      std::string_view key;
      if (auto error = field.unescaped_key().get(key)) {
        return error;
      }
      if (auto error = validate(field.value(), depth + 1)) {
        return error;
      }
    }
    return simdjson::SUCCESS;
  }
  case od::json_type::array: {
    od::array array;
    if (auto error = value.get_array().get(array)) {
      return error;
    }
    for (auto element : array) {
      od::value item;
      if (auto error = element.get(item)) {
        return error;
      }
      if (auto error = validate(item, depth + 1)) {
        return error;
      }
    }
    return simdjson::SUCCESS;
  }
  case od::json_type::string: {
    // Stage 1 has already checked UTF-8, control characters and where the
    // string ends; only escape sequences are left, and most strings have
    // none, so unescape (which validates them) only when there is one.
    const std::string_view token = value.raw_json_token();
    if (token.find('\\') == std::string_view::npos) {
      return simdjson::SUCCESS;
    }
    std::string_view text;
    return value.get_string().get(text);
  }
  case od::json_type::number:
    return is_json_number(value.raw_json_token()) ? simdjson::SUCCESS
                                                  : simdjson::NUMBER_ERROR;
  case od::json_type::boolean: {
    bool flag = false;
    return value.get_bool().get(flag);
  }
  case od::json_type::null: {
    bool is_null = false;
    if (auto error = value.is_null().get(is_null)) {
      return error;
    }
    return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
  }
  }
  return simdjson::TAPE_ERROR;
}

// Validates `value` (a field of the document's root object) and sets `raw`
// to its JSON text exactly as written.
simdjson::error_code
validate_raw(od::value value, od::document& doc, std::string_view& raw)
{
  od::json_type type{};
  if (auto error = value.type().get(type)) {
    return error;
  }
  const auto trim = [](std::string_view text) {
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' ||
                             text.back() == '\r' || text.back() == '\n')) {
      text.remove_suffix(1);
    }
    return text;
  };
  if (type != od::json_type::object && type != od::json_type::array) {
    // A scalar is one token.
    raw = trim(value.raw_json_token());
    return validate(value);
  }
  // A container runs from its first byte to the token that follows it.
  const char* begin = nullptr;
  if (auto error = value.current_location().get(begin)) {
    return error;
  }
  if (auto error = validate(value)) {
    return error;
  }
  const char* end = nullptr;
  if (auto error = doc.current_location().get(end)) {
    // Nothing follows: the root object never closed.
    return error == simdjson::OUT_OF_BOUNDS
               ? simdjson::INCOMPLETE_ARRAY_OR_OBJECT
               : error;
  }
  raw = trim(std::string_view(begin, static_cast<std::size_t>(end - begin)));
  return simdjson::SUCCESS;
}

// Tells a truncated line from one with content after its object, which
// both parsers report only as a structure error: brackets are counted
// outside strings.
simdjson::error_code
structure_error(std::string_view text)
{
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  std::size_t closed_at = std::string_view::npos;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      escaped = !escaped && c == '\\';
      in_string = escaped || c != '"';
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0 &&
               closed_at == std::string_view::npos) {
      closed_at = i;
    }
  }
  if (in_string || depth > 0) {
    return simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
  }
  if (closed_at != std::string_view::npos &&
      text.find_first_not_of(" \t\r\n", closed_at + 1) !=
          std::string_view::npos) {
    return simdjson::TRAILING_CONTENT;
  }
  return simdjson::TAPE_ERROR;
}

// A precise reason for a line On-Demand rejected: its errors depend on how
// far it got, so the line is parsed again, whole, by the DOM parser (error
// path only).
simdjson::error_code
diagnose(std::string_view text, simdjson::error_code on_demand_error)
{
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  auto error = parser.parse(text.data(), text.size()).get(root);
  if (!error) {
    error = on_demand_error;
  }
  if (error == simdjson::TAPE_ERROR ||
      error == simdjson::INCOMPLETE_ARRAY_OR_OBJECT ||
      error == simdjson::OUT_OF_BOUNDS) {
    return structure_error(text);
  }
  return error;
}

MessageType
classify(std::string_view name)
{
  if (name == "RECORD") {
    return MessageType::record;
  }
  if (name == "STATE") {
    return MessageType::state;
  }
  if (name == "SCHEMA") {
    return MessageType::schema;
  }
  if (name == "ACTIVATE_VERSION") {
    return MessageType::activate_version;
  }
  if (name == "BATCH") {
    return MessageType::batch;
  }
  return MessageType::unknown;
}

// Whether a message type must name its stream (as singer-python requires).
bool
requires_stream(MessageType type)
{
  return type == MessageType::record || type == MessageType::schema ||
         type == MessageType::activate_version || type == MessageType::batch;
}

} // namespace

std::string_view
to_string(MessageType type)
{
  switch (type) {
  case MessageType::schema:
    return "SCHEMA";
  case MessageType::record:
    return "RECORD";
  case MessageType::state:
    return "STATE";
  case MessageType::activate_version:
    return "ACTIVATE_VERSION";
  case MessageType::batch:
    return "BATCH";
  case MessageType::unknown:
    return "unknown";
  }
  return "unknown";
}

std::string
excerpt(std::string_view text, std::size_t max)
{
  if (text.size() <= max) {
    return std::string(text);
  }
  return std::string(text.substr(0, max)) + "...";
}

Result<Message>
MessageReader::read(const Line& line)
{
  const auto invalid = [&](std::string_view what) {
    return fail(ErrorCode::invalid_data,
                fmt::format("{}: {}", what, excerpt(line.text)),
                fmt::format("tap stdout line {}", line.number));
  };
  const auto malformed = [&](simdjson::error_code error) {
    return invalid(fmt::format("malformed JSON ({})",
                               to_message(diagnose(line.text, error))));
  };

  // A huge line grows the parser's buffers to its size; drop them again so
  // that one 100 MB record does not pin 100 MB for the rest of the run.
  if (m_parser.capacity() > k_shrink_above &&
      line.text.size() < k_shrink_above) {
    m_parser = od::parser{};
  }
  od::document doc;
  // The line sits inside the reader's buffer with SIMDJSON_PADDING readable
  // bytes after it, so the parser needs no copy.
  if (auto error = m_parser
                       .iterate(simdjson::padded_string_view(
                           line.text.data(), line.text.size(), line.capacity))
                       .get(doc)) {
    return malformed(error);
  }
  od::object object;
  if (auto error = doc.get_object().get(object)) {
    return error == simdjson::INCORRECT_TYPE ? invalid("expected a JSON object")
                                             : malformed(error);
  }

  Message message;
  bool has_type = false;
  bool has_stream = false;
  bool has_key_properties = false;
  bool has_version = false;
  for (auto field : object) {
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) {
      return malformed(error);
    }
    od::value value;
    if (auto error = field.value().get(value)) {
      return malformed(error);
    }
    simdjson::error_code error = simdjson::SUCCESS;
    if (key == "type") {
      if (value.get_string().get(message.type_name) != simdjson::SUCCESS) {
        return invalid("'type' must be a string");
      }
      has_type = true;
    } else if (key == "stream") {
      if (value.get_string().get(message.stream) != simdjson::SUCCESS) {
        return invalid("'stream' must be a string");
      }
      has_stream = true;
    } else if (key == "record") {
      error = validate_raw(value, doc, message.record);
    } else if (key == "value") {
      error = validate_raw(value, doc, message.value);
    } else if (key == "schema") {
      error = validate_raw(value, doc, message.schema);
    } else {
      has_key_properties = has_key_properties || key == "key_properties";
      has_version = has_version || key == "version";
      if (key == "key_properties" && value.type() != od::json_type::array) {
        return invalid("'key_properties' must be an array");
      }
      error = validate(value);
    }
    if (error) {
      return malformed(error);
    }
  }
  // Anything after the root object: its location is readable only then.
  if (const char* trailing = nullptr;
      doc.current_location().get(trailing) == simdjson::SUCCESS) {
    return malformed(simdjson::TRAILING_CONTENT);
  }

  if (!has_type) {
    return invalid("message has no 'type'");
  }
  message.type = classify(message.type_name);
  if (requires_stream(message.type) && !has_stream) {
    return invalid(
        fmt::format("{} message has no 'stream'", message.type_name));
  }
  const auto missing = [&](std::string_view field) {
    return invalid(
        fmt::format("{} message has no '{}'", message.type_name, field));
  };
  switch (message.type) {
  case MessageType::record:
    if (message.record.empty()) {
      return missing("record");
    }
    if (message.record.front() != '{') {
      return invalid("'record' must be an object");
    }
    break;
  case MessageType::schema:
    if (message.schema.empty()) {
      return missing("schema");
    }
    if (message.schema.front() != '{' && message.schema != "true" &&
        message.schema != "false") {
      return invalid("'schema' must be an object");
    }
    if (!has_key_properties) {
      return missing("key_properties");
    }
    break;
  case MessageType::state:
    if (message.value.empty()) {
      return missing("value");
    }
    break;
  case MessageType::activate_version:
    if (!has_version) {
      return missing("version");
    }
    break;
  case MessageType::batch:
  case MessageType::unknown:
    break;
  }
  return message;
}

} // namespace tapline::singer
