// tests/unit/schedule/due_test.cpp
//
// When a scheduled integration is next due: the failure backoff
// (doubling, capped, no overflow) and next_due's choice between the next
// slot after the last run and the end of the backoff.

#include <runner/schedule/due.hpp>
#include <runner/schedule/schedule.hpp>
#include <runner/schedule/time_text.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <tests/unit/test_support.hpp>
#include <vector>

using namespace std::chrono_literals;
using tapline::schedule::Backoff;
using tapline::schedule::failure_wait;
using tapline::schedule::format_utc;
using tapline::schedule::next_due;
using tapline::schedule::RunHistory;
using tapline::schedule::Schedule;
using tapline::schedule::TimePoint;
using tapline::test::error_text;

namespace {

TimePoint
at(const std::string& text)
{
  const auto parsed = tapline::schedule::parse_time(text, nullptr);
  REQUIRE_MESSAGE(parsed.has_value(), error_text(parsed));
  return *parsed;
}

Schedule
schedule(const std::string& expression)
{
  auto parsed = Schedule::parse(expression);
  REQUIRE_MESSAGE(parsed.has_value(), error_text(parsed));
  return std::move(*parsed);
}

} // namespace

TEST_SUITE("schedule::due")
{
  TEST_CASE("failure_wait: doubles from backoff and stops at max_backoff")
  {
    const Backoff backoff{300s, 6h};
    struct Row
    {
      int failures;
      std::chrono::seconds wait;
    };
    const std::vector<Row> rows = {
        {-1, 0s},
        {0, 0s},
        {1, 300s},
        {2, 600s},
        {3, 1200s},
        {4, 2400s},
        {5, 4800s},
        {6, 9600s},
        {7, 19200s},
        {8, 21600s}, // 38400 s capped at 6 h
        {9, 21600s},
        {62, 21600s},
        {63, 21600s},
        {64, 21600s},
        {10'000, 21600s},
        {2'147'483'647, 21600s},
    };
    for (const auto& row : rows) {
      CAPTURE(row.failures);
      CHECK(failure_wait(backoff, row.failures).count() == row.wait.count());
    }
  }

  TEST_CASE("failure_wait: a cap that is not a doubling of backoff")
  {
    CHECK(failure_wait(Backoff{7s, 100s}, 1) == 7s);
    CHECK(failure_wait(Backoff{7s, 100s}, 4) == 56s);
    CHECK(failure_wait(Backoff{7s, 100s}, 5) == 100s);
    // A backoff above the cap is capped from the first failure.
    CHECK(failure_wait(Backoff{1h, 10min}, 1) == 10min);
    CHECK(failure_wait(Backoff{0s, 1h}, 10'000) == 0s);
  }

  TEST_CASE("next_due: never ran is due now")
  {
    const auto now = at("2026-11-25T06:07:08Z");
    const auto due = next_due(schedule("0 3 * * *"), RunHistory{}, {}, now);
    CHECK(format_utc(due.at) == "2026-11-25T06:07:08Z");
    CHECK_FALSE(due.backing_off);
    CHECK(due.failures == 0);

    // Failures without a slot start (no usable run) do not delay it.
    RunHistory history;
    history.last_end = at("2026-11-25T06:00:00Z");
    history.consecutive_failures = 3;
    const auto failed = next_due(schedule("0 3 * * *"), history, {}, now);
    CHECK(format_utc(failed.at) == "2026-11-25T06:07:08Z");
    CHECK_FALSE(failed.backing_off);
    CHECK(failed.failures == 0);
  }

  TEST_CASE("next_due: the first slot after the last run's start")
  {
    RunHistory history;
    history.slot_start = at("2026-11-25T06:00:00Z");
    history.last_end = at("2026-11-25T06:02:00Z");
    const auto now = at("2026-11-25T06:03:00Z");

    const auto cron = next_due(schedule("*/5 * * * *"), history, {}, now);
    CHECK(format_utc(cron.at) == "2026-11-25T06:05:00Z");
    CHECK_FALSE(cron.backing_off);
    CHECK(cron.failures == 0);

    // Intervals count from the last start, not the end.
    const auto interval = next_due(schedule("every 30m"), history, {}, now);
    CHECK(format_utc(interval.at) == "2026-11-25T06:30:00Z");
  }

  TEST_CASE("next_due: missed slots coalesce into one due run")
  {
    // A day of missed */5 slots: due at the first of them, which is in the
    // past, so one run now; after it, the next slot is in the future.
    RunHistory history;
    history.slot_start = at("2026-11-24T06:01:00Z");
    history.last_end = at("2026-11-24T06:01:30Z");
    const auto now = at("2026-11-25T06:01:00Z");
    const auto every_five = schedule("*/5 * * * *");

    const auto due = next_due(every_five, history, {}, now);
    CHECK(format_utc(due.at) == "2026-11-24T06:05:00Z");
    CHECK(due.at <= now);
    CHECK_FALSE(due.backing_off);

    history.slot_start = now;
    history.last_end = now + 10s;
    const auto after = next_due(every_five, history, {}, now + 10s);
    CHECK(format_utc(after.at) == "2026-11-25T06:05:00Z");
    CHECK(after.at > now + 10s);
  }

  TEST_CASE("next_due: failures back off from the end of the last run")
  {
    const Backoff backoff{300s, 6h};
    const auto every_five = schedule("*/5 * * * *");
    RunHistory history;
    history.slot_start = at("2026-11-25T06:00:00Z");
    history.last_end = at("2026-11-25T06:01:00Z");
    const auto now = at("2026-11-25T06:02:00Z");

    SUBCASE("a wait past the next slot delays the run")
    {
      history.consecutive_failures = 3; // 20 minutes
      const auto due = next_due(every_five, history, backoff, now);
      CHECK(format_utc(due.at) == "2026-11-25T06:21:00Z");
      CHECK(due.backing_off);
      CHECK(due.failures == 3);
    }
    SUBCASE("a wait that ends before the next slot keeps the slot")
    {
      history.consecutive_failures = 1; // 5 minutes: 06:06, before 07:00
      const auto hourly =
          next_due(schedule("0 * * * *"), history, backoff, now);
      CHECK(format_utc(hourly.at) == "2026-11-25T07:00:00Z");
      CHECK_FALSE(hourly.backing_off);
      CHECK(hourly.failures == 1);
    }
    SUBCASE("a wait ending exactly at the slot is not a backoff")
    {
      history.last_end = at("2026-11-25T06:00:00Z");
      history.consecutive_failures = 1; // 06:00 + 5 min = the 06:05 slot
      const auto due = next_due(every_five, history, backoff, now);
      CHECK(format_utc(due.at) == "2026-11-25T06:05:00Z");
      CHECK_FALSE(due.backing_off);
      CHECK(due.failures == 1);
    }
    SUBCASE("the wait is capped")
    {
      history.consecutive_failures = 10'000;
      const auto due = next_due(every_five, history, backoff, now);
      CHECK(format_utc(due.at) == "2026-11-25T12:01:00Z");
      CHECK(due.backing_off);
      CHECK(due.failures == 10'000);
    }
    SUBCASE("without an end time the wait counts from the start")
    {
      history.last_end.reset();
      history.consecutive_failures = 2; // 10 minutes
      const auto due = next_due(every_five, history, backoff, now);
      CHECK(format_utc(due.at) == "2026-11-25T06:10:00Z");
      CHECK(due.backing_off);
      CHECK(due.failures == 2);
    }
  }
}
