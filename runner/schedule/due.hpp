// runner/schedule/due.hpp
#pragma once

// When a scheduled integration is next due, from its schedule and its run
// history. Missed slots coalesce: whatever number of slots passed since the
// last run started, the integration is due once. An integration that keeps
// failing (for reasons other than auth, which pause it instead) backs off
// exponentially from the end of its last failed run.

#include <runner/schedule/schedule.hpp>

#include <chrono>
#include <optional>

namespace tapline::schedule {

struct RunHistory
{
  // Start of the last run that used its slot (not one interrupted by a
  // signal); nullopt: never ran, so due at once.
  std::optional<TimePoint> slot_start;
  std::optional<TimePoint> last_end; // end of the last run
  int consecutive_failures = 0;
};

struct Backoff
{
  std::chrono::seconds backoff{300};
  std::chrono::seconds max_backoff{6 * 3600};
};

struct DueTime
{
  TimePoint at;             // due when now >= at
  bool backing_off = false; // `at` is later than the slot because of failures
  int failures = 0;         // consecutive failures behind the backoff
};

// backoff * 2^(failures-1), capped at max_backoff; zero for no failures.
[[nodiscard]] std::chrono::seconds failure_wait(const Backoff& backoff,
                                                int failures);

[[nodiscard]] DueTime next_due(const Schedule& schedule,
                               const RunHistory& history,
                               const Backoff& backoff,
                               TimePoint now);

} // namespace tapline::schedule
