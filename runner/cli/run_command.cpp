// runner/cli/run_command.cpp
//
// `tapline run NAME...`: runs the named integrations one after another,
// prints one summary line each on stdout, errors on stderr, and exits with
// the most severe code. On a terminal, a progress line on stderr shows
// records per second and per stream. `run --due` is in due_command.cpp; it
// starts `run NAME --scheduled` for each due integration, which asks again
// under the lock whether the slot is still unused.

#include <runner/cli/commands.hpp>
#include <runner/cli/format.hpp>
#include <runner/cli/time_option.hpp>
#include <runner/process/signals.hpp>
#include <runner/process/subreaper.hpp>
#include <runner/sync/due_plan.hpp>
#include <runner/sync/metrics_export.hpp>
#include <runner/sync/run_attempts.hpp>
#include <runner/sync/run_integration.hpp>

#include <fmt/format.h>

#include <unistd.h>

#include <cstdio>

namespace tapline::cli {

namespace {

std::string
stream_counts(const std::vector<sync::StreamCount>& streams)
{
  std::string out;
  for (const auto& stream : streams) {
    out += fmt::format("{}{} {}",
                       out.empty() ? "" : ", ",
                       stream.stream,
                       with_commas(stream.records));
  }
  return out;
}

// Rewrites one stderr line about once a second while a run is going.
class ProgressLine
{
public:
  explicit ProgressLine(std::string name)
      : m_name(std::move(name)), m_enabled(::isatty(STDERR_FILENO) == 1)
  {
  }

  void
  update(const sync::PumpProgress& progress)
  {
    if (!m_enabled) {
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    const auto records = progress.records.load();
    const double seconds =
        std::chrono::duration<double>(now - m_last_time).count();
    const auto rate =
        seconds > 0
            ? static_cast<std::uint64_t>(
                  static_cast<double>(records - m_last_records) / seconds)
            : 0;
    m_last_time = now;
    m_last_records = records;
    auto line = fmt::format("{}: {} records, {}/s, {} read; {}",
                            m_name,
                            with_commas(records),
                            with_commas(rate),
                            human_bytes(progress.bytes.load()),
                            stream_counts(progress.snapshot()));
    if (line.size() > 150) {
      line.resize(150);
    }
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
    m_shown = true;
  }

  void
  clear()
  {
    if (m_shown) {
      std::fprintf(stderr, "\r\033[K");
      std::fflush(stderr);
    }
  }

private:
  std::string m_name;
  bool m_enabled;
  bool m_shown = false;
  std::chrono::steady_clock::time_point m_last_time =
      std::chrono::steady_clock::now();
  std::uint64_t m_last_records = 0;
};

int
run_one(Context& context,
        const config::Integration& integration,
        int stop_fd,
        const RunRequest& request,
        std::optional<schedule::TimePoint> scheduled_at)
{
  ProgressLine progress(integration.name);
  sync::RunOptions options;
  options.stop_fd = stop_fd;
  options.force = request.force;
  if (scheduled_at) {
    options.skip_under_lock = [&integration,
                               when = *scheduled_at](state::StateStore& store) {
      return sync::not_due_reason(integration, store, when);
    };
  }
  options.on_progress = [&](const sync::PumpProgress& pump) {
    progress.update(pump);
  };
  options.on_warning = [&](std::string_view message) {
    progress.clear();
    std::fprintf(stderr,
                 "tapline: %s: warning: %.*s\n",
                 integration.name.c_str(),
                 static_cast<int>(message.size()),
                 message.data());
  };
  const auto on_retry = [&](const sync::RunResult& failed,
                            std::chrono::seconds wait) {
    progress.clear();
    fmt::print(
        stderr,
        "tapline: {}: run {} failed ({}); retrying from the bookmark in {}s\n",
        integration.name,
        failed.run_id,
        failed.error ? failed.error->to_string() : "",
        wait.count());
  };
  auto run = sync::run_with_retries(
      context.config, integration, *context.store, options, on_retry);
  progress.clear();
  if (!run) {
    return report(run.error(), integration.name);
  }
  const auto& result = *run;
  if (result.outcome == "skipped") {
    fmt::print("{}: skipped: {}\n", integration.name, result.skip_reason);
    std::fflush(stdout);
    return 0;
  }
  if (auto exported = sync::export_metrics(context.config, *context.store);
      !exported) {
    fmt::print(stderr,
               "tapline: {}: warning: metrics file not written: {}\n",
               integration.name,
               exported.error().to_string());
  }
  const auto counts = stream_counts(result.stats.streams);
  fmt::print("{}: {}{} — {} records{}, {} in {}; {}; log {}\n",
             integration.name,
             result.outcome,
             result.error ? fmt::format(" (exit {})", result.exit_code()) : "",
             with_commas(result.stats.records),
             counts.empty() ? "" : " (" + counts + ")",
             human_bytes(result.stats.bytes),
             human_duration(result.duration),
             result.commits > 0 ? "bookmark committed" : "bookmark unchanged",
             result.log_path.string());
  std::fflush(stdout);
  if (result.error) {
    return report(*result.error, integration.name);
  }
  return 0;
}

} // namespace

int
run_command(const GlobalOptions& global, const RunRequest& request)
{
  if (request.due) {
    return run_due_command(global, request);
  }
  if (request.names.empty()) {
    return report(Error{ErrorCode::usage,
                        "name the integrations to run, or give --due to run "
                        "those whose schedule says so",
                        {}});
  }
  std::optional<schedule::TimePoint> scheduled_at;
  if (request.scheduled) {
    auto now = now_or(request.now);
    if (!now) {
      return report(now.error());
    }
    scheduled_at = *now;
  }
  auto context = open_context(global);
  if (!context) {
    return report(context.error());
  }
  std::vector<const config::Integration*> selected;
  for (const auto& name : request.names) {
    auto integration = find_integration(context->config, name);
    if (!integration) {
      return report(integration.error());
    }
    selected.push_back(*integration);
  }
  const int stop_fd = process::install_stop_signal_handlers();
  process::become_subreaper();
  int exit_code = 0;
  for (const auto* integration : selected) {
    if (process::stop_signal() != 0) {
      break;
    }
    exit_code = most_severe(
        exit_code,
        run_one(*context, *integration, stop_fd, request, scheduled_at));
  }
  return exit_code;
}

} // namespace tapline::cli
