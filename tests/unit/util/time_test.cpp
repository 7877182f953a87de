// tests/unit/util/time_test.cpp
#include <runner/util/result.hpp>
#include <runner/util/time.hpp>

#include <doctest/doctest.h>

#include <chrono>

TEST_SUITE("util::time")
{
  TEST_CASE("iso8601: millisecond precision in UTC")
  {
    using namespace std::chrono;
    const auto when =
        tapline::util::Clock::time_point{milliseconds{1'764'072'000'123}};
    CHECK(tapline::util::iso8601(when) == "2025-11-25T12:00:00.123Z");
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
