// runner/singer/message_reader.hpp
#pragma once

// Turns one line of tap stdout into a typed Singer message with simdjson
// On-Demand, in place (no copy of the line). The whole line is checked to be
// well-formed JSON, including every value inside `record`, because targets
// choke on what tapline lets through; the walk that checks it also finds the
// raw text of `record`, `value` and `schema`, so nothing is re-serialised.
// Knows nothing about schemas, streams or state; keeps a reusable parser, so
// use one reader per tap stream (not thread-safe).
//
// On-Demand's stage 1 (the SIMD scan of the whole line) runs in libsimdjson
// with the kernel picked at run time (AVX2, AVX-512), so a portable build is
// as fast as one for the build machine's ISA.

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

private:
  static constexpr std::size_t k_shrink_above = std::size_t{16} << 20;
  simdjson::ondemand::parser m_parser;
};

// The first `max` characters of `text`, with "..." when cut, for messages.
[[nodiscard]] std::string excerpt(std::string_view text, std::size_t max = 120);

} // namespace tapline::singer
