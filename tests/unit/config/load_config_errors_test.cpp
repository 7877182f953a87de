// tests/unit/config/load_config_errors_test.cpp
//
// Every way tapline.yaml can be wrong, with the full text the user sees:
// "FILE:LINE:COL: KEY.PATH: expected ..., got ...".

#include <runner/config/loader.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <tests/unit/config/config_test_support.hpp>
#include <tests/unit/temp_dir.hpp>

namespace fs = std::filesystem;
using tapline::ErrorCode;
using tapline::test::config_error;
using tapline::test::fake_env;
using tapline::test::TempDir;

namespace {

// A valid file up to the tap's command; tests append the rest.
constexpr std::string_view k_head = "integrations:\n"
                                    "  demo:\n"
                                    "    tap:\n";

// A valid integration that tests extend with keys at line 6.
std::string
with_integration_key(std::string_view line)
{
  return std::string(k_head) + "      command: [tap-x]\n" +
         "    target: {null: {}}\n" + std::string(line) + "\n";
}

} // namespace

TEST_SUITE("config::load_config")
{
  TEST_CASE("error: command is not a sequence")
  {
    CHECK(config_error(std::string(k_head) + "      command: {a: 1}\n" +
                       "    target: {null: {}}\n") ==
          "tapline.yaml:4:16: integrations.demo.tap.command: expected a "
          "non-empty sequence of strings, got a mapping");
    CHECK(config_error(std::string(k_head) + "      command: tap-x --flag\n" +
                       "    target: {null: {}}\n") ==
          "tapline.yaml:4:16: integrations.demo.tap.command: expected a "
          "non-empty sequence of strings, got 'tap-x --flag'");
    CHECK(config_error(std::string(k_head) + "      command: []\n" +
                       "    target: {null: {}}\n") ==
          "tapline.yaml:4:16: integrations.demo.tap.command: expected a "
          "non-empty sequence of strings, got an empty sequence");
    CHECK(config_error(std::string(k_head) + "      command:\n" +
                       "    target: {null: {}}\n") ==
          "tapline.yaml:4:7: integrations.demo.tap.command: expected a "
          "non-empty sequence of strings, got an empty value");
  }

  TEST_CASE("error: command element is not a string")
  {
    CHECK(config_error(std::string(k_head) +
                       "      command: [tap-x, {a: b}]\n" +
                       "    target: {null: {}}\n") ==
          "tapline.yaml:4:24: integrations.demo.tap.command[1]: expected a "
          "string, got a mapping");
    CHECK(config_error(std::string(k_head) + "      command: ['', -v]\n" +
                       "    target: {null: {}}\n") ==
          "tapline.yaml:4:17: integrations.demo.tap.command[0]: expected a "
          "program name, got an empty string");
  }

  TEST_CASE("error: unknown key with a suggestion")
  {
    CHECK(config_error(std::string(k_head) + "      comand: [tap-x]\n" +
                       "    target: {null: {}}\n") ==
          "tapline.yaml:4:7: integrations.demo.tap.comand: unknown key, did "
          "you mean 'command'?");
    CHECK(config_error(with_integration_key("    idle_timout: 5m")) ==
          "tapline.yaml:6:5: integrations.demo.idle_timout: unknown key, "
          "did you mean 'idle_timeout'?");
    CHECK(config_error("integration:\n  demo: {}\n") ==
          "tapline.yaml:1:1: integration: unknown key, did you mean "
          "'integrations'?");
    CHECK(config_error(with_integration_key("    stat_form: target")) ==
          "tapline.yaml:6:5: integrations.demo.stat_form: unknown key, did "
          "you mean 'state_from'?");
  }

  TEST_CASE("error: unknown key without a suggestion")
  {
    CHECK(config_error(std::string(k_head) + "      command: [tap-x]\n" +
                       "      flavour: vanilla\n" +
                       "    target: {null: {}}\n") ==
          "tapline.yaml:5:7: integrations.demo.tap.flavour: unknown key "
          "(expected one of: command, config, catalog, catalog_flag, env)");
    CHECK(config_error(with_integration_key("    priority: high")) ==
          "tapline.yaml:6:5: integrations.demo.priority: unknown key "
          "(expected one of: tap, target, state_from, timeout, "
          "idle_timeout, max_line_bytes, max_log_bytes, auth, retry, "
          "schedule, timezone, failure_backoff)");
  }

  TEST_CASE("error: duration")
  {
    CHECK(config_error(with_integration_key("    timeout: soon")) ==
          "tapline.yaml:6:14: integrations.demo.timeout: expected a "
          "duration like 30s, 15m, 2h or a number of seconds, got 'soon'");
    CHECK(config_error(with_integration_key("    idle_timeout: [5m]")) ==
          "tapline.yaml:6:19: integrations.demo.idle_timeout: expected a "
          "duration like 30s, 15m, 2h or a number of seconds, got a "
          "sequence");
  }

  TEST_CASE("error: size")
  {
    CHECK(config_error(with_integration_key("    max_line_bytes: 64M")) ==
          "tapline.yaml:6:21: integrations.demo.max_line_bytes: expected a "
          "size like 512KiB, 64MiB, 1GiB or a number of bytes, got '64M'");
    CHECK(config_error(with_integration_key("    max_log_bytes: 0")) ==
          "tapline.yaml:6:20: integrations.demo.max_log_bytes: expected a "
          "size greater than zero, got '0'");
  }

  TEST_CASE("error: target must be exactly one kind")
  {
    const std::string tap = std::string(k_head) + "      command: [tap-x]\n";
    CHECK(
        config_error(tap + "    target: {command: [t], jsonl: {dir: out}}\n") ==
        "tapline.yaml:5:13: integrations.demo.target: expected exactly "
        "one of 'command', 'jsonl', 'null'");
    CHECK(config_error(tap + "    target: {}\n") ==
          "tapline.yaml:5:13: integrations.demo.target: expected exactly "
          "one of 'command', 'jsonl', 'null'");
    CHECK(config_error(tap + "    target: {null: , jsonl: {dir: out}}\n") ==
          "tapline.yaml:5:13: integrations.demo.target: expected exactly "
          "one of 'command', 'jsonl', 'null'");
    CHECK(config_error(tap + "    target: target-jsonl\n") ==
          "tapline.yaml:5:13: integrations.demo.target: expected a mapping "
          "with one of 'command', 'jsonl', 'null', got 'target-jsonl'");
  }

  TEST_CASE("error: built-in sink options")
  {
    const std::string tap = std::string(k_head) + "      command: [tap-x]\n";
    CHECK(config_error(tap + "    target: {jsonl: {}}\n") ==
          "tapline.yaml:5:21: integrations.demo.target.jsonl: missing "
          "required key 'dir'");
    CHECK(config_error(tap + "    target: {jsonl: {path: out}}\n") ==
          "tapline.yaml:5:22: integrations.demo.target.jsonl.path: unknown "
          "key (expected one of: dir)");
    CHECK(
        config_error(tap + "    target: {jsonl: {dir: out}, env: {A: b}}\n") ==
        "tapline.yaml:5:33: integrations.demo.target.env: only allowed "
        "with a target 'command'");
    CHECK(config_error(tap + "    target: {null: {x: 1}}\n") ==
          "tapline.yaml:5:21: integrations.demo.target.null.x: unknown key "
          "(expected an empty mapping)");
    CHECK(config_error(tap + "    target: {null: discard}\n") ==
          "tapline.yaml:5:20: integrations.demo.target.null: expected an "
          "empty mapping, got 'discard'");
  }

  TEST_CASE("error: schedule")
  {
    CHECK(config_error(with_integration_key("    schedule: '61 * * * *'")) ==
          "tapline.yaml:6:15: integrations.demo.schedule: minute: 61 is out "
          "of range 0-59");
    CHECK(config_error(with_integration_key("    schedule: '0 3 * *'")) ==
          "tapline.yaml:6:15: integrations.demo.schedule: expected 5 fields "
          "(minute hour day-of-month month day-of-week), got 4");
    CHECK(config_error(with_integration_key("    schedule: '0 0 30 2 *'")) ==
          "tapline.yaml:6:15: integrations.demo.schedule: never fires");
    CHECK(config_error(with_integration_key("    schedule: [0 3 * * *]")) ==
          "tapline.yaml:6:15: integrations.demo.schedule: expected a "
          "string, got a sequence");
    CHECK(config_error(with_integration_key("    schedule:")) ==
          "tapline.yaml:6:5: integrations.demo.schedule: expected a "
          "string, got an empty value");
    CHECK(config_error(with_integration_key("    schedule: ${CRON}")) ==
          "tapline.yaml:6:15: integrations.demo.schedule: environment "
          "variable 'CRON' is not set");
  }

  TEST_CASE("error: a bad time zone is reported at the timezone value")
  {
    CHECK(config_error(with_integration_key("    schedule: '0 3 * * *'\n"
                                            "    timezone: Europe/Berln")) ==
          "tapline.yaml:7:15: integrations.demo.timezone: unknown time zone "
          "'Europe/Berln'");
    // Intervals ignore the zone, but it must still exist.
    CHECK(config_error(with_integration_key("    timezone: Mars/Olympus\n"
                                            "    schedule: every 1h")) ==
          "tapline.yaml:6:15: integrations.demo.timezone: unknown time zone "
          "'Mars/Olympus'");
    // With both wrong, the expression is checked first.
    CHECK(config_error(with_integration_key("    schedule: '0 24 * * *'\n"
                                            "    timezone: Europe/Berln")) ==
          "tapline.yaml:6:15: integrations.demo.schedule: hour: 24 is out of "
          "range 0-23");
  }

  TEST_CASE("error: timezone without schedule")
  {
    CHECK(config_error(with_integration_key("    timezone: Europe/Berlin")) ==
          "tapline.yaml:6:5: integrations.demo.timezone: a time zone needs a "
          "'schedule'");
  }

  TEST_CASE("error: an empty timezone is not UTC")
  {
    CHECK(config_error(with_integration_key(
              "    schedule: '@daily'\n    timezone: ''")) ==
          "tapline.yaml:7:15: integrations.demo.timezone: expected an IANA "
          "time zone name such as 'Europe/Berlin', got an empty value");
  }

  TEST_CASE("error: failure_backoff")
  {
    CHECK(config_error(
              with_integration_key("    failure_backoff: {backof: 5m}")) ==
          "tapline.yaml:6:23: integrations.demo.failure_backoff.backof: "
          "unknown key, did you mean 'backoff'?");
    CHECK(config_error(
              with_integration_key("    failure_backoff: {initial: 5m}")) ==
          "tapline.yaml:6:23: integrations.demo.failure_backoff.initial: "
          "unknown key (expected one of: backoff, max_backoff)");
    CHECK(config_error(
              with_integration_key("    failure_backoff: {backoff: soon}")) ==
          "tapline.yaml:6:32: integrations.demo.failure_backoff.backoff: "
          "expected a duration like 30s, 15m, 2h or a number of seconds, "
          "got 'soon'");
    CHECK(config_error(with_integration_key("    failure_backoff: 5m")) ==
          "tapline.yaml:6:22: integrations.demo.failure_backoff: expected a "
          "mapping, got '5m'");
  }

  TEST_CASE("error: metrics_file")
  {
    CHECK(config_error("metrics_file: ''\nintegrations: {}\n") ==
          "tapline.yaml:1:15: metrics_file: expected a path, got an empty "
          "string");
    CHECK(config_error("metrics_file: [a]\nintegrations: {}\n") ==
          "tapline.yaml:1:15: metrics_file: expected a path, got a sequence");
    CHECK(config_error("metrics_fil: x\nintegrations: {}\n") ==
          "tapline.yaml:1:1: metrics_fil: unknown key, did you mean "
          "'metrics_file'?");
  }

  TEST_CASE("error: missing file")
  {
    const TempDir tmp;
    const fs::path file = tmp.path() / "nope.yaml";
    const auto result = tapline::config::load_config(file, fake_env());
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == ErrorCode::config);
    CHECK(result.error().to_string() ==
          file.string() +
              ": cannot read configuration file: No such file or directory");
  }

  TEST_CASE("error: a directory instead of a file")
  {
    const TempDir tmp;
    const auto result = tapline::config::load_config(tmp.path(), fake_env());
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().to_string() ==
          tmp.path().string() +
              ": cannot read configuration file: Is a directory");
  }

  TEST_CASE("error: yaml syntax")
  {
    CHECK(config_error("integrations:\n  demo:\n    tap: 1\n   target: 2\n") ==
          "tapline.yaml:4:4: invalid yaml: end of map not found");
    CHECK(config_error("integrations: [a, b\n") ==
          "tapline.yaml:2:1: invalid yaml: end of sequence flow not found");
    CHECK(config_error("data_dir: \"unterminated") ==
          "tapline.yaml:1:24: invalid yaml: illegal eof in scalar");
  }

  TEST_CASE("error: no integrations")
  {
    const std::string expected =
        "tapline.yaml:1:1: expected a mapping with key 'integrations'";
    CHECK(config_error("") == expected);
    CHECK(config_error("# nothing here yet\n") == expected);
    CHECK(config_error("data_dir: x\n") == expected);
    CHECK(config_error("- a\n- b\n") == expected);
    CHECK(config_error("integrations\n") == expected);
    CHECK(config_error("integrations:\n") ==
          "tapline.yaml:1:1: integrations: expected a mapping of "
          "integration names to integrations, got an empty value");
  }

  TEST_CASE("error: unset environment variable")
  {
    CHECK(config_error(std::string(k_head) + "      command: [tap-x]\n" +
                       "      config:\n" + "        token: ${VAR}\n" +
                       "    target: {null: {}}\n") ==
          "tapline.yaml:6:16: integrations.demo.tap.config.token: "
          "environment variable 'VAR' is not set");
    CHECK(config_error(std::string(k_head) + "      command: ['${TAP_BIN}']\n" +
                       "    target: {null: {}}\n") ==
          "tapline.yaml:4:17: integrations.demo.tap.command[0]: "
          "environment variable 'TAP_BIN' is not set");
    CHECK(config_error("data_dir: ${DATA}/x\nintegrations: {}\n") ==
          "tapline.yaml:1:11: data_dir: environment variable 'DATA' is not "
          "set");
    CHECK(config_error(with_integration_key("    timeout: ${T")) ==
          "tapline.yaml:6:14: integrations.demo.timeout: unterminated '${' "
          "(write '$$' for a literal '$')");
  }

  TEST_CASE("error: integration names")
  {
    CHECK(config_error("integrations:\n  bad name: {}\n") ==
          "tapline.yaml:2:3: integrations.bad name: expected a name of "
          "letters, digits, '_', '.' and '-' that starts with a letter or "
          "digit, got 'bad name'");
    CHECK(config_error("integrations:\n  _hidden: {}\n") ==
          "tapline.yaml:2:3: integrations._hidden: expected a name of "
          "letters, digits, '_', '.' and '-' that starts with a letter or "
          "digit, got '_hidden'");
    CHECK(config_error("integrations:\n"
                       "  demo: {tap: {command: [a]}, target: {null: }}\n"
                       "  demo: {tap: {command: [b]}, target: {null: }}\n") ==
          "tapline.yaml:3:3: integrations.demo: duplicate key (first "
          "defined at tapline.yaml:2:3)");
  }

  TEST_CASE("error: missing required keys")
  {
    CHECK(config_error("integrations:\n  demo:\n    target: {null: {}}\n") ==
          "tapline.yaml:3:5: integrations.demo: missing required key 'tap'");
    CHECK(config_error(std::string(k_head) + "      command: [tap-x]\n") ==
          "tapline.yaml:3:5: integrations.demo: missing required key "
          "'target'");
    CHECK(config_error(std::string(k_head) + "      env: {}\n" +
                       "    target: {null: {}}\n") ==
          "tapline.yaml:4:7: integrations.demo.tap: missing required key "
          "'command'");
    CHECK(config_error("integrations:\n  demo:\n") ==
          "tapline.yaml:2:3: integrations.demo: expected a mapping with "
          "keys 'tap' and 'target', got an empty value");
  }

  TEST_CASE("error: enumerations")
  {
    CHECK(config_error(std::string(k_head) + "      command: [tap-x]\n" +
                       "      catalog_flag: legacy\n" +
                       "    target: {null: {}}\n") ==
          "tapline.yaml:5:21: integrations.demo.tap.catalog_flag: expected "
          "one of 'catalog', 'properties', got 'legacy'");
    CHECK(config_error(with_integration_key("    state_from: source")) ==
          "tapline.yaml:6:17: integrations.demo.state_from: expected one of "
          "'target', 'tap_on_success', got 'source'");
  }

  TEST_CASE("error: process config and env")
  {
    const std::string tap = std::string(k_head) + "      command: [tap-x]\n";
    CHECK(config_error(tap + "      config: [a]\n    target: {null: }\n") ==
          "tapline.yaml:5:15: integrations.demo.tap.config: expected a "
          "mapping or a path to a JSON file, got a sequence");
    CHECK(config_error(tap + "      env: {A: [1]}\n    target: {null: }\n") ==
          "tapline.yaml:5:16: integrations.demo.tap.env.A: expected a "
          "string, got a sequence");
    CHECK(config_error(tap + "      env: {A: }\n    target: {null: }\n") ==
          "tapline.yaml:5:13: integrations.demo.tap.env.A: expected a "
          "string, got an empty value");
    CHECK(config_error(tap + "      env: [A=1]\n    target: {null: }\n") ==
          "tapline.yaml:5:12: integrations.demo.tap.env: expected a "
          "mapping of variable names to strings, got a sequence");
    CHECK(
        config_error(tap + "      env: {\"A=B\": x}\n    target: {null: }\n") ==
        "tapline.yaml:5:13: integrations.demo.tap.env.A=B: expected a "
        "variable name without '=', got 'A=B'");
    CHECK(
        config_error(tap + "      env: {A: 1, A: 2}\n    target: {null: }\n") ==
        "tapline.yaml:5:19: integrations.demo.tap.env.A: duplicate key "
        "(first defined at tapline.yaml:5:13)");
  }

  TEST_CASE("error: files that must exist")
  {
    const TempDir tmp;
    const fs::path file = tmp.path() / "tapline.yaml";
    fs::create_directories(tmp.path() / "adir");
    const auto load = [&](const std::string& tap_lines) {
      const auto result = tapline::config::load_config_from_string(
          std::string(k_head) + "      command: [tap-x]\n" + tap_lines +
              "    target: {null: {}}\n",
          file,
          fake_env());
      REQUIRE_FALSE(result.has_value());
      return result.error().to_string();
    };
    CHECK(load("      catalog: missing.json\n") ==
          file.string() +
              ":5:16: integrations.demo.tap.catalog: expected an existing "
              "file, '" +
              (tmp.path() / "missing.json").string() + "' does not exist");
    CHECK(load("      config: ./adir\n") ==
          file.string() +
              ":5:15: integrations.demo.tap.config: expected an existing "
              "file, '" +
              (tmp.path() / "adir").string() + "' is not a regular file");
    CHECK(load("      catalog: ''\n") ==
          file.string() +
              ":5:16: integrations.demo.tap.catalog: expected a path, got "
              "an empty string");
  }

  TEST_CASE("error: resolve_config_path when no file exists")
  {
    using tapline::config::resolve_config_path;
    const TempDir tmp;
    const std::string missing = (tmp.path() / "missing.yaml").string();

    auto result = resolve_config_path(missing, fake_env());
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == ErrorCode::config);
    CHECK(result.error().to_string() ==
          "no configuration file: " + missing +
              " does not exist (given with --config)");

    result = resolve_config_path(std::nullopt,
                                 fake_env({{"TAPLINE_CONFIG", missing}}));
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().to_string() ==
          "no configuration file: " + missing +
              " does not exist (from TAPLINE_CONFIG)");

    const fs::path previous = fs::current_path();
    fs::current_path(tmp.path());
    result = resolve_config_path(std::nullopt, fake_env());
    fs::current_path(previous);
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == ErrorCode::config);
    CHECK(result.error().to_string() ==
          "no configuration file: ./tapline.yaml does not exist (use "
          "--config FILE or set TAPLINE_CONFIG)");
  }
}
