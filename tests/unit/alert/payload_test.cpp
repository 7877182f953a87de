// tests/unit/alert/payload_test.cpp
//
// The bytes of an alert: the one-line summary, the webhook JSON, the
// command's environment, the default user action per auth class, and
// redacted() (every string field through the redactor, then valid UTF-8).

#include <runner/alert/payload.hpp>

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <tests/unit/test_support.hpp>

namespace {

using tapline::alert::AlertEvent;
using tapline::alert::command_environment;
using tapline::alert::redacted;
using tapline::alert::summary_text;
using tapline::alert::user_action;
using tapline::alert::webhook_json;

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

} // namespace

TEST_SUITE("alert::payload")
{
  TEST_CASE("summary_text: needs reauthorization, with the class's action")
  {
    CHECK(summary_text(revoked_event()) ==
          "tapline: integration 'github' needs reauthorization — Token "
          "expired or revoked — re-authorize (token_revoked, run 12)");
  }

  TEST_CASE("summary_text: the event's own action wins")
  {
    auto event = revoked_event();
    event.action = "run tapline reauth github";
    CHECK(summary_text(event) ==
          "tapline: integration 'github' needs reauthorization — Token "
          "expired or revoked — run tapline reauth github (token_revoked, "
          "run 12)");
  }

  TEST_CASE("summary_text: empty parts are left out")
  {
    AlertEvent event;
    event.integration = "github";
    event.status = "recovered";
    SUBCASE("with a run")
    {
      event.run_id = 13;
      CHECK(summary_text(event) ==
            "tapline: integration 'github' recovered (run 13)");
    }
    SUBCASE("without")
    {
      CHECK(summary_text(event) == "tapline: integration 'github' recovered");
    }
    SUBCASE("an unknown class has no default action")
    {
      event.status = "needs_reauth";
      event.auth_class = "custom_rule";
      CHECK(summary_text(event) ==
            "tapline: integration 'github' needs reauthorization "
            "(custom_rule)");
    }
    SUBCASE("another status word")
    {
      event.status = "stale";
      CHECK(summary_text(event) == "tapline: integration 'github' is stale");
    }
  }

  TEST_CASE("summary_text: one line whatever the fields hold")
  {
    auto event = revoked_event();
    event.explanation = "line one\nline two\r\tend";
    CHECK(summary_text(event) ==
          "tapline: integration 'github' needs reauthorization — line one "
          "line two  end — re-authorize (token_revoked, run 12)");
  }

  TEST_CASE("user_action: one per auth class of the design")
  {
    CHECK(user_action("token_revoked") == "re-authorize");
    CHECK(user_action("insufficient_permissions") ==
          "restore permissions or update the token");
    CHECK(user_action("access_token_expired") ==
          "re-authorize (the token could not be refreshed)");
    CHECK(user_action("refresh_token_expired") == "reconnect and re-authorize");
    CHECK(user_action("bad_credentials") == "re-enter credentials");
    CHECK(user_action("transient") == "");
    CHECK(user_action("") == "");
  }

  TEST_CASE("webhook_json: every field, escaped")
  {
    auto event = revoked_event();
    event.evidence = "say \"no\"\n\\";
    CHECK(webhook_json(event, "the text") ==
          R"({"integration":"github","status":"needs_reauth",)"
          R"("class":"token_revoked","explanation":"Token expired or revoked",)"
          R"("action":"re-authorize","run_id":12,)"
          R"("time":"2026-11-25T12:00:00.000Z","evidence":"say \"no\"\n\\",)"
          R"("text":"the text"})");
  }

  TEST_CASE("command_environment: TAPLINE_ALERT_*")
  {
    const auto env = command_environment(revoked_event(), "the text");
    CHECK(env == std::map<std::string, std::string>{
                     {"TAPLINE_ALERT_INTEGRATION", "github"},
                     {"TAPLINE_ALERT_STATUS", "needs_reauth"},
                     {"TAPLINE_ALERT_CLASS", "token_revoked"},
                     {"TAPLINE_ALERT_EXPLANATION", "Token expired or revoked"},
                     {"TAPLINE_ALERT_ACTION", "re-authorize"},
                     {"TAPLINE_ALERT_RUN_ID", "12"},
                     {"TAPLINE_ALERT_TIME", "2026-11-25T12:00:00.000Z"},
                     {"TAPLINE_ALERT_EVIDENCE", "error: invalid_grant"},
                     {"TAPLINE_ALERT_TEXT", "the text"},
                 });
  }

  TEST_CASE("redacted: every string field goes through the redactor")
  {
    AlertEvent event;
    event.integration = "i";
    event.status = "s";
    event.auth_class = "c";
    event.explanation = "e";
    event.action = "a";
    event.run_id = 7;
    event.time = "t";
    event.evidence = "v";
    const auto out = redacted(event, [](std::string_view text) {
      return "<" + std::string(text) + ">";
    });
    CHECK(out.integration == "<i>");
    CHECK(out.status == "<s>");
    CHECK(out.auth_class == "<c>");
    CHECK(out.explanation == "<e>");
    CHECK(out.action == "<a>");
    CHECK(out.run_id == 7);
    CHECK(out.time == "<t>");
    CHECK(out.evidence == "<v>");
  }

  TEST_CASE("redacted: invalid UTF-8 and NUL become U+FFFD")
  {
    AlertEvent event;
    event.evidence =
        std::string("ok \xc3\xa9 \xff \xc3 \xe2\x82\xac \xed\xa0\x80 "
                    "\xc0\xaf \xf4\x90\x80\x80 ") +
        '\0' + ".";
    const auto out = redacted(event, {});
    const std::string r = "\xEF\xBF\xBD";
    CHECK(out.evidence == "ok \xc3\xa9 " + r + " " + r + " \xe2\x82\xac " + r +
                              r + r + " " + r + r + " " + r + r + r + r + " " +
                              r + ".");
  }
}
