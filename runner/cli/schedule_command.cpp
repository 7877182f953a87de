// runner/cli/schedule_command.cpp
#include <runner/cli/context.hpp>
#include <runner/cli/schedule_command.hpp>
#include <runner/schedule/schedule.hpp>
#include <runner/schedule/time_text.hpp>
#include <runner/schedule/time_zone.hpp>

#include <fmt/format.h>

#include <chrono>

namespace tapline::cli {

namespace {

// Enough for a year of a busy cron; more is a typo, not a question.
constexpr int k_max_count = 10'000;

} // namespace

int
schedule_next_command(const ScheduleNextOptions& options)
{
  if (options.count < 1 || options.count > k_max_count) {
    return report(Error{ErrorCode::usage,
                        fmt::format("--count: expected 1 to {}, got {}",
                                    k_max_count,
                                    options.count),
                        {}});
  }
  const auto schedule =
      schedule::Schedule::parse(options.expression, options.timezone);
  if (!schedule) {
    return report(schedule.error());
  }
  // Parsing the schedule has found the zone already, so this cannot fail.
  const auto zone = schedule::locate_time_zone(options.timezone);
  if (!zone) {
    return report(zone.error());
  }

  schedule::TimePoint from = std::chrono::floor<std::chrono::seconds>(
      std::chrono::system_clock::now());
  if (options.from) {
    const auto parsed = schedule::parse_time(*options.from, *zone);
    if (!parsed) {
      return report(parsed.error(), "--from");
    }
    from = *parsed;
  }

  std::string out;
  for (int i = 0; i < options.count; ++i) {
    from = schedule->next_after(from);
    if (from == schedule::TimePoint::max()) {
      break;
    }
    out += fmt::format("{}  {}\n",
                       schedule::format_utc(from),
                       schedule::format_local(from, *zone));
  }
  fmt::print("{}", out);
  return 0;
}

} // namespace tapline::cli
