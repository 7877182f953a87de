// tests/unit/schedule/schedule_dst_test.cpp
//
// Cron across DST changes, the cronie way (see schedule.hpp): fixed-time
// jobs fire once, at the gap's end when their time is skipped; wildcard
// jobs follow elapsed time. Tables for the cases people ask about, then a
// minute-by-minute simulation of cronie's loop around real transitions to
// check next_after against.
//
// 2026 transitions: Europe/Berlin 03-29 01:00Z (02:00 CET -> 03:00 CEST)
// and 10-25 01:00Z (03:00 CEST -> 02:00 CET); America/New_York 03-08
// 07:00Z (02:00 EST -> 03:00 EDT) and 11-01 06:00Z (02:00 EDT -> 01:00
// EST); Australia/Lord_Howe 04-04 15:00Z (02:00 +11 -> 01:30 +1030) and
// 10-03 15:30Z (02:00 +1030 -> 02:30 +11).

#include <runner/schedule/cron_expression.hpp>
#include <runner/schedule/schedule.hpp>
#include <runner/schedule/time_text.hpp>
#include <runner/schedule/time_zone.hpp>

#include <date/tz.h>
#include <doctest/doctest.h>

#include <string>
#include <tests/unit/schedule/schedule_test_support.hpp>
#include <vector>

using tapline::schedule::CronExpression;
using tapline::schedule::Schedule;
using tapline::schedule::TimePoint;
using tapline::test::check_next_cases;
using tapline::test::NextCase;

namespace {

constexpr const char* k_berlin = "Europe/Berlin";
constexpr const char* k_new_york = "America/New_York";

TimePoint
at(const char* iso)
{
  auto parsed = tapline::schedule::parse_time(iso, nullptr);
  REQUIRE_MESSAGE(parsed.has_value(), iso);
  return *parsed;
}

// What cronie's main loop does, one wall-clock minute at a time: a job
// runs when the wall clock shows a matching minute (a fixed-time job only
// the first time that minute is shown), and when the clock jumps forward a
// fixed-time job also runs for the minutes it skipped.
std::vector<std::string>
simulate_cronie(std::string_view expression,
                const date::time_zone* zone,
                TimePoint begin,
                TimePoint end)
{
  using std::chrono::minutes;
  const auto cron = CronExpression::parse(expression);
  REQUIRE(cron.has_value());
  const auto wall_clock = [&](TimePoint when) {
    return std::chrono::local_seconds{zone->to_local(when).time_since_epoch()};
  };
  const auto matches = [&](std::chrono::local_seconds wall) {
    return cron->next_match(wall, wall + minutes{1}).has_value();
  };
  const auto shown_before = [&](TimePoint when,
                                std::chrono::local_seconds wall) {
    const auto info =
        zone->get_info(date::local_seconds{wall.time_since_epoch()});
    return info.result == date::local_info::ambiguous &&
           when.time_since_epoch() !=
               wall.time_since_epoch() - info.first.offset;
  };

  std::vector<std::string> fired;
  auto previous = wall_clock(begin);
  for (TimePoint now = begin + minutes{1}; now <= end; now += minutes{1}) {
    const auto wall = wall_clock(now);
    bool fire =
        matches(wall) && (!cron->is_fixed_time() || !shown_before(now, wall));
    if (cron->is_fixed_time()) {
      for (auto skipped = previous + minutes{1}; skipped < wall;
           skipped += minutes{1}) {
        fire = fire || matches(skipped);
      }
    }
    if (fire) {
      fired.push_back(tapline::schedule::format_utc(now));
    }
    previous = wall;
  }
  return fired;
}

std::vector<std::string>
chain_next_after(const Schedule& schedule, TimePoint begin, TimePoint end)
{
  std::vector<std::string> fired;
  for (TimePoint now = schedule.next_after(begin); now <= end;
       now = schedule.next_after(now)) {
    fired.push_back(tapline::schedule::format_utc(now));
  }
  return fired;
}

} // namespace

