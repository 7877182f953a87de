// tests/unit/net/http_client_test.cpp
//
// HttpClient against a real loopback server (loopback_server.hpp) and a port
// that refuses connections: what is sent arrives byte for byte, what comes
// back is read, and each kind of failure lands in the right Outcome.
// Timeouts, refused connections and DNS failures are transient; 401 and 403
// are auth; other 4xx and bad URLs are errors. Also the body bound,
// redirects (same origin only) and URLs in error messages.

#include <runner/net/http_client.hpp>
#include <runner/net/outcome.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <tests/unit/net/loopback_server.hpp>
#include <tests/unit/temp_dir.hpp>
#include <tests/unit/test_support.hpp>

namespace {

using tapline::ErrorCode;
using tapline::net::classify;
using tapline::net::HttpClient;
using tapline::net::HttpRequest;
using tapline::net::Outcome;
using tapline::net::url_origin;
using tapline::test::error_text;
using tapline::test::k_no_python;
using tapline::test::LoopbackServer;
using tapline::test::RefusingPort;
using tapline::test::TempDir;
using namespace std::chrono_literals;

} // namespace

TEST_SUITE("net::HttpClient")
{
  TEST_CASE("post: body, content type and headers arrive exactly")
  {
    const TempDir dir;
    auto server = LoopbackServer::start(
        dir.path(),
        R"([{"status": 200, "headers": {"X-Reply": "yes"}, "body": "ok"}])");
    if (!server) {
      MESSAGE(k_no_python);
      return;
    }
    HttpRequest request;
    request.url = server->url("/hook?kind=test");
    request.body = std::string("{\"a\":\"\xc3\xa9\"}\n\0\xff tail", 17);
    request.content_type = "application/json";
    request.headers = {{"Authorization", "Bearer t0k3n"},
                       {"X-Custom", "two words,  spaced"}};

    HttpClient client;
    const auto response = client.post(request);

    REQUIRE_MESSAGE(response.has_value(), error_text(response));
    CHECK(response->status == 200);
    CHECK(response->body == "ok");
    CHECK_FALSE(response->body_truncated);
    CHECK(response->header("x-reply") == "yes");
    CHECK(response->header("X-REPLY") == "yes");
    CHECK_FALSE(response->header("x-missing").has_value());
    CHECK(classify(response) == Outcome::ok);

    REQUIRE(server->request_count() == 1);
    const auto received = server->request(0);
    CHECK(received.method == "POST");
    CHECK(received.path == "/hook?kind=test");
    CHECK(received.body == request.body);
    CHECK(received.header("Content-Type") == "application/json");
    CHECK(received.header("Content-Length") == "17");
    CHECK(received.header("Authorization") == "Bearer t0k3n");
    CHECK(received.header("X-Custom") == "two words,  spaced");
    CHECK(received.header("Expect") == "");
    CHECK(received.header("User-Agent").starts_with("tapline/"));
  }

  TEST_CASE("get: status, WWW-Authenticate and body of a 401 come back")
  {
    const TempDir dir;
    auto server = LoopbackServer::start(dir.path(), R"([{
      "status": 401,
      "headers": {"WWW-Authenticate": "Bearer error=\"invalid_token\""},
      "body": "{\"error\":\"invalid_token\"}"}])");
    if (!server) {
      MESSAGE(k_no_python);
      return;
    }
    HttpRequest request;
    request.url = server->url("/user");
    request.content_type = "application/json"; // not sent with GET

    HttpClient client;
    const auto response = client.get(request);

    REQUIRE_MESSAGE(response.has_value(), error_text(response));
    CHECK(response->status == 401);
    CHECK(response->header("www-authenticate") ==
          "Bearer error=\"invalid_token\"");
    CHECK(response->body == "{\"error\":\"invalid_token\"}");
    CHECK(classify(response) == Outcome::auth);
    const auto received = server->request(0);
    CHECK(received.method == "GET");
    CHECK(received.path == "/user");
    CHECK(received.header("Content-Type") == "");
  }

  TEST_CASE("statuses: 403 is auth, 404 is an error, 503 and 429 transient")
  {
    const TempDir dir;
    auto server = LoopbackServer::start(
        dir.path(),
        R"([{"status": 403}, {"status": 404}, {"status": 503},
            {"status": 429}, {"status": 204}])");
    if (!server) {
      MESSAGE(k_no_python);
      return;
    }
    HttpClient client; // one client, connection reused
    HttpRequest request;
    request.url = server->url();
    CHECK(classify(client.post(request)) == Outcome::auth);
    CHECK(classify(client.post(request)) == Outcome::error);
    CHECK(classify(client.post(request)) == Outcome::transient);
    CHECK(classify(client.post(request)) == Outcome::transient);
    CHECK(classify(client.post(request)) == Outcome::ok);
    CHECK(server->request_count() == 5);
  }

  TEST_CASE("timeout: a server that does not answer in time is transient")
  {
    const TempDir dir;
    auto server = LoopbackServer::start(
        dir.path(), R"([{"status": 200, "delay_ms": 5000}])");
    if (!server) {
      MESSAGE(k_no_python);
      return;
    }
    HttpRequest request;
    request.url = server->url();
    request.timeout = 300ms;

    HttpClient client;
    const auto started = std::chrono::steady_clock::now();
    const auto response = client.post(request);
    const auto elapsed = std::chrono::steady_clock::now() - started;

    REQUIRE_FALSE(response.has_value());
    CHECK(response.error().code == ErrorCode::transient);
    CHECK(response.error().where == url_origin(request.url));
    CHECK(response.error().message.starts_with("operation timed out after"));
    CHECK(classify(response) == Outcome::transient);
    CHECK(elapsed < 3s);
  }

  TEST_CASE("connection refused is transient")
  {
    const RefusingPort port;
    HttpRequest request;
    request.url = port.url();
    HttpClient client;
    const auto response = client.post(request);
    REQUIRE_FALSE(response.has_value());
    CHECK(response.error().code == ErrorCode::transient);
    CHECK(response.error().message.starts_with("failed to connect to"));
    CHECK(classify(response) == Outcome::transient);
  }

  TEST_CASE("dns failure is transient")
  {
    HttpRequest request;
    request.url = "http://tapline-no-such-host.invalid/hook";
    request.connect_timeout = 3s;
    request.timeout = 3s;
    HttpClient client;
    const auto response = client.post(request);
    REQUIRE_FALSE(response.has_value());
    // Without a resolver the lookup times out instead: transient as well.
    CHECK(response.error().code == ErrorCode::transient);
    CHECK(classify(response) == Outcome::transient);
  }

  TEST_CASE("bad url is an error, not transient")
  {
    HttpRequest request;
    SUBCASE("malformed") { request.url = "http://exa mple.com/hook"; }
    SUBCASE("not http") { request.url = "ftp://127.0.0.1/hook"; }
    SUBCASE("file") { request.url = "file:///etc/passwd"; }
    HttpClient client;
    const auto response = client.post(request);
    REQUIRE_FALSE(response.has_value());
    CHECK(response.error().code == ErrorCode::config);
    CHECK(classify(response) == Outcome::error);
  }

  TEST_CASE("header injection is refused before anything is sent")
  {
    const RefusingPort port; // a request would be "refused", not "config"
    HttpRequest request;
    request.url = port.url();
    SUBCASE("value") { request.headers = {{"X-A", "1\r\nX-Injected: 1"}}; }
    SUBCASE("name") { request.headers = {{"X-A: 1\nX-B", "2"}}; }
    SUBCASE("content type") { request.content_type = "text/plain\r\nX-B: 2"; }
    HttpClient client;
    const auto response = client.post(request);
    REQUIRE_FALSE(response.has_value());
    CHECK(response.error().code == ErrorCode::config);
  }

  TEST_CASE("body: kept up to max_body, then cut and marked")
  {
    const TempDir dir;
    auto server = LoopbackServer::start(
        dir.path(), R"([{"status": 200, "body_size": 2097152}])");
    if (!server) {
      MESSAGE(k_no_python);
      return;
    }
    HttpRequest request;
    request.url = server->url();
    HttpClient client;

    SUBCASE("default bound is 1 MiB")
    {
      const auto response = client.get(request);
      REQUIRE_MESSAGE(response.has_value(), error_text(response));
      CHECK(response->status == 200);
      CHECK(response->body.size() == 1048576);
      CHECK(response->body_truncated);
    }
    SUBCASE("a body within the bound is whole")
    {
      request.max_body = 4 << 20;
      const auto response = client.get(request);
      REQUIRE_MESSAGE(response.has_value(), error_text(response));
      CHECK(response->body.size() == 2097152);
      CHECK_FALSE(response->body_truncated);
    }
  }

  TEST_CASE("redirects: same origin followed, another host not")
  {
    const TempDir dir;
    SUBCASE("307 to the same origin keeps the POST")
    {
      auto server = LoopbackServer::start(dir.path(), R"([
        {"status": 307, "headers": {"Location": "/moved"}},
        {"status": 200, "body": "here"}])");
      if (!server) {
        MESSAGE(k_no_python);
        return;
      }
      HttpRequest request;
      request.url = server->url("/hook");
      request.body = "payload";
      HttpClient client;
      const auto response = client.post(request);
      REQUIRE_MESSAGE(response.has_value(), error_text(response));
      CHECK(response->status == 200);
      CHECK(response->body == "here");
      REQUIRE(server->request_count() == 2);
      CHECK(server->request(1).method == "POST");
      CHECK(server->request(1).path == "/moved");
      CHECK(server->request(1).body == "payload");
    }
    SUBCASE("303 turns the POST into a GET")
    {
      auto server = LoopbackServer::start(dir.path(), R"([
        {"status": 303, "headers": {"Location": "/result"}},
        {"status": 200}])");
      if (!server) {
        MESSAGE(k_no_python);
        return;
      }
      HttpRequest request;
      request.url = server->url("/hook");
      request.body = "payload";
      HttpClient client;
      const auto response = client.post(request);
      REQUIRE_MESSAGE(response.has_value(), error_text(response));
      CHECK(response->status == 200);
      REQUIRE(server->request_count() == 2);
      CHECK(server->request(1).method == "GET");
      CHECK(server->request(1).body == "");
    }
    SUBCASE("another host is not followed")
    {
      auto server = LoopbackServer::start(dir.path(), R"([
        {"status": 302, "headers": {"Location": "http://127.0.0.2:1/steal"}},
        {"status": 200}])");
      if (!server) {
        MESSAGE(k_no_python);
        return;
      }
      HttpRequest request;
      request.url = server->url("/hook");
      request.headers = {{"Authorization", "Bearer t0k3n"}};
      HttpClient client;
      const auto response = client.post(request);
      REQUIRE_MESSAGE(response.has_value(), error_text(response));
      CHECK(response->status == 302);
      CHECK(response->redirect_url == "http://127.0.0.2:1/steal");
      CHECK(classify(response) == Outcome::error);
      CHECK(server->request_count() == 1);
    }
    SUBCASE("a redirect loop stops after max_redirects")
    {
      auto server = LoopbackServer::start(
          dir.path(),
          R"([{"status": 302, "headers": {"Location": "/again"}}])");
      if (!server) {
        MESSAGE(k_no_python);
        return;
      }
      HttpRequest request;
      request.url = server->url("/hook");
      request.max_redirects = 2;
      HttpClient client;
      const auto response = client.get(request);
      REQUIRE_MESSAGE(response.has_value(), error_text(response));
      CHECK(response->status == 302);
      CHECK(server->request_count() == 3);
    }
  }

  TEST_CASE("errors name the url by its origin only")
  {
    const RefusingPort port;
    HttpRequest request;
    request.url = "http://user:pa55@127.0.0.1:" + std::to_string(port.port()) +
                  "/services/T0/B0/s3cr3t?token=s3cr3t";
    HttpClient client;
    const auto response = client.post(request);
    REQUIRE_FALSE(response.has_value());
    const auto text = response.error().to_string();
    CHECK(response.error().where ==
          "http://127.0.0.1:" + std::to_string(port.port()));
    CHECK(text.find("s3cr3t") == std::string::npos);
    CHECK(text.find("pa55") == std::string::npos);
  }

  TEST_CASE("url_origin: scheme, host and port only")
  {
    CHECK(url_origin("https://hooks.slack.com/services/T0/B0/XYZ") ==
          "https://hooks.slack.com");
    CHECK(url_origin("http://user:pw@Example.COM:8080/p?q=1#f") ==
          "http://example.com:8080");
    CHECK(url_origin("https://[::1]:8443/x") == "https://[::1]:8443");
    CHECK(url_origin("http://exa mple.com/secret?x") == "http://exa mple.com");
    CHECK(url_origin("not a url/secret") == "not a url");
  }

  TEST_CASE("a moved-from client reports an error instead of crashing")
  {
    HttpClient first;
    HttpClient second(std::move(first));
    HttpRequest request;
    request.url = "http://127.0.0.1:1/";
    const auto response =
        first.post(request); // NOLINT(bugprone-use-after-move)
    REQUIRE_FALSE(response.has_value());
    CHECK(response.error().code == ErrorCode::internal);
    CHECK(response.error().message == "no libcurl handle: initialisation "
                                      "failed or the client was moved from");
  }
}
