// runner/sync/run_verdict.hpp
#pragma once

// What a finished run amounts to: its error (and so its exit code), its
// outcome word, and whether the integration must be paused. This is where
// the auth watch's decision meets everything else that can end a run:
// timeouts and signals, invalid Singer data, a failed target, the tap's
// exit. Pure: no processes, no store.

#include <runner/auth/watch.hpp>
#include <runner/process/child.hpp>
#include <runner/sync/watchdog.hpp>
#include <runner/util/result.hpp>

#include <optional>
#include <string>
#include <vector>

namespace tapline::sync {

struct RunFacts
{
  StopReason stop_reason = StopReason::none;
  std::string stop_description;    // the watchdog's, for timeouts/signals
  std::optional<Error> pump_error; // invalid data, target stopped reading
  process::ExitStatus tap_status;
  std::optional<Error> target_error; // the sink's finish()
  std::optional<Error> commit_error;
  std::string tap_last_line; // last stderr line, for "tap exited with 1: ..."
  auth::Decision auth;       // the watch's verdict
  bool pause_on_partial_permissions = false;
};

struct RunVerdict
{
  std::optional<Error> error;
  std::string outcome; // succeeded, degraded, failed, interrupted
  std::optional<auth::Decision> pause; // set: the integration needs reauth
  bool retry_after_refresh = false;    // access token expired: one quick retry
  // The tap gave up on a transient cause (429, 5xx, network): worth running
  // again from the bookmark. Timeouts and signals are not: a tap that hangs
  // waits for the next scheduled run.
  bool retry_with_backoff = false;
  std::vector<std::string> warnings; // degraded: what was skipped
};

[[nodiscard]] RunVerdict judge(const RunFacts& facts);

// "token_revoked: Token expired or revoked — re-authorize (rule
// oauth.invalid_grant)" — how a decision reads in errors and status.
[[nodiscard]] std::string describe(const auth::Decision& decision);

} // namespace tapline::sync
