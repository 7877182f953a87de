// runner/sync/pause.cpp
#include <runner/alert/dispatcher.hpp>
#include <runner/sync/pause.hpp>
#include <runner/sync/run_verdict.hpp>
#include <runner/util/time.hpp>

#include <fmt/format.h>

namespace tapline::sync {

namespace {

constexpr std::string_view k_needs_reauth = "needs_reauth";
// Held by hand (`tapline pause`); the word users see is PAUSED.
constexpr std::string_view k_held = "paused";
constexpr std::size_t k_max_evidence = 2000;

alert::AlertSettings
alert_settings(const config::AlertConfig& alerts)
{
  alert::AlertSettings settings;
  if (alerts.webhook) {
    alert::WebhookSettings webhook;
    webhook.url = alerts.webhook->url;
    webhook.timeout = alerts.webhook->timeout;
    webhook.retries = alerts.webhook->retries;
    webhook.headers = alerts.webhook->headers;
    settings.webhook = std::move(webhook);
  }
  if (!alerts.command.empty()) {
    settings.command = alerts.command;
  }
  return settings;
}

// Alerts are best effort: a failed webhook is logged and recorded, and never
// changes the outcome of the run that triggered it.
void
send_alert(const config::Config& config,
           state::StateStore& store,
           const alert::AlertEvent& event,
           const Redact& redact,
           const Log& log)
{
  if (!config.alerts.webhook && config.alerts.command.empty()) {
    return;
  }
  alert::AlertDispatcher dispatcher(alert_settings(config.alerts), redact, log);
  const auto sent = dispatcher.send(event);
  const std::string detail = sent ? event.status
                                  : fmt::format("{} (failed: {})",
                                                event.status,
                                                sent.error().to_string());
  (void)store.record_event(event.integration, "alert", detail);
  if (!sent && log) {
    log(fmt::format("alert not delivered: {}", sent.error().to_string()));
  }
}

} // namespace

Result<void>
pause_integration(const config::Config& config,
                  state::StateStore& store,
                  const std::string& integration,
                  const auth::Decision& decision,
                  std::int64_t run_id,
                  const Redact& redact,
                  const Log& log)
{
  TRY_ASSIGN(const auto before, store.integration_status(integration));
  const bool was_paused = before && before->status == k_needs_reauth;
  state::IntegrationStatus status;
  status.integration = integration;
  status.status = k_needs_reauth;
  status.auth_class = auth::to_string(decision.auth_class);
  status.rule_id = decision.rule_id;
  status.explanation = decision.explanation;
  const std::string evidence =
      redact ? redact(decision.record) : decision.record;
  status.evidence = evidence.substr(0, k_max_evidence);
  status.run_id = run_id;
  status.since = was_paused ? before->since : util::now_iso8601();
  status.fingerprint = before ? before->fingerprint : "";
  TRY(store.set_integration_status(status));
  TRY(store.record_event(integration, "paused", describe(decision)));
  if (was_paused) {
    return {};
  }
  alert::AlertEvent event;
  event.integration = integration;
  event.status = std::string(k_needs_reauth);
  event.auth_class = status.auth_class;
  event.explanation = decision.explanation;
  event.run_id = run_id;
  event.time = util::now_iso8601();
  event.evidence = status.evidence;
  send_alert(config, store, event, redact, log);
  return {};
}

Result<void>
resume_integration(const config::Config& config,
                   state::StateStore& store,
                   const std::string& integration,
                   std::int64_t run_id,
                   const std::string& reason,
                   const Log& log)
{
  TRY_ASSIGN(auto status, store.integration_status(integration));
  if (!status || status->status != k_needs_reauth) {
    return {};
  }
  const std::string auth_class = status->auth_class;
  status->status = "active";
  status->since = util::now_iso8601();
  status->run_id = run_id;
  TRY(store.set_integration_status(*status));
  TRY(store.record_event(integration, "resumed", reason));
  alert::AlertEvent event;
  event.integration = integration;
  event.status = "recovered";
  event.auth_class = auth_class;
  event.explanation = reason;
  event.run_id = run_id;
  event.time = util::now_iso8601();
  send_alert(config, store, event, {}, log);
  return {};
}

Result<std::optional<Error>>
paused_error(state::StateStore& store, const std::string& integration)
{
  TRY_ASSIGN(const auto status, store.integration_status(integration));
  if (status && status->status == k_held) {
    return std::optional<Error>(Error{
        ErrorCode::transient,
        fmt::format(
            "paused by hand since {}{}; `tapline resume {}` to "
            "release it, or run with --force",
            status->since,
            status->explanation.empty() ? "" : " (" + status->explanation + ")",
            integration),
        {}});
  }
  if (!status || status->status != k_needs_reauth) {
    return std::optional<Error>{};
  }
  return std::optional<Error>(
      Error{ErrorCode::auth,
            fmt::format(
                "paused: needs reauthorization since {} — {}: {}{}; fix the "
                "credentials "
                "and run `tapline reauth {}`, or run with --force",
                status->since,
                status->auth_class,
                status->explanation,
                status->run_id ? fmt::format(" (run {})", *status->run_id) : "",
                integration),
            {}});
}

Result<HoldChange>
hold_integration(state::StateStore& store,
                 const std::string& integration,
                 const std::string& reason)
{
  TRY_ASSIGN(auto status, store.integration_status(integration));
  if (status && status->status == k_needs_reauth) {
    return HoldChange::refused;
  }
  if (status && status->status == k_held) {
    return HoldChange::unchanged;
  }
  state::IntegrationStatus held;
  held.integration = integration;
  held.status = std::string(k_held);
  held.explanation = reason;
  held.since = util::now_iso8601();
  if (status) {
    held.fingerprint = status->fingerprint;
  }
  TRY(store.set_integration_status(held));
  TRY(store.record_event(integration, "held", reason));
  return HoldChange::changed;
}

Result<HoldChange>
release_integration(state::StateStore& store, const std::string& integration)
{
  TRY_ASSIGN(auto status, store.integration_status(integration));
  if (status && status->status == k_needs_reauth) {
    return HoldChange::refused;
  }
  if (!status || status->status != k_held) {
    return HoldChange::unchanged;
  }
  status->status = "active";
  status->explanation.clear();
  status->since = util::now_iso8601();
  TRY(store.set_integration_status(*status));
  TRY(store.record_event(integration, "released", ""));
  return HoldChange::changed;
}

} // namespace tapline::sync
