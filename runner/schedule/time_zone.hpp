// runner/schedule/time_zone.hpp
#pragma once

// IANA time zones by name from the system's tz database (Howard Hinnant's
// date, built to read /usr/share/zoneinfo). UTC never touches the database,
// so UTC schedules work even where tzdata is missing.

#include <runner/util/result.hpp>

#include <date/tz.h>

#include <string_view>

namespace tapline::schedule {

// True for "" and the names that mean UTC without any rules ("UTC",
// "Etc/UTC").
[[nodiscard]] bool is_utc_name(std::string_view name);

// The zone called `name`, or nullptr for UTC (see is_utc_name). The pointer
// stays valid for the life of the process. Errors: ErrorCode::config,
// "unknown time zone 'NAME'".
[[nodiscard]] Result<const date::time_zone*>
locate_time_zone(std::string_view name);

} // namespace tapline::schedule
