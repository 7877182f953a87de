// tests/unit/metrics/prometheus_text_test.cpp
#include <runner/metrics/prometheus_text.hpp>
#include <runner/util/fs.hpp>

#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <sys/stat.h>
#include <tests/unit/temp_dir.hpp>
#include <tests/unit/test_support.hpp>
#include <vector>

namespace {

using tapline::metrics::IntegrationMetrics;
using tapline::metrics::render;

IntegrationMetrics
everything_set(std::string name)
{
  IntegrationMetrics metrics;
  metrics.integration = std::move(name);
  metrics.status = "failing";
  metrics.last_success_time = 1764072000.0;
  metrics.last_run_start_time = 1764075600.25;
  metrics.last_run_duration_seconds = 12.5;
  metrics.last_run_exit_code = 69;
  metrics.last_run_records = 1500;
  metrics.last_run_bytes = 123456;
  metrics.records_total = 9007199254740993ULL; // above 2^53: stays exact
  metrics.bytes_total = 987654321;
  metrics.runs_total = 42;
  metrics.consecutive_failures = 3;
  return metrics;
}

IntegrationMetrics
never_run(std::string name)
{
  IntegrationMetrics metrics;
  metrics.integration = std::move(name);
  metrics.status = "active";
  return metrics;
}

// The `integration` label values of the samples of `family`, in order.
std::vector<std::string>
integrations_of(const std::string& text, const std::string& family)
{
  std::vector<std::string> names;
  const std::string prefix = family + "{integration=\"";
  size_t pos = 0;
  while ((pos = text.find("\n" + prefix, pos)) != std::string::npos) {
    pos += 1 + prefix.size();
    names.push_back(text.substr(pos, text.find('"', pos) - pos));
  }
  return names;
}

std::string
read_text(const std::filesystem::path& path)
{
  auto content = tapline::util::read_file(path);
  REQUIRE_MESSAGE(content.has_value(), tapline::test::error_text(content));
  return *content;
}

std::vector<std::string>
directory_entries(const std::filesystem::path& dir)
{
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

} // namespace

TEST_SUITE("metrics::render")
{
  TEST_CASE("render: one integration with every value set")
  {
    CHECK(render({everything_set("github")}) ==
          "# HELP tapline_integration_status Current status of the "
          "integration: 1 for the status label that applies, 0 for the "
          "others.\n"
          "# TYPE tapline_integration_status gauge\n"
          "tapline_integration_status{integration=\"github\",status=\"active\"}"
          " 0\n"
          "tapline_integration_status{integration=\"github\",status="
          "\"running\"} 0\n"
          "tapline_integration_status{integration=\"github\",status="
          "\"needs_reauth\"} 0\n"
          "tapline_integration_status{integration=\"github\",status="
          "\"failing\"} 1\n"
          "tapline_integration_status{integration=\"github\",status="
          "\"degraded\"} 0\n"
          "tapline_integration_status{integration=\"github\",status="
          "\"paused\"} 0\n"
          "# HELP tapline_last_success_timestamp_seconds Unix time of the "
          "last successful run of the integration.\n"
          "# TYPE tapline_last_success_timestamp_seconds gauge\n"
          "tapline_last_success_timestamp_seconds{integration=\"github\"} "
          "1764072000\n"
          "# HELP tapline_last_run_start_timestamp_seconds Unix time at which "
          "the last run of the integration started.\n"
          "# TYPE tapline_last_run_start_timestamp_seconds gauge\n"
          "tapline_last_run_start_timestamp_seconds{integration=\"github\"} "
          "1764075600.25\n"
          "# HELP tapline_last_run_duration_seconds Wall-clock duration of "
          "the last run of the integration.\n"
          "# TYPE tapline_last_run_duration_seconds gauge\n"
          "tapline_last_run_duration_seconds{integration=\"github\"} 12.5\n"
          "# HELP tapline_last_run_exit_code Exit code of the last run of the "
          "integration, 0 on success.\n"
          "# TYPE tapline_last_run_exit_code gauge\n"
          "tapline_last_run_exit_code{integration=\"github\"} 69\n"
          "# HELP tapline_last_run_records Records synced by the last run of "
          "the integration.\n"
          "# TYPE tapline_last_run_records gauge\n"
          "tapline_last_run_records{integration=\"github\"} 1500\n"
          "# HELP tapline_last_run_bytes Bytes synced by the last run of the "
          "integration.\n"
          "# TYPE tapline_last_run_bytes gauge\n"
          "tapline_last_run_bytes{integration=\"github\"} 123456\n"
          "# HELP tapline_records_synced_total Records synced by the "
          "integration over all recorded runs.\n"
          "# TYPE tapline_records_synced_total counter\n"
          "tapline_records_synced_total{integration=\"github\"} "
          "9007199254740993\n"
          "# HELP tapline_bytes_synced_total Bytes synced by the integration "
          "over all recorded runs.\n"
          "# TYPE tapline_bytes_synced_total counter\n"
          "tapline_bytes_synced_total{integration=\"github\"} 987654321\n"
          "# HELP tapline_runs_total Runs of the integration over all "
          "recorded runs.\n"
          "# TYPE tapline_runs_total counter\n"
          "tapline_runs_total{integration=\"github\"} 42\n"
          "# HELP tapline_consecutive_failures Failed runs of the integration "
          "since its last success.\n"
          "# TYPE tapline_consecutive_failures gauge\n"
          "tapline_consecutive_failures{integration=\"github\"} 3\n");
  }

  TEST_CASE("render: empty optionals are left out, not NaN")
  {
    const std::string text = render({never_run("new")});
    CHECK(text.find("NaN") == std::string::npos);
    CHECK(text.find("nan") == std::string::npos);
    // Families whose only sample was left out have no HELP/TYPE either.
    CHECK(text.find("tapline_last_success_timestamp_seconds") ==
          std::string::npos);
    CHECK(text.find("tapline_last_run_start_timestamp_seconds") ==
          std::string::npos);
    CHECK(text.find("tapline_last_run_duration_seconds") == std::string::npos);
    CHECK(text.find("tapline_last_run_exit_code") == std::string::npos);
    CHECK(text.find("tapline_integration_status{integration=\"new\","
                    "status=\"active\"} 1\n") != std::string::npos);
    CHECK(text.find("tapline_runs_total{integration=\"new\"} 0\n") !=
          std::string::npos);
  }

  TEST_CASE("render: a family lists only integrations that have the value")
  {
    IntegrationMetrics partial = never_run("b");
    partial.last_run_exit_code = 0;
    const std::string text =
        render({everything_set("a"), partial, never_run("c")});
    CHECK(integrations_of(text, "tapline_last_run_exit_code") ==
          std::vector<std::string>{"a", "b"});
    CHECK(integrations_of(text, "tapline_last_success_timestamp_seconds") ==
          std::vector<std::string>{"a"});
    CHECK(integrations_of(text, "tapline_runs_total") ==
          std::vector<std::string>{"a", "b", "c"});
  }

  TEST_CASE("render: label values are escaped")
  {
    const std::string text = render({never_run("we\"ird\\na\nme")});
    CHECK(text.find("tapline_runs_total{integration=\"we\\\"ird\\\\na\\nme\"} "
                    "0\n") != std::string::npos);
    // Every sample stays on one line.
    CHECK(text.find("me\"") != std::string::npos);
    CHECK(text.find("\nme") == std::string::npos);
  }

  TEST_CASE("render: invalid UTF-8 in a name becomes U+FFFD")
  {
    const std::string text = render({never_run("ok\xC3\xA9-\xFF\xC3-x")});
    CHECK(
        text.find("{integration=\"ok\xC3\xA9-\xEF\xBF\xBD\xEF\xBF\xBD-x\"}") !=
        std::string::npos);
  }

  TEST_CASE("render: integrations are sorted by name")
  {
    const std::string text =
        render({never_run("zeta"), everything_set("alpha"), never_run("Mid")});
    const std::vector<std::string> expected{"Mid", "alpha", "zeta"};
    CHECK(integrations_of(text, "tapline_runs_total") == expected);
    CHECK(integrations_of(text, "tapline_consecutive_failures") == expected);
    // Each integration's six status samples stay together, in sorted order.
    CHECK(integrations_of(text, "tapline_integration_status") ==
          std::vector<std::string>{"Mid",
                                   "Mid",
                                   "Mid",
                                   "Mid",
                                   "Mid",
                                   "Mid",
                                   "alpha",
                                   "alpha",
                                   "alpha",
                                   "alpha",
                                   "alpha",
                                   "alpha",
                                   "zeta",
                                   "zeta",
                                   "zeta",
                                   "zeta",
                                   "zeta",
                                   "zeta"});
    // The same input in another order renders the same text.
    CHECK(render(
              {everything_set("alpha"), never_run("Mid"), never_run("zeta")}) ==
          text);
  }

  TEST_CASE("render: each family has one HELP and one TYPE")
  {
    const std::string text = render({everything_set("a"), everything_set("b")});
    for (const char* family : {"tapline_integration_status",
                               "tapline_last_run_duration_seconds",
                               "tapline_runs_total"}) {
      CAPTURE(family);
      const std::string help = std::string("# HELP ") + family + " ";
      const size_t first = text.find(help);
      REQUIRE(first != std::string::npos);
      CHECK(text.find(help, first + 1) == std::string::npos);
    }
  }

  TEST_CASE("render: a repeated integration name is rendered once")
  {
    IntegrationMetrics second = everything_set("dup");
    second.runs_total = 7;
    const std::string text = render({everything_set("dup"), second});
    CHECK(integrations_of(text, "tapline_runs_total") ==
          std::vector<std::string>{"dup"});
    CHECK(text.find("tapline_runs_total{integration=\"dup\"} 42\n") !=
          std::string::npos);
  }

  TEST_CASE("render: a status outside the six gets its own series")
  {
    IntegrationMetrics odd = never_run("x");
    odd.status = "never_run";
    const std::string text = render({odd});
    CHECK(text.find("tapline_integration_status{integration=\"x\",status="
                    "\"active\"} 0\n") != std::string::npos);
    CHECK(text.find("tapline_integration_status{integration=\"x\",status="
                    "\"never_run\"} 1\n") != std::string::npos);

    odd.status = "";
    CHECK(render({odd}).find("tapline_integration_status{integration=\"x\","
                             "status=\"unknown\"} 1\n") != std::string::npos);
  }

  TEST_CASE("render: special float values use the format's spelling")
  {
    IntegrationMetrics metrics = never_run("f");
    metrics.last_run_duration_seconds = std::numeric_limits<double>::infinity();
    metrics.last_success_time = -std::numeric_limits<double>::infinity();
    metrics.last_run_start_time = std::nan("");
    const std::string text = render({metrics});
    CHECK(text.find("tapline_last_run_duration_seconds{integration=\"f\"} "
                    "+Inf\n") != std::string::npos);
    CHECK(text.find("tapline_last_success_timestamp_seconds{integration="
                    "\"f\"} -Inf\n") != std::string::npos);
    CHECK(text.find("tapline_last_run_start_timestamp_seconds{integration="
                    "\"f\"} NaN\n") != std::string::npos);
  }

  TEST_CASE("render: no integrations give an empty file")
  {
    CHECK(render({}).empty());
  }

  TEST_CASE("render: promtool accepts the output")
  {
    // Optional cross-check against Prometheus's own parser and linter:
    // TAPLINE_PROMTOOL=$(scripts/fetch-promtool) tapline_unit -ts='metrics*'
    const char* promtool = std::getenv("TAPLINE_PROMTOOL");
    if (promtool == nullptr || ::access(promtool, X_OK) != 0) {
      return;
    }
    IntegrationMetrics odd = never_run("we\"ird\\na\nme \xFF");
    odd.status = "needs_reauth";
    odd.last_run_exit_code = -9;
    IntegrationMetrics fresh = never_run("fresh");
    fresh.last_run_duration_seconds = std::nan("");
    const std::string text = render({everything_set("github"), odd, fresh});

    const tapline::test::TempDir dir;
    const auto input = dir.path() / "metrics.prom";
    const auto output = dir.path() / "promtool.out";
    {
      std::ofstream file(input, std::ios::binary);
      file << text;
    }
    const std::string command = "'" + std::string(promtool) +
                                "' check metrics < '" + input.string() +
                                "' > '" + output.string() + "' 2>&1";
    const int status = std::system(command.c_str());
    const std::string said = read_text(output);
    CAPTURE(text);
    CHECK_MESSAGE(status == 0, said);
    CHECK(said == "");
  }
}

TEST_SUITE("metrics::write_file_atomically")
{
  TEST_CASE("write: creates the file with mode 0644 and no temporary left")
  {
    const tapline::test::TempDir dir;
    const auto path = dir.path() / "tapline.prom";
    const auto old_umask = ::umask(077);
    const auto result = tapline::metrics::write_file_atomically(path, "a 1\n");
    ::umask(old_umask);
    REQUIRE_MESSAGE(result.has_value(), tapline::test::error_text(result));
    CHECK(read_text(path) == "a 1\n");
    struct stat st
    {
    };
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0644);
    CHECK(directory_entries(dir.path()) ==
          std::vector<std::string>{"tapline.prom"});
  }

