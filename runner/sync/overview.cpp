// runner/sync/overview.cpp
#include <runner/process/child.hpp>
#include <runner/sync/overview.hpp>
#include <runner/sync/run_integration.hpp>

#include <string>
#include <unordered_map>

namespace tapline::sync {

namespace {

schedule::TimePoint
from_unix(int64_t seconds)
{
  return schedule::TimePoint{std::chrono::seconds{seconds}};
}

// A run in progress left its lock file's owner record; the kernel lock says
// whether it is alive, but probing it could make a concurrent run's attempt
// fail, so liveness is checked by pid for runs on this machine. Another
// machine's run (a shared data directory) is taken at its word.
Result<std::optional<util::LockOwner>>
running_owner(const config::Config& config,
              const std::string& integration,
              const std::string& host)
{
  TRY_ASSIGN(auto owner,
             util::FileLock::recorded_owner(lock_path(config, integration)));
  if (!owner) {
    return owner;
  }
  if (owner->host == host &&
      !process::is_alive(static_cast<pid_t>(owner->pid))) {
    return std::optional<util::LockOwner>{};
  }
  return owner;
}

Health
health_of(const IntegrationView& view)
{
  if (view.running) {
    return Health::running;
  }
  if (view.status && view.status->status == "needs_reauth") {
    return Health::needs_reauth;
  }
  if (view.status && view.status->status == "paused") {
    return Health::paused;
  }
  if (view.summary && view.summary->last_outcome == "failed" &&
      view.summary->consecutive_failures > 0) {
    return Health::failing;
  }
  if (view.summary && view.summary->last_outcome == "degraded") {
    return Health::degraded;
  }
  return Health::active;
}

template<typename Row>
std::unordered_map<std::string, Row>
by_integration(std::vector<Row> rows)
{
  std::unordered_map<std::string, Row> map;
  map.reserve(rows.size());
  for (auto& row : rows) {
    auto name = row.integration;
    map.emplace(std::move(name), std::move(row));
  }
  return map;
}

} // namespace

std::string_view
health_name(Health health)
{
  switch (health) {
  case Health::active:
    return "active";
  case Health::running:
    return "running";
  case Health::needs_reauth:
    return "needs_reauth";
  case Health::failing:
    return "failing";
  case Health::degraded:
    return "degraded";
  case Health::paused:
    return "paused";
  }
  return "active";
}

std::string_view
health_label(Health health)
{
  switch (health) {
  case Health::active:
    return "ACTIVE";
  case Health::running:
    return "RUNNING";
  case Health::needs_reauth:
    return "NEEDS REAUTH";
  case Health::failing:
    return "FAILING";
  case Health::degraded:
    return "DEGRADED";
  case Health::paused:
    return "PAUSED";
  }
  return "ACTIVE";
}

schedule::RunHistory
run_history(const std::optional<state::RunSummary>& summary)
{
  schedule::RunHistory history;
  if (!summary) {
    return history;
  }
  if (summary->slot_started_unix) {
    history.slot_start = from_unix(*summary->slot_started_unix);
  }
  if (summary->last_ended_unix) {
    history.last_end = from_unix(*summary->last_ended_unix);
  }
  history.consecutive_failures = summary->consecutive_failures;
  return history;
}

std::optional<schedule::DueTime>
due_time(const config::Integration& integration,
         const std::optional<state::RunSummary>& summary,
         schedule::TimePoint now)
{
  if (!integration.schedule) {
    return std::nullopt;
  }
  const schedule::Backoff backoff{integration.failure_backoff.backoff,
                                  integration.failure_backoff.max_backoff};
  return schedule::next_due(
      *integration.schedule, run_history(summary), backoff, now);
}

Result<std::vector<IntegrationView>>
overview(const config::Config& config,
         state::StateStore& store,
         schedule::TimePoint now)
{
  TRY_ASSIGN(auto summaries_list, store.run_summaries());
  TRY_ASSIGN(auto statuses_list, store.integration_statuses());
  auto summaries = by_integration(std::move(summaries_list));
  auto statuses = by_integration(std::move(statuses_list));
  const auto host = util::host_name();

  std::vector<IntegrationView> views;
  views.reserve(config.integrations.size());
  for (const auto& integration : config.integrations) {
    IntegrationView view;
    view.integration = &integration;
    if (auto found = summaries.find(integration.name);
        found != summaries.end()) {
      view.summary = std::move(found->second);
    }
    if (auto found = statuses.find(integration.name); found != statuses.end()) {
      view.status = std::move(found->second);
    }
    // Only a run that recorded its start can be in progress; the lock
    // file is read for those alone.
    if (view.summary && view.summary->last_outcome == "running") {
      TRY_ASSIGN(view.running, running_owner(config, integration.name, host));
    }
    view.due = due_time(integration, view.summary, now);
    view.health = health_of(view);
    views.push_back(std::move(view));
  }
  return views;
}

} // namespace tapline::sync
