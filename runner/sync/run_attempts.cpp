// runner/sync/run_attempts.cpp
#include <runner/process/signals.hpp>
#include <runner/sync/pause.hpp>
#include <runner/sync/run_attempts.hpp>
#include <runner/sync/run_verdict.hpp>

#include <fmt/format.h>

#include <thread>

namespace tapline::sync {

namespace {

// Sleeps `wait`, waking early when a stop signal arrives. Returns false
// when interrupted.
bool
wait_unless_stopped(std::chrono::seconds wait)
{
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < deadline) {
    if (process::stop_signal() != 0) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return process::stop_signal() == 0;
}

bool
worth_retrying(const RunResult& result)
{
  return result.error && result.error->code == ErrorCode::transient &&
         result.outcome != "interrupted" &&
         (result.retry_with_backoff || result.retry_after_refresh);
}

} // namespace

std::chrono::seconds
backoff_for(const config::RetrySettings& settings, int retry)
{
  auto wait = settings.backoff;
  for (int i = 1; i < retry && wait < settings.max_backoff; ++i) {
    wait *= 2;
  }
  return std::min(wait, settings.max_backoff);
}

Result<RunResult>
run_with_retries(const config::Config& config,
                 const config::Integration& integration,
                 state::StateStore& store,
                 const RunOptions& options,
                 const OnRetry& on_retry)
{
  bool refreshed = false;
  int backoff_retries = 0;
  for (int attempt = 1;; ++attempt) {
    TRY_ASSIGN(auto result,
               run_integration(config, integration, store, options));
    if (!worth_retrying(result) || attempt >= integration.retry.attempts) {
      return result;
    }
    std::chrono::seconds wait{0};
    if (result.retry_after_refresh) {
      if (refreshed) {
        // The tap refreshed its token and was refused again: the grant
        // itself is gone.
        auto decision = result.auth;
        decision.auth_class = auth::AuthClass::token_revoked;
        decision.action = auth::Action::pause_reauth;
        decision.explanation =
            "access token rejected again after a refresh — re-authorize";
        TRY(pause_integration(
            config, store, integration.name, decision, result.run_id, {}, {}));
        result.paused = true;
        result.error = Error{ErrorCode::auth,
                             "authentication failure, integration paused: " +
                                 describe(decision),
                             {}};
        return result;
      }
      refreshed = true;
    } else {
      wait = backoff_for(integration.retry, ++backoff_retries);
    }
    if (on_retry) {
      on_retry(result, wait);
    }
    if (!wait_unless_stopped(wait)) {
      return result;
    }
  }
}

} // namespace tapline::sync
