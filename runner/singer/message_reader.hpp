// runner/singer/message_reader.hpp
#pragma once

// Turns one line of tap stdout into a typed Singer message, parsing it in
// place (no copy of the line). The whole line is checked to be well-formed
// JSON, including every value inside `record`, because targets choke on what
// tapline lets through. Knows nothing about schemas, streams or state; keeps
// a reusable parser, so use one reader per tap stream (not thread-safe).
//
// Why the DOM API rather than On-Demand: On-Demand is compiled inline for
// the build machine's baseline ISA (the portable "fallback" kernel on
// x86-64), while the DOM parser in libsimdjson picks AVX2/AVX-512 kernels at
// run time, and it validates the whole document, which we need anyway.

#include <runner/singer/line_reader.hpp>
#include <runner/singer/message.hpp>
#include <runner/util/result.hpp>

#include <simdjson.h>

#include <string>

namespace tapline::singer {

class MessageReader
{
public:
  // Parse `line`. Errors have code `invalid_data`, `where` = "tap stdout line
  // N" and a message that says what is wrong plus an excerpt of the line.
  [[nodiscard]] Result<Message> read(const Line& line);

  // Raw text of `element` as compact JSON (for the jsonl sink and state).
  [[nodiscard]] static std::string to_json(simdjson::dom::element element);

private:
  static constexpr std::size_t k_shrink_above = std::size_t{16} << 20;
  simdjson::dom::parser m_parser;
};

// The first `max` characters of `text`, with "..." when cut, for messages.
[[nodiscard]] std::string excerpt(std::string_view text, std::size_t max = 120);

} // namespace tapline::singer
