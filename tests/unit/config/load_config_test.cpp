// tests/unit/config/load_config_test.cpp
//
// load_config on valid files: every key, defaults, relative paths, the
// built-in sinks, interpolation, and which file resolve_config_path picks.

#include <runner/config/loader.hpp>
#include <runner/schedule/time_text.hpp>

#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <tests/unit/config/config_test_support.hpp>
#include <tests/unit/temp_dir.hpp>
#include <tests/unit/test_support.hpp>

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using tapline::config::CatalogFlag;
using tapline::config::load_config;
using tapline::config::load_config_from_string;
using tapline::config::StateFrom;
using tapline::config::TargetKind;
using tapline::test::fake_env;
using tapline::test::TempDir;
using tapline::test::write_file;

namespace {

constexpr std::string_view k_minimal = "integrations:\n"
                                       "  demo:\n"
                                       "    tap: {command: [tap-x]}\n"
                                       "    target: {null: {}}\n";

// Runs a test body in `dir` and returns to the previous directory after.
class ScopedCwd
{
public:
  explicit ScopedCwd(const fs::path& dir) : m_previous(fs::current_path())
  {
    fs::current_path(dir);
  }
  ScopedCwd(const ScopedCwd&) = delete;
  ScopedCwd& operator=(const ScopedCwd&) = delete;
  ~ScopedCwd() { fs::current_path(m_previous); }

private:
  fs::path m_previous;
};

} // namespace

