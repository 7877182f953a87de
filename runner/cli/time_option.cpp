// runner/cli/time_option.cpp
#include <runner/cli/time_option.hpp>
#include <runner/schedule/time_text.hpp>

#include <fmt/format.h>

namespace tapline::cli {

Result<schedule::TimePoint>
parse_instant(std::string_view text, std::string_view option)
{
  // Fractions of a second are dropped: schedules have minute (cron) or
  // second (intervals) resolution.
  if (auto parsed = schedule::parse_time(text, nullptr)) {
    return *parsed;
  }
  return fail(ErrorCode::usage,
              fmt::format("{}: expected a time like 2026-11-25T06:00:00Z or "
                          "2026-11-25T07:00:00+01:00, got '{}'",
                          option,
                          text));
}

Result<schedule::TimePoint>
now_or(const std::optional<std::string>& now_option)
{
  if (now_option) {
    return parse_instant(*now_option, "--now");
  }
  return std::chrono::floor<std::chrono::seconds>(
      std::chrono::system_clock::now());
}

} // namespace tapline::cli
