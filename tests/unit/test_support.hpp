// tests/unit/test_support.hpp
#pragma once

// Small helpers shared by the unit tests: readable failure output for
// string vectors, and the error text of a Result for doctest messages.

#include <runner/util/result.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

// Print string vectors in failed checks (doctest shows "{?}" otherwise).
namespace doctest {
template<> struct StringMaker<std::vector<std::string>>
{
  static String
  convert(const std::vector<std::string>& lines)
  {
    std::string text = "[";
    for (const auto& line : lines) {
      text += (text.size() > 1 ? ", \"" : "\"") +
              (line.size() > 80 ? line.substr(0, 80) + "..." : line) + "\"";
    }
    text += "]";
    return String(text.c_str());
  }
};
} // namespace doctest

namespace tapline::test {

// The error text of `result`, or "" when it holds a value (safe to pass as a
// doctest message, which `-s` evaluates even on success).
template<typename T>
std::string
error_text(const tapline::Result<T>& result)
{
  return result.has_value() ? std::string() : result.error().to_string();
}

} // namespace tapline::test
