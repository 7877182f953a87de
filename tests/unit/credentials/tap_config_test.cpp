// tests/unit/credentials/tap_config_test.cpp
//
// The tap's config at run time: overrides merged over the user's config,
// values a tap rewrote into its config file, and the fingerprint that tells
// when a person edited config or environment.

#include <runner/credentials/tap_config.hpp>

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <tests/unit/test_support.hpp>
#include <vector>

namespace {

using tapline::ErrorCode;
using tapline::credentials::changed_values;
using tapline::credentials::fingerprint;
using tapline::credentials::merge_config;
using tapline::credentials::Overrides;

Overrides
parse(std::string_view json)
{
  auto overrides = Overrides::parse(json, "test");
  REQUIRE_MESSAGE(overrides.has_value(), tapline::test::error_text(overrides));
  return std::move(*overrides);
}

std::string
merged(std::string_view base, std::string_view overrides)
{
  auto result = merge_config(base, parse(overrides), "tap.json");
  REQUIRE_MESSAGE(result.has_value(), tapline::test::error_text(result));
  return *result;
}

std::string
changed(std::string_view written, std::string_view read_back)
{
  auto result = changed_values(written, read_back);
  REQUIRE_MESSAGE(result.has_value(), tapline::test::error_text(result));
  return std::string(result->to_json().reveal());
}

std::string
hash(std::string_view config,
     const std::map<std::string, std::string>& env = {})
{
  auto result = fingerprint(config, env);
  REQUIRE_MESSAGE(result.has_value(), tapline::test::error_text(result));
  return *result;
}

} // namespace

TEST_SUITE("credentials::tap_config")
{
  TEST_CASE("merge_config: top-level keys replace, new keys are appended")
  {
    CHECK(
        merged(R"({"user":"ann","token":"old","start_date":"2024-01-01"})",
               R"({"token":"new","region":"eu"})") ==
        R"({"user":"ann","token":"new","start_date":"2024-01-01","region":"eu"})");
    // A nested object is replaced whole, not merged into.
    CHECK(merged(R"({"oauth":{"id":"x","secret":"s"}})",
                 R"({"oauth":{"secret":"t"}})") ==
          R"({"oauth":{"secret":"t"}})");
    CHECK(merged("{}", "{}") == "{}");
    CHECK(merged(R"( {"a" : [1, 2]} )", "{}") == R"({"a":[1,2]})");
  }

  TEST_CASE("merge_config: numbers, escapes and unicode survive unchanged")
  {
    CHECK(
        merged(R"({"big":123456789012345678901234567890,"f":1.50,"e":1E+3})",
               R"({"n":-0.0})") ==
        R"({"big":123456789012345678901234567890,"f":1.50,"e":1E+3,"n":-0.0})");
    CHECK(merged(R"({"s":"a\"b\\c\n\u00e9 é \/"})", "{}") ==
          "{\"s\":\"a\\\"b\\\\c\\n\xc3\xa9 \xc3\xa9 /\"}");
  }

  TEST_CASE("merge_config: the base must be a JSON object; errors say where")
  {
    struct Case
    {
      std::string base;
      std::string expected;
    };
    const std::vector<Case> cases = {
        {"[]", "tap.json: tap config must be a JSON object, got an array"},
        {"null", "tap.json: tap config must be a JSON object, got null"},
        {R"({"password": "hunter2)",
         "tap.json: tap config is not valid JSON: unclosed string"},
        {R"({"a": tru})",
         "tap.json: tap config is not valid JSON: invalid literal"},
    };
    for (const auto& c : cases) {
      CAPTURE(c.base);
      auto result = merge_config(c.base, Overrides(), "tap.json");
      REQUIRE_FALSE(result.has_value());
      CHECK(result.error().code == ErrorCode::config);
      CHECK(result.error().to_string() == c.expected);
    }
  }

  TEST_CASE("changed_values: what the tap rewrote, compared canonically")
  {
    const std::string written =
        R"({"client_id":"c","refresh_token":"r1","opts":{"a":1,"b":[1,2]}})";
    // A rotated refresh token.
    CHECK(
        changed(
            written,
            R"({"client_id":"c","refresh_token":"r2","opts":{"a":1,"b":[1,2]}})") ==
        R"({"refresh_token":"r2"})");
    // Reformatted, reordered, re-escaped: nothing changed.
    CHECK(
        changed(
            written,
            "{\n  \"opts\": {\"b\": [1, 2], \"a\": 1},\n"
            "  \"refresh_token\": \"\\u00721\",\n  \"client_id\": \"c\"\n}") ==
        "{}");
    // New keys count, removed keys do not.
    CHECK(changed(written, R"({"client_id":"c","access_token":"a1"})") ==
          R"({"access_token":"a1"})");
    // A nested change reports the whole top-level value.
    CHECK(
        changed(
            written,
            R"({"client_id":"c","refresh_token":"r1","opts":{"a":2,"b":[1,2]}})") ==
        R"({"opts":{"a":2,"b":[1,2]}})");
  }

  TEST_CASE("changed_values: a broken read-back file is invalid_data")
  {
    auto truncated = changed_values(R"({"a":1})", R"({"a":)");
    REQUIRE_FALSE(truncated.has_value());
    CHECK(truncated.error().code == ErrorCode::invalid_data);
    CHECK(truncated.error().message.starts_with(
        "tap config rewritten by the tap is not valid JSON: "));
    auto array = changed_values(R"({"a":1})", "[]");
    REQUIRE_FALSE(array.has_value());
    CHECK(
        array.error().message ==
        "tap config rewritten by the tap must be a JSON object, got an array");
  }

  TEST_CASE("fingerprint: hex BLAKE2b-256, blind to order and whitespace")
  {
    const std::string base =
        hash(R"({"user":"ann","token":"t1","o":{"x":1,"y":2}})");
    CHECK(base.size() == 64);
    CHECK(base.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(hash(R"({ "o": {"y": 2, "x": 1}, "token": "t1", "user": "ann" })") ==
          base);
    CHECK(hash(R"({"user":"ann","token":"t2","o":{"x":1,"y":2}})") != base);
    CHECK(hash(R"({"user":"ann","token":"t1","o":{"x":1,"y":3}})") != base);
    CHECK(hash(R"({"user":"ann","token":"t1","o":{"x":1,"y":2},"z":null})") !=
          base);
  }

  TEST_CASE("fingerprint: environment values count")
  {
    const std::string config = R"({"a":"b"})";
    const std::string none = hash(config);
    const std::string one = hash(config, {{"API_TOKEN", "t1"}});
    CHECK(one != none);
    CHECK(hash(config, {{"API_TOKEN", "t2"}}) != one);
    CHECK(hash(config, {{"API_TOKEN", "t1"}}) == one);
    // Name and value are framed: moving a character across does not collide.
    CHECK(hash(config, {{"AB", "C"}}) != hash(config, {{"A", "BC"}}));
  }

  TEST_CASE("fingerprint: an invalid config is an error")
  {
    auto result = fingerprint("{", {});
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == ErrorCode::config);
  }
}
