// runner/cli/daemon_command.cpp
//
// `tapline daemon [--jobs N] [--log-format text|json]`: the scheduler of
// `run --due` in a loop. It sleeps until the next integration is due (or a
// run ends, or a signal comes), runs what is due in `tapline run NAME
// --scheduled` processes (see run_pool.hpp), and survives whatever one run
// does. SIGHUP reloads tapline.yaml (a broken one is reported and the old
// one kept); SIGTERM or SIGINT passes the signal on to the runs in flight,
// which halt with their confirmed state committed, and then exits 0.
// Everything it says goes to stderr, as text or one JSON object per line.

#include <runner/cli/commands.hpp>
#include <runner/cli/run_pool.hpp>
#include <runner/process/signals.hpp>
#include <runner/schedule/time_text.hpp>
#include <runner/sync/due_plan.hpp>
#include <runner/util/json_string.hpp>
#include <runner/util/time.hpp>

#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <map>
#include <utility>

namespace tapline::cli {

namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

// Longest sleep without a reason to wake: other processes change the state
// store too (`tapline resume`, `reauth`, a cron tick), and the plan should
// notice within a minute.
constexpr std::chrono::seconds k_max_sleep{60};
// While runs are in flight, how often to look whether one ended.
constexpr std::chrono::milliseconds k_reap_interval{200};
// A run that ended without moving its integration's due time (it could not
// start, or was skipped) is not started again for the same slot sooner.
constexpr std::chrono::seconds k_same_slot_pause{60};

class DaemonLog
{
public:
  explicit DaemonLog(bool json) : m_json(json) {}

  // `message` is the text line; `fields` are the JSON object's keys (their
  // values already JSON-encoded).
  void
  write(std::string_view level,
        std::string_view event,
        std::string_view message,
        const Fields& fields = {}) const
  {
    std::string line;
    if (m_json) {
      line =
          fmt::format("{{\"time\":{},\"level\":{},\"event\":{},\"message\":{}",
                      util::json_string(util::now_iso8601()),
                      util::json_string(level),
                      util::json_string(event),
                      util::json_string(message));
      for (const auto& [key, value] : fields) {
        line += fmt::format(",{}:{}", util::json_string(key), value);
      }
      line += "}\n";
    } else {
      line = fmt::format("{} tapline daemon: {}{}\n",
                         util::now_iso8601(),
                         level == "info" ? "" : std::string(level) + ": ",
                         message);
    }
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
  }

private:
  bool m_json;
};

std::string
json_text(std::string_view text)
{
  return util::json_string(text);
}

struct Started
{
  schedule::TimePoint due_at;
  std::chrono::steady_clock::time_point ended{};
  bool finished = false;
};

class Daemon
{
public:
  Daemon(const GlobalOptions& global,
         const DaemonOptions& options,
         Context context)
      : m_global(global), m_options(options), m_context(std::move(context)),
        m_log(options.log_format == "json"),
        m_pool(m_context.config.file,
               std::nullopt,
               options.log_format == "json" ? ChildOutput::capture
                                            : ChildOutput::stderr_only)
  {
  }

  int
  run()
  {
    const int stop_fd = process::install_stop_signal_handlers();
    const int reload_fd = process::install_reload_signal_handler();
    log_started("started");
    auto wake = std::chrono::steady_clock::now();
    bool replan = true;
    while (process::stop_signal_count() == 0) {
      if (process::take_reload_request()) {
        reload();
        replan = true;
      }
      replan = reap() || replan;
      if (replan || std::chrono::steady_clock::now() >= wake) {
        wake = plan_and_start();
        replan = false;
      }
      auto sleep = std::chrono::duration_cast<std::chrono::milliseconds>(
          wake - std::chrono::steady_clock::now());
      if (m_pool.size() > 0) {
        sleep = std::min(sleep, k_reap_interval);
      }
      wait_for_signal({stop_fd, reload_fd}, sleep);
    }
    return stop();
  }

private:
  void
  log_started(std::string_view event)
  {
    std::size_t scheduled = 0;
    for (const auto& integration : m_context.config.integrations) {
      scheduled += integration.schedule ? 1 : 0;
    }
    m_log.write(
        "info",
        event,
        fmt::format("{} {}: {} integrations, {} scheduled, up to {} "
                    "at once",
                    event,
                    m_context.config.file.string(),
                    m_context.config.integrations.size(),
                    scheduled,
                    m_options.jobs),
        {{"config", json_text(m_context.config.file.string())},
         {"integrations", std::to_string(m_context.config.integrations.size())},
         {"scheduled", std::to_string(scheduled)},
         {"jobs", std::to_string(m_options.jobs)}});
  }

  void
  reload()
  {
    auto reloaded = open_context(m_global);
    if (!reloaded) {
      m_log.write("error",
                  "reload_failed",
                  fmt::format("reload failed, keeping the running "
                              "configuration: {}",
                              reloaded.error().to_string()),
                  {{"error", json_text(reloaded.error().to_string())}});
      return;
    }
    m_context = std::move(*reloaded);
    m_skips.clear();
    log_started("reloaded");
  }

