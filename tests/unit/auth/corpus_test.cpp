// tests/unit/auth/corpus_test.cpp
//
// The shipped rules against the real-world corpus
// (tests/fixtures/auth/corpus.yaml, a copy of shared/corpus): every entry
// must end in its expected action; how often the class agrees is reported.
// The test knows no entry ids, so a held-out corpus of the same shape runs
// through it unchanged:
// - stderr: the text line by line, then at_exit with the exit code the
//   notes state ("exit code 2", "exits 0"), else 1 when some record could
//   stop the run (ERROR, CRITICAL, unprefixed, traceback) and 0 when the tap
//   only logged INFO/WARNING lines and so went on;
// - exit: the text describes the exit ("tap exited with status 137; last
//   stderr line: ..." / "after 1 ERROR line containing X"), rebuilt here;
// - api_response, token_endpoint_response: a provider body reaches stderr
//   inside the tap's fatal error, so each line is fed as singer-python's
//   handle_top_exception prints it ("CRITICAL <line>"), exit 1;
// - stdout: never given to the watch (it only takes stderr), exit 0: the
//   outcome must be action none.

#include <runner/auth/record.hpp>
#include <runner/auth/rule_loader.hpp>
#include <runner/auth/watch.hpp>

#include <doctest/doctest.h>
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <tests/unit/test_support.hpp>
#include <vector>

using tapline::auth::Action;
using tapline::auth::AuthClass;

