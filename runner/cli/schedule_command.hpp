// runner/cli/schedule_command.hpp
#pragma once

// `tapline schedule next EXPR [--from TIME] [--timezone TZ] [--count N]`:
// show when a schedule would fire, to check an expression (and its DST
// behaviour) before putting it in tapline.yaml. Argument parsing is
// tapline_main.cpp's.

#include <optional>
#include <string>

namespace tapline::cli {

struct ScheduleNextOptions
{
  std::string expression;
  // ISO 8601: "2026-03-28T12:00:00Z", with an offset, or a wall-clock time
  // in `timezone`. Default: now.
  std::optional<std::string> from;
  std::string timezone; // IANA name; empty means UTC
  int count = 5;
};

// Prints the next `count` fire times after `from`, one per line, in UTC
// and in the zone: "2026-03-29T01:00:00Z  2026-03-29 03:00 CEST (+02:00)".
// Returns 0, 78 for a bad expression or zone, 64 for a bad --from or
// --count (printed to stderr as "tapline: ...").
int schedule_next_command(const ScheduleNextOptions& options);

} // namespace tapline::cli
