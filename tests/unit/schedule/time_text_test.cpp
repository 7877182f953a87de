// tests/unit/schedule/time_text_test.cpp
//
// The ISO 8601 reader and the two printers the other schedule tests and
// `tapline schedule next` rely on.

#include <runner/schedule/time_text.hpp>
#include <runner/schedule/time_zone.hpp>

#include <doctest/doctest.h>

#include <string>
#include <tests/unit/test_support.hpp>
#include <vector>

using tapline::schedule::format_local;
using tapline::schedule::format_utc;
using tapline::schedule::locate_time_zone;
using tapline::schedule::parse_time;
using tapline::schedule::TimePoint;

namespace {

const date::time_zone*
zone(const char* name)
{
  const auto found = locate_time_zone(name);
  REQUIRE(found.has_value());
  return *found;
}

} // namespace

TEST_SUITE("schedule::time_text")
{
  TEST_CASE("parse_time: UTC, offsets and wall-clock times")
  {
    struct Row
    {
      std::string text;
      const char* zone; // nullptr: UTC
      std::string expected;
    };
    const std::vector<Row> rows = {
        {"2026-03-28T12:00:00Z", nullptr, "2026-03-28T12:00:00Z"},
        {"2026-03-28t12:00:00z", nullptr, "2026-03-28T12:00:00Z"},
        {"2026-03-28T12:00Z", nullptr, "2026-03-28T12:00:00Z"},
        {"2026-03-28T12:00:00.123Z", nullptr, "2026-03-28T12:00:00Z"},
        {"2026-03-28T14:00:00+02:00", nullptr, "2026-03-28T12:00:00Z"},
        {"2026-03-28T14:00:00+0200", nullptr, "2026-03-28T12:00:00Z"},
        {"2026-03-28T14:00:00+02", nullptr, "2026-03-28T12:00:00Z"},
        {"2026-03-28T07:00:00-05:00", nullptr, "2026-03-28T12:00:00Z"},
        {"2026-03-28T17:45:00+05:45", nullptr, "2026-03-28T12:00:00Z"},
        {"2026-03-28 12:00:00", nullptr, "2026-03-28T12:00:00Z"},
        {"2026-03-28", nullptr, "2026-03-28T00:00:00Z"},
        // An explicit zone wins over `zone`.
        {"2026-03-28T12:00:00Z", "Europe/Berlin", "2026-03-28T12:00:00Z"},
        {"2026-03-28T13:00", "Europe/Berlin", "2026-03-28T12:00:00Z"},
        {"2026-07-01 00:00", "America/New_York", "2026-07-01T04:00:00Z"},
        // Repeated wall time: the first; skipped wall time: the gap's end.
        {"2026-10-25T02:30", "Europe/Berlin", "2026-10-25T00:30:00Z"},
        {"2026-03-29T02:30", "Europe/Berlin", "2026-03-29T01:00:00Z"},
    };
    for (const auto& row : rows) {
      CAPTURE(row.text);
      const auto parsed =
          parse_time(row.text, row.zone ? zone(row.zone) : nullptr);
      REQUIRE_MESSAGE(parsed.has_value(), tapline::test::error_text(parsed));
      CHECK(format_utc(*parsed) == row.expected);
    }
  }

  TEST_CASE("parse_time: rejects what it cannot read exactly")
  {
    for (const std::string text : {"",
                                   "now",
                                   "2026-3-28T12:00:00Z",
                                   "2026-02-30T00:00:00Z",
                                   "2026-13-01",
                                   "2026-03-28T24:00:00Z",
                                   "2026-03-28T12:60Z",
                                   "2026-03-28T12:00:60Z",
                                   "2026-03-28T12",
                                   "2026-03-28T12:00:00.Z",
                                   "2026-03-28T12:00:00+2",
                                   "2026-03-28T12:00:00+24:00",
                                   "2026-03-28T12:00:00Z junk",
                                   "1774699200"}) {
      CAPTURE(text);
      const auto parsed = parse_time(text, nullptr);
      REQUIRE_FALSE(parsed.has_value());
      CHECK(parsed.error().code == tapline::ErrorCode::usage);
      CHECK(parsed.error().message ==
            "expected an ISO 8601 time such as 2026-03-28T12:00:00Z, got '" +
                text + "'");
    }
  }

  TEST_CASE("format_local: offset and abbreviation of the zone at that time")
  {
    const auto when = parse_time("2026-03-29T01:00:00Z", nullptr);
    REQUIRE(when.has_value());
    CHECK(format_local(*when, zone("Europe/Berlin")) ==
          "2026-03-29 03:00 CEST (+02:00)");
    CHECK(
        format_local(*when - std::chrono::minutes{1}, zone("Europe/Berlin")) ==
        "2026-03-29 01:59 CET (+01:00)");
    CHECK(format_local(*when, zone("America/New_York")) ==
          "2026-03-28 21:00 EDT (-04:00)");
    CHECK(format_local(*when, zone("Asia/Kathmandu")) ==
          "2026-03-29 06:45 +0545 (+05:45)");
    CHECK(format_local(*when, nullptr) == "2026-03-29 01:00 UTC (+00:00)");
    CHECK(format_local(*when + std::chrono::seconds{30}, nullptr) ==
          "2026-03-29 01:00:30 UTC (+00:00)");
  }

  TEST_CASE("format_utc: whole seconds")
  {
    CHECK(format_utc(TimePoint{std::chrono::seconds{0}}) ==
          "1970-01-01T00:00:00Z");
    CHECK(format_utc(TimePoint{std::chrono::seconds{1'774'746'000}}) ==
          "2026-03-29T01:00:00Z");
  }
}
