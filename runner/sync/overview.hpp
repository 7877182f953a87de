// runner/sync/overview.hpp
#pragma once

// Where every configured integration stands: its health (the word `status`
// shows), its last run, whether a run holds its lock right now, and for a
// scheduled one when it is next due. Read in bulk (one query per table), so
// `status`, `run --due` and the metrics file cost the same for 10 or
// 100,000 integrations.

#include <runner/config/config.hpp>
#include <runner/schedule/due.hpp>
#include <runner/state/state_store.hpp>
#include <runner/util/file_lock.hpp>
#include <runner/util/result.hpp>

#include <optional>
#include <string_view>
#include <vector>

namespace tapline::sync {

enum class Health {
  active,       // ran fine last time, or never ran
  running,      // a run holds the lock now
  needs_reauth, // paused by an auth failure
  failing,      // the last run failed (not for auth)
  degraded,     // the last run succeeded but skipped streams
  paused,       // held by hand (`tapline pause`)
};

// "active", "running", ... as stored and in JSON.
[[nodiscard]] std::string_view health_name(Health health);
// "ACTIVE", "RUNNING", "NEEDS REAUTH", ... as `status` prints it.
[[nodiscard]] std::string_view health_label(Health health);

struct IntegrationView
{
  const config::Integration* integration = nullptr;
  Health health = Health::active;
  std::optional<state::RunSummary> summary;       // nullopt: never ran
  std::optional<state::IntegrationStatus> status; // stored pause, if any
  std::optional<util::LockOwner> running;         // who runs it now
  std::optional<schedule::DueTime> due;           // scheduled integrations only
};

// One view per configured integration, in configuration order. `now` is
// when the due times are computed for (injectable for tests and what-if).
[[nodiscard]] Result<std::vector<IntegrationView>>
overview(const config::Config& config,
         state::StateStore& store,
         schedule::TimePoint now);

// The schedule's view of one integration's history.
[[nodiscard]] schedule::RunHistory
run_history(const std::optional<state::RunSummary>& summary);

// Due time of a scheduled integration; nullopt for one without a schedule.
[[nodiscard]] std::optional<schedule::DueTime>
due_time(const config::Integration& integration,
         const std::optional<state::RunSummary>& summary,
         schedule::TimePoint now);

} // namespace tapline::sync
