// tests/unit/auth/rule_loader_test.cpp
//
// Loading rules: every way a rules file can be wrong, with the full text
// the user sees ("FILE:LINE:COL: rule 'ID': ..."), macros, precedence order,
// and an integration's overrides.

#include <runner/auth/rule_loader.hpp>
#include <runner/auth/rules_path.hpp>

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <string>
#include <tests/unit/temp_dir.hpp>
#include <tests/unit/test_support.hpp>

using tapline::auth::Action;
using tapline::auth::AuthClass;
using tapline::auth::parse_rules;
using tapline::auth::RuleSpec;
using tapline::test::error_text;

namespace {

std::string
load_error(const std::string& text)
{
  auto rules = parse_rules(text, "rules.yaml");
  REQUIRE_MESSAGE(!rules, "expected an error");
  CHECK(rules.error().code == tapline::ErrorCode::config);
  return rules.error().to_string();
}

constexpr std::string_view k_two_rules = R"(version: 1
macros:
  word: 'grant'
  both: 'invalid_{{word}}'
rules:
  - id: auth.late
    class: token_revoked
    action: pause_reauth
    precedence: 20
    patterns: '{{both}}'
  - id: transient.early
    class: transient
    action: retry_backoff
    precedence: 10
    patterns: ['rate limit', 'timed out']
    unless: 'not really'
)";

} // namespace

