// tests/unit/credentials/redactor_test.cpp
//
// Redactor: which config keys count as secret, masking given values (nested
// configs, overrides, overlapping secrets, JSON-escaped forms), generic
// credential patterns, and concurrent use.

#include <runner/credentials/overrides.hpp>
#include <runner/credentials/redactor.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <atomic>
#include <string>
#include <tests/unit/test_support.hpp>
#include <thread>
#include <vector>

namespace {

using tapline::credentials::Overrides;
using tapline::credentials::Redactor;

void
add_config(Redactor& redactor, std::string_view json)
{
  auto added = redactor.add_config(json, "tap.json");
  REQUIRE_MESSAGE(added.has_value(), tapline::test::error_text(added));
}

} // namespace

TEST_SUITE("credentials::Redactor")
{
  TEST_CASE("is_secret_key: words, case, separators and exceptions")
  {
    for (const char* key : {"password",
                            "db_password",
                            "PASSWORD",
                            "passwd",
                            "client_secret",
                            "clientSecret",
                            "api_key",
                            "apiKey",
                            "API-KEY",
                            "refresh_token",
                            "accessToken",
                            "private_key",
                            "credentials_json",
                            "passphrase",
                            "auth",
                            "Authorization",
                            "oauth"}) {
      CAPTURE(key);
      CHECK(Redactor::is_secret_key(key));
    }
    for (const char* key : {"user",
                            "client_id",
                            "start_date",
                            "token_url",
                            "tokenUri",
                            "auth_type",
                            "auth_method",
                            "authorization_endpoint",
                            "private_key_path",
                            "key_file",
                            "token_expires_at",
                            "replication_key",
                            "primary_keys",
                            "key_properties",
                            "author",
                            "authors"}) {
      CAPTURE(key);
      CHECK_FALSE(Redactor::is_secret_key(key));
    }
  }

  TEST_CASE("add_config: strings under secret keys at any depth")
  {
    Redactor redactor;
    add_config(redactor, R"({
      "user": "ann-the-user",
      "db": {"host": "db.example.com", "password": "s3cr3t-pw"},
      "tokens": ["tok-aaaa", "tok-bbbb", {"note": "nearest key decides"}],
      "token_url": "https://auth.example.com/token",
      "api_key": 123456789,
      "secret": "abc"
    })");
    const std::string text =
        "login ann-the-user@db.example.com with s3cr3t-pw, tokens tok-aaaa "
        "tok-bbbb, nearest key decides, via https://auth.example.com/token, "
        "id 123456789, abc";
    CHECK(redactor.redact(text) ==
          "login ann-the-user@db.example.com with ********, tokens ******** "
          "********, nearest key decides, via https://auth.example.com/token, "
          "id 123456789, abc");
  }

  TEST_CASE("add_config: invalid JSON is a config error")
  {
    Redactor redactor;
    auto added = redactor.add_config("{", "tap.json");
    REQUIRE_FALSE(added.has_value());
    CHECK(added.error().code == tapline::ErrorCode::config);
    CHECK(added.error().where == "tap.json");
  }

  TEST_CASE("add: overrides, every value, strings and numbers at any depth")
  {
    auto overrides = Overrides::parse(
        R"({"refresh_token":"r-0123456","pin":987654,"oauth":{"client_secret":"cs-abcdef","scopes":["read-all"]},"flag":true})",
        "test");
    REQUIRE(overrides.has_value());
    Redactor redactor;
    redactor.add(*overrides);
    CHECK(redactor.redact("r-0123456 987654 cs-abcdef read-all true") ==
          "******** ******** ******** ******** true");
  }

  TEST_CASE("add: values shorter than 4 bytes are not collected")
  {
    Redactor redactor;
    redactor.add("abc");
    redactor.add("");
    CHECK(redactor.size() == 0);
    redactor.add("abcd");
    CHECK(redactor.size() == 1);
    CHECK(redactor.redact("abc abcd abcde") == "abc ******** ********e");
  }

  TEST_CASE("redact: overlapping and nested secrets are hidden entirely")
  {
    Redactor redactor;
    redactor.add("abcd1234");
    redactor.add("1234wxyz");
    redactor.add("secret");
    redactor.add("secret-longer");
    CHECK(redactor.redact("x abcd1234wxyz y") == "x ******** y");
    CHECK(redactor.redact("secret-longer and secret") ==
          "******** and ********");
    CHECK(redactor.redact("aaaa") == "aaaa");
    redactor.add("aaaa");
    CHECK(redactor.redact("aaaaaa!") == "********!");
    CHECK(redactor.redact("") == "");
  }

  TEST_CASE("redact: a secret inside a JSON-escaped string is found")
  {
    Redactor redactor;
    redactor.add(R"(pa"ss\word)");
    CHECK(redactor.size() == 2); // the value and its JSON-escaped form
    CHECK(redactor.redact(R"({"password":"pa\"ss\\word"})") ==
          R"({"password":"********"})");
    CHECK(redactor.redact(R"(raw pa"ss\word)") == "raw ********");
  }

  TEST_CASE("redact: Bearer and Basic credentials")
  {
    const Redactor redactor;
    CHECK(
        redactor.redact("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig") ==
        "Authorization: Bearer ********");
    CHECK(redactor.redact(
              R"({"headers": {"Authorization": "Basic dXNlcjpwYXNz"}})") ==
          R"({"headers": {"Authorization": "Basic ********"}})");
    CHECK(redactor.redact("authorization: bearer abc") ==
          "authorization: bearer ********");
    CHECK(redactor.redact(
              "sent bearer ghp_16C7e42F292c6912E7710c838347Ae178B4a") ==
          "sent bearer ********");
    // Prose and challenges are left alone.
    CHECK(redactor.redact("Basic authentication failed") ==
          "Basic authentication failed");
    CHECK(
        redactor.redact(
            R"(WWW-Authenticate: Bearer realm="api", error="invalid_token")") ==
        R"(WWW-Authenticate: Bearer realm="api", error="invalid_token")");
    CHECK(redactor.redact("a Bearer token expired") ==
          "a Bearer token expired");
  }

  TEST_CASE("redact: named parameters in URLs, forms and JSON")
  {
    const Redactor redactor;
    CHECK(redactor.redact("GET /cb?code=1&access_token=abc.def-ghi&x=1") ==
          "GET /cb?code=1&access_token=********&x=1");
    CHECK(redactor.redact("grant_type=refresh_token&refresh_token=1//0gAbC "
                          "client_secret=zzz") ==
          "grant_type=refresh_token&refresh_token=******** "
          "client_secret=********");
    CHECK(redactor.redact(
              R"({"access_token": "ya29.a0Af", "expires_in": 3599})") ==
          R"({"access_token": "********", "expires_in": 3599})");
    CHECK(redactor.redact(R"(body: {\"Refresh_Token\":\"r-1\"})") ==
          R"(body: {\"Refresh_Token\":\"********\"})");
    CHECK(redactor.redact("PASSWORD=hunter2 ok") == "PASSWORD=******** ok");
    // Prose with a colon is not a member.
    CHECK(redactor.redact("invalid password: authentication failed") ==
          "invalid password: authentication failed");
    CHECK(redactor.redact("access_token=") == "access_token=");
  }

  TEST_CASE("redact: concurrent calls while secrets are added")
  {
    Redactor redactor;
    redactor.add("first-secret");
    std::atomic<bool> stop{false};
    std::atomic<int> leaks{0};
    std::vector<std::thread> readers;
    for (int i = 0; i < 4; ++i) {
      readers.emplace_back([&] {
        while (!stop) {
          if (redactor.redact("a first-secret b") != "a ******** b") {
            ++leaks;
          }
        }
      });
    }
    for (int i = 0; i < 200; ++i) {
      redactor.add(fmt::format("added-secret-{}", i));
    }
    stop = true;
    for (auto& reader : readers) {
      reader.join();
    }
    CHECK(leaks == 0);
    CHECK(redactor.redact("added-secret-199") == "********");
  }
}
