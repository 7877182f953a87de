// tests/unit/net/retry_test.cpp
//
// post_with_retries against the loopback server: transient outcomes are
// retried with exponential backoff or the server's Retry-After (capped),
// auth and error outcomes are final at once, and the last outcome comes
// back. Waits are recorded through RetryPolicy::sleep, so the delays are
// checked exactly without the test sleeping; one test waits for real.

#include <runner/net/outcome.hpp>
#include <runner/net/retry.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <tests/unit/net/loopback_server.hpp>
#include <tests/unit/temp_dir.hpp>
#include <tests/unit/test_support.hpp>
#include <vector>

namespace {

using tapline::ErrorCode;
using tapline::net::classify;
using tapline::net::HttpClient;
using tapline::net::HttpRequest;
using tapline::net::HttpResponse;
using tapline::net::Outcome;
using tapline::net::post_with_retries;
using tapline::net::retry_delay;
using tapline::net::RetryPolicy;
using tapline::test::error_text;
using tapline::test::k_no_python;
using tapline::test::LoopbackServer;
using tapline::test::RefusingPort;
using tapline::test::TempDir;
using namespace std::chrono_literals;
using Delays = std::vector<std::chrono::milliseconds>;

// A policy whose waits and log lines are recorded instead of slept.
struct Recorded
{
  Delays delays;
  std::vector<std::string> lines;

  RetryPolicy
  policy(int attempts, std::chrono::milliseconds backoff)
  {
    RetryPolicy policy;
    policy.attempts = attempts;
    policy.backoff = backoff;
    policy.sleep = [this](std::chrono::milliseconds delay) {
      delays.push_back(delay);
    };
    policy.log = [this](std::string_view line) { lines.emplace_back(line); };
    return policy;
  }
};

} // namespace

namespace doctest {
template<> struct StringMaker<Delays>
{
  static String
  convert(const Delays& delays)
  {
    std::string text = "[";
    for (const auto delay : delays) {
      text +=
          (text.size() > 1 ? ", " : "") + std::to_string(delay.count()) + "ms";
    }
    return String((text + "]").c_str());
  }
};
} // namespace doctest

