// runner/sync/due_plan.cpp
#include <runner/schedule/time_text.hpp>
#include <runner/sync/due_plan.hpp>
#include <runner/sync/tap_credentials.hpp>

#include <fmt/format.h>

namespace tapline::sync {

namespace {

// A paused integration whose credentials someone edited (the tap's config
// file, tapline.yaml, the environment) is due: the run verifies them and
// resumes it if they work. Unchanged credentials would fail again.
Result<bool>
credentials_changed(const config::Config& config,
                    const config::Integration& integration,
                    const state::IntegrationStatus& status)
{
  if (status.fingerprint.empty()) {
    return false;
  }
  TRY_ASSIGN(const auto credentials, TapCredentials::load(config, integration));
  TRY_ASSIGN(const auto now, credentials->fingerprint());
  return now != status.fingerprint;
}

std::string
failures_text(int failures)
{
  return failures == 1 ? "1 failure" : fmt::format("{} failures", failures);
}

Result<void>
decide(const config::Config& config, PlanEntry& entry, schedule::TimePoint now)
{
  const auto& view = entry.view;
  const auto& name = view.integration->name;
  const auto& due = *view.due;
  if (view.running) {
    entry.action = PlanAction::skip;
    entry.reason =
        fmt::format("already running ({})", view.running->describe());
    return {};
  }
  if (view.health == Health::paused) {
    entry.action = PlanAction::skip;
    entry.reason = fmt::format(
        "paused by hand since {}{}; `tapline resume {}` releases it",
        view.status->since,
        view.status->explanation.empty()
            ? ""
            : " (" + view.status->explanation + ")",
        name);
    return {};
  }
  if (view.health == Health::needs_reauth) {
    TRY_ASSIGN(const bool changed,
               credentials_changed(config, *view.integration, *view.status));
    if (changed) {
      entry.action = PlanAction::run;
      entry.reason = "credentials changed while paused: verify, then resume";
      return {};
    }
    entry.action = PlanAction::skip;
    entry.reason = fmt::format(
        "needs reauthorization since {} ({}): run `tapline reauth {}`",
        view.status->since,
        view.status->auth_class,
        name);
    return {};
  }
  if (due.at <= now) {
    entry.action = PlanAction::run;
    if (!view.summary || !view.summary->slot_started_unix) {
      entry.reason = "due: never ran";
    } else if (due.failures > 0) {
      entry.reason = fmt::format("due since {} (retry after {})",
                                 schedule::format_utc(due.at),
                                 failures_text(due.failures));
    } else {
      entry.reason = fmt::format("due since {}", schedule::format_utc(due.at));
    }
    return {};
  }
  // A failing integration whose slot came but whose backoff has not run
  // out is skipped, and says so: that is a slot not used.
  if (due.backing_off && view.summary && view.summary->slot_started_unix &&
      view.integration->schedule->next_after(schedule::TimePoint{
          std::chrono::seconds{*view.summary->slot_started_unix}}) <= now) {
    entry.action = PlanAction::skip;
    entry.reason = fmt::format("backing off after {}; next try at {}",
                               failures_text(due.failures),
                               schedule::format_utc(due.at));
    return {};
  }
  entry.action = PlanAction::wait;
  entry.reason = fmt::format("next due at {}", schedule::format_utc(due.at));
  return {};
}

} // namespace

std::string_view
action_name(PlanAction action)
{
  switch (action) {
  case PlanAction::run:
    return "run";
  case PlanAction::skip:
    return "skip";
  case PlanAction::wait:
    return "wait";
  }
  return "wait";
}

Result<std::vector<PlanEntry>>
plan_due(const config::Config& config,
         state::StateStore& store,
         schedule::TimePoint now)
{
  TRY_ASSIGN(auto views, overview(config, store, now));
  std::vector<PlanEntry> plan;
  plan.reserve(views.size());
  for (auto& view : views) {
    if (!view.due) {
      continue;
    }
    PlanEntry entry;
    entry.view = std::move(view);
    TRY(decide(config, entry, now));
    plan.push_back(std::move(entry));
  }
  return plan;
}

Result<std::optional<std::string>>
not_due_reason(const config::Integration& integration,
               state::StateStore& store,
               schedule::TimePoint now)
{
  TRY_ASSIGN(const auto summary, store.run_summary(integration.name));
  const auto due = due_time(integration, summary, now);
  if (!due || due->at <= now) {
    return std::optional<std::string>{};
  }
  return std::optional<std::string>(
      fmt::format("not due any more: it ran at {}; next due at {}",
                  summary ? summary->last_started_at : std::string("?"),
                  schedule::format_utc(due->at)));
}

} // namespace tapline::sync
