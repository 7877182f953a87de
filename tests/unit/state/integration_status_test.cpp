// tests/unit/state/integration_status_test.cpp
//
// The pause state of integrations and the events that change it.

#include <runner/state/state_store.hpp>

#include <tests/unit/temp_dir.hpp>

#include <doctest/doctest.h>

TEST_SUITE("state::integration_status")
{
  TEST_CASE("integration_status: never paused is nullopt; set, update, reopen")
  {
    tapline::test::TempDir dir;
    const auto db = (dir.path() / "state.db").string();
    {
      auto store = tapline::state::open_sqlite_store(db);
      REQUIRE(store.has_value());
      auto none = (*store)->integration_status("github");
      REQUIRE(none.has_value());
      CHECK_FALSE(none->has_value());

      tapline::state::IntegrationStatus paused;
      paused.integration = "github";
      paused.status = "needs_reauth";
      paused.auth_class = "token_revoked";
      paused.rule_id = "oauth.invalid_grant";
      paused.explanation = "Token expired or revoked — re-authorize";
      paused.evidence = "CRITICAL HTTP-error-code: 400, Error: invalid_grant";
      paused.run_id = 7;
      paused.fingerprint = "abc";
      REQUIRE((*store)->set_integration_status(paused).has_value());
      paused.fingerprint = "def";
      REQUIRE((*store)->set_integration_status(paused).has_value());
    }
    auto store = tapline::state::open_sqlite_store(db);
    REQUIRE(store.has_value());
    auto status = (*store)->integration_status("github");
    REQUIRE(status.has_value());
    REQUIRE(status->has_value());
    CHECK((*status)->status == "needs_reauth");
    CHECK((*status)->auth_class == "token_revoked");
    CHECK((*status)->rule_id == "oauth.invalid_grant");
    CHECK((*status)->explanation == "Token expired or revoked — re-authorize");
    CHECK((*status)->run_id == 7);
    CHECK((*status)->fingerprint == "def");
    CHECK((*status)->since.size() == 24);
  }

  TEST_CASE("events: newest first, per integration")
  {
    tapline::test::TempDir dir;
    auto store = tapline::state::open_sqlite_store((dir.path() / "state.db").string());
    REQUIRE(store.has_value());
    REQUIRE((*store)->record_event("github", "paused", "token_revoked").has_value());
    REQUIRE((*store)->record_event("stripe", "paused", "bad_credentials").has_value());
    REQUIRE((*store)->record_event("github", "reauthorized", "").has_value());
    auto events = (*store)->events("github", 10);
    REQUIRE(events.has_value());
    REQUIRE(events->size() == 2);
    CHECK(events->at(0).kind == "reauthorized");
    CHECK(events->at(1).kind == "paused");
    CHECK(events->at(1).detail == "token_revoked");
  }
}
