// tests/unit/util/time_test.cpp
//
// iso8601 and the hand-written parse_iso8601, checked against date::parse
// (an independent reader) over leap days, year ends and fractions; and the
// sysexits mapping of Result.

// date::parse trips GCC 12's -Wmaybe-uninitialized inside <chrono> (a
// long double it reads seconds into); the warning is in date, not here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <runner/util/result.hpp>
#include <runner/util/time.hpp>

#include <date/date.h>
#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using tapline::util::Clock;
using tapline::util::iso8601;
using tapline::util::parse_iso8601;
using namespace std::chrono;

// An instant from calendar fields, built with date's civil calendar.
Clock::time_point
instant(int year,
        unsigned month,
        unsigned day,
        int hour,
        int minute,
        int second,
        int millis = 0)
{
  const auto days =
      date::sys_days{date::year{year} / date::month{month} / date::day{day}};
  return Clock::time_point{days + hours{hour} + minutes{minute} +
                           seconds{second} + milliseconds{millis}};
}

// `text` read by date::parse with `format`; nullopt if it fails.
std::optional<Clock::time_point>
date_parse(const std::string& text, const char* format)
{
  std::istringstream in(text);
  date::sys_time<milliseconds> parsed{};
  in >> date::parse(format, parsed);
  if (in.fail()) {
    return std::nullopt;
  }
  return Clock::time_point{parsed};
}

// Milliseconds since the epoch, for readable failures.
std::optional<long long>
millis(std::optional<Clock::time_point> when)
{
  if (!when) {
    return std::nullopt;
  }
  return duration_cast<milliseconds>(when->time_since_epoch()).count();
}

} // namespace

namespace doctest {
template<> struct StringMaker<std::optional<long long>>
{
  static String
  convert(const std::optional<long long>& value)
  {
    return value ? String(std::to_string(*value).c_str()) : String("nullopt");
  }
};
} // namespace doctest

