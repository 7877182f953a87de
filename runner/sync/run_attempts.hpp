// runner/sync/run_attempts.hpp
#pragma once

// Runs an integration again, from its last confirmed bookmark, while it
// fails for a reason that is worth retrying soon: transient failures (429,
// 5xx, network) with exponential backoff up to `retry.attempts` runs, and an
// expired access token once at once (the tap refreshes it when it starts).
// A second expired-token failure means the refresh does not help: the
// integration is paused as token_revoked. Auth failures and invalid data are
// never retried.

#include <runner/config/config.hpp>
#include <runner/state/state_store.hpp>
#include <runner/sync/run_integration.hpp>
#include <runner/util/result.hpp>

#include <chrono>
#include <functional>

namespace tapline::sync {

// Called before each retry with the failed run and the wait before the next.
using OnRetry =
    std::function<void(const RunResult& failed, std::chrono::seconds wait)>;

[[nodiscard]] Result<RunResult>
run_with_retries(const config::Config& config,
                 const config::Integration& integration,
                 state::StateStore& store,
                 const RunOptions& options,
                 const OnRetry& on_retry);

// The wait before retry number `retry` (1-based): backoff * 2^(retry-1),
// capped at max_backoff.
[[nodiscard]] std::chrono::seconds
backoff_for(const config::RetrySettings& settings, int retry);

} // namespace tapline::sync
