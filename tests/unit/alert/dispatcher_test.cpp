// tests/unit/alert/dispatcher_test.cpp
//
// AlertDispatcher with real channels: the webhook posts to the loopback
// server (tests/unit/net/loopback_server.hpp), the command is a real
// /bin/sh that writes its environment to a file. Covers the exact JSON
// received, redaction of every field (a planted secret must not leave),
// retries, refusals, the command's environment, failure and timeout, and
// that with both channels configured a failing one does not stop the other.

#include <runner/alert/dispatcher.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <tests/unit/net/loopback_server.hpp>
#include <tests/unit/temp_dir.hpp>
#include <tests/unit/test_support.hpp>
#include <vector>

namespace {

using tapline::ErrorCode;
using tapline::alert::AlertDispatcher;
using tapline::alert::AlertEvent;
using tapline::alert::AlertSettings;
using tapline::alert::WebhookSettings;
using tapline::test::error_text;
using tapline::test::k_no_python;
using tapline::test::LoopbackServer;
using tapline::test::read_text;
using tapline::test::RefusingPort;
using tapline::test::TempDir;
using namespace std::chrono_literals;

constexpr std::string_view k_secret = "s3cr3t-T0KEN";

// Masks every occurrence of k_secret, as credentials::redact will.
std::string
redact(std::string_view text)
{
  std::string out(text);
  for (auto at = out.find(k_secret); at != std::string::npos;
       at = out.find(k_secret, at)) {
    out.replace(at, k_secret.size(), "********");
  }
  return out;
}

// Collects log lines (the dispatcher may log from a helper thread).
struct LogLines
{
  std::mutex mutex;
  std::vector<std::string> lines;

  AlertDispatcher::Log
  callback()
  {
    return [this](std::string_view line) {
      const std::lock_guard lock(mutex);
      lines.emplace_back(line);
    };
  }
};

AlertEvent
revoked_event()
{
  AlertEvent event;
  event.integration = "github";
  event.status = "needs_reauth";
  event.auth_class = "token_revoked";
  event.explanation = "Token expired or revoked";
  event.run_id = 12;
  event.time = "2026-11-25T12:00:00.000Z";
  event.evidence = "error: invalid_grant";
  return event;
}

WebhookSettings
webhook_to(std::string url)
{
  WebhookSettings webhook;
  webhook.url = std::move(url);
  webhook.timeout = 5s;
  webhook.retries = 2;
  webhook.backoff = 10ms;
  return webhook;
}

// `/bin/sh -c 'env > FILE'`: the command writes its environment to `file`.
std::vector<std::string>
env_to_file(const std::filesystem::path& file)
{
  return {"/bin/sh", "-c", "env > '" + file.string() + "'"};
}

// The TAPLINE_ALERT_* variables in an `env` dump.
std::map<std::string, std::string>
alert_variables(const std::filesystem::path& file)
{
  std::map<std::string, std::string> variables;
  std::istringstream lines(read_text(file));
  for (std::string line; std::getline(lines, line);) {
    const auto equals = line.find('=');
    if (line.starts_with("TAPLINE_ALERT_") && equals != std::string::npos) {
      variables[line.substr(0, equals)] = line.substr(equals + 1);
    }
  }
  return variables;
}

} // namespace

