// runner/sync/run_verdict.cpp
#include <runner/sync/run_verdict.hpp>

#include <fmt/format.h>

namespace tapline::sync {

namespace {

// The error for a run the auth watch classified, or nullopt when its action
// does not end the run in an error of its own.
std::optional<Error>
auth_error(const auth::Decision& decision, RunVerdict& verdict)
{
  switch (decision.action) {
  case auth::Action::pause_reauth:
  case auth::Action::pause_permissions:
    verdict.pause = decision;
    return Error{ErrorCode::auth,
                 "authentication failure, integration paused: " +
                     describe(decision),
                 {}};
  case auth::Action::refresh_and_retry:
    verdict.retry_after_refresh = true;
    return Error{ErrorCode::transient,
                 "access token expired: " + describe(decision),
                 {}};
  case auth::Action::retry_backoff:
    verdict.retry_with_backoff = true;
    return Error{ErrorCode::transient,
                 "transient failure, retry later: " + describe(decision),
                 {}};
  case auth::Action::fail_config:
    return Error{
        ErrorCode::config,
        "the tap reports a configuration problem (new credentials will not fix "
        "it): " +
            describe(decision),
        {}};
  case auth::Action::warn_only:
  case auth::Action::none:
  case auth::Action::fail:
    break;
  }
  return std::nullopt;
}

} // namespace

std::string
describe(const auth::Decision& decision)
{
  std::string text = fmt::format(
      "{}: {}", auth::to_string(decision.auth_class), decision.explanation);
  if (!decision.rule_id.empty()) {
    text += fmt::format(" (rule {})", decision.rule_id);
  }
  return text;
}

RunVerdict
judge(const RunFacts& facts)
{
  RunVerdict verdict;
  const auto settle = [&](std::optional<Error> error) {
    verdict.error = std::move(error);
    if (!verdict.error) {
      verdict.outcome = verdict.warnings.empty() ? "succeeded" : "degraded";
    } else if (facts.stop_reason == StopReason::signal) {
      verdict.outcome = "interrupted";
    } else {
      verdict.outcome = "failed";
    }
    return verdict;
  };

  // The auth watch stopped the tap: its decision is the reason.
  if (facts.stop_reason == StopReason::auth) {
    if (auto error = auth_error(facts.auth, verdict)) {
      return settle(std::move(error));
    }
  }
  if (facts.stop_reason != StopReason::none &&
      facts.stop_reason != StopReason::auth) {
    return settle(Error{ErrorCode::transient, facts.stop_description, {}});
  }
  if (facts.pump_error && facts.pump_error->code != ErrorCode::unavailable) {
    return settle(facts.pump_error);
  }
  if (facts.target_error) {
    return settle(facts.target_error);
  }
  if (facts.pump_error) {
    return settle(facts.pump_error);
  }
  if (!facts.tap_status.success()) {
    if (auto error = auth_error(facts.auth, verdict)) {
      return settle(std::move(error));
    }
    std::string message = "tap " + facts.tap_status.describe();
    if (!facts.tap_last_line.empty()) {
      message += ": " + facts.tap_last_line;
    }
    return settle(Error{ErrorCode::unavailable, message, {}});
  }
  // The tap exited 0 but reported a lost permission: a degraded run, or a
  // pause when the integration asks for one.
  if (facts.auth.action == auth::Action::warn_only) {
    if (facts.pause_on_partial_permissions &&
        facts.auth.auth_class == auth::AuthClass::insufficient_permissions) {
      auto decision = facts.auth;
      decision.action = auth::Action::pause_permissions;
      return settle(auth_error(decision, verdict));
    }
    verdict.warnings.push_back(describe(facts.auth));
  }
  if (facts.commit_error) {
    return settle(facts.commit_error);
  }
  return settle(std::nullopt);
}

} // namespace tapline::sync
