// tests/unit/config/interpolate_test.cpp
//
// The ${VAR} grammar on plain strings; how it applies to tapline.yaml as a
// whole is in load_config_test.cpp.

#include <runner/config/interpolate.hpp>

#include <doctest/doctest.h>

#include <tests/unit/config/config_test_support.hpp>

using tapline::config::interpolate;
using tapline::test::fake_env;

TEST_SUITE("config::interpolate")
{
  TEST_CASE("interpolate: set variable")
  {
    const auto env = fake_env({{"HOST", "db.local"}, {"PORT", "5432"}});
    CHECK(interpolate("${HOST}", env) == "db.local");
    CHECK(interpolate("postgres://${HOST}:${PORT}/x", env) ==
          "postgres://db.local:5432/x");
  }

  TEST_CASE("interpolate: text without '$' is unchanged")
  {
    CHECK(interpolate("plain text", fake_env()) == "plain text");
    CHECK(interpolate("", fake_env()) == "");
  }

  TEST_CASE("interpolate: default when unset or empty")
  {
    const auto env = fake_env({{"EMPTY", ""}, {"SET", "value"}});
    CHECK(interpolate("${UNSET:-fallback}", env) == "fallback");
    CHECK(interpolate("${EMPTY:-fallback}", env) == "fallback");
    CHECK(interpolate("${SET:-fallback}", env) == "value");
    CHECK(interpolate("${UNSET:-}", env) == "");
    CHECK(interpolate("${UNSET:-a b:c}", env) == "a b:c");
  }

  TEST_CASE("interpolate: set but empty without default is empty")
  {
    CHECK(interpolate("[${EMPTY}]", fake_env({{"EMPTY", ""}})) == "[]");
  }

  TEST_CASE("interpolate: unset without default is an error")
  {
    const auto result = interpolate("Bearer ${TOKEN}", fake_env());
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error() == "environment variable 'TOKEN' is not set");
  }

  TEST_CASE("interpolate: $$ is a literal dollar")
  {
    const auto env = fake_env({{"X", "1"}});
    CHECK(interpolate("$$", env) == "$");
    CHECK(interpolate("$${X}", env) == "${X}");
    CHECK(interpolate("$$$${X}", env) == "$${X}");
    CHECK(interpolate("$$${X}", env) == "$1");
  }

  TEST_CASE("interpolate: a lone '$' is kept")
  {
    CHECK(interpolate("5$", fake_env()) == "5$");
    CHECK(interpolate("$HOME", fake_env()) == "$HOME");
  }

  TEST_CASE("interpolate: values are not interpolated again")
  {
    const auto env = fake_env({{"A", "${B}"}, {"B", "no"}, {"P", "p$$w"}});
    CHECK(interpolate("${A}", env) == "${B}");
    CHECK(interpolate("${P}", env) == "p$$w");
  }

  TEST_CASE("interpolate: malformed references")
  {
    SUBCASE("unterminated")
    {
      const auto result = interpolate("x ${HOST", fake_env());
      REQUIRE_FALSE(result.has_value());
      CHECK(result.error() ==
            "unterminated '${' (write '$$' for a literal '$')");
    }
    SUBCASE("invalid name")
    {
      const auto result = interpolate("${MY-VAR}", fake_env());
      REQUIRE_FALSE(result.has_value());
      CHECK(result.error() ==
            "invalid environment variable name 'MY-VAR' in '${MY-VAR}'");
    }
    SUBCASE("empty name")
    {
      const auto result = interpolate("${:-x}", fake_env());
      REQUIRE_FALSE(result.has_value());
      CHECK(result.error() ==
            "invalid environment variable name '' in '${:-x}'");
    }
  }
}
