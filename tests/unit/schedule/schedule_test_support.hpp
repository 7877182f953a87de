// tests/unit/schedule/schedule_test_support.hpp
#pragma once

// Table rows for next_after: a schedule, a starting instant and the fire
// times expected after it, all as UTC ISO 8601 text so a failure prints
// something a person can check against a calendar.

#include <runner/schedule/schedule.hpp>
#include <runner/schedule/time_text.hpp>

#include <doctest/doctest.h>

#include <span>
#include <string>
#include <tests/unit/test_support.hpp>
#include <vector>

namespace tapline::test {

struct NextCase
{
  std::string expression;
  std::string timezone; // "" is UTC
  std::string from;     // ISO 8601 UTC
  std::vector<std::string> expected;
};

// The first `count` fire times after `from`, each from the one before.
inline std::vector<std::string>
fire_times(const schedule::Schedule& schedule,
           schedule::TimePoint from,
           std::size_t count)
{
  std::vector<std::string> times;
  for (std::size_t i = 0; i < count; ++i) {
    from = schedule.next_after(from);
    times.push_back(schedule::format_utc(from));
  }
  return times;
}

inline void
check_next_cases(std::span<const NextCase> cases)
{
  for (const auto& row : cases) {
    CAPTURE(row.expression);
    CAPTURE(row.timezone);
    CAPTURE(row.from);
    const auto schedule =
        schedule::Schedule::parse(row.expression, row.timezone);
    REQUIRE_MESSAGE(schedule.has_value(), error_text(schedule));
    const auto from = schedule::parse_time(row.from, nullptr);
    REQUIRE_MESSAGE(from.has_value(), error_text(from));
    CHECK(fire_times(*schedule, *from, row.expected.size()) == row.expected);
  }
}

} // namespace tapline::test