TEST_SUITE("util::time")
{
  TEST_CASE("iso8601: millisecond precision in UTC")
  {
    const auto when = Clock::time_point{milliseconds{1'764'072'000'123}};
    CHECK(iso8601(when) == "2025-11-25T12:00:00.123Z");
  }

  TEST_CASE("iso8601: calendar edges and truncation to milliseconds")
  {
    CHECK(iso8601(Clock::time_point{}) == "1970-01-01T00:00:00.000Z");
    CHECK(iso8601(instant(2028, 2, 29, 23, 59, 59, 999)) ==
          "2028-02-29T23:59:59.999Z");
    CHECK(iso8601(instant(2026, 12, 31, 23, 59, 59)) ==
          "2026-12-31T23:59:59.000Z");
    // Sub-millisecond parts are dropped, not rounded.
    CHECK(iso8601(instant(2026, 1, 1, 0, 0, 0, 5) + microseconds{999}) ==
          "2026-01-01T00:00:00.005Z");
  }

  TEST_CASE("parse_iso8601: round-trips iso8601 and agrees with date::parse")
  {
    const std::vector<Clock::time_point> instants = {
        Clock::time_point{},
        instant(2026, 11, 25, 12, 0, 0, 123),
        instant(2028, 2, 29, 0, 0, 0),
        instant(2028, 2, 29, 23, 59, 59, 999),
        instant(2028, 3, 1, 0, 0, 0, 1),
        instant(2027, 2, 28, 23, 59, 59, 500),
        instant(2000, 2, 29, 12, 30, 0, 10),
        instant(2100, 3, 1, 0, 0, 0), // 2100 is not a leap year
        instant(2025, 12, 31, 23, 59, 59, 999),
        instant(2026, 1, 1, 0, 0, 0),
        instant(1999, 12, 31, 23, 59, 59),
        instant(2038, 1, 19, 3, 14, 8), // past 32-bit time_t
        // The last millisecond system_clock's nanoseconds can hold.
        instant(2262, 4, 11, 23, 47, 16, 854),
    };
    for (const auto& when : instants) {
      const std::string text = iso8601(when);
      CAPTURE(text);
      CHECK(millis(parse_iso8601(text)) == millis(when));
      CHECK(millis(date_parse(text, "%FT%TZ")) == millis(when));
    }
  }

  TEST_CASE("parse_iso8601: offsets, fractions and the minutes-only form")
  {
    struct Row
    {
      std::string text;
      std::string date_format; // how date::parse reads the same text
      Clock::time_point expected;
    };
    const std::vector<Row> rows = {
        {"2026-11-25T07:00:00+01:00",
         "%FT%T%Ez",
         instant(2026, 11, 25, 6, 0, 0)},
        {"2026-11-25T00:30:00+01:00",
         "%FT%T%Ez",
         instant(2026, 11, 24, 23, 30, 0)},
        {"2026-11-25T00:30:00-05:30",
         "%FT%T%Ez",
         instant(2026, 11, 25, 6, 0, 0)},
        {"2026-12-31T22:00:00-05:30",
         "%FT%T%Ez",
         instant(2027, 1, 1, 3, 30, 0)},
        {"2028-03-01T00:15:00+00:45",
         "%FT%T%Ez",
         instant(2028, 2, 29, 23, 30, 0)},
        {"2026-11-25T06:00:00-00:00",
         "%FT%T%Ez",
         instant(2026, 11, 25, 6, 0, 0)},
        {"2026-11-25T06:00:00.5+02:00",
         "%FT%T%Ez",
         instant(2026, 11, 25, 4, 0, 0, 500)},
        {"2026-11-25T06:00:00.1Z",
         "%FT%TZ",
         instant(2026, 11, 25, 6, 0, 0, 100)},
        {"2026-11-25T06:00:00.12Z",
         "%FT%TZ",
         instant(2026, 11, 25, 6, 0, 0, 120)},
        {"2026-11-25T06:00:00.999Z",
         "%FT%TZ",
         instant(2026, 11, 25, 6, 0, 0, 999)},
        {"2026-11-25T06:00:00Z", "%FT%TZ", instant(2026, 11, 25, 6, 0, 0)},
        {"2026-11-25T06:00Z", "%FT%RZ", instant(2026, 11, 25, 6, 0, 0)},
        {"2026-11-25T07:00+01:00", "%FT%R%Ez", instant(2026, 11, 25, 6, 0, 0)},
    };
    for (const auto& row : rows) {
      CAPTURE(row.text);
      CHECK(millis(parse_iso8601(row.text)) == millis(row.expected));
      CHECK(millis(date_parse(row.text, row.date_format.c_str())) ==
            millis(row.expected));
    }
  }

  TEST_CASE("parse_iso8601: fractions finer than milliseconds are kept")
  {
    const auto parsed = parse_iso8601("2026-11-25T06:00:00.123456789Z");
    REQUIRE(parsed.has_value());
    CHECK(duration_cast<nanoseconds>(*parsed - instant(2026, 11, 25, 6, 0, 0))
              .count() ==
          duration_cast<nanoseconds>(Clock::duration{nanoseconds{123456789}})
              .count());
  }

  TEST_CASE("parse_iso8601: rejects what is not a zoned ISO 8601 instant")
  {
    const std::vector<std::string> rejected = {
        "",
        "2026",
        "2026-11-25",
        "2026-11-25T06",
        "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z",
        "2026-02-30T00:00:00Z",
        "2027-02-29T00:00:00Z",
        "2100-02-29T00:00:00Z",
        "2026-11-00T00:00:00Z",
        "2026-11-31T00:00:00Z",
        "2026-11-25T24:00:00Z",
        "2026-11-25T06:60:00Z",
        "2026-11-25T06:00:61Z",
        "2026-11-25 06:00:00Z",
        "2026-11-25t06:00:00Z",
        "2026-11-25T06:00:00",
        "2026-11-25T06:00",
        "2026-11-25T06:00:00Zjunk",
        "2026-11-25T06:00:00Z ",
        " 2026-11-25T06:00:00Z",
        "2026-11-25T06:00:00+01:00Z",
        "2026-11-25T06:00:00.Z",
        "2026-11-25T06:00:0Z",
        "2026-11-25T6:00:00Z",
        "26-11-25T06:00:00Z",
        "2026/11/25T06:00:00Z",
        "2026-11-25T06:00:00+1:00",
        "2026-11-25T23:59:60Z", // leap second
        "2026-11-25T06:00.5Z",  // fraction without seconds
        "9999-12-31T23:59:59Z", // past the clock's range
        "1600-01-01T00:00:00Z",
        "2026-11-25T06:00:00+01",
        "2026-11-25T06:00:00+0100",
        "2026-11-25T06:00:00+01:0",
        "2026-11-25T06:00:00+24:00",
        "2026-11-25T06:00:00+01:60",
        "2026-11-25T06:00:00UTC",
        "-026-11-25T06:00:00Z",
    };
    for (const auto& text : rejected) {
      CAPTURE(text);
      CHECK(millis(parse_iso8601(text)) == std::nullopt);
    }
  }
}

TEST_SUITE("util::Result")
{
  TEST_CASE("exit codes follow sysexits")
  {
    using tapline::ErrorCode;
    CHECK(tapline::exit_code_for(ErrorCode::usage) == 64);
    CHECK(tapline::exit_code_for(ErrorCode::invalid_data) == 65);
    CHECK(tapline::exit_code_for(ErrorCode::unavailable) == 69);
    CHECK(tapline::exit_code_for(ErrorCode::internal) == 70);
    CHECK(tapline::exit_code_for(ErrorCode::io) == 74);
    CHECK(tapline::exit_code_for(ErrorCode::transient) == 75);
    CHECK(tapline::exit_code_for(ErrorCode::auth) == 77);
    CHECK(tapline::exit_code_for(ErrorCode::config) == 78);
  }

  TEST_CASE("to_string: location first")
  {
    const tapline::Error error{
        tapline::ErrorCode::config, "expected a mapping", "tapline.yaml:3:5"};
    CHECK(error.to_string() == "tapline.yaml:3:5: expected a mapping");
  }
}

#pragma GCC diagnostic pop