  TEST_CASE("write: replaces an existing file")
  {
    const tapline::test::TempDir dir;
    const auto path = dir.path() / "tapline.prom";
    {
      std::ofstream file(path);
      file << "old content that is longer than the new one\n";
    }
    const auto result = tapline::metrics::write_file_atomically(path, "b 2\n");
    REQUIRE_MESSAGE(result.has_value(), tapline::test::error_text(result));
    CHECK(read_text(path) == "b 2\n");
    CHECK(directory_entries(dir.path()) ==
          std::vector<std::string>{"tapline.prom"});
  }

  TEST_CASE("write: a missing directory is an io error naming the path")
  {
    const tapline::test::TempDir dir;
    const auto path = dir.path() / "missing" / "tapline.prom";
    const auto result = tapline::metrics::write_file_atomically(path, "c 3\n");
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == tapline::ErrorCode::io);
    CHECK(result.error().to_string() ==
          path.string() +
              ": cannot create temporary file: No such file or directory");
    CHECK_FALSE(std::filesystem::exists(dir.path() / "missing"));
  }

  TEST_CASE("write: an unwritable directory is an io error naming the path")
  {
    const tapline::test::TempDir dir;
    const auto locked = dir.path() / "locked";
    std::filesystem::create_directory(locked);
    std::filesystem::permissions(locked,
                                 std::filesystem::perms::owner_read |
                                     std::filesystem::perms::owner_exec);
    const auto path = locked / "tapline.prom";
    const auto result = tapline::metrics::write_file_atomically(path, "d 4\n");
    std::filesystem::permissions(locked, std::filesystem::perms::owner_all);
    if (::geteuid() == 0) {
      // Root ignores directory permissions; nothing to check here.
      return;
    }
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == tapline::ErrorCode::io);
    CHECK(result.error().to_string() ==
          path.string() + ": cannot create temporary file: Permission denied");
    CHECK(directory_entries(locked).empty());
  }

  TEST_CASE("write: a directory where the file should be is not replaced")
  {
    const tapline::test::TempDir dir;
    const auto path = dir.path() / "tapline.prom";
    std::filesystem::create_directory(path);
    const auto result = tapline::metrics::write_file_atomically(path, "e 5\n");
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == tapline::ErrorCode::io);
    CHECK(result.error().to_string() ==
          path.string() + ": cannot replace file: Is a directory");
    CHECK(directory_entries(dir.path()) ==
          std::vector<std::string>{"tapline.prom"});
  }
}
