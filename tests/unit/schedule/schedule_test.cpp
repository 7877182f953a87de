// tests/unit/schedule/schedule_test.cpp
//
// next_after on the calendar: cron fields, names, shorthands, month ends,
// leap days, the day-of-month/day-of-week rule, and intervals. All in UTC
// unless a row names a zone; DST is in schedule_dst_test.cpp.

#include <runner/schedule/schedule.hpp>

#include <doctest/doctest.h>

#include <tests/unit/schedule/schedule_test_support.hpp>
#include <vector>

using tapline::schedule::Schedule;
using tapline::test::check_next_cases;
using tapline::test::NextCase;

namespace {

// 2026-01-01 is a Thursday.
constexpr const char* k_new_year = "2026-01-01T00:00:00Z";

} // namespace

TEST_SUITE("schedule::Schedule")
{
  TEST_CASE("next_after: steps")
  {
    const std::vector<NextCase> cases = {
        {"*/15 * * * *",
         "",
         k_new_year,
         {"2026-01-01T00:15:00Z",
          "2026-01-01T00:30:00Z",
          "2026-01-01T00:45:00Z",
          "2026-01-01T01:00:00Z"}},
        {"5-20/5 * * * *",
         "",
         k_new_year,
         {"2026-01-01T00:05:00Z",
          "2026-01-01T00:10:00Z",
          "2026-01-01T00:15:00Z",
          "2026-01-01T00:20:00Z",
          "2026-01-01T01:05:00Z"}},
        // a/n means a-max/n, as in cronie.
        {"10/20 * * * *",
         "",
         k_new_year,
         {"2026-01-01T00:10:00Z",
          "2026-01-01T00:30:00Z",
          "2026-01-01T00:50:00Z",
          "2026-01-01T01:10:00Z"}},
        {"0 */6 * * *",
         "",
         k_new_year,
         {"2026-01-01T06:00:00Z",
          "2026-01-01T12:00:00Z",
          "2026-01-01T18:00:00Z",
          "2026-01-02T00:00:00Z"}},
        {"0 0 1 */5 *",
         "",
         k_new_year,
         {"2026-06-01T00:00:00Z",
          "2026-11-01T00:00:00Z",
          "2027-01-01T00:00:00Z",
          "2027-06-01T00:00:00Z"}},
        {"*/59 * * * *",
         "",
         k_new_year,
         {"2026-01-01T00:59:00Z",
          "2026-01-01T01:00:00Z",
          "2026-01-01T01:59:00Z"}},
    };
    check_next_cases(cases);
  }

  TEST_CASE("next_after: lists and ranges")
  {
    const std::vector<NextCase> cases = {
        {"0,30 9,17 * * *",
         "",
         k_new_year,
         {"2026-01-01T09:00:00Z",
          "2026-01-01T09:30:00Z",
          "2026-01-01T17:00:00Z",
          "2026-01-01T17:30:00Z",
          "2026-01-02T09:00:00Z"}},
        {"1,2-4,*/20 * * * *",
         "",
         k_new_year,
         {"2026-01-01T00:01:00Z",
          "2026-01-01T00:02:00Z",
          "2026-01-01T00:03:00Z",
          "2026-01-01T00:04:00Z",
          "2026-01-01T00:20:00Z",
          "2026-01-01T00:40:00Z",
          "2026-01-01T01:00:00Z"}},
        {"0 22-23,0-1 * * *",
         "",
         "2026-01-01T12:00:00Z",
         {"2026-01-01T22:00:00Z",
          "2026-01-01T23:00:00Z",
          "2026-01-02T00:00:00Z",
          "2026-01-02T01:00:00Z",
          "2026-01-02T22:00:00Z"}},
    };
    check_next_cases(cases);
  }

  TEST_CASE("next_after: month and day names")
  {
    const std::vector<NextCase> cases = {
        {"0 2 * * mon-fri",
         "",
         k_new_year,
         {"2026-01-01T02:00:00Z",
          "2026-01-02T02:00:00Z",
          "2026-01-05T02:00:00Z",
          "2026-01-06T02:00:00Z"}},
        {"0 12 * jun-aug sat,SUN",
         "",
         k_new_year,
         {"2026-06-06T12:00:00Z",
          "2026-06-07T12:00:00Z",
          "2026-06-13T12:00:00Z"}},
        {"0 0 1 JAN,Jul *",
         "",
         k_new_year,
         {"2026-07-01T00:00:00Z",
          "2027-01-01T00:00:00Z",
          "2027-07-01T00:00:00Z"}},
        // 0 and 7 are both Sunday.
        {"0 0 * * 7",
         "",
         k_new_year,
         {"2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z"}},
        {"0 0 * * 0",
         "",
         k_new_year,
         {"2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z"}},
        {"0 0 * * 5-7",
         "",
         k_new_year,
         {"2026-01-02T00:00:00Z",
          "2026-01-03T00:00:00Z",
          "2026-01-04T00:00:00Z",
          "2026-01-09T00:00:00Z"}},
        // "sun" ending a range means 7, so fri-sun reads as written.
        {"0 0 * * fri-sun",
         "",
         k_new_year,
         {"2026-01-02T00:00:00Z",
          "2026-01-03T00:00:00Z",
          "2026-01-04T00:00:00Z",
          "2026-01-09T00:00:00Z"}},
        // mon/2 is mon-7/2: Monday, Wednesday, Friday, Sunday.
        {"0 9 * * Mon/2",
         "",
         k_new_year,
         {"2026-01-02T09:00:00Z",
          "2026-01-04T09:00:00Z",
          "2026-01-05T09:00:00Z",
          "2026-01-07T09:00:00Z"}},
    };
    check_next_cases(cases);
  }

  TEST_CASE("next_after: shorthands")
  {
    const std::vector<NextCase> cases = {
        {"@hourly",
         "",
         k_new_year,
         {"2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"}},
        {"@daily",
         "",
         k_new_year,
         {"2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"}},
        {"@midnight",
         "",
         k_new_year,
         {"2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"}},
        {"@weekly",
         "",
         k_new_year,
         {"2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z"}},
        {"@monthly",
         "",
         k_new_year,
         {"2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"}},
        {"@yearly",
         "",
         k_new_year,
         {"2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"}},
        {"@annually",
         "",
         k_new_year,
         {"2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"}},
        {"@Daily",
         "",
         k_new_year,
         {"2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"}},
    };
    check_next_cases(cases);
  }

  TEST_CASE("next_after: month ends skip short months")
  {
    const std::vector<NextCase> cases = {
        {"0 0 31 * *",
         "",
         k_new_year,
         {"2026-01-31T00:00:00Z",
          "2026-03-31T00:00:00Z",
          "2026-05-31T00:00:00Z",
          "2026-07-31T00:00:00Z",
          "2026-08-31T00:00:00Z",
          "2026-10-31T00:00:00Z",
          "2026-12-31T00:00:00Z",
          "2027-01-31T00:00:00Z"}},
        {"0 0 30 * *",
         "",
         k_new_year,
         {"2026-01-30T00:00:00Z",
          "2026-03-30T00:00:00Z",
          "2026-04-30T00:00:00Z"}},
        {"0 0 29 * *",
         "",
         k_new_year,
         {"2026-01-29T00:00:00Z", "2026-03-29T00:00:00Z"}},
        {"59 23 28-31 2 *",
         "",
         "2027-01-01T00:00:00Z",
         {"2027-02-28T23:59:00Z",
          "2028-02-28T23:59:00Z",
          "2028-02-29T23:59:00Z",
          "2029-02-28T23:59:00Z"}},
        {"0 0 1 1 *",
         "",
         "2026-12-31T23:59:59Z",
         {"2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"}},
    };
    check_next_cases(cases);
  }

  TEST_CASE("next_after: leap days")
  {
    const std::vector<NextCase> cases = {
        {"0 0 29 2 *",
         "",
         "2025-01-01T00:00:00Z",
         {"2028-02-29T00:00:00Z",
          "2032-02-29T00:00:00Z",
          "2036-02-29T00:00:00Z"}},
        // 2100 is not a leap year.
        {"0 0 29 2 *", "", "2097-01-01T00:00:00Z", {"2104-02-29T00:00:00Z"}},
        // Day-of-week starts with '*', so both must match: Feb 29 on a
        // Sunday, 28 years apart.
        {"0 0 29 2 */7",
         "",
         "2026-01-01T00:00:00Z",
         {"2032-02-29T00:00:00Z", "2060-02-29T00:00:00Z"}},
    };
    check_next_cases(cases);
  }

  TEST_CASE("next_after: day-of-month and day-of-week")
  {
    const std::vector<NextCase> cases = {
        // Neither field starts with '*': either matches (Vixie's rule).
        {"0 0 13 * fri",
         "",
         k_new_year,
         {"2026-01-02T00:00:00Z",
          "2026-01-09T00:00:00Z",
          "2026-01-13T00:00:00Z",
          "2026-01-16T00:00:00Z",
          "2026-01-23T00:00:00Z",
          "2026-01-30T00:00:00Z",
          "2026-02-06T00:00:00Z",
          "2026-02-13T00:00:00Z",
          "2026-02-20T00:00:00Z"}},
        {"0 0 1-7 * mon",
         "",
         k_new_year,
         {"2026-01-02T00:00:00Z",
          "2026-01-03T00:00:00Z",
          "2026-01-04T00:00:00Z",
          "2026-01-05T00:00:00Z",
          "2026-01-06T00:00:00Z",
          "2026-01-07T00:00:00Z",
          "2026-01-12T00:00:00Z",
          "2026-01-19T00:00:00Z",
          "2026-01-26T00:00:00Z"}},
        // February 31 never comes, but the Mondays of February do.
        {"0 0 31 2 mon",
         "",
         k_new_year,
         {"2026-02-02T00:00:00Z",
          "2026-02-09T00:00:00Z",
          "2026-02-16T00:00:00Z",
          "2026-02-23T00:00:00Z",
          "2027-02-01T00:00:00Z"}},
        {"0 0 29 2 sun",
         "",
         "2028-02-01T00:00:00Z",
         {"2028-02-06T00:00:00Z",
          "2028-02-13T00:00:00Z",
          "2028-02-20T00:00:00Z",
          "2028-02-27T00:00:00Z",
          "2028-02-29T00:00:00Z",
          "2029-02-04T00:00:00Z"}},
        // Day-of-month starts with '*': both must match.
        {"0 0 */10 * mon",
         "",
         k_new_year,
         {"2026-05-11T00:00:00Z",
          "2026-06-01T00:00:00Z",
          "2026-08-31T00:00:00Z",
          "2026-09-21T00:00:00Z"}},
        {"0 0 * * mon",
         "",
         k_new_year,
         {"2026-01-05T00:00:00Z", "2026-01-12T00:00:00Z"}},
        {"0 0 13 * *",
         "",
         k_new_year,
         {"2026-01-13T00:00:00Z", "2026-02-13T00:00:00Z"}},
    };
    check_next_cases(cases);
  }

  TEST_CASE("next_after: strictly after, from any second")
  {
    const std::vector<NextCase> cases = {
        {"*/15 * * * *",
         "",
         "2026-01-01T00:15:00Z",
         {"2026-01-01T00:30:00Z", "2026-01-01T00:45:00Z"}},
        {"* * * * *",
         "",
         "2026-01-01T00:00:30Z",
         {"2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z"}},
        {"* * * * *", "", "2026-01-01T00:00:59Z", {"2026-01-01T00:01:00Z"}},
    };
    check_next_cases(cases);
  }

  TEST_CASE("next_after: zones without DST and names of UTC")
  {
    const std::vector<NextCase> cases = {
        // +05:30
        {"0 9 * * *",
         "Asia/Kolkata",
         k_new_year,
         {"2026-01-01T03:30:00Z", "2026-01-02T03:30:00Z"}},
        {"0 2 * * *", "UTC", k_new_year, {"2026-01-01T02:00:00Z"}},
        {"0 2 * * *", "Etc/UTC", k_new_year, {"2026-01-01T02:00:00Z"}},
        {"0 2 * * *", "Etc/GMT-3", k_new_year, {"2026-01-01T23:00:00Z"}},
    };
    check_next_cases(cases);
  }

  TEST_CASE("next_after: intervals count from the given start")
  {
    const std::vector<NextCase> cases = {
        {"every 90s",
         "",
         k_new_year,
         {"2026-01-01T00:01:30Z", "2026-01-01T00:03:00Z"}},
        {"every 45 seconds",
         "",
         k_new_year,
         {"2026-01-01T00:00:45Z", "2026-01-01T00:01:30Z"}},
        {"every 30m",
         "",
         k_new_year,
         {"2026-01-01T00:30:00Z", "2026-01-01T01:00:00Z"}},
        {"every 30 minutes",
         "",
         k_new_year,
         {"2026-01-01T00:30:00Z", "2026-01-01T01:00:00Z"}},
        {"every 10 min",
         "",
         k_new_year,
         {"2026-01-01T00:10:00Z", "2026-01-01T00:20:00Z"}},
        {"every 6h",
         "",
         k_new_year,
         {"2026-01-01T06:00:00Z", "2026-01-01T12:00:00Z"}},
        {"every 6 hours",
         "",
         k_new_year,
         {"2026-01-01T06:00:00Z", "2026-01-01T12:00:00Z"}},
        {"Every 1H",
         "",
         k_new_year,
         {"2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"}},
        {"every 1d",
         "",
         k_new_year,
         {"2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"}},
        {"every 1 day",
         "",
         k_new_year,
         {"2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"}},
        {"every 2 days",
         "",
         k_new_year,
         {"2026-01-03T00:00:00Z", "2026-01-05T00:00:00Z"}},
        // Seconds are kept: an interval counts from the last start.
        {"every 30m",
         "",
         "2026-01-01T00:00:17Z",
         {"2026-01-01T00:30:17Z", "2026-01-01T01:00:17Z"}},
        // The zone is ignored: 24 real hours across the spring change.
        {"every 1d",
         "Europe/Berlin",
         "2026-03-28T12:00:00Z",
         {"2026-03-29T12:00:00Z", "2026-03-30T12:00:00Z"}},
    };
    check_next_cases(cases);
  }

  TEST_CASE("parse: accessors")
  {
    const auto cron = Schedule::parse("  0 2 * * mon-fri \t", "Europe/Berlin");
    REQUIRE(cron.has_value());
    CHECK(cron->expression() == "0 2 * * mon-fri");
    CHECK(cron->timezone_name() == "Europe/Berlin");
    CHECK_FALSE(cron->is_interval());

    const auto interval = Schedule::parse("every 30m");
    REQUIRE(interval.has_value());
    CHECK(interval->expression() == "every 30m");
    CHECK(interval->timezone_name() == "UTC");
    CHECK(interval->is_interval());

    const auto shorthand = Schedule::parse("@daily", "");
    REQUIRE(shorthand.has_value());
    CHECK(shorthand->expression() == "@daily");
    CHECK(shorthand->timezone_name() == "UTC");
    CHECK_FALSE(shorthand->is_interval());
  }
}
