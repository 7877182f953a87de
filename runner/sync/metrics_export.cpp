// runner/sync/metrics_export.cpp
#include <runner/metrics/prometheus_text.hpp>
#include <runner/sync/metrics_export.hpp>
#include <runner/sync/overview.hpp>

#include <chrono>

namespace tapline::sync {

namespace {

metrics::IntegrationMetrics
metrics_of(const IntegrationView& view)
{
  metrics::IntegrationMetrics out;
  out.integration = view.integration->name;
  out.status = std::string(health_name(view.health));
  if (!view.summary) {
    return out;
  }
  const auto& summary = *view.summary;
  if (summary.last_success_unix) {
    out.last_success_time = static_cast<double>(*summary.last_success_unix);
  }
  out.last_run_start_time = static_cast<double>(summary.last_started_unix);
  out.last_run_duration_seconds = summary.last_duration_seconds;
  out.last_run_exit_code = summary.last_exit_code;
  out.last_run_records = summary.last_records;
  out.last_run_bytes = summary.last_bytes;
  out.records_total = summary.records_total;
  out.bytes_total = summary.bytes_total;
  out.runs_total = summary.runs_total;
  out.consecutive_failures =
      static_cast<std::uint64_t>(summary.consecutive_failures);
  return out;
}

} // namespace

Result<void>
export_metrics(const config::Config& config, state::StateStore& store)
{
  if (!config.metrics_file) {
    return {};
  }
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(
      std::chrono::system_clock::now());
  TRY_ASSIGN(const auto views, overview(config, store, now));
  std::vector<metrics::IntegrationMetrics> rows;
  rows.reserve(views.size());
  for (const auto& view : views) {
    rows.push_back(metrics_of(view));
  }
  return metrics::write_file_atomically(*config.metrics_file,
                                        metrics::render(rows));
}

} // namespace tapline::sync
