// runner/config/units.cpp
//
// Parsers for durations and sizes. Both are strict on purpose: "1h30" or
// "64M" are rejected rather than guessed at, since a timeout or a limit that
// is silently off by a factor of 60 or 1024 is worse than a clear error.

#include <runner/config/units.hpp>

#include <array>
#include <cstdint>
#include <limits>

namespace tapline::config {

namespace {

bool
is_digit(char c)
{
  return c >= '0' && c <= '9';
}

// Read the unsigned integer at the front of `text` and drop it from `text`.
// nullopt when there are no digits or the value overflows.
std::optional<std::uint64_t>
take_integer(std::string_view& text)
{
  std::size_t length = 0;
  std::uint64_t value = 0;
  while (length < text.size() && is_digit(text[length])) {
    const auto digit = static_cast<std::uint64_t>(text[length] - '0');
    if (__builtin_mul_overflow(value, std::uint64_t{10}, &value) ||
        __builtin_add_overflow(value, digit, &value)) {
      return std::nullopt;
    }
    ++length;
  }
  if (length == 0) {
    return std::nullopt;
  }
  text.remove_prefix(length);
  return value;
}

struct DurationUnit
{
  char suffix;
  std::int64_t seconds;
};

// In the only order they may appear.
constexpr std::array<DurationUnit, 4> k_duration_units{{
    {'d', 86'400},
    {'h', 3'600},
    {'m', 60},
    {'s', 1},
}};

struct SizeUnit
{
  std::string_view suffix;
  std::uint64_t bytes;
};

// Largest count of seconds that std::chrono::seconds holds here.
constexpr auto k_max_seconds =
    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

constexpr std::uint64_t k_kib = 1024;
constexpr std::uint64_t k_kb = 1000;

constexpr std::array<SizeUnit, 10> k_size_units{{
    {"B", 1},
    {"kB", k_kb},
    {"KB", k_kb},
    {"MB", k_kb* k_kb},
    {"GB", k_kb* k_kb* k_kb},
    {"TB", k_kb* k_kb* k_kb* k_kb},
    {"KiB", k_kib},
    {"MiB", k_kib* k_kib},
    {"GiB", k_kib* k_kib* k_kib},
    {"TiB", k_kib* k_kib* k_kib* k_kib},
}};

} // namespace

std::optional<std::chrono::seconds>
parse_duration(std::string_view text)
{
  const std::optional<std::uint64_t> bare = [&] {
    std::string_view rest = text;
    auto value = take_integer(rest);
    return rest.empty() ? value : std::nullopt;
  }();
  if (bare) {
    if (*bare > k_max_seconds) {
      return std::nullopt;
    }
    return std::chrono::seconds{static_cast<std::int64_t>(*bare)};
  }

  std::string_view rest = text;
  std::int64_t total = 0;
  std::size_t next_unit = 0; // units must come in k_duration_units order
  if (rest.empty()) {
    return std::nullopt;
  }
  while (!rest.empty()) {
    const std::optional<std::uint64_t> amount = take_integer(rest);
    if (!amount || rest.empty() || *amount > k_max_seconds) {
      return std::nullopt;
    }
    const char suffix = rest.front();
    rest.remove_prefix(1);
    std::size_t unit = next_unit;
    while (unit < k_duration_units.size() &&
           k_duration_units[unit].suffix != suffix) {
      ++unit;
    }
    if (unit == k_duration_units.size()) {
      return std::nullopt;
    }
    std::int64_t part = 0;
    if (__builtin_mul_overflow(static_cast<std::int64_t>(*amount),
                               k_duration_units[unit].seconds,
                               &part) ||
        __builtin_add_overflow(total, part, &total)) {
      return std::nullopt;
    }
    next_unit = unit + 1;
  }
  return std::chrono::seconds{total};
}

std::optional<std::size_t>
parse_size(std::string_view text)
{
  std::string_view rest = text;
  const std::optional<std::uint64_t> amount = take_integer(rest);
  if (!amount) {
    return std::nullopt;
  }
  if (rest.starts_with(' ')) {
    rest.remove_prefix(1);
    if (rest.empty()) {
      return std::nullopt;
    }
  }
  std::uint64_t multiplier = 1;
  if (!rest.empty()) {
    multiplier = 0;
    for (const SizeUnit& unit : k_size_units) {
      if (unit.suffix == rest) {
        multiplier = unit.bytes;
      }
    }
    if (multiplier == 0) {
      return std::nullopt;
    }
  }
  std::uint64_t bytes = 0;
  if (__builtin_mul_overflow(*amount, multiplier, &bytes) ||
      bytes > std::numeric_limits<std::size_t>::max()) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(bytes);
}

} // namespace tapline::config
