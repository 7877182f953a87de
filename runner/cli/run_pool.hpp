// runner/cli/run_pool.hpp
#pragma once

// The scheduler's runs in flight. Each due integration runs in its own
// `tapline run NAME --scheduled` process: a run that crashes cannot take the
// scheduler (or the daemon) down with it, each process reaps its own tap's
// orphans as subreaper, and each takes the integration's lock itself. A
// stop signal is passed on as SIGTERM, which a run answers by halting
// cleanly with its confirmed state committed.

#include <runner/process/child.hpp>
#include <runner/state/state_store.hpp>
#include <runner/util/result.hpp>
#include <runner/util/unique_fd.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tapline::cli {

struct FinishedRun
{
  std::string integration;
  pid_t pid = 0;
  process::ExitStatus status;
  std::chrono::milliseconds duration{0};
  std::string output; // ChildOutput::capture: the last 4 KiB it printed

  // The run's exit code; a run killed by a signal counts as internal (70).
  [[nodiscard]] int exit_code() const;
};

enum class ChildOutput {
  inherit,     // the runs' summary lines and errors go where ours go
  stderr_only, // stdout carries our own JSON: runs print to stderr
  capture,     // our stderr carries JSON logs: keep what runs print
};

class RunPool
{
public:
  RunPool(std::filesystem::path config_file,
          std::optional<std::string> now,
          ChildOutput output);

  [[nodiscard]] Result<pid_t> start(const std::string& integration);

  [[nodiscard]] std::size_t
  size() const
  {
    return m_runs.size();
  }
  [[nodiscard]] bool running(const std::string& integration) const;

  // Reap the runs that ended, without blocking.
  [[nodiscard]] std::vector<FinishedRun> reap();

  // Pass `signal` on to every run in flight.
  void signal_all(int signal) const;

private:
  struct Run
  {
    std::string integration;
    process::Child child;
    std::chrono::steady_clock::time_point started;
    util::UniqueFd output; // ChildOutput::capture: an unlinked file
  };

  std::filesystem::path m_config_file;
  std::optional<std::string> m_now;
  ChildOutput m_output;
  std::filesystem::path m_self;
  std::vector<Run> m_runs;
};

// The runs process `pid` recorded for `integration`, oldest first (a run
// retried after a transient failure has several; a skipped one none).
[[nodiscard]] std::vector<state::RunEntry> runs_started_by(
    state::StateStore& store, const std::string& integration, pid_t pid);

// Sleep up to `timeout`, waking early when one of `fds` becomes readable;
// drains what it read so the next wait sleeps again (self-pipes).
void wait_for_signal(std::initializer_list<int> fds,
                     std::chrono::milliseconds timeout);

} // namespace tapline::cli
