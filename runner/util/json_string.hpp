// runner/util/json_string.hpp
#pragma once

// JSON string literals for the little JSON tapline writes itself (run
// summaries, status, inline configs). Parsing is simdjson's job.

#include <string>
#include <string_view>

namespace tapline::util {

// Append `text` to `out` as a JSON string literal, quotes included. UTF-8
// passes through unchanged; '"', '\' and control characters are escaped.
void append_json_string(std::string& out, std::string_view text);

[[nodiscard]] inline std::string
json_string(std::string_view text)
{
  std::string out;
  append_json_string(out, text);
  return out;
}

} // namespace tapline::util