TEST_SUITE("net::post_with_retries")
{
  TEST_CASE("503, 503, then 200: retried with doubling backoff")
  {
    const TempDir dir;
    auto server = LoopbackServer::start(
        dir.path(), R"([{"status": 503}, {"status": 503}, {"status": 200}])");
    if (!server) {
      MESSAGE(k_no_python);
      return;
    }
    HttpRequest request;
    request.url = server->url("/token?secret=x");
    request.body = "grant_type=refresh_token";
    Recorded recorded;
    HttpClient client;

    const auto result =
        post_with_retries(client, request, recorded.policy(4, 100ms));

    REQUIRE_MESSAGE(result.has_value(), error_text(result));
    CHECK(result->status == 200);
    CHECK(classify(result) == Outcome::ok);
    CHECK(recorded.delays == Delays{100ms, 200ms});
    const auto origin = "http://127.0.0.1:" + std::to_string(server->port());
    CHECK(recorded.lines ==
          std::vector<std::string>{
              origin + ": http 503 (attempt 1 of 4), retrying in 100 ms",
              origin + ": http 503 (attempt 2 of 4), retrying in 200 ms"});
    REQUIRE(server->request_count() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(server->request(i).body == "grant_type=refresh_token");
    }
  }

  TEST_CASE("gives up after the last attempt and returns its outcome")
  {
    const TempDir dir;
    auto server = LoopbackServer::start(dir.path(),
                                        R"([{"status": 502, "body": "down"}])");
    if (!server) {
      MESSAGE(k_no_python);
      return;
    }
    HttpRequest request;
    request.url = server->url();
    Recorded recorded;
    HttpClient client;

    const auto result =
        post_with_retries(client, request, recorded.policy(3, 10ms));

    REQUIRE_MESSAGE(result.has_value(), error_text(result));
    CHECK(result->status == 502);
    CHECK(result->body == "down");
    CHECK(classify(result) == Outcome::transient);
    CHECK(recorded.delays == Delays{10ms, 20ms});
    CHECK(server->request_count() == 3);
  }

  TEST_CASE("Retry-After is honoured, up to the cap")
  {
    const TempDir dir;
    std::string responses;
    Delays expected;
    SUBCASE("honoured")
    {
      responses = R"([{"status": 503, "headers": {"Retry-After": "1"}},
                      {"status": 200}])";
      expected = {1000ms};
    }
    SUBCASE("capped")
    {
      responses = R"([{"status": 429, "headers": {"Retry-After": "3600"}},
                      {"status": 200}])";
      expected = {1500ms};
    }
    SUBCASE("zero: retry at once")
    {
      responses = R"([{"status": 503, "headers": {"Retry-After": "0"}},
                      {"status": 200}])";
      expected = {0ms};
    }
    SUBCASE("unreadable: the backoff applies")
    {
      responses = R"([{"status": 503, "headers": {"Retry-After": "soon"}},
                      {"status": 200}])";
      expected = {100ms};
    }
    auto server = LoopbackServer::start(dir.path(), responses);
    if (!server) {
      MESSAGE(k_no_python);
      return;
    }
    HttpRequest request;
    request.url = server->url();
    Recorded recorded;
    auto policy = recorded.policy(3, 100ms);
    policy.retry_after_cap = 1500ms;
    HttpClient client;

    const auto result = post_with_retries(client, request, policy);

    REQUIRE_MESSAGE(result.has_value(), error_text(result));
    CHECK(result->status == 200);
    CHECK(recorded.delays == expected);
    CHECK(server->request_count() == 2);
  }

  TEST_CASE("Retry-After with a real wait")
  {
    const TempDir dir;
    auto server = LoopbackServer::start(dir.path(), R"([
      {"status": 503, "headers": {"Retry-After": "1"}}, {"status": 200}])");
    if (!server) {
      MESSAGE(k_no_python);
      return;
    }
    HttpRequest request;
    request.url = server->url();
    RetryPolicy policy;
    policy.backoff = 10ms;
    HttpClient client;

    const auto started = std::chrono::steady_clock::now();
    const auto result = post_with_retries(client, request, policy);
    const auto elapsed = std::chrono::steady_clock::now() - started;

    REQUIRE_MESSAGE(result.has_value(), error_text(result));
    CHECK(result->status == 200);
    CHECK(elapsed >= 1s);
    CHECK(elapsed < 5s);
  }

  TEST_CASE("auth and error outcomes are not retried")
  {
    const TempDir dir;
    std::string responses;
    long status = 0;
    SUBCASE("401")
    {
      responses = R"([{"status": 401}, {"status": 200}])";
      status = 401;
    }
    SUBCASE("403")
    {
      responses = R"([{"status": 403}, {"status": 200}])";
      status = 403;
    }
    SUBCASE("400")
    {
      responses = R"([{"status": 400}, {"status": 200}])";
      status = 400;
    }
    auto server = LoopbackServer::start(dir.path(), responses);
    if (!server) {
      MESSAGE(k_no_python);
      return;
    }
    HttpRequest request;
    request.url = server->url();
    Recorded recorded;
    HttpClient client;

    const auto result =
        post_with_retries(client, request, recorded.policy(5, 10ms));

    REQUIRE_MESSAGE(result.has_value(), error_text(result));
    CHECK(result->status == status);
    CHECK(recorded.delays.empty());
    CHECK(server->request_count() == 1);
  }

  TEST_CASE("transport failures are retried; the last error comes back")
  {
    const RefusingPort port;
    HttpRequest request;
    request.url = port.url();
    Recorded recorded;
    HttpClient client;

    const auto result =
        post_with_retries(client, request, recorded.policy(3, 10ms));

    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == ErrorCode::transient);
    CHECK(recorded.delays == Delays{10ms, 20ms});
    REQUIRE(recorded.lines.size() == 2);
    CHECK(recorded.lines[0].starts_with(port.url("") + ": failed to connect"));
    CHECK(recorded.lines[0].ends_with("(attempt 1 of 3), retrying in 10 ms"));
  }

  TEST_CASE("a bad url is not retried")
  {
    HttpRequest request;
    request.url = "ftp://127.0.0.1/x";
    Recorded recorded;
    HttpClient client;
    const auto result =
        post_with_retries(client, request, recorded.policy(3, 10ms));
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == ErrorCode::config);
    CHECK(recorded.delays.empty());
  }

  TEST_CASE("attempts below 1 make one call")
  {
    const RefusingPort port;
    HttpRequest request;
    request.url = port.url();
    Recorded recorded;
    HttpClient client;
    const auto result =
        post_with_retries(client, request, recorded.policy(0, 10ms));
    REQUIRE_FALSE(result.has_value());
    CHECK(recorded.delays.empty());
  }

  TEST_CASE("retry_delay: doubles up to max_backoff")
  {
    RetryPolicy policy;
    policy.backoff = 1s;
    policy.max_backoff = 5s;
    const tapline::Result<HttpResponse> transient =
        tapline::fail(ErrorCode::transient, "timed out");
    CHECK(retry_delay(policy, 1, transient) == 1s);
    CHECK(retry_delay(policy, 2, transient) == 2s);
    CHECK(retry_delay(policy, 3, transient) == 4s);
    CHECK(retry_delay(policy, 4, transient) == 5s);
    CHECK(retry_delay(policy, 60, transient) == 5s);
  }
}