TEST_SUITE("schedule::Schedule")
{
  TEST_CASE("DST: fixed-time jobs in Europe/Berlin")
  {
    const std::vector<NextCase> cases = {
        // 02:30 CET, then 02:30 does not exist: 03:00 CEST, then 02:30 CEST.
        {"30 2 * * *",
         k_berlin,
         "2026-03-27T12:00:00Z",
         {"2026-03-28T01:30:00Z",
          "2026-03-29T01:00:00Z",
          "2026-03-30T00:30:00Z"}},
        {"0 2 * * *",
         k_berlin,
         "2026-03-27T12:00:00Z",
         {"2026-03-28T01:00:00Z",
          "2026-03-29T01:00:00Z",
          "2026-03-30T00:00:00Z"}},
        {"0 3 * * *",
         k_berlin,
         "2026-03-27T12:00:00Z",
         {"2026-03-28T02:00:00Z",
          "2026-03-29T01:00:00Z",
          "2026-03-30T01:00:00Z"}},
        // 02:30 happens twice on 10-25: only the first (CEST) fires.
        {"30 2 * * *",
         k_berlin,
         "2026-10-24T12:00:00Z",
         {"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}},
        {"30 2 * * *",
         k_berlin,
         "2026-10-25T00:45:00Z",
         {"2026-10-26T01:30:00Z"}},
        // 03:00 is shown once, in CET.
        {"0 3 * * *",
         k_berlin,
         "2026-10-24T12:00:00Z",
         {"2026-10-25T02:00:00Z", "2026-10-26T02:00:00Z"}},
        {"0,30 1-3 * * *",
         k_berlin,
         "2026-10-24T22:45:00Z",
         {"2026-10-24T23:00:00Z",
          "2026-10-24T23:30:00Z",
          "2026-10-25T00:00:00Z",
          "2026-10-25T00:30:00Z",
          "2026-10-25T02:00:00Z",
          "2026-10-25T02:30:00Z",
          "2026-10-26T00:00:00Z"}},
    };
    check_next_cases(cases);
  }

  TEST_CASE("DST: wildcard jobs in Europe/Berlin follow elapsed time")
  {
    const std::vector<NextCase> cases = {
        {"*/30 * * * *",
         k_berlin,
         "2026-03-29T00:00:00Z",
         {"2026-03-29T00:30:00Z",
          "2026-03-29T01:00:00Z",
          "2026-03-29T01:30:00Z"}},
        // 01:30 CET, then 03:30 CEST: one real hour.
        {"30 * * * *",
         k_berlin,
         "2026-03-29T00:00:00Z",
         {"2026-03-29T00:30:00Z",
          "2026-03-29T01:30:00Z",
          "2026-03-29T02:30:00Z"}},
        {"@hourly",
         k_berlin,
         "2026-03-29T00:00:00Z",
         {"2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"}},
        // The hour 02 does not exist on 03-29, so nothing fires that day.
        {"*/20 2 * * *",
         k_berlin,
         "2026-03-28T00:00:00Z",
         {"2026-03-28T01:00:00Z",
          "2026-03-28T01:20:00Z",
          "2026-03-28T01:40:00Z",
          "2026-03-30T00:00:00Z"}},
        // Through the repeated hour: every 30 real minutes.
        {"*/30 * * * *",
         k_berlin,
         "2026-10-25T00:00:00Z",
         {"2026-10-25T00:30:00Z",
          "2026-10-25T01:00:00Z",
          "2026-10-25T01:30:00Z",
          "2026-10-25T02:00:00Z"}},
        {"30 * * * *",
         k_berlin,
         "2026-10-24T23:00:00Z",
         {"2026-10-24T23:30:00Z",
          "2026-10-25T00:30:00Z",
          "2026-10-25T01:30:00Z",
          "2026-10-25T02:30:00Z"}},
        {"@hourly",
         k_berlin,
         "2026-10-24T23:30:00Z",
         {"2026-10-25T00:00:00Z",
          "2026-10-25T01:00:00Z",
          "2026-10-25T02:00:00Z"}},
        // The hour 02 is shown twice on 10-25, and both times it fires.
        {"*/20 2 * * *",
         k_berlin,
         "2026-10-24T12:00:00Z",
         {"2026-10-25T00:00:00Z",
          "2026-10-25T00:20:00Z",
          "2026-10-25T00:40:00Z",
          "2026-10-25T01:00:00Z",
          "2026-10-25T01:20:00Z",
          "2026-10-25T01:40:00Z",
          "2026-10-26T01:00:00Z"}},
    };
    check_next_cases(cases);
  }

  TEST_CASE("DST: America/New_York")
  {
    const std::vector<NextCase> cases = {
        // Fixed-time: the gap's end (03:00 EDT), then the first 01:30.
        {"30 2 * * *",
         k_new_york,
         "2026-03-07T12:00:00Z",
         {"2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"}},
        {"30 1 * * *",
         k_new_york,
         "2026-10-31T12:00:00Z",
         {"2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"}},
        {"0 1 * * *",
         k_new_york,
         "2026-10-31T12:00:00Z",
         {"2026-11-01T05:00:00Z", "2026-11-02T06:00:00Z"}},
        // Wildcard: both 01:xx hours in the fall, no 02:xx in the spring.
        {"*/20 * * * *",
         k_new_york,
         "2026-11-01T05:00:00Z",
         {"2026-11-01T05:20:00Z",
          "2026-11-01T05:40:00Z",
          "2026-11-01T06:00:00Z",
          "2026-11-01T06:20:00Z"}},
        {"15 * * * *",
         k_new_york,
         "2026-11-01T04:30:00Z",
         {"2026-11-01T05:15:00Z",
          "2026-11-01T06:15:00Z",
          "2026-11-01T07:15:00Z"}},
        {"*/30 2 * * *",
         k_new_york,
         "2026-03-08T06:00:00Z",
         {"2026-03-09T06:00:00Z",
          "2026-03-09T06:30:00Z",
          "2026-03-10T06:00:00Z"}},
        {"0 * * * *",
         k_new_york,
         "2026-03-08T05:30:00Z",
         {"2026-03-08T06:00:00Z",
          "2026-03-08T07:00:00Z",
          "2026-03-08T08:00:00Z"}},
    };
    check_next_cases(cases);
  }

  TEST_CASE("DST: half-hour change in Australia/Lord_Howe")
  {
    const std::vector<NextCase> cases = {
        // 02:15 is skipped on 10-04: the gap ends at 02:30 (+11).
        {"15 2 * * *",
         "Australia/Lord_Howe",
         "2026-10-02T12:00:00Z",
         {"2026-10-02T15:45:00Z",
          "2026-10-03T15:30:00Z",
          "2026-10-04T15:15:00Z"}},
        // 01:45 is shown twice on 04-05; a fixed-time job takes the first.
        {"45 1 * * *",
         "Australia/Lord_Howe",
         "2026-04-03T12:00:00Z",
         {"2026-04-03T14:45:00Z",
          "2026-04-04T14:45:00Z",
          "2026-04-05T15:15:00Z"}},
        {"*/15 * * * *",
         "Australia/Lord_Howe",
         "2026-04-04T14:30:00Z",
         {"2026-04-04T14:45:00Z",
          "2026-04-04T15:00:00Z",
          "2026-04-04T15:15:00Z",
          "2026-04-04T15:30:00Z"}},
    };
    check_next_cases(cases);
  }

  TEST_CASE("DST: next_after agrees with cronie's minute-by-minute loop")
  {
    struct Window
    {
      const char* zone;
      const char* begin;
      const char* end;
    };
    const std::vector<Window> windows = {
        {k_berlin, "2026-03-27T00:00:00Z", "2026-03-31T00:00:00Z"},
        {k_berlin, "2026-10-23T00:00:00Z", "2026-10-27T00:00:00Z"},
        {k_new_york, "2026-03-06T00:00:00Z", "2026-03-10T00:00:00Z"},
        {k_new_york, "2026-10-30T00:00:00Z", "2026-11-03T00:00:00Z"},
        {"Australia/Lord_Howe", "2026-04-02T00:00:00Z", "2026-04-06T00:00:00Z"},
        {"Australia/Lord_Howe", "2026-10-01T00:00:00Z", "2026-10-05T00:00:00Z"},
        // DST that began and ended at midnight (Brazil, 2018-11-04 and
        // 2019-02-17, when 23:00-23:59 of the 16th happened twice).
        {"America/Sao_Paulo", "2018-11-02T00:00:00Z", "2018-11-06T00:00:00Z"},
        {"America/Sao_Paulo", "2019-02-15T00:00:00Z", "2019-02-19T00:00:00Z"},
        // Samoa skipped 2011-12-30 entirely.
        {"Pacific/Apia", "2011-12-28T00:00:00Z", "2012-01-02T00:00:00Z"},
    };
    const std::vector<const char*> expressions = {
        "*/15 * * * *",
        "30 * * * *",
        "* 2 * * *",
        "*/20 2 * * *",
        "30 2 * * *",
        "0 2 * * *",
        "0 3 * * *",
        "45 1 * * *",
        "59 1 * * *",
        "0,30 1-3 * * *",
        "0 0 * * *",
        "30 23 * * *",
        "0 12 * * *",
        "0 12 30 12 *",
    };
    for (const auto& window : windows) {
      const auto zone = tapline::schedule::locate_time_zone(window.zone);
      REQUIRE(zone.has_value());
      for (const char* expression : expressions) {
        CAPTURE(window.zone);
        CAPTURE(window.begin);
        CAPTURE(expression);
        const auto schedule = Schedule::parse(expression, window.zone);
        REQUIRE(schedule.has_value());
        const TimePoint begin = at(window.begin);
        const TimePoint end = at(window.end);
        CHECK(chain_next_after(*schedule, begin, end) ==
              simulate_cronie(expression, *zone, begin, end));
      }
    }
  }
}
