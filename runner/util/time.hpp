// runner/util/time.hpp
#pragma once

// Wall-clock timestamps as tapline stores and prints them: ISO 8601 in UTC
// with millisecond precision ("2026-11-25T12:00:00.123Z"), which sorts as
// text in SQLite and in logs.

#include <chrono>
#include <string>

namespace tapline::util {

using Clock = std::chrono::system_clock;

[[nodiscard]] std::string iso8601(Clock::time_point when);

[[nodiscard]] inline std::string
now_iso8601()
{
  return iso8601(Clock::now());
}

} // namespace tapline::util
