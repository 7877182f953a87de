// runner/singer/message.hpp
#pragma once

// A decoded Singer message. Its views point into the line the reader was
// given (raw JSON text, exactly as the tap wrote it) or into the reader's
// string buffer (unescaped names), so a Message is valid only until the
// reader parses the next line.

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
  std::string_view record;    // RECORD: raw JSON text of `record`
  std::string_view value;     // STATE: raw JSON text of `value`
  std::string_view schema;    // SCHEMA: raw JSON text of `schema`
};

} // namespace tapline::singer
