// runner/schedule/schedule.cpp
//
// Local-time search for cron schedules. A zone is a sequence of segments
// (date::sys_info) with one UTC offset each; inside a segment local time is
// UTC plus that offset, so a segment is searched as one range of local
// times. The DST rules of schedule.hpp live at the segment edges: a gap is
// the local range between two segments, an overlap is the start of a
// segment whose local times the previous one already covered.

#include <runner/schedule/interval.hpp>
#include <runner/schedule/schedule.hpp>
#include <runner/schedule/time_zone.hpp>

#include <date/tz.h>

#include <algorithm>

namespace tapline::schedule {

namespace {

using std::chrono::local_seconds;
using std::chrono::seconds;

// One Gregorian cycle (400 years) plus a year: a cron that fires at all
// fires within any such window.
constexpr std::chrono::days k_horizon{146097 + 366};

// Beyond these, civil dates leave the range date and std::chrono handle.
constexpr TimePoint k_earliest =
    std::chrono::sys_days{std::chrono::year{-9999} / 1 / 1};
constexpr TimePoint k_latest =
    std::chrono::sys_days{std::chrono::year{9999} / 1 / 1};

// Longer than any backward offset change in the tz database (the largest
// is under a day), so a segment starting further back than this cannot
// overlap `from`.
constexpr std::chrono::hours k_longest_overlap{48};

local_seconds
to_local(TimePoint when, seconds offset)
{
  return local_seconds{when.time_since_epoch() + offset};
}

TimePoint
to_sys(local_seconds when, seconds offset)
{
  return TimePoint{when.time_since_epoch() - offset};
}

std::string_view
trim(std::string_view text)
{
  const auto blank = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  };
  while (!text.empty() && blank(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && blank(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

} // namespace

Result<Schedule>
Schedule::parse(std::string_view expression, std::string_view timezone)
{
  const std::string_view text = trim(expression);
  if (text.empty()) {
    return fail(ErrorCode::config,
                "expected a cron expression (e.g. '0 2 * * *') or an "
                "interval (e.g. 'every 30m'), got an empty string");
  }
  Schedule schedule;
  schedule.m_expression = std::string(text);
  schedule.m_timezone_name = timezone.empty() ? "UTC" : std::string(timezone);
  if (looks_like_interval(text)) {
    TRY_ASSIGN(schedule.m_interval, parse_interval(text));
  } else {
    TRY_ASSIGN(schedule.m_cron, CronExpression::parse(text));
  }
  TRY_ASSIGN(schedule.m_zone, locate_time_zone(timezone));
  return schedule;
}

TimePoint
Schedule::next_after(TimePoint after) const
{
  if (m_interval) {
    if (after > TimePoint::max() - *m_interval) {
      return TimePoint::max();
    }
    return after + *m_interval;
  }
  if (after < k_earliest || after > k_latest) {
    return TimePoint::max();
  }
  if (m_zone == nullptr) {
    const local_seconds from = to_local(after + seconds{1}, seconds{0});
    const auto found = m_cron->next_match(from, from + k_horizon);
    return found ? to_sys(*found, seconds{0}) : TimePoint::max();
  }
  return next_in_zone(after);
}

TimePoint
Schedule::next_in_zone(TimePoint after) const
{
  const bool fixed_time = m_cron->is_fixed_time();
  const TimePoint limit = after + k_horizon;
  TimePoint from = after + seconds{1};
  date::sys_info segment = m_zone->get_info(from);
  for (;;) {
    const seconds offset = segment.offset;
    local_seconds low = to_local(from, offset);
    if (fixed_time && from - segment.begin < k_longest_overlap) {
      // After a fall back, the local times up to the old offset's end
      // already happened in the previous segment: a fixed-time job has
      // fired there.
      const date::sys_info previous =
          m_zone->get_info(segment.begin - seconds{1});
      if (previous.offset > offset) {
        low = std::max(low, to_local(segment.begin, previous.offset));
      }
    }
    const local_seconds high = to_local(std::min(segment.end, limit), offset);
    if (const auto found = m_cron->next_match(low, high)) {
      return to_sys(*found, offset);
    }
    if (segment.end >= limit) {
      return TimePoint::max();
    }
    const date::sys_info next = m_zone->get_info(segment.end);
    // Spring forward: local times from this segment's end to the next
    // one's start never happen. A fixed-time job due in them runs when the
    // clock jumps, as cronie catches up on the minutes it skipped.
    if (fixed_time && next.offset > offset &&
        m_cron->next_match(to_local(segment.end, offset),
                           to_local(segment.end, next.offset))) {
      return segment.end;
    }
    from = segment.end;
    segment = next;
  }
}

} // namespace tapline::schedule
