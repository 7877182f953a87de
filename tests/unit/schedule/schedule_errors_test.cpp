// tests/unit/schedule/schedule_errors_test.cpp
//
// Every way a schedule can be wrong, with the full text the user sees (the
// config loader puts file:line:col in front).

#include <runner/schedule/schedule.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using tapline::ErrorCode;
using tapline::schedule::Schedule;

namespace {

struct ErrorCase
{
  std::string expression;
  std::string timezone;
  std::string message;
};

void
check_errors(const std::vector<ErrorCase>& cases)
{
  for (const auto& row : cases) {
    CAPTURE(row.expression);
    CAPTURE(row.timezone);
    const auto parsed = Schedule::parse(row.expression, row.timezone);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().code == ErrorCode::config);
    CHECK(parsed.error().where.empty());
    CHECK(parsed.error().message == row.message);
  }
}

} // namespace

TEST_SUITE("schedule::Schedule")
{
  TEST_CASE("parse error: shape of the expression")
  {
    check_errors({
        {"",
         "",
         "expected a cron expression (e.g. '0 2 * * *') or an interval (e.g. "
         "'every 30m'), got an empty string"},
        {" \t ",
         "",
         "expected a cron expression (e.g. '0 2 * * *') or an interval (e.g. "
         "'every 30m'), got an empty string"},
        {"* * * *",
         "",
         "expected 5 fields (minute hour day-of-month month day-of-week), "
         "got 4"},
        {"0 0 0 * * *",
         "",
         "expected 5 fields (minute hour day-of-month month day-of-week), "
         "got 6"},
        {"Daily",
         "",
         "expected 5 fields (minute hour day-of-month month day-of-week), "
         "got 1 (did you mean '@daily'?)"},
        {"often",
         "",
         "expected 5 fields (minute hour day-of-month month day-of-week), "
         "got 1"},
        {"reboot",
         "",
         "expected 5 fields (minute hour day-of-month month day-of-week), "
         "got 1"},
        {"@reboot", "", "@reboot is not supported (schedules are clock times)"},
        {"@often",
         "",
         "unknown shorthand '@often' (expected @yearly, @annually, @monthly, "
         "@weekly, @daily, @midnight or @hourly)"},
    });
  }

  TEST_CASE("parse error: values out of range")
  {
    check_errors({
        {"61 * * * *", "", "minute: 61 is out of range 0-59"},
        {"0 24 * * *", "", "hour: 24 is out of range 0-23"},
        {"0 0 0 * *", "", "day-of-month: 0 is out of range 1-31"},
        {"0 0 32 * *", "", "day-of-month: 32 is out of range 1-31"},
        {"0 0 * 13 *", "", "month: 13 is out of range 1-12"},
        {"0 0 * 0 *", "", "month: 0 is out of range 1-12"},
        {"0 0 * * 8", "", "day-of-week: 8 is out of range 0-7"},
        {"0-60 * * * *", "", "minute: 60 is out of range 0-59"},
        {"99999999999 * * * *", "", "minute: 99999999999 is out of range 0-59"},
    });
  }

  TEST_CASE("parse error: malformed fields")
  {
    check_errors({
        {"x * * * *", "", "minute: expected a number, got 'x'"},
        {"5x * * * *", "", "minute: expected a number, got '5x'"},
        {"5- * * * *", "", "minute: expected a number, got '5-'"},
        {"-5 * * * *", "", "minute: expected a number, got '-5'"},
        {"0 mon * * *", "", "hour: expected a number, got 'mon'"},
        {"0 0 L * *", "", "day-of-month: expected a number, got 'L'"},
        {"0 0 ? * *", "", "day-of-month: expected a number, got '?'"},
        {"0 0 * foo *",
         "",
         "month: expected a number or a month name (jan-dec), got 'foo'"},
        {"0 0 * * funday",
         "",
         "day-of-week: expected a number or a day name (sun-sat), got "
         "'funday'"},
        {"0 0 * * monday",
         "",
         "day-of-week: expected a number or a day name (sun-sat), got "
         "'monday'"},
        {"0 0 * * mon#2",
         "",
         "day-of-week: expected a number or a day name (sun-sat), got "
         "'mon#2'"},
        {"1,,2 * * * *", "", "minute: empty element in list '1,,2'"},
        {"1, * * * *", "", "minute: empty element in list '1,'"},
        {"*/0 * * * *", "", "minute: step 0 is out of range 1-59"},
        {"*/60 * * * *", "", "minute: step 60 is out of range 1-59"},
        {"0 0 * */13 *", "", "month: step 13 is out of range 1-12"},
        {"*/x * * * *", "", "minute: expected a number after '/', got '*/x'"},
        {"*/ * * * *", "", "minute: expected a number after '/', got '*/'"},
        {"1/2/3 * * * *",
         "",
         "minute: expected a number after '/', got '1/2/3'"},
        {"0 20-5 * * *", "", "hour: range 20-5 goes backwards"},
        {"0 0 * * sat-mon", "", "day-of-week: range sat-mon goes backwards"},
        {"0 0 * dec-jan *", "", "month: range dec-jan goes backwards"},
    });
  }

  TEST_CASE("parse error: never fires")
  {
    check_errors({
        {"0 0 30 2 *", "", "never fires"},
        {"0 0 31 2 *", "", "never fires"},
        {"0 0 31 4,6,9,11 *", "", "never fires"},
        {"0 0 30-31 feb *", "", "never fires"},
        {"0 0 30 2 *", "Europe/Berlin", "never fires"},
    });
  }

  TEST_CASE("parse error: intervals")
  {
    check_errors({
        {"every",
         "",
         "expected 'every N' and a unit s, m, h or d, e.g. 'every 30m', got "
         "'every'"},
        {"every -5m",
         "",
         "expected 'every N' and a unit s, m, h or d, e.g. 'every 30m', got "
         "'every -5m'"},
        {"every half hour",
         "",
         "expected 'every N' and a unit s, m, h or d, e.g. 'every 30m', got "
         "'every half hour'"},
        {"every 0m", "", "interval must be at least 1, got 0"},
        {"every 30",
         "",
         "missing unit after 'every 30' (expected s, m, h or d)"},
        {"every 2 weeks",
         "",
         "unknown interval unit 'weeks' (expected s, m, h or d)"},
        {"every 1.5h",
         "",
         "unknown interval unit '.5h' (expected s, m, h or d)"},
        {"every 1h30m",
         "",
         "unknown interval unit 'h30m' (expected s, m, h or d)"},
        {"every 1234567890s", "", "interval 1234567890 is too large"},
    });
  }

  TEST_CASE("parse error: time zones")
  {
    check_errors({
        {"0 0 * * *", "Europe/Berln", "unknown time zone 'Europe/Berln'"},
        {"every 5m", "Mars/Olympus", "unknown time zone 'Mars/Olympus'"},
        {"0 0 * * *", "utc", "unknown time zone 'utc'"},
        {"0 0 * * *", "../etc/passwd", "unknown time zone '../etc/passwd'"},
    });
  }
}