TEST_SUITE("alert::AlertDispatcher")
{
  TEST_CASE("webhook: the JSON body and headers arrive exactly")
  {
    const TempDir dir;
    auto server = LoopbackServer::start(dir.path(), R"([{"status": 200}])");
    if (!server) {
      MESSAGE(k_no_python);
      return;
    }
    AlertSettings settings;
    settings.webhook = webhook_to(server->url("/services/hook"));
    settings.webhook->headers = {{"X-Team", "data"}};
    LogLines log;
    AlertDispatcher dispatcher(settings, redact, log.callback());

    const auto sent = dispatcher.send(revoked_event());

    REQUIRE_MESSAGE(sent.has_value(), error_text(sent));
    REQUIRE(server->request_count() == 1);
    const auto received = server->request(0);
    CHECK(received.method == "POST");
    CHECK(received.path == "/services/hook");
    CHECK(received.header("Content-Type") == "application/json");
    CHECK(received.header("X-Team") == "data");
    CHECK(
        received.body ==
        R"({"integration":"github","status":"needs_reauth",)"
        R"("class":"token_revoked","explanation":"Token expired or revoked",)"
        R"("action":"re-authorize","run_id":12,)"
        R"("time":"2026-11-25T12:00:00.000Z",)"
        R"("evidence":"error: invalid_grant",)"
        R"("text":"tapline: integration 'github' needs reauthorization — )"
        R"x(Token expired or revoked — re-authorize (token_revoked, run 12)"})x");
    CHECK(log.lines ==
          std::vector<std::string>{"alert: webhook http://127.0.0.1:" +
                                   std::to_string(server->port()) +
                                   " delivered (http 200)"});
  }

  TEST_CASE("redaction: a secret planted in every field leaves nowhere")
  {
    const TempDir dir;
    auto server = LoopbackServer::start(dir.path(), R"([{"status": 200}])");
    if (!server) {
      MESSAGE(k_no_python);
      return;
    }
    const std::string secret(k_secret);
    AlertEvent event;
    event.integration = "gh-" + secret;
    event.status = "needs_reauth";
    event.auth_class = "token_revoked" + secret;
    event.explanation = "token " + secret + " was revoked";
    event.action = "replace " + secret;
    event.run_id = 3;
    event.time = secret;
    event.evidence = "Authorization: Bearer " + secret;
    const auto env_file = dir.path() / "env.txt";
    AlertSettings settings;
    settings.webhook = webhook_to(server->url());
    // The command also echoes the secret: its logged output is redacted.
    settings.command = {
        "/bin/sh", "-c", "env > '" + env_file.string() + "'; echo " + secret};
    LogLines log;
    AlertDispatcher dispatcher(settings, redact, log.callback());

    const auto sent = dispatcher.send(event);

    REQUIRE_MESSAGE(sent.has_value(), error_text(sent));
    const auto body = server->request(0).body;
    CHECK(body.find(secret) == std::string::npos);
    CHECK(body.find(R"("integration":"gh-********")") != std::string::npos);
    CHECK(body.find(R"("class":"token_revoked********")") != std::string::npos);
    CHECK(body.find(R"("explanation":"token ******** was revoked")") !=
          std::string::npos);
    CHECK(body.find(R"("action":"replace ********")") != std::string::npos);
    CHECK(body.find(R"("time":"********")") != std::string::npos);
    CHECK(body.find(R"("evidence":"Authorization: Bearer ********")") !=
          std::string::npos);
    CHECK(body.find(R"("text":"tapline: integration 'gh-********' needs )"
                    R"(reauthorization — token ******** was revoked — replace )"
                    R"x(******** (token_revoked********, run 3)"})x") !=
          std::string::npos);

    const auto env = read_text(env_file);
    CHECK(env.find(secret) == std::string::npos);
    const auto variables = alert_variables(env_file);
    CHECK(variables.at("TAPLINE_ALERT_INTEGRATION") == "gh-********");
    CHECK(variables.at("TAPLINE_ALERT_EVIDENCE") ==
          "Authorization: Bearer ********");

    for (const auto& line : log.lines) {
      CHECK(line.find(secret) == std::string::npos);
    }
    CHECK(std::ranges::count(log.lines,
                             std::string("alert command: ********")) == 1);
  }

  TEST_CASE("redaction: a secret spanning two fields is masked in the text")
  {
    const TempDir dir;
    const auto env_file = dir.path() / "env.txt";
    AlertSettings settings;
    settings.command = env_to_file(env_file);
    // Each field holds half of the secret, so only the whole text shows it.
    AlertEvent event = revoked_event();
    event.integration = "x";
    event.status = "failed";
    event.auth_class = "";
    event.run_id = 0;
    event.explanation = "s3cr3t-";
    event.action = "T0KEN";
    // " — " sits between them in the text, so make the redactor match that.
    const auto span_redact = [](std::string_view text) {
      std::string out(text);
      const std::string joined = "s3cr3t- — T0KEN";
      if (const auto at = out.find(joined); at != std::string::npos) {
        out.replace(at, joined.size(), "********");
      }
      return out;
    };
    AlertDispatcher dispatcher(settings, span_redact, {});
    const auto sent = dispatcher.send(event);
    REQUIRE_MESSAGE(sent.has_value(), error_text(sent));
    CHECK(alert_variables(env_file).at("TAPLINE_ALERT_TEXT") ==
          "tapline: integration 'x' failed — ********");
  }

  TEST_CASE("webhook: 503 then 200 is retried and delivered")
  {
    const TempDir dir;
    auto server = LoopbackServer::start(
        dir.path(), R"([{"status": 503}, {"status": 503}, {"status": 200}])");
    if (!server) {
      MESSAGE(k_no_python);
      return;
    }
    AlertSettings settings;
    settings.webhook = webhook_to(server->url());
    LogLines log;
    AlertDispatcher dispatcher(settings, redact, log.callback());

    const auto sent = dispatcher.send(revoked_event());

    REQUIRE_MESSAGE(sent.has_value(), error_text(sent));
    REQUIRE(server->request_count() == 3);
    CHECK(server->request(2).body == server->request(0).body);
    const auto origin = "http://127.0.0.1:" + std::to_string(server->port());
    CHECK(log.lines ==
          std::vector<std::string>{
              "alert: webhook " + origin +
                  ": http 503 (attempt 1 of 3), retrying in 10 ms",
              "alert: webhook " + origin +
                  ": http 503 (attempt 2 of 3), retrying in 20 ms",
              "alert: webhook " + origin + " delivered (http 200)"});
  }

  TEST_CASE("webhook: failures are reported with what failed")
  {
    const TempDir dir;
    std::string responses;
    std::string expected;
    std::size_t requests = 0;
    SUBCASE("5xx until the retries run out")
    {
      responses = R"([{"status": 500, "body": "busy\n"}])";
      expected = ": http 500: busy, gave up after 3 attempts";
      requests = 3;
    }
    SUBCASE("401: refused at once, not retried")
    {
      responses =
          R"([{"status": 401, "body": "invalid_token"}, {"status": 200}])";
      expected = ": http 401: invalid_token, the webhook refused tapline's "
                 "credentials (check its headers)";
      requests = 1;
    }
    SUBCASE("404: not retried")
    {
      responses = R"([{"status": 404, "body": "no_service"}, {"status": 200}])";
      expected = ": http 404: no_service";
      requests = 1;
    }
    auto server = LoopbackServer::start(dir.path(), responses);
    if (!server) {
      MESSAGE(k_no_python);
      return;
    }
    AlertSettings settings;
    settings.webhook =
        webhook_to(server->url("/services/T0/" + std::string(k_secret)));
    AlertDispatcher dispatcher(settings, redact, {});

    const auto sent = dispatcher.send(revoked_event());

    REQUIRE_FALSE(sent.has_value());
    CHECK(sent.error().code == ErrorCode::unavailable);
    // The URL's path (a Slack webhook's secret) is not in the message.
    CHECK(sent.error().to_string() ==
          "webhook http://127.0.0.1:" + std::to_string(server->port()) +
              expected);
    CHECK(server->request_count() == requests);
  }

  TEST_CASE("webhook: connection refused and timeouts are reported")
  {
    const TempDir dir;
    AlertSettings settings;
    SUBCASE("refused")
    {
      const RefusingPort port;
      settings.webhook = webhook_to(port.url());
      AlertDispatcher dispatcher(settings, redact, {});
      const auto sent = dispatcher.send(revoked_event());
      REQUIRE_FALSE(sent.has_value());
      CHECK(sent.error().code == ErrorCode::transient);
      const auto& message = sent.error().message;
      CHECK(message.starts_with("webhook " + port.url("") +
                                ": failed to connect to 127.0.0.1"));
      CHECK(message.ends_with(", gave up after 3 attempts"));
    }
    SUBCASE("timeout")
    {
      auto server = LoopbackServer::start(
          dir.path(), R"([{"status": 200, "delay_ms": 5000}])");
      if (!server) {
        MESSAGE(k_no_python);
        return;
      }
      settings.webhook = webhook_to(server->url());
      settings.webhook->timeout = 1s;
      settings.webhook->retries = 0;
      AlertDispatcher dispatcher(settings, redact, {});
      const auto started = std::chrono::steady_clock::now();
      const auto sent = dispatcher.send(revoked_event());
      CHECK(std::chrono::steady_clock::now() - started < 4s);
      REQUIRE_FALSE(sent.has_value());
      CHECK(sent.error().code == ErrorCode::transient);
      CHECK(sent.error().message.starts_with("webhook " + server->url("") +
                                             ": operation timed out after"));
    }
  }

  TEST_CASE("command: receives the details in TAPLINE_ALERT_*")
  {
    const TempDir dir;
    const auto env_file = dir.path() / "env.txt";
    AlertSettings settings;
    settings.command = env_to_file(env_file);
    LogLines log;
    AlertDispatcher dispatcher(settings, redact, log.callback());

    const auto sent = dispatcher.send(revoked_event());

    REQUIRE_MESSAGE(sent.has_value(), error_text(sent));
    CHECK(alert_variables(env_file) ==
          std::map<std::string, std::string>{
              {"TAPLINE_ALERT_INTEGRATION", "github"},
              {"TAPLINE_ALERT_STATUS", "needs_reauth"},
              {"TAPLINE_ALERT_CLASS", "token_revoked"},
              {"TAPLINE_ALERT_EXPLANATION", "Token expired or revoked"},
              {"TAPLINE_ALERT_ACTION", "re-authorize"},
              {"TAPLINE_ALERT_RUN_ID", "12"},
              {"TAPLINE_ALERT_TIME", "2026-11-25T12:00:00.000Z"},
              {"TAPLINE_ALERT_EVIDENCE", "error: invalid_grant"},
              {"TAPLINE_ALERT_TEXT",
               "tapline: integration 'github' needs reauthorization — Token "
               "expired or revoked — re-authorize (token_revoked, run 12)"},
          });
    // The rest of tapline's environment is passed on.
    CHECK(read_text(env_file).find("PATH=") != std::string::npos);
    CHECK(log.lines ==
          std::vector<std::string>{"alert: command '/bin/sh' succeeded"});
  }

  TEST_CASE("command: output goes to the log, stdin is /dev/null")
  {
    AlertSettings settings;
    settings.command = {
        "/bin/sh",
        "-c",
        "echo out; echo err >&2; cat; echo \"run $TAPLINE_ALERT_RUN_ID\""};
    LogLines log;
    AlertDispatcher dispatcher(settings, redact, log.callback());
    const auto sent = dispatcher.send(revoked_event());
    REQUIRE_MESSAGE(sent.has_value(), error_text(sent));
    CHECK(log.lines == std::vector<std::string>{
                           "alert command: out",
                           "alert command: err",
                           "alert command: run 12",
                           "alert: command '/bin/sh' succeeded",
                       });
  }

  TEST_CASE("command: failures are reported, naming the program only")
  {
    AlertSettings settings;
    std::string expected;
    SUBCASE("non-zero exit")
    {
      settings.command = {"/bin/sh", "-c", "echo oops >&2; exit 3", "s3cr3t"};
      expected = "alert command '/bin/sh' exited with code 3";
    }
    SUBCASE("killed by a signal")
    {
      settings.command = {"/bin/sh", "-c", "kill -9 $$"};
      expected = "alert command '/bin/sh' was killed by signal 9 (Killed)";
    }
    SUBCASE("not found")
    {
      settings.command = {"tapline-no-such-alert-command", "--token", "x"};
      expected = "alert command 'tapline-no-such-alert-command': command not "
                 "found (not on PATH)";
    }
    AlertDispatcher dispatcher(settings, redact, {});
    const auto sent = dispatcher.send(revoked_event());
    REQUIRE_FALSE(sent.has_value());
    CHECK(sent.error().code == ErrorCode::unavailable);
    CHECK(sent.error().to_string() == expected);
  }

  TEST_CASE("command: an empty argv is a configuration error")
  {
    AlertSettings settings;
    settings.command = std::vector<std::string>{};
    AlertDispatcher dispatcher(settings, redact, {});
    const auto sent = dispatcher.send(revoked_event());
    REQUIRE_FALSE(sent.has_value());
    CHECK(sent.error().code == ErrorCode::config);
    CHECK(sent.error().to_string() == "alert command is empty");
  }

  TEST_CASE("command: killed after the timeout")
  {
    AlertSettings settings;
    settings.command = {"/bin/sh", "-c", "sleep 30"};
    settings.command_timeout = 1s;
    AlertDispatcher dispatcher(settings, redact, {});
    const auto started = std::chrono::steady_clock::now();
    const auto sent = dispatcher.send(revoked_event());
    const auto elapsed = std::chrono::steady_clock::now() - started;
    REQUIRE_FALSE(sent.has_value());
    CHECK(sent.error().to_string() ==
          "alert command '/bin/sh' timed out after 1s and was killed");
    CHECK(elapsed >= 1s);
    CHECK(elapsed < 5s);
  }

  TEST_CASE("command: a background job left behind does not hold up send")
  {
    AlertSettings settings;
    settings.command = {"/bin/sh", "-c", "sleep 30 & echo started"};
    LogLines log;
    AlertDispatcher dispatcher(settings, redact, log.callback());
    const auto started = std::chrono::steady_clock::now();
    const auto sent = dispatcher.send(revoked_event());
    REQUIRE_MESSAGE(sent.has_value(), error_text(sent));
    CHECK(std::chrono::steady_clock::now() - started < 5s);
    CHECK(log.lines.front() == "alert command: started");
  }

  TEST_CASE("both channels fire when one of them fails")
  {
    const TempDir dir;
    const auto env_file = dir.path() / "env.txt";
    const RefusingPort refusing;
    AlertSettings settings;

    SUBCASE("the webhook fails, the command still runs")
    {
      settings.webhook = webhook_to(refusing.url());
      settings.webhook->retries = 0;
      settings.command = env_to_file(env_file);
      AlertDispatcher dispatcher(settings, redact, {});
      const auto sent = dispatcher.send(revoked_event());
      REQUIRE_FALSE(sent.has_value());
      CHECK(sent.error().message.starts_with("webhook " + refusing.url("")));
      CHECK(sent.error().message.find("alert command") == std::string::npos);
      CHECK(alert_variables(env_file).at("TAPLINE_ALERT_RUN_ID") == "12");
    }
    SUBCASE("the command fails, the webhook still posts")
    {
      auto server = LoopbackServer::start(dir.path(), R"([{"status": 200}])");
      if (!server) {
        MESSAGE(k_no_python);
        return;
      }
      settings.webhook = webhook_to(server->url());
      settings.command = {"/bin/sh", "-c", "exit 4"};
      AlertDispatcher dispatcher(settings, redact, {});
      const auto sent = dispatcher.send(revoked_event());
      REQUIRE_FALSE(sent.has_value());
      CHECK(sent.error().code == ErrorCode::unavailable);
      CHECK(sent.error().to_string() ==
            "alert command '/bin/sh' exited with code 4");
      CHECK(server->request_count() == 1);
    }
    SUBCASE("both fail: both are named")
    {
      auto server = LoopbackServer::start(
          dir.path(), R"([{"status": 400, "body": "bad"}])");
      if (!server) {
        MESSAGE(k_no_python);
        return;
      }
      settings.webhook = webhook_to(server->url());
      settings.command = {"/bin/sh", "-c", "exit 5"};
      AlertDispatcher dispatcher(settings, redact, {});
      const auto sent = dispatcher.send(revoked_event());
      REQUIRE_FALSE(sent.has_value());
      CHECK(sent.error().code == ErrorCode::unavailable);
      CHECK(sent.error().to_string() ==
            "webhook " + server->url("") +
                ": http 400: bad; alert command '/bin/sh' exited with code 5");
    }
  }

  TEST_CASE("no channel configured: nothing to do")
  {
    LogLines log;
    AlertDispatcher dispatcher(AlertSettings{}, redact, log.callback());
    const auto sent = dispatcher.send(revoked_event());
    CHECK_MESSAGE(sent.has_value(), error_text(sent));
    CHECK(log.lines.empty());
  }
}