  // Log the runs that ended; true if any did.
  bool
  reap()
  {
    const auto finished = m_pool.reap();
    for (const auto& run : finished) {
      const auto attempts =
          runs_started_by(*m_context.store, run.integration, run.pid);
      if (auto found = m_started.find(run.integration);
          found != m_started.end()) {
        found->second.finished = true;
        found->second.ended = std::chrono::steady_clock::now();
      }
      Fields fields = {{"integration", json_text(run.integration)},
                       {"pid", std::to_string(run.pid)},
                       {"exit_code", std::to_string(run.exit_code())}};
      if (!run.output.empty()) {
        // What the run printed (its summary line, its errors), kept inside
        // the JSON object so every log line stays one object.
        fields.emplace_back("output", json_text(run.output));
      }
      if (attempts.empty()) {
        m_log.write(run.exit_code() == 0 ? "info" : "error",
                    "run_finished",
                    fmt::format("{}: ended without a run ({})",
                                run.integration,
                                run.status.describe()),
                    fields);
        continue;
      }
      const auto& last = attempts.back();
      fields.emplace_back("run_id", std::to_string(last.id));
      fields.emplace_back("outcome", json_text(last.outcome));
      fields.emplace_back("records", std::to_string(last.records));
      fields.emplace_back("bytes", std::to_string(last.bytes));
      fields.emplace_back("attempts", std::to_string(attempts.size()));
      fields.emplace_back("error", json_text(last.error));
      m_log.write(
          run.exit_code() == 0 ? "info" : "error",
          "run_finished",
          fmt::format("{}: run {} {} (exit {}), {} records{}",
                      run.integration,
                      last.id,
                      last.outcome,
                      run.exit_code(),
                      last.records,
                      last.error.empty()
                          ? ""
                          : ": " + last.error.substr(0, last.error.find('\n'))),
          fields);
    }
    return !finished.empty();
  }

  // Start what is due (as far as --jobs allows); returns when to plan again.
  std::chrono::steady_clock::time_point
  plan_and_start()
  {
    const auto clock_now = std::chrono::system_clock::now();
    const auto now = std::chrono::floor<std::chrono::seconds>(clock_now);
    const auto steady_now = std::chrono::steady_clock::now();
    auto next = now + k_max_sleep;
    auto plan = sync::plan_due(m_context.config, *m_context.store, now);
    if (!plan) {
      m_log.write("error",
                  "plan_failed",
                  "cannot plan: " + plan.error().to_string(),
                  {{"error", json_text(plan.error().to_string())}});
      return steady_now + std::chrono::seconds{5};
    }
    for (const auto& entry : *plan) {
      const auto& name = entry.view.integration->name;
      if (entry.action == sync::PlanAction::wait) {
        next = std::min(next, entry.view.due->at);
        m_skips.erase(name);
        continue;
      }
      if (entry.action == sync::PlanAction::skip) {
        if (entry.view.due->at > now) {
          next = std::min(next, entry.view.due->at);
        }
        note_skip(name, entry.reason);
        continue;
      }
      if (m_pool.running(name) ||
          m_pool.size() >= static_cast<std::size_t>(m_options.jobs)) {
        continue; // planned again when a run ends
      }
      if (const auto found = m_started.find(name);
          found != m_started.end() && found->second.finished &&
          found->second.due_at == entry.view.due->at &&
          steady_now - found->second.ended < k_same_slot_pause) {
        continue;
      }
      start(entry);
    }
    return steady_now +
           std::chrono::duration_cast<std::chrono::steady_clock::duration>(
               std::max(next - now, std::chrono::seconds{0}) +
               std::chrono::milliseconds{50});
  }

  void
  note_skip(const std::string& name, const std::string& reason)
  {
    auto& logged = m_skips[name];
    if (logged == reason) {
      return; // said once per reason, not on every tick
    }
    logged = reason;
    m_log.write(
        "warning",
        "skipped",
        fmt::format("{}: skipped: {}", name, reason),
        {{"integration", json_text(name)}, {"reason", json_text(reason)}});
  }

  void
  start(const sync::PlanEntry& entry)
  {
    const auto& name = entry.view.integration->name;
    m_skips.erase(name);
    auto pid = m_pool.start(name);
    if (!pid) {
      m_log.write(
          "error",
          "start_failed",
          fmt::format("{}: cannot start: {}", name, pid.error().to_string()),
          {{"integration", json_text(name)},
           {"error", json_text(pid.error().to_string())}});
      m_started[name] =
          Started{entry.view.due->at, std::chrono::steady_clock::now(), true};
      return;
    }
    m_started[name] = Started{entry.view.due->at, {}, false};
    m_log.write(
        "info",
        "run_started",
        fmt::format("{}: started (pid {}): {}", name, *pid, entry.reason),
        {{"integration", json_text(name)},
         {"pid", std::to_string(*pid)},
         {"reason", json_text(entry.reason)}});
  }

  int
  stop()
  {
    const int signal = process::stop_signal();
    m_log.write("info",
                "stopping",
                fmt::format("signal {}: halting {} run(s) in flight",
                            signal,
                            m_pool.size()),
                {{"signal", std::to_string(signal)},
                 {"in_flight", std::to_string(m_pool.size())}});
    int forwarded = 0;
    while (m_pool.size() > 0) {
      // Each stop signal is passed on; a second one makes the runs stop
      // at once rather than wait for their grace period.
      if (const int count = process::stop_signal_count(); count > forwarded) {
        forwarded = count;
        m_pool.signal_all(SIGTERM);
      }
      reap();
      wait_for_signal({}, k_reap_interval);
    }
    m_log.write("info", "stopped", "stopped");
    return 0;
  }

  const GlobalOptions& m_global;
  DaemonOptions m_options;
  Context m_context;
  DaemonLog m_log;
  RunPool m_pool;
  std::map<std::string, std::string> m_skips; // reason last logged
  std::map<std::string, Started> m_started;
};

} // namespace

int
daemon_command(const GlobalOptions& global, const DaemonOptions& options)
{
  if (options.jobs < 1) {
    return report(Error{ErrorCode::usage, "--jobs: expected at least 1", {}});
  }
  auto context = open_context(global);
  if (!context) {
    return report(context.error());
  }
  Daemon daemon(global, options, std::move(*context));
  return daemon.run();
}

} // namespace tapline::cli
