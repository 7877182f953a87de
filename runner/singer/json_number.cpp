// runner/singer/json_number.cpp
#include <runner/singer/json_number.hpp>

namespace tapline::singer {

namespace {

bool
is_digit(char c)
{
  return c >= '0' && c <= '9';
}

bool
is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

} // namespace

bool
is_json_number(std::string_view token)
{
  std::size_t i = 0;
  const std::size_t n = token.size();
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < n && is_digit(token[i])) {
      ++i;
    }
    return i > start;
  };
  if (i < n && token[i] == '-') {
    ++i;
  }
  if (i < n && token[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < n && token[i] == '.') {
    ++i;
    if (!digits()) {
      return false;
    }
  }
  if (i < n && (token[i] == 'e' || token[i] == 'E')) {
    ++i;
    if (i < n && (token[i] == '+' || token[i] == '-')) {
      ++i;
    }
    if (!digits()) {
      return false;
    }
  }
  while (i < n && is_space(token[i])) {
    ++i;
  }
  return i == n;
}

} // namespace tapline::singer
