// runner/schedule/cron_expression.hpp
#pragma once

// The five-field cron expression as cronie (Vixie cron) reads it, and the
// search for the next local civil time it matches. It knows nothing about
// time zones or DST: Schedule maps local times to instants.

#include <runner/util/result.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tapline::schedule {

class CronExpression
{
public:
  // Five whitespace-separated fields (minute hour day-of-month month
  // day-of-week) or a shorthand (@yearly, @annually, @monthly, @weekly,
  // @daily, @midnight, @hourly). Errors are ErrorCode::config.
  [[nodiscard]] static Result<CronExpression> parse(std::string_view text);

  // The first whole local minute in [`from`, `until`) that matches, with
  // `from` rounded up to a whole minute; nullopt if there is none. Jumps
  // by month, day, hour and minute, so a search over centuries costs a few
  // thousand steps at most.
  [[nodiscard]] std::optional<std::chrono::local_seconds>
  next_match(std::chrono::local_seconds from,
             std::chrono::local_seconds until) const;

  // Neither the minute nor the hour field starts with '*': cronie runs such
  // a job once per day at a wall-clock time, not on elapsed time, and
  // treats it differently across DST changes.
  [[nodiscard]] bool
  is_fixed_time() const
  {
    return m_fixed_time;
  }

private:
  // Days 1-31 of a month (bit d) whose first day is `first_weekday` (0 =
  // Sunday) and whose last day is `last_day` that match both day fields.
  [[nodiscard]] std::uint32_t day_mask(unsigned first_weekday,
                                       unsigned last_day) const;

  std::uint64_t m_minutes = 0;       // bit m: minute m (0-59)
  std::uint32_t m_hours = 0;         // bit h: hour h (0-23)
  std::uint32_t m_days_of_month = 0; // bit d: day d (1-31)
  std::uint32_t m_months = 0;        // bit m: month m (1-12)
  // Index w: the days 1-31 (bit d) that match the day-of-week field in a
  // month starting on weekday w, so day matching is a mask per month.
  std::array<std::uint32_t, 7> m_weekday_days{};
  // Vixie's rule: if either day field starts with '*', a day must match
  // both fields; otherwise either one is enough.
  bool m_days_need_both = true;
  bool m_fixed_time = false;
};

} // namespace tapline::schedule
