// runner/schedule/interval.cpp
#include <runner/schedule/interval.hpp>
#include <runner/util/ascii.hpp>

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <string>

namespace tapline::schedule {

namespace {

constexpr std::string_view k_usage =
    "expected 'every N' and a unit s, m, h or d, e.g. 'every 30m'";

struct Unit
{
  std::string_view name;
  std::chrono::seconds length;
};

constexpr std::array<Unit, 15> k_units = {{
    {"s", std::chrono::seconds{1}},
    {"sec", std::chrono::seconds{1}},
    {"second", std::chrono::seconds{1}},
    {"seconds", std::chrono::seconds{1}},
    {"m", std::chrono::minutes{1}},
    {"min", std::chrono::minutes{1}},
    {"minute", std::chrono::minutes{1}},
    {"minutes", std::chrono::minutes{1}},
    {"h", std::chrono::hours{1}},
    {"hr", std::chrono::hours{1}},
    {"hour", std::chrono::hours{1}},
    {"hours", std::chrono::hours{1}},
    {"d", std::chrono::hours{24}},
    {"day", std::chrono::hours{24}},
    {"days", std::chrono::hours{24}},
}};

bool
is_blank(char c)
{
  return c == ' ' || c == '\t';
}

std::string_view
trim(std::string_view text)
{
  while (!text.empty() && is_blank(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_blank(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

} // namespace

bool
looks_like_interval(std::string_view text)
{
  text = trim(text);
  return util::ascii_lowercase(text.substr(0, 5)) == "every" &&
         (text.size() == 5 || is_blank(text[5]));
}

Result<std::chrono::seconds>
parse_interval(std::string_view text)
{
  text = trim(text);
  if (!looks_like_interval(text)) {
    return fail(ErrorCode::config, fmt::format("{}, got '{}'", k_usage, text));
  }
  const std::string_view rest = trim(text.substr(5));
  std::size_t digits = 0;
  while (digits < rest.size() &&
         std::isdigit(static_cast<unsigned char>(rest[digits])) != 0) {
    ++digits;
  }
  if (digits == 0) {
    return fail(ErrorCode::config, fmt::format("{}, got '{}'", k_usage, text));
  }
  const std::string_view number_text = rest.substr(0, digits);
  // Nine digits keep N times a day well inside 64 bits.
  long long count = 0;
  if (digits > 9) {
    return fail(ErrorCode::config,
                fmt::format("interval {} is too large", number_text));
  }
  std::from_chars(number_text.data(), number_text.data() + digits, count);
  if (count < 1) {
    return fail(ErrorCode::config,
                fmt::format("interval must be at least 1, got {}", count));
  }
  const std::string_view unit_text = trim(rest.substr(digits));
  if (unit_text.empty()) {
    return fail(ErrorCode::config,
                fmt::format("missing unit after 'every {}' (expected s, m, "
                            "h or d)",
                            number_text));
  }
  const std::string unit = util::ascii_lowercase(unit_text);
  for (const auto& known : k_units) {
    if (known.name == unit) {
      return known.length * count;
    }
  }
  return fail(ErrorCode::config,
              fmt::format("unknown interval unit '{}' (expected s, m, h or d)",
                          unit_text));
}

} // namespace tapline::schedule
