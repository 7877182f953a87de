// runner/metrics/prometheus_text.hpp
#pragma once

// Per-integration metrics in the Prometheus text exposition format (0.0.4),
// written as a file for node_exporter's textfile collector. This unit only
// renders and writes; gathering the numbers from the state store is the
// caller's job, and it never serves HTTP.

#include <runner/util/result.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tapline::metrics {

struct IntegrationMetrics
{
  std::string integration;
  // One of: active, running, needs_reauth, failing, degraded, paused.
  std::string status;
  std::optional<double> last_success_time;   // unix seconds
  std::optional<double> last_run_start_time; // unix seconds
  std::optional<double> last_run_duration_seconds;
  std::optional<int> last_run_exit_code;
  std::uint64_t last_run_records = 0;
  std::uint64_t last_run_bytes = 0;
  std::uint64_t records_total = 0; // over all recorded runs
  std::uint64_t bytes_total = 0;
  std::uint64_t runs_total = 0;
  std::uint64_t consecutive_failures = 0;
};

// The statuses `tapline_integration_status` is one-hot over, in output order.
inline constexpr std::string_view k_statuses[] = {
    "active", "running", "needs_reauth", "failing", "degraded", "paused"};

// All metrics of all `integrations`: each family once with its # HELP and
// # TYPE lines and its samples sorted by integration name, so the output is
// stable (bytewise order). Empty optionals are left out (no NaN for "never"),
// and families without samples are left out entirely. A status outside
// k_statuses gets its own series with value 1 next to the six zeros, so it
// stays visible. Integration names are unique in a config; should one repeat,
// only its first entry is rendered, because a duplicate series makes Prometheus
// reject the whole file.
[[nodiscard]] std::string
render(const std::vector<IntegrationMetrics>& integrations);

// Write `content` to `path` atomically with mode 0644 (see
// util::write_file_atomically): the temporary file's name starts with '.',
// which the textfile collector ignores. The directory must exist.
[[nodiscard]] Result<void>
write_file_atomically(const std::filesystem::path& path,
                      std::string_view content);

} // namespace tapline::metrics
