// runner/singer/message_reader.cpp
#include <runner/singer/message_reader.hpp>

#include <fmt/format.h>

#include <string>

namespace tapline::singer {

namespace {

namespace dom = simdjson::dom;

std::string_view
to_message(simdjson::error_code error)
{
  switch (error) {
  case simdjson::UTF8_ERROR:
    return "invalid UTF-8";
  case simdjson::UNCLOSED_STRING:
    return "unclosed string";
  case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
    return "incomplete object or array";
  case simdjson::TAPE_ERROR:
  case simdjson::TRAILING_CONTENT:
    return "unexpected content";
  case simdjson::NUMBER_ERROR:
    return "invalid number";
  case simdjson::STRING_ERROR:
    return "invalid string escape";
  case simdjson::T_ATOM_ERROR:
  case simdjson::F_ATOM_ERROR:
  case simdjson::N_ATOM_ERROR:
    return "invalid literal";
  case simdjson::DEPTH_ERROR:
    return "nesting too deep";
  case simdjson::EMPTY:
    return "empty line";
  default:
    return simdjson::error_message(error);
  }
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

// Which fields each message type must have (as singer-python requires).
struct Required
{
  bool stream = false;
  std::string_view payload; // "record", "value", "schema", "version", ""
  bool key_properties = false;
};

Required
required_fields(MessageType type)
{
  switch (type) {
  case MessageType::record:
    return {true, "record", false};
  case MessageType::schema:
    return {true, "schema", true};
  case MessageType::state:
    return {false, "value", false};
  case MessageType::activate_version:
    return {true, "version", false};
  case MessageType::batch:
    return {true, "", false};
  case MessageType::unknown:
    return {false, "", false};
  }
  return {};
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

std::string
MessageReader::to_json(simdjson::dom::element element)
{
  return simdjson::minify(element);
}

Result<Message>
MessageReader::read(const Line& line)
{
  const auto invalid = [&](std::string_view what) {
    return fail(ErrorCode::invalid_data,
                fmt::format("{}: {}", what, excerpt(line.text)),
                fmt::format("tap stdout line {}", line.number));
  };

  // A huge line grows the parser's buffers to its size; drop them again
  // so that one 100 MB record does not pin 100 MB for the rest of the run.
  if (m_parser.capacity() > k_shrink_above && line.text.size() < k_shrink_above) {
    m_parser = dom::parser{};
  }
  dom::element root;
  // The line sits inside the reader's buffer with SIMDJSON_PADDING readable
  // bytes after it, so the parser needs no copy (realloc_if_needed = false).
  if (auto error = m_parser
                     .parse(reinterpret_cast<const uint8_t*>(line.text.data()),
                            line.text.size(),
                            false)
                     .get(root)) {
    return invalid(fmt::format("malformed JSON ({})", to_message(error)));
  }
  dom::object object;
  if (root.get(object) != simdjson::SUCCESS) {
    return invalid("expected a JSON object");
  }

  Message message;
  dom::element type_element;
  if (object["type"].get(type_element) != simdjson::SUCCESS) {
    return invalid("message has no 'type'");
  }
  if (type_element.get(message.type_name) != simdjson::SUCCESS) {
    return invalid("'type' must be a string");
  }
  message.type = classify(message.type_name);
  const Required required = required_fields(message.type);

  dom::element stream;
  if (object["stream"].get(stream) == simdjson::SUCCESS) {
    if (stream.get(message.stream) != simdjson::SUCCESS) {
      return invalid("'stream' must be a string");
    }
  } else if (required.stream) {
    return invalid(fmt::format("{} message has no 'stream'", message.type_name));
  }

  if (!required.payload.empty()) {
    dom::element payload;
    if (object[required.payload].get(payload) != simdjson::SUCCESS) {
      return invalid(fmt::format(
        "{} message has no '{}'", message.type_name, required.payload));
    }
    switch (message.type) {
    case MessageType::record:
      if (!payload.is_object()) {
        return invalid("'record' must be an object");
      }
      message.record = payload;
      break;
    case MessageType::schema:
      if (!payload.is_object() && !payload.is_bool()) {
        return invalid("'schema' must be an object");
      }
      message.schema = payload;
      break;
    case MessageType::state:
      message.value = payload;
      break;
    default:
      break;
    }
  }
  if (required.key_properties) {
    dom::element key_properties;
    if (object["key_properties"].get(key_properties) != simdjson::SUCCESS) {
      return invalid(
        fmt::format("{} message has no 'key_properties'", message.type_name));
    }
    if (!key_properties.is_array()) {
      return invalid("'key_properties' must be an array");
    }
  }
  return message;
}

} // namespace tapline::singer
