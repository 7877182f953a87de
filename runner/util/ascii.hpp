// runner/util/ascii.hpp
#pragma once

// ASCII case folding for keywords, names and header fields. Locale-free on
// purpose: a Turkish locale must not change how "ID" or "Mon" compare, and
// the result has the input's length, so offsets carry over.

#include <string>
#include <string_view>

namespace tapline::util {

[[nodiscard]] constexpr char
ascii_lower(char c)
{
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

[[nodiscard]] inline std::string
ascii_lowercase(std::string_view text)
{
  std::string out(text);
  for (char& c : out) {
    c = ascii_lower(c);
  }
  return out;
}

} // namespace tapline::util
