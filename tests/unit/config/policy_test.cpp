// tests/unit/config/policy_test.cpp
//
// The failure-handling keys: an integration's `auth` and `retry`, and the
// top-level `alerts`.

#include <runner/config/loader.hpp>

#include <tests/unit/config/config_test_support.hpp>
#include <tests/unit/temp_dir.hpp>

#include <doctest/doctest.h>

#include <string>

using tapline::test::config_error;
using tapline::test::fake_env;

namespace {

std::string
integration_with(const std::string& lines)
{
  return "integrations:\n"
         "  demo:\n"
         "    tap: {command: [tap-x]}\n"
         "    target: {null: {}}\n" +
         lines;
}

tapline::config::Config
load(const std::string& yaml, const std::filesystem::path& file = "tapline.yaml")
{
  auto config = tapline::config::load_config_from_string(yaml, file, fake_env());
  REQUIRE_MESSAGE(config.has_value(), (config ? "" : config.error().to_string()));
  return *config;
}

} // namespace

TEST_SUITE("config::policy")
{
  TEST_CASE("defaults: no auth rules of its own, three attempts, no alerts")
  {
    const auto config = load(integration_with(""));
    const auto& demo = config.integrations.front();
    CHECK_FALSE(demo.auth.rules_file.has_value());
    CHECK(demo.auth.disabled_rules.empty());
    CHECK_FALSE(demo.auth.pause_on_partial_permissions);
    CHECK(demo.auth.check_command.empty());
    CHECK(demo.retry.attempts == 3);
    CHECK(demo.retry.backoff == std::chrono::seconds(10));
    CHECK(demo.retry.max_backoff == std::chrono::seconds(300));
    CHECK_FALSE(config.alerts.webhook.has_value());
    CHECK(config.alerts.command.empty());
  }

  TEST_CASE("auth: every key")
  {
    tapline::test::TempDir dir;
    tapline::test::write_file(dir.path() / "rules.yaml", "rules: []\n");
    const auto config = load(integration_with("    auth:\n"
                                              "      rules: rules.yaml\n"
                                              "      disable: [http.403]\n"
                                              "      pause_on_partial_permissions: true\n"
                                              "      check: [./check-token, --quiet]\n"),
                             dir.path() / "tapline.yaml");
    const auto& auth = config.integrations.front().auth;
    CHECK(auth.rules_file == dir.path() / "rules.yaml");
    CHECK(auth.disabled_rules == std::vector<std::string>{"http.403"});
    CHECK(auth.pause_on_partial_permissions);
    CHECK(auth.check_command ==
          std::vector<std::string>{(dir.path() / "check-token").string(), "--quiet"});
  }

  TEST_CASE("retry and alerts: every key")
  {
    const auto config = load(integration_with("    retry: {attempts: 5, backoff: 1s, max_backoff: 2m}\n") +
                             "alerts:\n"
                             "  webhook:\n"
                             "    url: http://127.0.0.1:9/hook\n"
                             "    timeout: 3s\n"
                             "    retries: 1\n"
                             "    headers: {X-Team: data}\n"
                             "  command: [notify-send, tapline]\n");
    const auto& retry = config.integrations.front().retry;
    CHECK(retry.attempts == 5);
    CHECK(retry.backoff == std::chrono::seconds(1));
    CHECK(retry.max_backoff == std::chrono::seconds(120));
    REQUIRE(config.alerts.webhook.has_value());
    CHECK(config.alerts.webhook->url == "http://127.0.0.1:9/hook");
    CHECK(config.alerts.webhook->timeout == std::chrono::seconds(3));
    CHECK(config.alerts.webhook->retries == 1);
    CHECK(config.alerts.webhook->headers.at("X-Team") == "data");
    CHECK(config.alerts.command == std::vector<std::string>{"notify-send", "tapline"});
  }

  TEST_CASE("errors name the key and what was expected")
  {
    CHECK(config_error(integration_with("    auth: {pause_on_partial_permissions: yes}\n")) ==
          "tapline.yaml:5:42: integrations.demo.auth.pause_on_partial_permissions: "
          "expected true or false, got 'yes'");
    CHECK(config_error(integration_with("    retry: {attempts: 0}\n")) ==
          "tapline.yaml:5:23: integrations.demo.retry.attempts: expected a whole "
          "number from 1 to 100, got '0'");
    CHECK(config_error(integration_with("    auth: {rule: x.yaml}\n")) ==
          "tapline.yaml:5:12: integrations.demo.auth.rule: unknown key, did you "
          "mean 'rules'?");
    CHECK(config_error(integration_with("") + "alerts: {webhook: {url: slack}}\n") ==
          "tapline.yaml:5:25: alerts.webhook.url: expected an http:// or https:// "
          "URL, got 'slack'");
    CHECK(config_error(integration_with("") + "alerts: {webhook: {}}\n") ==
          "tapline.yaml:5:19: alerts.webhook: missing required key 'url'");
  }
}
