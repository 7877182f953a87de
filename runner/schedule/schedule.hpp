// runner/schedule/schedule.hpp
#pragma once

// When an integration runs next: a cron expression read in an IANA time
// zone, or a fixed interval. Parsing validates everything up front (fields,
// zone, "never fires"), so next_after cannot fail. This unit computes times
// only; deciding what is due and locking are the caller's.
//
// Cron follows cronie (Vixie cron): fields, names, steps, @shorthands and
// the day rule (if the day-of-month or the day-of-week field starts with
// '*', a day must match both; otherwise matching either is enough).
//
// DST, as cronie behaves. Fields are read in the zone's local time. A job
// is "fixed-time" when neither its minute nor its hour field starts with
// '*' ("30 2 * * *", "0 0 1 * *", @daily); otherwise it is a "wildcard" job
// ("*/15 * * * *", "30 * * * *", @hourly).
// - Spring forward (local times that do not exist): a fixed-time job due
//   in the gap fires once, at the instant the gap ends ("30 2 * * *" in
//   Europe/Berlin on 2026-03-29 fires at 03:00 CEST = 01:00 UTC). A
//   wildcard job follows elapsed time, so its matches inside the gap are
//   skipped ("*/15 * * * *" goes 01:45 CET, 03:00 CEST; "30 * * * *" goes
//   01:30 CET, 03:30 CEST), as cronie runs wildcard jobs only for the
//   wall-clock time it wakes at.
// - Fall back (local times that happen twice): a fixed-time job fires only
//   at the first occurrence; a wildcard job fires at both ("*/15" keeps
//   firing every 15 real minutes through the repeated hour).
// Other transitions (zone offset changes without DST) follow the same two
// rules, whatever their size: unlike cronie, which catches up only after
// jumps under 3 hours, a fixed-time job due on the day Samoa skipped
// (2011-12-30) fires once, when the day was skipped. Limitation: date reads
// the transitions in /usr/share/zoneinfo, which end in 2037; later times
// keep the last offset (standard time).

#include <runner/schedule/cron_expression.hpp>
#include <runner/util/result.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;
} // namespace date

namespace tapline::schedule {

using TimePoint = std::chrono::sys_seconds;

class Schedule
{
public:
  // "*/15 * * * *", "0 2 * * mon-fri", "@daily", "every 30m", "every 6h".
  // `timezone`: IANA name ("Europe/Berlin"); empty means UTC. Cron fields
  // are read in that zone; intervals ignore it (but it must still exist).
  // Errors: ErrorCode::config with an empty `where` (the config loader adds
  // file:line:col), e.g. "expected 5 fields (minute hour day-of-month month
  // day-of-week), got 4", "minute: 61 is out of range 0-59", "unknown time
  // zone 'Europe/Berln'", "never fires" ("0 0 30 2 *").
  [[nodiscard]] static Result<Schedule> parse(std::string_view expression,
                                              std::string_view timezone = {});

  // The first fire time strictly after `after`; for an interval, `after` +
  // interval (intervals count from the last run's start). Cron times are
  // whole local minutes. Returns TimePoint::max() only if nothing fires
  // within 400 years of `after` (a wildcard cron whose every match falls
  // into DST gaps) or `after` lies outside years -9999 to 9999.
  [[nodiscard]] TimePoint next_after(TimePoint after) const;

  // The expression as given, trimmed.
  [[nodiscard]] const std::string&
  expression() const
  {
    return m_expression;
  }
  // The zone as given, or "UTC" if none was given.
  [[nodiscard]] std::string
  timezone_name() const
  {
    return m_timezone_name;
  }
  [[nodiscard]] bool
  is_interval() const
  {
    return m_interval.has_value();
  }

private:
  Schedule() = default;

  [[nodiscard]] TimePoint next_in_zone(TimePoint after) const;

  std::string m_expression;
  std::string m_timezone_name;
  std::optional<std::chrono::seconds> m_interval; // set for "every ..."
  std::optional<CronExpression> m_cron;           // set otherwise
  const date::time_zone* m_zone = nullptr;        // nullptr: UTC
};

} // namespace tapline::schedule
