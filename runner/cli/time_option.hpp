// runner/cli/time_option.hpp
#pragma once

// Reads an instant given on the command line (`--now`): ISO 8601 with a
// zone, "2026-11-25T06:00:00Z" or "2026-11-25T07:00+01:00". Schedules are
// evaluated at that instant instead of the clock, for what-if questions
// and for tests.

#include <runner/schedule/schedule.hpp>
#include <runner/util/result.hpp>

#include <string_view>

namespace tapline::cli {

// Errors: `usage`, naming `option` and the accepted form.
[[nodiscard]] Result<schedule::TimePoint>
parse_instant(std::string_view text, std::string_view option);

// The clock, or the instant from `--now` if given.
[[nodiscard]] Result<schedule::TimePoint>
now_or(const std::optional<std::string>& now_option);

} // namespace tapline::cli
