// runner/sync/run_integration.hpp
#pragma once

// One run of one integration, end to end: record the run, write the tap's
// config and last committed state into a private directory, start the
// destination and the tap, pump messages, stop on timeouts and signals,
// commit only confirmed states, and record the outcome. Never throws; the
// result says what happened and which error code it maps to.

#include <runner/auth/watch.hpp>
#include <runner/config/config.hpp>
#include <runner/state/state_store.hpp>
#include <runner/sync/pump.hpp>
#include <runner/util/result.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tapline::sync {

struct RunOptions
{
  int stop_fd = -1; // readable when SIGINT/SIGTERM arrived
  // Called about once a second from the watchdog thread.
  std::function<void(const PumpProgress&)> on_progress;
  // tapline's own warnings about the run (also written to the run log).
  std::function<void(std::string_view)> on_warning;
  // Run even if the integration is paused (needs reauthorization).
  bool force = false;
  // Set by the scheduler. Asked once the run holds the integration's lock;
  // a reason means the run is not needed after all (the slot was used
  // meanwhile) and the result has outcome "skipped". With it set, a lock
  // held by another run is a skip too, not an error.
  std::function<Result<std::optional<std::string>>(state::StateStore&)>
      skip_under_lock;
};

// The lock file a run of `integration` holds (see util::FileLock).
[[nodiscard]] std::filesystem::path lock_path(const config::Config& config,
                                              const std::string& integration);

struct RunResult
{
  std::int64_t run_id = 0;
  std::string outcome; // succeeded, degraded, failed, interrupted, skipped
  std::string skip_reason;
  std::optional<Error> error;
  std::vector<std::string> warnings; // degraded: what the tap skipped
  bool paused = false;               // this run paused the integration
  bool retry_after_refresh = false;  // access token expired: retry once
  bool retry_with_backoff = false;   // transient (429, 5xx): retry later
  auth::Decision auth;               // the auth watch's verdict
  PumpStats stats;
  std::filesystem::path log_path;
  std::chrono::milliseconds duration{0};
  std::uint64_t commits = 0;

  [[nodiscard]] int
  exit_code() const
  {
    return error ? exit_code_for(error->code) : 0;
  }
};

// Fails only when the run cannot start at all: the integration is paused
// (`auth`, or `transient` when held by hand, unless options.force), already
// running (`transient`), its auth
// rules do not load (`config`), or the run cannot be recorded.
[[nodiscard]] Result<RunResult>
run_integration(const config::Config& config,
                const config::Integration& integration,
                state::StateStore& store,
                const RunOptions& options);

} // namespace tapline::sync
