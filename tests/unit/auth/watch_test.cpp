// tests/unit/auth/watch_test.cpp
//
// The timing rules of the auth watch with the shipped rules: which records
// may stop a run, evidence from earlier lines, warn-only downgrades, the
// verdict at exit, and a hostile 1 MB line.

#include <runner/auth/rule_loader.hpp>
#include <runner/auth/watch.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <tests/unit/test_support.hpp>
#include <vector>

using tapline::auth::Action;
using tapline::auth::AuthClass;
using tapline::auth::Decision;
using tapline::auth::RuleSet;
using tapline::auth::Watch;

namespace {

const RuleSet&
shipped_rules()
{
  static const RuleSet rules = [] {
    auto loaded =
        tapline::auth::load_rules(TAPLINE_SOURCE_DIR "/config/auth-rules.yaml");
    REQUIRE_MESSAGE(loaded, tapline::test::error_text(loaded));
    return *loaded;
  }();
  return rules;
}

// Feed `lines`; the first halting decision, if any.
std::optional<Decision>
feed(Watch& watch, const std::vector<std::string>& lines)
{
  std::optional<Decision> first;
  for (const auto& line : lines) {
    auto decision = watch.on_line(line);
    if (decision && !first) {
      first = decision;
    }
  }
  return first;
}

} // namespace

