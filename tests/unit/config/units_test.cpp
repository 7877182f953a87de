// tests/unit/config/units_test.cpp
//
// Durations and sizes as written in tapline.yaml.

#include <runner/config/units.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstddef>

using tapline::config::parse_duration;
using tapline::config::parse_size;

TEST_SUITE("config::units")
{
  TEST_CASE("parse_duration: number of seconds")
  {
    using std::chrono::seconds;
    CHECK(parse_duration("0") == seconds{0});
    CHECK(parse_duration("90") == seconds{90});
    CHECK(parse_duration("7200") == seconds{7200});
  }

  TEST_CASE("parse_duration: units and combinations")
  {
    using std::chrono::seconds;
    CHECK(parse_duration("45s") == seconds{45});
    CHECK(parse_duration("30m") == seconds{1800});
    CHECK(parse_duration("2h") == seconds{7200});
    CHECK(parse_duration("1d") == seconds{86400});
    CHECK(parse_duration("1h30m") == seconds{5400});
    CHECK(parse_duration("1d2h3m4s") == seconds{93784});
    CHECK(parse_duration("0s") == seconds{0});
    CHECK(parse_duration("90m") == seconds{5400});
  }

  TEST_CASE("parse_duration: rejects what it cannot read exactly")
  {
    CHECK_FALSE(parse_duration(""));
    CHECK_FALSE(parse_duration("soon"));
    CHECK_FALSE(parse_duration("1h30"));  // 30 what?
    CHECK_FALSE(parse_duration("30m1h")); // out of order
    CHECK_FALSE(parse_duration("1m1m"));  // repeated
    CHECK_FALSE(parse_duration("-5s"));
    CHECK_FALSE(parse_duration("1.5h"));
    CHECK_FALSE(parse_duration("1 h"));
    CHECK_FALSE(parse_duration("5ms"));
    CHECK_FALSE(parse_duration("h"));
    CHECK_FALSE(parse_duration("99999999999999999999"));
    CHECK_FALSE(parse_duration("999999999999999999d"));
  }

  TEST_CASE("parse_size: bytes and units")
  {
    CHECK(parse_size("0") == std::size_t{0});
    CHECK(parse_size("4096") == std::size_t{4096});
    CHECK(parse_size("10B") == std::size_t{10});
    CHECK(parse_size("1kB") == std::size_t{1000});
    CHECK(parse_size("1KB") == std::size_t{1000});
    CHECK(parse_size("100MB") == std::size_t{100'000'000});
    CHECK(parse_size("2GB") == std::size_t{2'000'000'000});
    CHECK(parse_size("1TB") == std::size_t{1'000'000'000'000});
    CHECK(parse_size("512KiB") == std::size_t{512} * 1024);
    CHECK(parse_size("64MiB") == std::size_t{64} << 20);
    CHECK(parse_size("1GiB") == std::size_t{1} << 30);
    CHECK(parse_size("2TiB") == std::size_t{2} << 40);
    CHECK(parse_size("64 MiB") == std::size_t{64} << 20);
  }

  TEST_CASE("parse_size: rejects what it cannot read exactly")
  {
    CHECK_FALSE(parse_size(""));
    CHECK_FALSE(parse_size("big"));
    CHECK_FALSE(parse_size("64M"));
    CHECK_FALSE(parse_size("64mib"));
    CHECK_FALSE(parse_size("1.5GiB"));
    CHECK_FALSE(parse_size("-1"));
    CHECK_FALSE(parse_size("MiB"));
    CHECK_FALSE(parse_size("64 "));
    CHECK_FALSE(parse_size("64  MiB"));
    CHECK_FALSE(parse_size("99999999999999999999"));
    CHECK_FALSE(parse_size("99999999TiB"));
  }
}