TEST_SUITE("auth::rule_loader")
{
  TEST_CASE("parse: macros expand, precedence orders, first match wins")
  {
    auto rules = parse_rules(std::string(k_two_rules), "rules.yaml");
    REQUIRE_MESSAGE(rules, error_text(rules));
    CHECK(rules->ids() ==
          std::vector<std::string>{"transient.early", "auth.late"});
    const RuleSpec* rule = rules->match("invalid_grant after rate limit");
    REQUIRE(rule != nullptr);
    CHECK(rule->id == "transient.early");
    rule = rules->match("invalid_grant, rate limit not really");
    REQUIRE(rule != nullptr);
    CHECK(rule->id == "auth.late");
    CHECK(rule->auth_class == AuthClass::token_revoked);
    CHECK(rule->action == Action::pause_reauth);
    CHECK(rule->where == "rules.yaml:6:5");
    CHECK(rules->match("nothing here") == nullptr);
  }

  TEST_CASE("errors: yaml and file structure")
  {
    CHECK(load_error("rules: [") ==
          "rules.yaml:1:1: invalid yaml: end of sequence flow not found");
    CHECK(load_error("- a") ==
          "rules.yaml:1:1: expected a mapping with 'rules', got a sequence");
    CHECK(load_error("version: 2\nrules: []") ==
          "rules.yaml:1:10: version: expected 1, got '2'");
    CHECK(load_error("rule: []") == "rules.yaml:1:1: unknown key 'rule'");
    CHECK(load_error("version: 1") == "rules.yaml:1:1: missing 'rules'");
    CHECK(load_error("rules: {a: 1}") ==
          "rules.yaml:1:8: rules: expected a list of rules, got a mapping");
    CHECK(load_error("macros: [a]\nrules: []") ==
          "rules.yaml:1:9: macros: expected a mapping of names to regexes, "
          "got a sequence");
    CHECK(load_error("macros: {a: '{{b}}'}\nrules: []") ==
          "rules.yaml:1:13: macros.a: unknown macro 'b'");
  }

  TEST_CASE("errors: one rule's fields")
  {
    const std::string head = "rules:\n  - id: oauth.x\n";
    CHECK(load_error("rules:\n  - just text\n") ==
          "rules.yaml:2:5: rules[0]: expected a mapping, got 'just text'");
    CHECK(load_error("rules:\n  - class: transient\n") ==
          "rules.yaml:2:5: rules[0]: missing 'id'");
    CHECK(load_error("rules:\n  - id: Bad Id\n") ==
          "rules.yaml:2:9: rules[0]: id: expected dotted lowercase words "
          "like 'oauth.invalid_grant', got 'Bad Id'");
    CHECK(load_error(head + "    klass: x\n") ==
          "rules.yaml:3:5: rule 'oauth.x': unknown key 'klass'");
    CHECK(load_error(head + "    class: revoked\n") ==
          "rules.yaml:3:12: rule 'oauth.x': class: expected one of "
          "token_revoked, bad_credentials, insufficient_permissions, "
          "access_token_expired, refresh_token_expired, transient, "
          "rate_limited, not_auth, got 'revoked'");
    CHECK(load_error(head + "    class: transient\n") ==
          "rules.yaml:2:5: rule 'oauth.x': missing 'action'");
    CHECK(load_error(head + "    class: transient\n    action: pause\n") ==
          "rules.yaml:4:13: rule 'oauth.x': action: expected one of "
          "pause_reauth, pause_permissions, refresh_and_retry, "
          "retry_backoff, warn_only, none, fail_config, fail, got 'pause'");
    const std::string valid = head + "    class: transient\n    action: fail\n";
    CHECK(load_error(valid + "    precedence: 1\n") ==
          "rules.yaml:2:5: rule 'oauth.x': missing 'patterns'");
    CHECK(load_error(valid + "    patterns: []\n    precedence: 1\n") ==
          "rules.yaml:5:15: rule 'oauth.x': patterns: expected a regex or a "
          "non-empty list of regexes, got a sequence");
    CHECK(
        load_error(valid + "    patterns: [a, {b: c}]\n    precedence: 1\n") ==
        "rules.yaml:5:19: rule 'oauth.x': patterns: expected a regex, got "
        "a mapping");
    CHECK(load_error(valid + "    patterns: [a]\n") ==
          "rules.yaml:2:5: rule 'oauth.x': missing 'precedence'");
    CHECK(load_error(valid + "    patterns: [a]\n    precedence: first\n") ==
          "rules.yaml:6:17: rule 'oauth.x': precedence: expected an integer, "
          "got 'first'");
  }

  TEST_CASE("errors: regexes point at the pattern and name the rule")
  {
    const std::string rule = "rules:\n"
                             "  - id: oauth.x\n"
                             "    class: transient\n"
                             "    action: fail\n"
                             "    precedence: 1\n";
    CHECK(load_error(rule + "    patterns:\n      - ok\n      - 'a(b'\n") ==
          "rules.yaml:8:9: rule 'oauth.x': invalid pattern: missing ): a(b");
    CHECK(load_error(rule + "    patterns: ['(?<=a)b']\n") ==
          "rules.yaml:6:16: rule 'oauth.x': invalid pattern: invalid perl "
          "operator: (?<");
    CHECK(load_error(rule + "    patterns: a\n    requires: ['{{nope}}']\n") ==
          "rules.yaml:7:16: rule 'oauth.x': unknown macro 'nope'");
    CHECK(load_error(rule + "    patterns: ['']\n") ==
          "rules.yaml:6:16: rule 'oauth.x': empty pattern (it would match "
          "every record)");
    CHECK(load_error(rule + "    patterns: a\n" + rule.substr(7) +
                     "    patterns: b\n") ==
          "rules.yaml:7:5: rule 'oauth.x': duplicate id (first at "
          "rules.yaml:2:5)");
  }

  TEST_CASE("load_rules: a missing file is a config error")
  {
    auto rules = tapline::auth::load_rules("/nonexistent/auth-rules.yaml");
    REQUIRE(!rules);
    CHECK(rules.error().code == tapline::ErrorCode::config);
  }

  TEST_CASE("the shipped rules load")
  {
    auto rules =
        tapline::auth::load_rules(TAPLINE_SOURCE_DIR "/config/auth-rules.yaml");
    REQUIRE_MESSAGE(rules, error_text(rules));
    CHECK(rules->size() > 40);
  }

  TEST_CASE("with_overrides: add, replace and disable rules")
  {
    auto base = parse_rules(std::string(k_two_rules), "rules.yaml");
    REQUIRE_MESSAGE(base, error_text(base));
    const YAML::Node extra_yaml = YAML::Load(R"(
- id: auth.late
  class: bad_credentials
  action: pause_reauth
  precedence: 5
  patterns: '{{both}}'
- id: custom.vendor
  class: insufficient_permissions
  action: warn_only
  precedence: 1
  patterns: 'VENDOR_SCOPE'
)");
    auto extra = tapline::auth::parse_rule_list(extra_yaml, "tapline.yaml");
    REQUIRE_MESSAGE(extra, error_text(extra));

    auto tightened = base->with_overrides(*extra, {"transient.early"});
    REQUIRE_MESSAGE(tightened, error_text(tightened));
    CHECK(tightened->ids() ==
          std::vector<std::string>{"custom.vendor", "auth.late"});
    const RuleSpec* rule = tightened->match("invalid_grant after rate limit");
    REQUIRE(rule != nullptr);
    CHECK(rule->auth_class == AuthClass::bad_credentials);
    CHECK(tightened->match("timed out") == nullptr);
    // The base set is unchanged.
    CHECK(base->match("timed out") != nullptr);

    auto unknown = base->with_overrides({}, {"no.such_rule"});
    REQUIRE(!unknown);
    CHECK(unknown.error().to_string() ==
          "cannot disable unknown auth rule 'no.such_rule'");

    auto bad = tapline::auth::parse_rule_list(YAML::Load(R"(
- id: custom.bad
  class: transient
  action: fail
  precedence: 1
  patterns: '(unclosed'
)"),
                                              "tapline.yaml");
    REQUIRE_MESSAGE(bad, error_text(bad));
    auto compiled = base->with_overrides(*bad, {});
    REQUIRE(!compiled);
    CHECK(compiled.error().to_string() ==
          "tapline.yaml:6:13: rule 'custom.bad': invalid pattern: missing ): "
          "(unclosed");
  }

  TEST_CASE("find_rules_path: environment, next to the binary, installed, "
            "source")
  {
    tapline::test::TempDir dir;
    const auto root = dir.path();
    std::filesystem::create_directories(root / "bin");
    std::filesystem::create_directories(root / "share" / "tapline");
    std::filesystem::create_directories(root / "src" / "config");
    const auto installed = root / "share" / "tapline" / "auth-rules.yaml";
    const auto source = root / "src" / "config" / "auth-rules.yaml";
    std::ofstream(installed) << "rules: []\n";
    std::ofstream(source) << "rules: []\n";
    const auto exe = root / "bin" / "tapline";

    auto found =
        tapline::auth::find_rules_path(std::nullopt, exe, root / "src");
    REQUIRE_MESSAGE(found, error_text(found));
    CHECK(*found == installed.lexically_normal());

    std::filesystem::create_directories(root / "config");
    std::ofstream(root / "config" / "auth-rules.yaml") << "rules: []\n";
    found = tapline::auth::find_rules_path(std::nullopt, exe, root / "src");
    REQUIRE_MESSAGE(found, error_text(found));
    CHECK(*found == (root / "config" / "auth-rules.yaml").lexically_normal());

    found = tapline::auth::find_rules_path(source.string(), exe, "");
    REQUIRE_MESSAGE(found, error_text(found));
    CHECK(*found == source);

    found = tapline::auth::find_rules_path("/nope.yaml", exe, root / "src");
    REQUIRE(!found);
    CHECK(found.error().to_string() ==
          "auth rules file /nope.yaml does not exist (from "
          "TAPLINE_AUTH_RULES)");

    found = tapline::auth::find_rules_path(std::nullopt, "/x/bin/tapline", "");
    REQUIRE(!found);
    CHECK(found.error().to_string() ==
          "no auth rules file found (looked in /x/config/auth-rules.yaml, "
          "/x/share/tapline/auth-rules.yaml; set TAPLINE_AUTH_RULES)");

    found =
        tapline::auth::find_rules_path(std::nullopt, "", TAPLINE_SOURCE_DIR);
    REQUIRE_MESSAGE(found, error_text(found));
  }
}
