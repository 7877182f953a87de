// tests/unit/config/config_cache_test.cpp
//
// The compiled configuration cache behind load_config: a hit returns the
// Config a full load would, every recorded input invalidates it, a bad
// cache is ignored, and the file never holds an interpolated value.
//
// To tell a hit from a miss, tests either edit the cached body (a hit
// returns the edit) or watch the cache file's inode (every miss rewrites
// the file through a rename, so a new inode means a miss).

#include <runner/config/config_cache.hpp>
#include <runner/config/loader.hpp>

#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <tests/unit/config/config_test_support.hpp>
#include <tests/unit/temp_dir.hpp>
#include <tests/unit/test_support.hpp>

namespace fs = std::filesystem;
using tapline::config::Config;
using tapline::config::Integration;
using tapline::config::load_config;
using tapline::config::load_config_from_string;
using tapline::config::ProcessConfig;
using tapline::test::error_text;
using tapline::test::fake_env;
using tapline::test::TempDir;
using tapline::test::write_file;

namespace {

using Vars = std::map<std::string, std::string>;

// Every key tapline.yaml has, so that the round trip covers every field.
constexpr std::string_view k_every_key =
    "data_dir: state\n"
    "metrics_file: metrics/tapline.prom\n"
    "alerts:\n"
    "  webhook:\n"
    "    url: https://hooks.example.com/tapline\n"
    "    timeout: 5s\n"
    "    retries: 2\n"
    "    headers: {X-Team: data}\n"
    "  command: [./bin/alert, --quiet]\n"
    "integrations:\n"
    "  demo:\n"
    "    tap:\n"
    "      command: [./bin/tap-demo, --flag]\n"
    "      config: {streams: [users], page_size: 100, note: \"a \\\"q\\\"\"}\n"
    "      catalog: catalog.json\n"
    "      catalog_flag: properties\n"
    "      env: {API_BASE: \"http://127.0.0.1:8080\"}\n"
    "    target:\n"
    "      command: [target-jsonl, --verbose]\n"
    "      config: target.json\n"
    "      env: {OUT: out}\n"
    "    state_from: tap_on_success\n"
    "    timeout: 1h30m\n"
    "    idle_timeout: 300\n"
    "    max_line_bytes: 1MiB\n"
    "    max_log_bytes: 100MB\n"
    "    auth:\n"
    "      rules: rules.yaml\n"
    "      disable: [http.403]\n"
    "      pause_on_partial_permissions: true\n"
    "      check: [./bin/check, --strict]\n"
    "    retry: {attempts: 5, backoff: 20s, max_backoff: 10m}\n"
    "    schedule: \"30 2 * * mon-fri\"\n"
    "    timezone: Europe/Berlin\n"
    "    failure_backoff: {backoff: 1m, max_backoff: 2h}\n"
    "  files.v2:\n"
    "    tap: {command: [tap-files], config: tap.json}\n"
    "    target: {jsonl: {dir: ../out}}\n"
    "    schedule: every 30m\n"
    "  nowhere:\n"
    "    tap: {command: [tap-x]}\n"
    "    target: {null: {}}\n";

// Every load here gets its own cache home: `xdg` beside the project's
// directory, inside the test's temporary directory.
tapline::config::EnvLookup
cache_env(const fs::path& file, Vars vars = {})
{
  vars.emplace(
      "XDG_CACHE_HOME",
      (fs::absolute(file).parent_path().parent_path() / "xdg").string());
  return fake_env(vars);
}

// A project directory with tapline.yaml and the files it points at.
struct Project
{
  explicit Project(std::string_view yaml)
  {
    write_file(dir / "catalog.json", "{\"streams\": []}");
    write_file(dir / "target.json", "{}");
    write_file(dir / "tap.json", "{}");
    write_file(dir / "rules.yaml", "rules: []\n");
    write_file(file, std::string(yaml));
  }

  [[nodiscard]] fs::path
  cache() const
  {
    return *tapline::config::config_cache_path(file, cache_env(file));
  }