TEST_SUITE("auth::Watch")
{
  TEST_CASE("halt: a terminal record decides when the next line starts or "
            "on quiet")
  {
    Watch watch(shipped_rules());
    CHECK(!watch.on_line("CRITICAL HTTP-error-code: 400 invalid_grant: Token "
                         "has been expired or revoked."));
    auto decision = watch.on_quiet();
    REQUIRE(decision);
    CHECK(decision->halt);
    CHECK(decision->auth_class == AuthClass::token_revoked);
    CHECK(decision->action == Action::pause_reauth);
    CHECK(decision->rule_id == "oauth.revoked_or_inactive");
    CHECK(decision->explanation == "Token expired or revoked — re-authorize");
    CHECK(decision->record ==
          "CRITICAL HTTP-error-code: 400 invalid_grant: Token has been "
          "expired or revoked.");

    Watch next_line(shipped_rules());
    CHECK(!next_line.on_line("ERROR (1142, \"SELECT command denied to user "
                             "'x'@'%' for table 'orders'\")"));
    CHECK(!next_line.on_line("Traceback (most recent call last):"));
    CHECK(!next_line.on_line("pymysql.err.OperationalError: (1142, ...)"));
    decision = next_line.on_line("INFO still running");
    REQUIRE(decision);
    CHECK(decision->action == Action::pause_permissions);
    // Later failures do not decide again, and at_exit repeats the decision.
    CHECK(!feed(next_line, {"CRITICAL Bad credentials", "INFO x"}));
    CHECK(next_line.at_exit(1).rule_id == decision->rule_id);
  }

  TEST_CASE("precedence: rate-limit wording outranks 403 and auth-sounding "
            "class names")
  {
    Watch watch(shipped_rules());
    auto decision = feed(
        watch,
        {"CRITICAL HTTP-error-code: 403, Error: {'message': 'You have "
         "exceeded a secondary rate limit.'}",
         "Traceback (most recent call last):",
         "  ...",
         "tap_github.client.AuthException: Bad credentials or secondary rate "
         "limit",
         "INFO next"});
    REQUIRE(decision);
    CHECK(decision->auth_class == AuthClass::rate_limited);
    CHECK(decision->action == Action::retry_backoff);
    CHECK(decision->halt);

    Watch network(shipped_rules());
    decision = feed(network,
                    {"requests.exceptions.ConnectionError: "
                     "HTTPSConnectionPool(host='api.hubapi.com', port=443): "
                     "Max retries exceeded with url: /oauth/v1/token (Caused "
                     "by NameResolutionError(\"Failed to resolve\"))",
                     "INFO x"});
    REQUIRE(decision);
    CHECK(decision->auth_class == AuthClass::transient);
  }

  TEST_CASE("data looks like logs: an INFO line quoting 401 Unauthorized "
            "invalid_grant does not halt")
  {
    const std::string quoted = "INFO Synced comment 991: \"got 401 "
                               "Unauthorized invalid_grant again, token "
                               "revoked??\"";
    Watch watch(shipped_rules());
    CHECK(!feed(watch, {quoted, quoted, "INFO done"}));
    CHECK(!watch.on_quiet());
    Decision verdict = watch.at_exit(0);
    CHECK(verdict.action == Action::none);
    CHECK(verdict.auth_class == AuthClass::not_auth);

    // Even when the tap then dies of something else, and even when the
    // traceback joins the INFO record: only the traceback is matched.
    Watch crash(shipped_rules());
    CHECK(!feed(crash,
                {quoted,
                 "Traceback (most recent call last):",
                 "  ...",
                 "TypeError: 'NoneType' object is not subscriptable"}));
    verdict = crash.at_exit(1);
    CHECK(verdict.action == Action::fail);
    CHECK(verdict.rule_id == "exit.nonzero");
    CHECK(!verdict.halt);
  }

  TEST_CASE("warnings: a WARNING is reported, never a pause")
  {
    Watch watch(shipped_rules());
    CHECK(!feed(watch,
                {"2026-03-02 10:14:58,310 | WARNING  | tap_github.auth | A "
                 "token could not be validated. 401 Client Error: b'{\"message"
                 "\":\"Bad credentials\"}'",
                 "2026-03-02 10:14:58,611 | INFO     | tap_github.auth | Tap "
                 "will run with 2 personal auth tokens"}));
    REQUIRE(watch.warnings().size() == 1);
    CHECK(watch.warnings()[0].auth_class == AuthClass::not_auth);
    CHECK(watch.warnings()[0].action == Action::warn_only);
    CHECK(watch.warnings()[0].rule_id == "github.bad_credentials");
    CHECK(watch.at_exit(0).action == Action::warn_only);
  }

  TEST_CASE("permissions: ERROR without a traceback, or exit 0, is "
            "warn_only; CRITICAL pauses")
  {
    const std::string missing_scopes =
        "ERROR 403 Client Error: Forbidden for url: "
        "https://api.hubapi.com/crm/v3/objects/contacts {\"category\":"
        "\"MISSING_SCOPES\"}";
    Watch skipped(shipped_rules());
    CHECK(!feed(skipped, {missing_scopes, "INFO Syncing deals"}));
    REQUIRE(skipped.warnings().size() == 1);
    CHECK(skipped.warnings()[0].auth_class ==
          AuthClass::insufficient_permissions);
    Decision verdict = skipped.at_exit(0);
    CHECK(verdict.auth_class == AuthClass::insufficient_permissions);
    CHECK(verdict.action == Action::warn_only);

    Watch fatal(shipped_rules());
    CHECK(!feed(fatal, {"CRITICAL " + missing_scopes.substr(6)}));
    auto decision = fatal.on_quiet();
    REQUIRE(decision);
    CHECK(decision->action == Action::pause_permissions);
    // If the tap still exits 0 the run was only degraded.
    verdict = fatal.at_exit(0);
    CHECK(verdict.action == Action::warn_only);
    CHECK(!verdict.halt);
  }

  TEST_CASE("evidence: a token endpoint 4xx in backoff lines makes a bare "
            "'Giving up' an auth failure")
  {
    const std::string backoff =
        "INFO Backing off acquire_access_token_from_refresh_token(...) for "
        "10.0s (requests.exceptions.HTTPError: 400 Client Error: Bad Request "
        "for url: https://api.hubapi.com/oauth/v1/token)";
    const std::vector<std::string> giving_up{
        "CRITICAL Giving up on request after 5 tries with url "
        "https://api.hubapi.com/contacts/v1/lists/all/contacts/all and "
        "params {}",
        "Traceback (most recent call last):",
        "  ...",
        "Exception: Giving up on request after 5 tries with url "
        "https://api.hubapi.com/contacts/v1/lists/all/contacts/all and "
        "params {}"};

    Watch chain(shipped_rules());
    std::vector<std::string> lines{backoff, backoff};
    lines.insert(lines.end(), giving_up.begin(), giving_up.end());
    CHECK(!feed(chain, lines));
    Decision verdict = chain.at_exit(1);
    CHECK(verdict.rule_id == "oauth.token_endpoint_4xx_then_gave_up");
    CHECK(verdict.action == Action::pause_reauth);
    CHECK(verdict.halt);

    // The same ending after 503s or 429s at the token endpoint is transient.
    Watch outage(shipped_rules());
    lines = {"INFO Backing off f(...) for 10.0s (requests.exceptions."
             "HTTPError: 503 Server Error: Service Unavailable for url: "
             "https://api.hubapi.com/oauth/v1/token)",
             "INFO Backing off f(...) for 10.0s (requests.exceptions."
             "HTTPError: 429 Client Error: Too Many Requests for url: "
             "https://api.hubapi.com/oauth/v1/token)"};
    lines.insert(lines.end(), giving_up.begin(), giving_up.end());
    CHECK(!feed(outage, lines));
    verdict = outage.at_exit(1);
    CHECK(verdict.auth_class == AuthClass::rate_limited);
    CHECK(verdict.action == Action::retry_backoff);
    CHECK(!verdict.halt);
  }

  TEST_CASE("thread exception: halts while the tap keeps running")
  {
    Watch watch(shipped_rules());
    auto decision = feed(
        watch,
        {"INFO Starting sync",
         "Exception in thread Thread-1:",
         "Traceback (most recent call last):",
         "  ...",
         "requests.exceptions.HTTPError: 400 Client Error: Bad Request for "
         "url: https://login.salesforce.com/services/oauth2/token",
         "INFO Making GET request to https://x.my.salesforce.com/services/"
         "data/v61.0/queryAll"});
    REQUIRE(decision);
    CHECK(decision->rule_id == "oauth.token_endpoint_4xx");
    CHECK(decision->action == Action::pause_reauth);
  }

  TEST_CASE("at_exit: signals retry, plain failures fail, clean exits do "
            "nothing")
  {
    Watch killed(shipped_rules());
    CHECK(!feed(killed, {"INFO METRIC: {\"type\": \"counter\"}"}));
    Decision verdict = killed.at_exit(137);
    CHECK(verdict.rule_id == "exit.signal");
    CHECK(verdict.action == Action::retry_backoff);
    CHECK(verdict.auth_class == AuthClass::not_auth);

    Watch failed(shipped_rules());
    CHECK(!feed(failed, {"INFO hello", "ERROR something odd"}));
    verdict = failed.at_exit(1);
    CHECK(verdict.rule_id == "exit.nonzero");
    CHECK(verdict.action == Action::fail);
    CHECK(verdict.record == "ERROR something odd");
    CHECK(verdict.explanation ==
          "The tap failed (exit 1) with no sign of an authentication failure");

    Watch config(shipped_rules());
    CHECK(!feed(config,
                {"CRITICAL 'access_token'",
                 "Traceback (most recent call last):",
                 "  ...",
                 "KeyError: 'access_token'"}));
    CHECK(config.at_exit(1).action == Action::fail_config);

    Watch clean(shipped_rules());
    verdict = clean.at_exit(0);
    CHECK(verdict.action == Action::none);
    CHECK(verdict.rule_id.empty());
  }

  TEST_CASE("a hostile 1 MB line classifies in well under a second")
  {
    // Shapes that hurt backtracking engines or keep a DFA guessing: long
    // runs that almost match, many partial keywords, no newline.
    std::vector<std::string> lines;
    lines.push_back("CRITICAL " + std::string(1 << 20, 'a'));
    std::string partial = "CRITICAL ";
    while (partial.size() < (1 << 20)) {
      partial += "invalid_gran HTTP-error-code: 4 refresh token exp /oauth2/v1/"
                 "toke \"error\": \"invalid_gr ((((( ";
    }
    lines.push_back(partial);
    std::string spaces = "ERROR ";
    while (spaces.size() < (1 << 20)) {
      spaces += "rate  \t limit quota    401 4 0 1 ";
    }
    lines.push_back(spaces + "Bad credentials");

    const auto start = std::chrono::steady_clock::now();
    for (const auto& line : lines) {
      Watch watch(shipped_rules());
      CHECK(!watch.on_line(line));
      (void)watch.at_exit(1);
    }
    // The compiled rules themselves are linear too, without the watch's
    // line cap.
    CHECK(shipped_rules().match(partial) == nullptr);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
    MESSAGE("4 hostile 1 MB matches took " << ms << " ms");
    CHECK(ms < 1000);
  }
}
