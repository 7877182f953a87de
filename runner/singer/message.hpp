// runner/singer/message.hpp
#pragma once

// A decoded Singer message. Its views and elements point into the reader's
// parsed document, so a Message is valid only until the reader parses the
// next line.

#include <simdjson.h>

#include <cstdint>
#include <string_view>

namespace tapline::singer {

enum class MessageType {
  schema,
  record,
  state,
  activate_version,
  batch,
  unknown, // forwarded unchanged; tapline warns once per type name
};

[[nodiscard]] std::string_view to_string(MessageType type);

struct Message
{
  MessageType type = MessageType::unknown;
  std::string_view type_name; // as written, e.g. "RECORD"
  std::string_view stream;    // unescaped; empty for STATE
  simdjson::dom::element record; // RECORD: the `record` object
  simdjson::dom::element value;  // STATE: the `value`
  simdjson::dom::element schema; // SCHEMA: the `schema` object
};

} // namespace tapline::singer
