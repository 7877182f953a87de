// tests/unit/net/outcome_test.cpp
//
// The pure parts of net/: classify() for statuses and transport errors,
// Retry-After in both of its forms, and form encoding for OAuth2 bodies.

#include <runner/net/form_encode.hpp>
#include <runner/net/outcome.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <tests/unit/test_support.hpp>

namespace {

using tapline::ErrorCode;
using tapline::fail;
using tapline::Result;
using tapline::net::classify;
using tapline::net::form_encode;
using tapline::net::HttpResponse;
using tapline::net::Outcome;
using tapline::net::retry_after;
using tapline::net::url_escape;
using namespace std::chrono_literals;

HttpResponse
with_retry_after(std::string value)
{
  HttpResponse response;
  response.status = 503;
  response.headers = {{"retry-after", std::move(value)}};
  return response;
}

} // namespace

TEST_SUITE("net::classify")
{
  TEST_CASE("classify: statuses")
  {
    CHECK(classify(200L) == Outcome::ok);
    CHECK(classify(201L) == Outcome::ok);
    CHECK(classify(204L) == Outcome::ok);
    CHECK(classify(401L) == Outcome::auth);
    CHECK(classify(403L) == Outcome::auth);
    CHECK(classify(408L) == Outcome::transient);
    CHECK(classify(429L) == Outcome::transient);
    CHECK(classify(500L) == Outcome::transient);
    CHECK(classify(502L) == Outcome::transient);
    CHECK(classify(503L) == Outcome::transient);
    CHECK(classify(504L) == Outcome::transient);
    CHECK(classify(599L) == Outcome::transient);
    CHECK(classify(400L) == Outcome::error);
    CHECK(classify(404L) == Outcome::error);
    CHECK(classify(405L) == Outcome::error);
    CHECK(classify(422L) == Outcome::error);
    CHECK(classify(100L) == Outcome::error);
    CHECK(classify(302L) == Outcome::error);
    CHECK(classify(600L) == Outcome::error);
    CHECK(classify(0L) == Outcome::error);
  }

  TEST_CASE("classify: transport errors by their code")
  {
    const Result<HttpResponse> timeout =
        fail(ErrorCode::transient, "operation timed out");
    const Result<HttpResponse> bad_url = fail(ErrorCode::config, "bad url");
    const Result<HttpResponse> tls =
        fail(ErrorCode::unavailable, "ssl peer certificate was not ok");
    CHECK(classify(timeout) == Outcome::transient);
    CHECK(classify(bad_url) == Outcome::error);
    CHECK(classify(tls) == Outcome::error);
  }

  TEST_CASE("to_string: the four outcomes")
  {
    CHECK(to_string(Outcome::ok) == "ok");
    CHECK(to_string(Outcome::transient) == "transient");
    CHECK(to_string(Outcome::auth) == "auth");
    CHECK(to_string(Outcome::error) == "error");
  }
}

TEST_SUITE("net::retry_after")
{
  TEST_CASE("retry_after: delta-seconds")
  {
    CHECK(retry_after(with_retry_after("120")) == 120s);
    CHECK(retry_after(with_retry_after("0")) == 0s);
    CHECK(retry_after(with_retry_after("99999999999999999999")) ==
          999'999'999s);
  }

  TEST_CASE("retry_after: an HTTP date, relative to now")
  {
    const auto now = std::chrono::system_clock::from_time_t(784111777 - 30);
    // RFC 9110's example date is 784111777.
    CHECK(retry_after(with_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"), now) ==
          30s);
    const auto later = std::chrono::system_clock::from_time_t(784111777 + 60);
    CHECK(retry_after(with_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
                      later) == 0s);
  }

  TEST_CASE("retry_after: missing or unreadable")
  {
    CHECK_FALSE(retry_after(HttpResponse{}).has_value());
    CHECK_FALSE(retry_after(with_retry_after("")).has_value());
    CHECK_FALSE(retry_after(with_retry_after("soon")).has_value());
    CHECK_FALSE(retry_after(with_retry_after("-5")).has_value());
    CHECK_FALSE(retry_after(with_retry_after("1.5")).has_value());
  }
}

TEST_SUITE("net::form_encode")
{
  TEST_CASE("form_encode: an OAuth2 refresh body")
  {
    CHECK(form_encode({{"grant_type", "refresh_token"},
                       {"refresh_token", "1//0g-AbC_d.e~f"},
                       {"client_id", "id"}}) ==
          "grant_type=refresh_token&refresh_token=1%2F%2F0g-AbC_d.e~f&"
          "client_id=id");
  }

  TEST_CASE("form_encode: reserved characters, spaces, UTF-8, empties")
  {
    CHECK(form_encode({{"a b", "c&d=e+f/g?h#i%j"}}) ==
          "a%20b=c%26d%3De%2Bf%2Fg%3Fh%23i%25j");
    CHECK(form_encode({{"name", "J\xc3\xa9r\xc3\xb4me"}}) ==
          "name=J%C3%A9r%C3%B4me");
    CHECK(form_encode({{"empty", ""}, {"", "x"}}) == "empty=&=x");
    CHECK(form_encode({}) == "");
  }

  TEST_CASE("url_escape: NUL and high bytes; empty stays empty")
  {
    CHECK(url_escape(std::string_view("a\0b", 3)) == "a%00b");
    CHECK(url_escape("\xff") == "%FF");
    CHECK(url_escape("") == "");
    CHECK(url_escape(std::string_view()) == "");
  }
}
