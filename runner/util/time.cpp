// runner/util/time.cpp
#include <runner/util/time.hpp>

#include <date/date.h>
#include <fmt/chrono.h>
#include <fmt/format.h>

namespace tapline::util {

std::string
iso8601(Clock::time_point when)
{
  // floor, not time_point_cast: the latter rounds toward zero, which would
  // make the fraction negative before 1970.
  const auto millis = std::chrono::floor<std::chrono::milliseconds>(when);
  const auto seconds = std::chrono::floor<std::chrono::seconds>(millis);
  const auto fraction = (millis - seconds).count();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z",
                     fmt::gmtime(Clock::to_time_t(seconds)),
                     static_cast<int>(fraction));
}

namespace {

// Reads `count` digits at `at` into `value`; false if any is not a digit.
bool
digits(std::string_view text, std::size_t at, std::size_t count, int& value)
{
  if (at + count > text.size()) {
    return false;
  }
  value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return false;
    }
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

} // namespace

// Hand-written for the few fixed forms tapline reads and writes: date's
// stream parser trips GCC 12's -Wmaybe-uninitialized inside <chrono>, and
// this one is also much cheaper per call. The unit tests check it against
// date::format.
std::optional<Clock::time_point>
parse_iso8601(std::string_view text)
{
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(text, 0, 4, year) || text.size() < 16 || text[4] != '-' ||
      !digits(text, 5, 2, month) || text[7] != '-' ||
      !digits(text, 8, 2, day) || text[10] != 'T' ||
      !digits(text, 11, 2, hour) || text[13] != ':' ||
      !digits(text, 14, 2, minute)) {
    return std::nullopt;
  }
  std::size_t at = 16;
  if (at < text.size() && text[at] == ':') {
    if (!digits(text, at + 1, 2, second)) {
      return std::nullopt;
    }
    at += 3;
  }
  std::chrono::nanoseconds fraction{0};
  if (at == 19 && at < text.size() && text[at] == '.') {
    ++at;
    long long scale = 100'000'000;
    const std::size_t first = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      fraction += std::chrono::nanoseconds{(text[at] - '0') * scale};
      scale /= 10;
      ++at;
    }
    if (at == first) {
      return std::nullopt;
    }
  }
  std::chrono::minutes offset{0};
  if (at < text.size() && text[at] == 'Z') {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    int offset_hours = 0;
    int offset_minutes = 0;
    if (!digits(text, at + 1, 2, offset_hours) || at + 3 >= text.size() ||
        text[at + 3] != ':' || !digits(text, at + 4, 2, offset_minutes) ||
        offset_hours > 23 || offset_minutes > 59) {
      return std::nullopt;
    }
    offset =
        std::chrono::hours{offset_hours} + std::chrono::minutes{offset_minutes};
    if (text[at] == '-') {
      offset = -offset;
    }
    at += 6;
  } else {
    return std::nullopt;
  }
  const date::year_month_day date{date::year{year},
                                  date::month{static_cast<unsigned>(month)},
                                  date::day{static_cast<unsigned>(day)}};
  // Leap seconds are not something tapline ever writes.
  if (at != text.size() || !date.ok() || hour > 23 || minute > 59 ||
      second > 59) {
    return std::nullopt;
  }
  // Whole seconds first (no overflow for any 4-digit year), then checked
  // against the clock's range, which ends in 1677 and 2262.
  const auto whole = date::sys_days{date} + std::chrono::hours{hour} +
                     std::chrono::minutes{minute} +
                     std::chrono::seconds{second} - offset;
  const auto earliest =
      std::chrono::ceil<std::chrono::seconds>(Clock::time_point::min());
  const auto latest =
      std::chrono::floor<std::chrono::seconds>(Clock::time_point::max());
  if (whole < earliest || whole > latest ||
      (whole == latest && fraction > Clock::time_point::max() - latest)) {
    return std::nullopt;
  }
  return std::chrono::time_point_cast<Clock::duration>(whole) +
         std::chrono::duration_cast<Clock::duration>(fraction);
}

} // namespace tapline::util
