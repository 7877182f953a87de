// runner/schedule/due.cpp
#include <runner/schedule/due.hpp>

#include <algorithm>

namespace tapline::schedule {

std::chrono::seconds
failure_wait(const Backoff& backoff, int failures)
{
  if (failures <= 0 || backoff.backoff <= std::chrono::seconds{0}) {
    return std::chrono::seconds{0};
  }
  auto wait = backoff.backoff;
  // Doubling past the cap is pointless, and bounding the loop keeps a huge
  // failure count from overflowing.
  for (int i = 1; i < failures && wait < backoff.max_backoff; ++i) {
    wait *= 2;
  }
  return std::min(wait, backoff.max_backoff);
}

DueTime
next_due(const Schedule& schedule,
         const RunHistory& history,
         const Backoff& backoff,
         TimePoint now)
{
  if (!history.slot_start) {
    return DueTime{now, false, 0};
  }
  DueTime due{schedule.next_after(*history.slot_start), false, 0};
  if (history.consecutive_failures > 0) {
    const auto failed_at = history.last_end.value_or(*history.slot_start);
    const auto retry_at =
        failed_at + failure_wait(backoff, history.consecutive_failures);
    due.failures = history.consecutive_failures;
    if (retry_at > due.at) {
      due.at = retry_at;
      due.backing_off = true;
    }
  }
  return due;
}

} // namespace tapline::schedule