namespace {

struct Case
{
  std::vector<std::string> lines;
  int exit_code = 1;
};

std::vector<std::string>
split_lines(const std::string& text)
{
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::optional<int>
exit_code_in(const std::string& text, const RE2& re)
{
  int code = 0;
  if (RE2::PartialMatch(text, re, &code)) {
    return code;
  }
  return std::nullopt;
}

// Whether any record of `lines` could stop a run: if none could, the tap
// only reported and went on, so it exited 0.
bool
has_terminal_record(const std::vector<std::string>& lines)
{
  tapline::auth::RecordBuilder builder;
  std::vector<tapline::auth::Record> records;
  for (const auto& line : lines) {
    if (auto record = builder.add_line(line)) {
      records.push_back(std::move(*record));
    }
  }
  if (auto record = builder.flush()) {
    records.push_back(std::move(*record));
  }
  for (const auto& record : records) {
    using tapline::auth::Level;
    if (record.level == Level::error || record.level == Level::critical ||
        record.level == Level::none || record.has_traceback()) {
      return true;
    }
  }
  return false;
}

Case
case_for(const YAML::Node& entry)
{
  static const RE2 k_notes_exit(
      R"((?i)\bexit(?:s|ed)?(?: with)?(?: code| status)?\s+(\d+))");
  static const RE2 k_status(R"((?i)exited with status (\d+))");
  static const RE2 k_last_line(R"(last stderr line: (.*)$)");
  static const RE2 k_after_lines(
      R"(after \d+ ([A-Z]+) lines? containing (\S+))");

  const std::string kind = entry["kind"].as<std::string>();
  const std::string text = entry["text"].as<std::string>();
  const std::string notes =
      entry["notes"] ? entry["notes"].as<std::string>() : std::string();
  Case out;
  if (kind == "stderr") {
    out.lines = split_lines(text);
    out.exit_code = exit_code_in(notes, k_notes_exit)
                        .value_or(has_terminal_record(out.lines) ? 1 : 0);
  } else if (kind == "exit") {
    out.exit_code = exit_code_in(text, k_status).value_or(1);
    std::string line;
    std::string level;
    std::string word;
    if (RE2::PartialMatch(text, k_last_line, &line)) {
      out.lines.push_back(line);
    } else if (RE2::PartialMatch(text, k_after_lines, &level, &word)) {
      out.lines.push_back(level + " " + word);
    }
  } else if (kind == "stdout") {
    out.exit_code = 0;
  } else {
    for (const auto& line : split_lines(text)) {
      out.lines.push_back("CRITICAL " + line);
    }
    out.exit_code = 1;
  }
  return out;
}

AuthClass
expected_class(const YAML::Node& entry)
{
  const std::string corpus_class = entry["expected_class"].as<std::string>();
  if (corpus_class == "auth_revoked_or_expired") {
    const std::string design = entry["design_class"].as<std::string>();
    return design == "bad_credentials" ? AuthClass::bad_credentials
                                       : AuthClass::token_revoked;
  }
  if (corpus_class == "not_auth_error") {
    return AuthClass::not_auth;
  }
  auto parsed = tapline::auth::parse_auth_class(corpus_class);
  REQUIRE_MESSAGE(parsed, corpus_class);
  return *parsed;
}

} // namespace

TEST_SUITE("auth::corpus")
{
  TEST_CASE("every corpus entry ends in its expected action")
  {
    auto rules =
        tapline::auth::load_rules(TAPLINE_SOURCE_DIR "/config/auth-rules.yaml");
    REQUIRE_MESSAGE(rules, tapline::test::error_text(rules));
    const YAML::Node corpus =
        YAML::LoadFile(TAPLINE_SOURCE_DIR "/tests/fixtures/auth/corpus.yaml");
    const YAML::Node entries = corpus["entries"];
    REQUIRE(entries.IsSequence());

    int actions_ok = 0;
    int classes_ok = 0;
    int total = 0;
    std::string class_misses;
    // TAPLINE_AUTH_CORPUS_VERBOSE=1 lists the deciding rule of every entry.
    const bool verbose = std::getenv("TAPLINE_AUTH_CORPUS_VERBOSE") != nullptr;
    std::string table;
    for (const auto& entry : entries) {
      const std::string id = entry["id"].as<std::string>();
      const Case c = case_for(entry);
      tapline::auth::Watch watch(*rules);
      std::optional<tapline::auth::Decision> during;
      for (const auto& line : c.lines) {
        auto decision = watch.on_line(line);
        if (decision && !during) {
          during = decision;
        }
      }
      const tapline::auth::Decision result = watch.at_exit(c.exit_code);
      auto wanted_action = tapline::auth::parse_action(
          entry["expected_action"].as<std::string>());
      REQUIRE_MESSAGE(wanted_action, id);
      const AuthClass wanted_class = expected_class(entry);

      ++total;
      const bool action_ok = result.action == *wanted_action;
      actions_ok += action_ok ? 1 : 0;
      CHECK_MESSAGE(
          action_ok,
          id << ": expected " << tapline::auth::to_string(*wanted_action)
             << ", got " << tapline::auth::to_string(result.action) << " ("
             << tapline::auth::to_string(result.auth_class) << ", rule '"
             << result.rule_id << "', exit " << c.exit_code << ")\n"
             << result.record);
      if (entry["kind"].as<std::string>() == "stdout") {
        CHECK_MESSAGE(!during, id);
      }
      if (verbose) {
        table += "\n  " + id + " -> " +
                 std::string(tapline::auth::to_string(result.auth_class)) +
                 " " + std::string(tapline::auth::to_string(result.action)) +
                 " [" + result.rule_id + "] exit " +
                 std::to_string(c.exit_code);
      }
      if (result.auth_class == wanted_class) {
        ++classes_ok;
      } else {
        class_misses +=
            "\n  " + id + ": expected " +
            std::string(tapline::auth::to_string(wanted_class)) + ", got " +
            std::string(tapline::auth::to_string(result.auth_class)) +
            " (rule '" + result.rule_id + "')";
      }
    }
    MESSAGE("auth corpus: actions " << actions_ok << "/" << total
                                    << ", classes " << classes_ok << "/"
                                    << total << class_misses);
    if (verbose) {
      MESSAGE("decisions:" << table);
    }
    CHECK(total > 0);
  }
}
