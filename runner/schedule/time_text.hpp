// runner/schedule/time_text.hpp
#pragma once

// Instants as people type and read them around schedules: ISO 8601 with
// "Z", with an offset, or as a wall-clock time in a zone. Used by
// `tapline schedule next` and the schedule tests; storage formats are
// util/time.hpp's.

#include <runner/schedule/schedule.hpp>
#include <runner/util/result.hpp>

#include <string>
#include <string_view>

namespace date {
class time_zone;
} // namespace date

namespace tapline::schedule {

// "2026-03-28T12:00:00Z", "2026-03-28T14:00:00+02:00" (also +0200, +02),
// or without a zone ("2026-03-28T14:00", "2026-03-28 14:00:00",
// "2026-03-28") meaning wall-clock time in `zone` (nullptr: UTC); a wall
// time that happens twice is the first one, one that does not exist is the
// end of the gap. Seconds are optional, a fraction is dropped. Errors are
// ErrorCode::usage.
[[nodiscard]] Result<TimePoint> parse_time(std::string_view text,
                                           const date::time_zone* zone);

// "2026-03-29T01:00:00Z"
[[nodiscard]] std::string format_utc(TimePoint when);

// "2026-03-29 03:00 CEST (+02:00)"; seconds are shown only when not zero.
// `zone` nullptr is UTC.
[[nodiscard]] std::string format_local(TimePoint when,
                                       const date::time_zone* zone);

} // namespace tapline::schedule
