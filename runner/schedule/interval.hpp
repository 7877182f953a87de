// runner/schedule/interval.hpp
#pragma once

// "every 30m", "every 6 hours": a fixed period counted from the last run's
// start, as Stitch's "every 30 minutes". No calendar, no time zone.

#include <runner/util/result.hpp>

#include <chrono>
#include <string_view>

namespace tapline::schedule {

// True when `text` (trimmed) is meant as an interval: it starts with the
// word "every", in any case.
[[nodiscard]] bool looks_like_interval(std::string_view text);

// `every N<unit>` or `every N <unit>`, N >= 1, the unit one of s, sec,
// second(s), m, min, minute(s), h, hr, hour(s), d, day(s), in any case.
// Errors are ErrorCode::config.
[[nodiscard]] Result<std::chrono::seconds>
parse_interval(std::string_view text);

} // namespace tapline::schedule
