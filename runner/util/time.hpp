// runner/util/time.hpp
#pragma once

// Wall-clock timestamps as tapline stores and prints them: ISO 8601 in UTC
// with millisecond precision ("2026-11-25T12:00:00.123Z"), which sorts as
// text in SQLite and in logs.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tapline::util {

using Clock = std::chrono::system_clock;

[[nodiscard]] std::string iso8601(Clock::time_point when);

[[nodiscard]] inline std::string
now_iso8601()
{
  return iso8601(Clock::now());
}

// Reads an ISO 8601 instant with a zone: what iso8601() writes, and
// "2026-11-25T07:00:00+01:00" or "2026-11-25T06:00Z" (fractions optional);
// nullopt otherwise.
[[nodiscard]] std::optional<Clock::time_point>
parse_iso8601(std::string_view text);

} // namespace tapline::util