TEST_SUITE("config::load_config")
{
  TEST_CASE("load_config: every key")
  {
    const TempDir tmp;
    const fs::path dir = tmp.path() / "project" / "conf";
    write_file(dir / "catalog.json", "{\"streams\": []}");
    write_file(dir / "target.json", "{}");
    write_file(dir / "sub" / "tap.json", "{}");
    const fs::path file = dir / "tapline.yaml";
    write_file(file,
               "# tapline.yaml\n"
               "data_dir: state/here\n"
               "integrations:\n"
               "  demo:\n"
               "    tap:\n"
               "      command: [../../build/tap-synthetic, --some-flag, "
               "\"${FLAG:-x}\"]\n"
               "      config: {streams: [users, orders], records: 1000}\n"
               "      catalog: catalog.json\n"
               "      catalog_flag: properties\n"
               "      env: {API_BASE: \"http://127.0.0.1:${PORT}\", N: 8080}\n"
               "    target:\n"
               "      command: [target-jsonl, --verbose]\n"
               "      config: target.json\n"
               "      env: {OUT: out}\n"
               "    state_from: tap_on_success\n"
               "    timeout: 1h30m\n"
               "    idle_timeout: 300\n"
               "    max_line_bytes: 1MiB\n"
               "    max_log_bytes: 100MB\n"
               "  files.v2:\n"
               "    tap:\n"
               "      command: [./bin/tap-files]\n"
               "      config: sub/tap.json\n"
               "      catalog_flag: catalog\n"
               "    target:\n"
               "      jsonl: {dir: ../out}\n"
               "    state_from: target\n"
               "  nowhere:\n"
               "    tap: {command: [tap-x]}\n"
               "    target:\n"
               "      null:\n");

    const auto config = load_config(file, fake_env({{"PORT", "8080"}}));
    REQUIRE(config.has_value());
    CHECK(config->file == file);
    CHECK(config->data_dir == dir / "state" / "here");
    REQUIRE(config->integrations.size() == 3);

    const auto& demo = config->integrations[0];
    CHECK(demo.name == "demo");
    CHECK(demo.source == file.string() + ":4:3");
    CHECK(demo.tap.command ==
          std::vector<std::string>{
              (tmp.path() / "build" / "tap-synthetic").string(),
              "--some-flag",
              "x"});
    CHECK_FALSE(demo.tap.config.file);
    CHECK(demo.tap.config.inline_json ==
          R"({"streams":["users","orders"],"records":1000})");
    CHECK(demo.tap.catalog == dir / "catalog.json");
    CHECK(demo.tap.catalog_flag == CatalogFlag::properties);
    CHECK(demo.tap.env ==
          std::map<std::string, std::string>{
              {"API_BASE", "http://127.0.0.1:8080"}, {"N", "8080"}});
    CHECK(demo.target.kind == TargetKind::process);
    CHECK(demo.target.command ==
          std::vector<std::string>{"target-jsonl", "--verbose"});
    CHECK(demo.target.config.file == dir / "target.json");
    CHECK_FALSE(demo.target.config.inline_json);
    CHECK(demo.target.env ==
          std::map<std::string, std::string>{{"OUT", "out"}});
    CHECK(demo.state_from == StateFrom::tap_on_success);
    CHECK(demo.timeout == 5400s);
    CHECK(demo.idle_timeout == 300s);
    CHECK(demo.max_line_bytes == std::size_t{1} << 20);
    CHECK(demo.max_log_bytes == std::size_t{100'000'000});

    const auto& files = config->integrations[1];
    CHECK(files.name == "files.v2");
    CHECK(files.source == file.string() + ":20:3");
    CHECK(files.tap.command ==
          std::vector<std::string>{(dir / "bin" / "tap-files").string()});
    CHECK(files.tap.config.file == dir / "sub" / "tap.json");
    CHECK(files.tap.catalog_flag == CatalogFlag::catalog);
    CHECK(files.target.kind == TargetKind::jsonl);
    CHECK(files.target.dir == dir.parent_path() / "out");
    CHECK(files.state_from == StateFrom::target);

    const auto& nowhere = config->integrations[2];
    CHECK(nowhere.target.kind == TargetKind::null);

    CHECK(config->find("files.v2") == &files);
    CHECK(config->find("missing") == nullptr);
  }

  TEST_CASE("load_config: defaults")
  {
    const TempDir tmp;
    const fs::path file = tmp.path() / "tapline.yaml";
    const auto config =
        load_config_from_string(std::string(k_minimal), file, fake_env());
    REQUIRE(config.has_value());
    CHECK(config->data_dir == tmp.path() / ".tapline");
    const auto& demo = config->integrations.at(0);
    CHECK(demo.tap.command == std::vector<std::string>{"tap-x"});
    CHECK_FALSE(demo.tap.config.file);
    CHECK_FALSE(demo.tap.config.inline_json);
    CHECK_FALSE(demo.tap.catalog);
    CHECK(demo.tap.catalog_flag == CatalogFlag::catalog);
    CHECK(demo.tap.env.empty());
    CHECK(demo.target.kind == TargetKind::null);
    CHECK(demo.state_from == StateFrom::target);
    CHECK(demo.timeout == 0s);
    CHECK(demo.idle_timeout == 0s);
    CHECK(demo.max_line_bytes == std::size_t{64} << 20);
    CHECK(demo.max_log_bytes == std::size_t{64} << 20);
  }

  TEST_CASE("load_config: an empty integrations mapping is allowed")
  {
    const auto config = load_config_from_string(
        "integrations: {}\n", "tapline.yaml", fake_env());
    REQUIRE(config.has_value());
    CHECK(config->integrations.empty());
  }

  TEST_CASE("load_config: relative paths resolve against the file's directory")
  {
    const TempDir tmp;
    const fs::path file = tmp.path() / "a" / "b" / "tapline.yaml";
    const auto config = load_config_from_string(
        "data_dir: ../../data/./x/..\n"
        "integrations:\n"
        "  demo:\n"
        "    tap: {command: [../bin/tap, ./rel-arg, ../not-resolved]}\n"
        "    target: {jsonl: {dir: out/jsonl}}\n"
        "  abs:\n"
        "    tap: {command: [/usr/local/bin/tap-abs]}\n"
        "    target: {command: [bin//target]}\n"
        "  path_lookup:\n"
        "    tap: {command: [tap-on-path]}\n"
        "    target: {jsonl: {dir: /var/out}}\n",
        file,
        fake_env());
    REQUIRE(config.has_value());
    CHECK(config->data_dir == tmp.path() / "data");
    const auto& demo = config->integrations.at(0);
    CHECK(demo.tap.command ==
          std::vector<std::string>{(tmp.path() / "a" / "bin" / "tap").string(),
                                   "./rel-arg",
                                   "../not-resolved"});
    CHECK(demo.target.dir == tmp.path() / "a" / "b" / "out" / "jsonl");
    const auto& abs = config->integrations.at(1);
    CHECK(abs.tap.command ==
          std::vector<std::string>{"/usr/local/bin/tap-abs"});
    CHECK(abs.target.command ==
          std::vector<std::string>{
              (tmp.path() / "a" / "b" / "bin" / "target").string()});
    const auto& lookup = config->integrations.at(2);
    CHECK(lookup.tap.command == std::vector<std::string>{"tap-on-path"});
    CHECK(lookup.target.dir == fs::path("/var/out"));
  }

  TEST_CASE("load_config: a relative file name resolves against the cwd")
  {
    const auto config = load_config_from_string(
        std::string(k_minimal), "conf/tapline.yaml", fake_env());
    REQUIRE(config.has_value());
    CHECK(config->file == fs::current_path() / "conf" / "tapline.yaml");
    CHECK(config->data_dir == fs::current_path() / "conf" / ".tapline");
    CHECK(config->integrations.at(0).source == "conf/tapline.yaml:2:3");
  }

  TEST_CASE("load_config: the null sink")
  {
    for (const char* target : {"{null: {}}",
                               "{null: }",
                               "{~: {}}",
                               "{\"null\": {}}",
                               "\n      null:"}) {
      CAPTURE(target);
      const auto config =
          load_config_from_string(std::string("integrations:\n"
                                              "  demo:\n"
                                              "    tap: {command: [tap-x]}\n"
                                              "    target: ") +
                                      target + "\n",
                                  "tapline.yaml",
                                  fake_env());
      REQUIRE(config.has_value());
      CHECK(config->integrations.at(0).target.kind == TargetKind::null);
    }
  }

  TEST_CASE("load_config: interpolation in every kind of value")
  {
    const TempDir tmp;
    write_file(tmp.path() / "cat" / "catalog.json", "{}");
    const auto config = load_config_from_string(
        "data_dir: ${DATA:-/srv/tapline}\n"
        "integrations:\n"
        "  demo:\n"
        "    tap:\n"
        "      command: ['${BIN}/tap', '--price=$$5']\n"
        "      catalog: ${CATALOG_DIR}/catalog.json\n"
        "      catalog_flag: ${FLAG:-properties}\n"
        "      env: {TOKEN: '${TOKEN}', EMPTY: '${EMPTY}'}\n"
        "    target: {jsonl: {dir: '${OUT:-out}'}}\n"
        "    timeout: ${TIMEOUT}\n"
        "    max_line_bytes: ${LINE:-2MiB}\n",
        tmp.path() / "tapline.yaml",
        fake_env({{"BIN", "/opt/taps"},
                  {"CATALOG_DIR", "cat"},
                  {"TOKEN", "t0k3n"},
                  {"EMPTY", ""},
                  {"TIMEOUT", "15m"}}));
    REQUIRE(config.has_value());
    CHECK(config->data_dir == fs::path("/srv/tapline"));
    const auto& demo = config->integrations.at(0);
    CHECK(demo.tap.command ==
          std::vector<std::string>{"/opt/taps/tap", "--price=$5"});
    CHECK(demo.tap.catalog == tmp.path() / "cat" / "catalog.json");
    CHECK(demo.tap.catalog_flag == CatalogFlag::properties);
    CHECK(demo.tap.env == std::map<std::string, std::string>{
                              {"EMPTY", ""}, {"TOKEN", "t0k3n"}});
    CHECK(demo.target.dir == tmp.path() / "out");
    CHECK(demo.timeout == 900s);
    CHECK(demo.max_line_bytes == std::size_t{2} << 20);
  }

  TEST_CASE("load_config: keys starting with x- hold shared anchors")
  {
    const auto config = load_config_from_string(
        "x-tap: &tap {command: [tap-x], config: {page_size: 50}}\n"
        "integrations:\n"
        "  one: {tap: *tap, target: {null: }}\n"
        "  two: {tap: *tap, target: {null: }}\n",
        "tapline.yaml",
        fake_env());
    REQUIRE(config.has_value());
    REQUIRE(config->integrations.size() == 2);
    CHECK(config->integrations[1].tap.config.inline_json ==
          R"({"page_size":50})");
  }

  TEST_CASE("load_config: durations and sizes in their accepted forms")
  {
    const auto config = load_config_from_string("integrations:\n"
                                                "  demo:\n"
                                                "    tap: {command: [tap-x]}\n"
                                                "    target: {null: }\n"
                                                "    timeout: 1d\n"
                                                "    idle_timeout: 0\n"
                                                "    max_line_bytes: 4096\n"
                                                "    max_log_bytes: 1GiB\n",
                                                "tapline.yaml",
                                                fake_env());
    REQUIRE(config.has_value());
    const auto& demo = config->integrations.at(0);
    CHECK(demo.timeout == 86400s);
    CHECK(demo.idle_timeout == 0s);
    CHECK(demo.max_line_bytes == 4096);
    CHECK(demo.max_log_bytes == std::size_t{1} << 30);
  }

  TEST_CASE("load_config: schedule, timezone, failure_backoff, metrics_file")
  {
    const TempDir tmp;
    const fs::path file = tmp.path() / "conf" / "tapline.yaml";
    const auto config = load_config_from_string(
        "metrics_file: ../metrics/./tapline.prom\n"
        "integrations:\n"
        "  berlin:\n"
        "    tap: {command: [tap-x]}\n"
        "    target: {null: }\n"
        "    schedule: '  0 3 * * mon-fri '\n"
        "    timezone: Europe/Berlin\n"
        "    failure_backoff: {backoff: 1m, max_backoff: 2h}\n"
        "  interval:\n"
        "    tap: {command: [tap-x]}\n"
        "    target: {null: }\n"
        "    schedule: every 30m\n"
        "    failure_backoff: {max_backoff: 1d}\n"
        "  utc:\n"
        "    tap: {command: [tap-x]}\n"
        "    target: {null: }\n"
        "    schedule: '@daily'\n"
        "  manual:\n"
        "    tap: {command: [tap-x]}\n"
        "    target: {null: }\n",
        file,
        fake_env());
    REQUIRE_MESSAGE(config.has_value(), tapline::test::error_text(config));
    CHECK(config->metrics_file == tmp.path() / "metrics" / "tapline.prom");
    REQUIRE(config->integrations.size() == 4);

    const auto& berlin = config->integrations[0];
    REQUIRE(berlin.schedule.has_value());
    CHECK(berlin.schedule->expression() == "0 3 * * mon-fri");
    CHECK(berlin.schedule->timezone_name() == "Europe/Berlin");
    CHECK_FALSE(berlin.schedule->is_interval());
    // Read in Berlin time: 03:00 CET is 02:00 UTC; Wednesday 2026-11-25.
    const auto after =
        tapline::schedule::parse_time("2026-11-25T00:00:00Z", nullptr);
    REQUIRE(after.has_value());
    CHECK(tapline::schedule::format_utc(berlin.schedule->next_after(*after)) ==
          "2026-11-25T02:00:00Z");
    CHECK(berlin.failure_backoff.backoff == 60s);
    CHECK(berlin.failure_backoff.max_backoff == 7200s);

    const auto& interval = config->integrations[1];
    REQUIRE(interval.schedule.has_value());
    CHECK(interval.schedule->expression() == "every 30m");
    CHECK(interval.schedule->timezone_name() == "UTC");
    CHECK(interval.schedule->is_interval());
    CHECK(tapline::schedule::format_utc(
              interval.schedule->next_after(*after)) == "2026-11-25T00:30:00Z");
    CHECK(interval.failure_backoff.backoff == 300s); // default kept
    CHECK(interval.failure_backoff.max_backoff == 86400s);

    const auto& utc = config->integrations[2];
    REQUIRE(utc.schedule.has_value());
    CHECK(utc.schedule->expression() == "@daily");
    CHECK(utc.schedule->timezone_name() == "UTC");
    CHECK(tapline::schedule::format_utc(utc.schedule->next_after(*after)) ==
          "2026-11-26T00:00:00Z");

    const auto& manual = config->integrations[3];
    CHECK_FALSE(manual.schedule.has_value());
    CHECK(manual.failure_backoff.backoff == 300s);
    CHECK(manual.failure_backoff.max_backoff == 21600s);
  }

  TEST_CASE("load_config: metrics_file absolute, and none by default")
  {
    const auto absolute = load_config_from_string(
        "metrics_file: /var/lib/node_exporter/tapline.prom\n"
        "integrations: {}\n",
        "/etc/tapline/tapline.yaml",
        fake_env());
    REQUIRE_MESSAGE(absolute.has_value(), tapline::test::error_text(absolute));
    CHECK(absolute->metrics_file ==
          fs::path("/var/lib/node_exporter/tapline.prom"));

    const auto none = load_config_from_string(
        std::string(k_minimal), "/etc/tapline/tapline.yaml", fake_env());
    REQUIRE(none.has_value());
    CHECK(none->metrics_file == std::nullopt);
  }

  TEST_CASE("resolve_config_path: --config, then TAPLINE_CONFIG, then cwd")
  {
    using tapline::config::resolve_config_path;
    const TempDir tmp;
    const fs::path flag_file = tmp.path() / "flag.yaml";
    const fs::path env_file = tmp.path() / "env.yaml";
    write_file(flag_file, "");
    write_file(env_file, "");
    const auto env = fake_env({{"TAPLINE_CONFIG", env_file.string()}});

    CHECK(resolve_config_path(flag_file.string(), env) == flag_file);
    CHECK(resolve_config_path(std::nullopt, env) == env_file);

    const ScopedCwd cwd(tmp.path());
    write_file(tmp.path() / "tapline.yaml", "");
    CHECK(resolve_config_path(std::nullopt, fake_env()) ==
          fs::path("tapline.yaml"));
    CHECK(
        resolve_config_path(std::nullopt, fake_env({{"TAPLINE_CONFIG", ""}})) ==
        fs::path("tapline.yaml"));
  }
}
