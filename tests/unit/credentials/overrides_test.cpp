// tests/unit/credentials/overrides_test.cpp
//
// Overrides: parsing, setting and merging keys, and printing keys only.

#include <runner/credentials/overrides.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <sstream>
#include <string>
#include <tests/unit/test_support.hpp>
#include <vector>

namespace {

using tapline::ErrorCode;
using tapline::credentials::Overrides;

Overrides
parse(std::string_view json)
{
  auto overrides = Overrides::parse(json, "test");
  REQUIRE_MESSAGE(overrides.has_value(), tapline::test::error_text(overrides));
  return std::move(*overrides);
}

} // namespace

TEST_SUITE("credentials::Overrides")
{
  TEST_CASE("parse: any JSON values, kept compact and in order")
  {
    const auto overrides = parse(
        R"( { "refresh_token" : "r1", "port": 5432, "oauth": {"a": [1, true, null]} } )");
    CHECK(overrides.keys() ==
          std::vector<std::string>{"refresh_token", "port", "oauth"});
    CHECK(overrides.to_json().reveal() ==
          R"({"refresh_token":"r1","port":5432,"oauth":{"a":[1,true,null]}})");
    REQUIRE(overrides.find("port") != nullptr);
    CHECK(overrides.find("port")->reveal() == "5432");
    CHECK(overrides.find("missing") == nullptr);
  }

  TEST_CASE("parse: not an object is a config error naming where")
  {
    struct Case
    {
      std::string json;
      std::string expected;
    };
    const std::vector<Case> cases = {
        {"[1]",
         "cli: expected a JSON object of credential values, got an array"},
        {R"("secret-value")",
         "cli: expected a JSON object of credential values, got a string"},
        {R"({"a": "unterminated)", "cli: invalid JSON: unclosed string"},
        {R"({"a": 1} {"b": 2})", "cli: invalid JSON: unexpected content"},
        {R"({"a": 1}, {"b": 2})",
         "cli: invalid JSON: unexpected content after the value"},
        {R"({"a": 1}] x)",
         "cli: invalid JSON: unexpected content after the value"},
        {"", "cli: invalid JSON: empty text, expected a JSON value"},
    };
    for (const auto& c : cases) {
      CAPTURE(c.json);
      auto overrides = Overrides::parse(c.json, "cli");
      REQUIRE_FALSE(overrides.has_value());
      CHECK(overrides.error().code == ErrorCode::config);
      CHECK(overrides.error().to_string() == c.expected);
    }
  }

  TEST_CASE("set_string, set_json, merge, erase")
  {
    Overrides overrides;
    CHECK(overrides.empty());
    overrides.set_string("password", "pa\"ss\\word");
    CHECK(overrides.to_json().reveal() == R"({"password":"pa\"ss\\word"})");
    REQUIRE(overrides.set_json("port", " 6543 ").has_value());
    const auto bad = overrides.set_json("port", "{oops");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message.starts_with("value of 'port' is not valid JSON"));

    overrides.merge(parse(R"({"port": 1, "user": "ann"})"));
    CHECK(overrides.to_json().reveal() ==
          R"({"password":"pa\"ss\\word","port":1,"user":"ann"})");
    CHECK(overrides.erase("port"));
    CHECK_FALSE(overrides.erase("port"));
    CHECK(overrides.size() == 2);
  }

  TEST_CASE("equality ignores key order")
  {
    CHECK(parse(R"({"a":1,"b":"x"})") == parse(R"({"b":"x","a":1})"));
    CHECK_FALSE(parse(R"({"a":1})") == parse(R"({"a":2})"));
    CHECK_FALSE(parse(R"({"a":1})") == parse(R"({"a":1,"b":1})"));
  }

  TEST_CASE("format: keys only, values never")
  {
    const auto overrides = parse(R"({"refresh_token":"r-secret","port":5432})");
    const std::string text = fmt::format("{}", overrides);
    CHECK(text == "{refresh_token: ********, port: ********}");
    std::ostringstream out;
    out << overrides;
    CHECK(out.str() == text);
    CHECK(fmt::format("{}", Overrides()) == "{}");
  }
}