  TempDir tmp;
  fs::path dir = tmp.path() / "project";
  fs::path file = dir / "tapline.yaml";
};

std::string
read_text(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

ino_t
inode(const fs::path& path)
{
  struct stat info
  {
  };
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_ino;
}

// Point the cached (plain) body's data_dir elsewhere, leaving the key as
// it is: a load that returns `to` read the cache.
void
edit_cached_data_dir(const fs::path& cache, const std::string& to)
{
  std::string text = read_text(cache);
  const std::string marker = "\"data_dir\":\"";
  const auto begin = text.find(marker);
  REQUIRE(begin != std::string::npos);
  const auto value = begin + marker.size();
  const auto end = text.find('"', value);
  REQUIRE(end != std::string::npos);
  text.replace(value, end - value, to);
  write_file(cache, text);
}

Config
load_ok(const fs::path& file, const Vars& vars = {})
{
  auto config = load_config(file, cache_env(file, vars));
  REQUIRE_MESSAGE(config.has_value(), error_text(config));
  return std::move(*config);
}

void
check_same(const ProcessConfig& a, const ProcessConfig& b)
{
  CHECK(a.file == b.file);
  CHECK(a.inline_json == b.inline_json);
}

void
check_same(const Integration& a, const Integration& b)
{
  CAPTURE(a.name);
  CHECK(a.name == b.name);
  CHECK(a.source == b.source);
  CHECK(a.tap.command == b.tap.command);
  check_same(a.tap.config, b.tap.config);
  CHECK(a.tap.catalog == b.tap.catalog);
  CHECK(a.tap.catalog_flag == b.tap.catalog_flag);
  CHECK(a.tap.env == b.tap.env);
  CHECK(a.target.kind == b.target.kind);
  CHECK(a.target.command == b.target.command);
  check_same(a.target.config, b.target.config);
  CHECK(a.target.env == b.target.env);
  CHECK(a.target.dir == b.target.dir);
  CHECK(a.state_from == b.state_from);
  CHECK(a.timeout == b.timeout);
  CHECK(a.idle_timeout == b.idle_timeout);
  CHECK(a.max_line_bytes == b.max_line_bytes);
  CHECK(a.max_log_bytes == b.max_log_bytes);
  CHECK(a.auth.rules_file == b.auth.rules_file);
  CHECK(a.auth.disabled_rules == b.auth.disabled_rules);
  CHECK(a.auth.pause_on_partial_permissions ==
        b.auth.pause_on_partial_permissions);
  CHECK(a.auth.check_command == b.auth.check_command);
  CHECK(a.retry.attempts == b.retry.attempts);
  CHECK(a.retry.backoff == b.retry.backoff);
  CHECK(a.retry.max_backoff == b.retry.max_backoff);
  REQUIRE(a.schedule.has_value() == b.schedule.has_value());
  if (a.schedule) {
    CHECK(a.schedule->expression() == b.schedule->expression());
    CHECK(a.schedule->timezone_name() == b.schedule->timezone_name());
    CHECK(a.schedule->is_interval() == b.schedule->is_interval());
    // Around the 2026 spring-forward in Berlin, so the zone matters.
    using namespace std::chrono;
    for (const auto day :
         {sys_days{2026y / 3 / 27}, sys_days{2026y / 3 / 29}}) {
      const tapline::schedule::TimePoint at{day};
      CHECK(a.schedule->next_after(at) == b.schedule->next_after(at));
    }
  }
  CHECK(a.failure_backoff.backoff == b.failure_backoff.backoff);
  CHECK(a.failure_backoff.max_backoff == b.failure_backoff.max_backoff);
}

void
check_same(const Config& a, const Config& b)
{
  CHECK(a.file == b.file);
  CHECK(a.data_dir == b.data_dir);
  CHECK(a.metrics_file == b.metrics_file);
  REQUIRE(a.alerts.webhook.has_value() == b.alerts.webhook.has_value());
  if (a.alerts.webhook) {
    CHECK(a.alerts.webhook->url == b.alerts.webhook->url);
    CHECK(a.alerts.webhook->timeout == b.alerts.webhook->timeout);
    CHECK(a.alerts.webhook->retries == b.alerts.webhook->retries);
    CHECK(a.alerts.webhook->headers == b.alerts.webhook->headers);
  }
  CHECK(a.alerts.command == b.alerts.command);
  REQUIRE(a.integrations.size() == b.integrations.size());
  for (std::size_t i = 0; i < a.integrations.size(); ++i) {
    check_same(a.integrations[i], b.integrations[i]);
  }
}

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

TEST_SUITE("config::cache")
{
  TEST_CASE("cache: a load writes it and the next load returns the same "
            "config from it")
  {
    const Project project(k_every_key);
    const Config first = load_ok(project.file);
    REQUIRE(fs::is_regular_file(project.cache()));
    CHECK(read_text(project.cache()).starts_with("{\"format\":1,"));
    const ino_t written = inode(project.cache());

    const Config second = load_ok(project.file);
    CHECK(inode(project.cache()) == written);
    check_same(second, first);

    // Both equal what YAML gives without any cache.
    const auto full = load_config_from_string(
        read_text(project.file), project.file, fake_env());
    REQUIRE(full.has_value());
    check_same(first, *full);
    CHECK(first.integrations.at(0).schedule->timezone_name() ==
          "Europe/Berlin");
  }

  TEST_CASE("cache: a hit really reads the cache; changed bytes invalidate it")
  {
    const Project project(k_every_key);
    const Config loaded = load_ok(project.file);
    edit_cached_data_dir(project.cache(), "/edited");

    CHECK(load_ok(project.file).data_dir == "/edited");

    write_file(project.file, std::string(k_every_key) + "# touched\n");
    const Config reloaded = load_ok(project.file);
    CHECK(reloaded.data_dir == project.dir / "state");
    CHECK(read_text(project.cache()).find("/edited") == std::string::npos);
  }

  TEST_CASE("cache: one cache serves every spelling of the path; sources "
            "use the spelling given")
  {
    const Project project(k_every_key);
    (void)load_ok(project.file);
    edit_cached_data_dir(project.cache(), "/edited");

    const ScopedCwd cwd(project.dir);
    const Config relative = load_ok("tapline.yaml");
    CHECK(relative.data_dir == "/edited");
    CHECK(relative.file == project.file);
    CHECK(relative.integrations.at(0).source == "tapline.yaml:11:3");
    CHECK(load_ok("./tapline.yaml").integrations.at(1).source ==
          "./tapline.yaml:36:3");
  }

  TEST_CASE("cache: a copied project does not use the original's paths")
  {
    const Project project(k_every_key);
    (void)load_ok(project.file);
    const fs::path copy = project.tmp.path() / "copy";
    fs::copy(project.dir, copy, fs::copy_options::recursive);
    // The copy has a cache of its own (its path differs), never the
    // original's.
    CHECK(*tapline::config::config_cache_path(
              copy / "tapline.yaml", cache_env(copy / "tapline.yaml")) !=
          project.cache());

    const Config config = load_ok(copy / "tapline.yaml");
    CHECK(config.file == copy / "tapline.yaml");
    CHECK(config.data_dir == copy / "state");
    CHECK(config.integrations.at(0).tap.catalog == copy / "catalog.json");
  }

  TEST_CASE("cache: a changed variable value invalidates it")
  {
    const Project project("integrations:\n"
                          "  demo:\n"
                          "    tap:\n"
                          "      command: [tap-x]\n"
                          "      config: {token: \"${TOKEN}\"}\n"
                          "    target: {null: {}}\n");
    CHECK(load_ok(project.file, {{"TOKEN", "one"}})
              .integrations.at(0)
              .tap.config.inline_json == R"({"token":"one"})");
    const ino_t written = inode(project.cache());

    // Same value: a hit, which must open the sealed body.
    CHECK(load_ok(project.file, {{"TOKEN", "one"}})
              .integrations.at(0)
              .tap.config.inline_json == R"({"token":"one"})");
    CHECK(inode(project.cache()) == written);

    CHECK(load_ok(project.file, {{"TOKEN", "two"}})
              .integrations.at(0)
              .tap.config.inline_json == R"({"token":"two"})");
    CHECK(inode(project.cache()) != written);

    // Unset now: the full load's error, not the cached config.
    const auto unset = load_config(project.file, cache_env(project.file));
    REQUIRE_FALSE(unset.has_value());
    CHECK(unset.error().to_string() ==
          project.file.string() +
              ":5:23: integrations.demo.tap.config.token: environment "
              "variable 'TOKEN' is not set");
  }

  TEST_CASE("cache: a variable that was unset and is now set invalidates it")
  {
    const Project project("integrations:\n"
                          "  demo:\n"
                          "    tap:\n"
                          "      command: [tap-x]\n"
                          "      config: {page_size: \"${PAGE_SIZE:-100}\"}\n"
                          "    target: {null: {}}\n");
    (void)load_ok(project.file);
    edit_cached_data_dir(project.cache(), "/edited");
    CHECK(load_ok(project.file).data_dir == "/edited");

    SUBCASE("set to a value")
    {
      const Config config = load_ok(project.file, {{"PAGE_SIZE", "7"}});
      CHECK(config.data_dir == project.dir / ".tapline");
      CHECK(config.integrations.at(0).tap.config.inline_json ==
            R"({"page_size":"7"})");
    }
    SUBCASE("set but empty, which interpolates the same")
    {
      const Config config = load_ok(project.file, {{"PAGE_SIZE", ""}});
      CHECK(config.data_dir == project.dir / ".tapline");
      CHECK(config.integrations.at(0).tap.config.inline_json ==
            R"({"page_size":"100"})");
    }
  }

  TEST_CASE("cache: a checked file that is gone invalidates it, with the "
            "usual error")
  {
    const Project project("integrations:\n"
                          "  demo:\n"
                          "    tap:\n"
                          "      command: [tap-x]\n"
                          "      config: tap.json\n"
                          "    target: {null: {}}\n");
    (void)load_ok(project.file);
    const std::string where =
        project.file.string() + ":5:15: integrations.demo.tap.config: ";
    const std::string tap_json = (project.dir / "tap.json").string();

    SUBCASE("deleted")
    {
      fs::remove(project.dir / "tap.json");
      const auto config = load_config(project.file, cache_env(project.file));
      REQUIRE_FALSE(config.has_value());
      CHECK(config.error().code == tapline::ErrorCode::config);
      CHECK(config.error().to_string() == where +
                                              "expected an existing file, '" +
                                              tap_json + "' does not exist");
    }
    SUBCASE("replaced by a directory")
    {
      fs::remove(project.dir / "tap.json");
      fs::create_directory(project.dir / "tap.json");
      const auto config = load_config(project.file, cache_env(project.file));
      REQUIRE_FALSE(config.has_value());
      CHECK(config.error().to_string() ==
            where + "expected an existing file, '" + tap_json +
                "' is not a regular file");
    }
  }

  TEST_CASE("cache: a bad cache file is ignored and replaced")
  {
    const Project project(k_every_key);
    const Config expected = load_ok(project.file);
    const std::string good = read_text(project.cache());
    std::string bad;

    SUBCASE("garbage") { bad = "this is not json at all"; }
    SUBCASE("empty") { bad = ""; }
    SUBCASE("truncated") { bad = good.substr(0, good.size() / 2); }
    SUBCASE("another format")
    {
      bad = good;
      bad.replace(0, 11, "{\"format\":9");
    }
    SUBCASE("a missing field")
    {
      bad = good;
      const auto at = bad.find("\"max_log_bytes\":");
      REQUIRE(at != std::string::npos);
      bad.erase(at, bad.find(',', at) - at + 1);
    }
    SUBCASE("a field of the wrong type")
    {
      bad = good;
      const auto at = bad.find("\"retries\":2");
      REQUIRE(at != std::string::npos);
      bad.replace(at, 11, "\"retries\":\"2\"");
    }
    SUBCASE("an unknown enum value")
    {
      bad = good;
      const auto at = bad.find("\"tap_on_success\"");
      REQUIRE(at != std::string::npos);
      bad.replace(at, 16, "\"tap_on_failure\"");
    }
    SUBCASE("an invalid schedule")
    {
      bad = good;
      const auto at = bad.find("\"every 30m\"");
      REQUIRE(at != std::string::npos);
      bad.replace(at, 11, "\"every 30x\"");
    }
    write_file(project.cache(), bad);

    const Config loaded = load_ok(project.file);
    check_same(loaded, expected);
    CHECK(read_text(project.cache()).starts_with("{\"format\":1,"));
  }

  TEST_CASE("cache: a damaged sealed body is ignored")
  {
    const Project project("integrations:\n"
                          "  demo:\n"
                          "    tap:\n"
                          "      command: [tap-x]\n"
                          "      config: {token: \"${TOKEN}\"}\n"
                          "    target: {null: {}}\n");
    const Vars vars = {{"TOKEN", "one"}};
    (void)load_ok(project.file, vars);
    std::string text = read_text(project.cache());
    const auto box = text.find("\"box\":\"");
    REQUIRE(box != std::string::npos);
    const auto at = box + 20;
    text[at] = text[at] == 'A' ? 'B' : 'A';
    write_file(project.cache(), text);
    const ino_t damaged = inode(project.cache());

    CHECK(
        load_ok(project.file, vars).integrations.at(0).tap.config.inline_json ==
        R"({"token":"one"})");
    CHECK(inode(project.cache()) != damaged);
  }

  TEST_CASE("cache: TAPLINE_NO_CONFIG_CACHE=1 neither reads nor writes it")
  {
    const Project project(k_every_key);
    const Vars off = {{"TAPLINE_NO_CONFIG_CACHE", "1"}};
    (void)load_ok(project.file, off);
    CHECK_FALSE(fs::exists(project.cache()));

    (void)load_ok(project.file);
    edit_cached_data_dir(project.cache(), "/edited");
    const std::string edited = read_text(project.cache());
    CHECK(load_ok(project.file, off).data_dir == project.dir / "state");
    CHECK(read_text(project.cache()) == edited);

    // "0" and "" leave the cache on.
    CHECK(load_ok(project.file, {{"TAPLINE_NO_CONFIG_CACHE", "0"}}).data_dir ==
          "/edited");
    CHECK(load_ok(project.file, {{"TAPLINE_NO_CONFIG_CACHE", ""}}).data_dir ==
          "/edited");
  }

  TEST_CASE("cache: the file is 0600 in a 0700 directory")
  {
    const Project project(k_every_key);
    (void)load_ok(project.file);
    CHECK((fs::status(project.cache()).permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));
    CHECK((fs::status(project.cache().parent_path()).permissions() &
           fs::perms::all) == fs::perms::owner_all);
  }

  TEST_CASE("cache: a cache others could have written is ignored")
  {
    const Project project(k_every_key);
    (void)load_ok(project.file);
    edit_cached_data_dir(project.cache(), "/edited");
    REQUIRE(load_ok(project.file).data_dir == "/edited");

    SUBCASE("writable by the group")
    {
      fs::permissions(project.cache(),
                      fs::perms::owner_read | fs::perms::owner_write |
                          fs::perms::group_write);
    }
    SUBCASE("owned by another user")
    {
      if (::geteuid() != 0) {
        return; // only root can hand a file to another user
      }
      REQUIRE(::chown(project.cache().c_str(), 65534, 65534) == 0);
    }
    SUBCASE("a symlink to the real cache")
    {
      const fs::path elsewhere = project.dir / "elsewhere.json";
      fs::rename(project.cache(), elsewhere);
      fs::create_symlink(elsewhere, project.cache());
    }
    CHECK(load_ok(project.file).data_dir == project.dir / "state");
    CHECK(fs::is_regular_file(fs::symlink_status(project.cache())));
  }

  TEST_CASE("cache: it never holds the value of an interpolated variable")
  {
    const std::string secret = "s3cr3t-4e7f-9c1d-Value";
    const Project project(
        "alerts:\n"
        "  webhook:\n"
        "    url: https://hooks.example.com/x\n"
        "    headers: {Authorization: \"Bearer ${SECRET}\"}\n"
        "integrations:\n"
        "  demo:\n"
        "    tap:\n"
        "      command: [tap-x, \"--token=${SECRET}\"]\n"
        "      config: {token: \"${SECRET}\", note: \"${UNSET_NOTE:-x}\"}\n"
        "      env: {TOKEN: \"${SECRET}\"}\n"
        "    target: {null: {}}\n");
    const Vars vars = {{"SECRET", secret}};
    (void)load_ok(project.file, vars);
    const std::string cached = read_text(project.cache());
    CHECK(cached.find(secret) == std::string::npos);
    CHECK(cached.find("s3cr3t") == std::string::npos);
    CHECK(cached.find("\"names\":[\"SECRET\",\"UNSET_NOTE\"]") !=
          std::string::npos);

    // And the hit gives the values back.
    const ino_t written = inode(project.cache());
    const Config config = load_ok(project.file, vars);
    CHECK(inode(project.cache()) == written);
    const Integration& demo = config.integrations.at(0);
    CHECK(demo.tap.command.at(1) == "--token=" + secret);
    CHECK(demo.tap.config.inline_json ==
          R"({"token":")" + secret + R"(","note":"x"})");
    CHECK(demo.tap.env.at("TOKEN") == secret);
    CHECK(config.alerts.webhook->headers.at("Authorization") ==
          "Bearer " + secret);
  }

  TEST_CASE("cache: failed loads write none; an unwritable cache does not "
            "fail the load")
  {
    SUBCASE("a failed load")
    {
      const Project project("integrations:\n  demo: {}\n");
      CHECK_FALSE(
          load_config(project.file, cache_env(project.file)).has_value());
      CHECK_FALSE(fs::exists(project.cache()));
    }
    SUBCASE("where the cache directory should be, there is a file")
    {
      const Project project(k_every_key);
      const fs::path cache_dir = project.cache().parent_path();
      fs::create_directories(cache_dir.parent_path());
      write_file(cache_dir, "in the way");
      (void)load_ok(project.file);
      (void)load_ok(project.file);
      CHECK(read_text(cache_dir) == "in the way");
    }
  }

  TEST_CASE("cache: load_config_from_string never uses it")
  {
    const Project project(k_every_key);
    (void)load_ok(project.file);
    edit_cached_data_dir(project.cache(), "/edited");
    const auto config = load_config_from_string(
        std::string(k_every_key), project.file, fake_env());
    REQUIRE(config.has_value());
    CHECK(config->data_dir == project.dir / "state");

    const Project fresh(k_every_key);
    REQUIRE(load_config_from_string(
                std::string(k_every_key), fresh.file, fake_env())
                .has_value());
    CHECK_FALSE(fs::exists(fresh.cache()));
  }
}
