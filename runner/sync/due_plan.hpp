// runner/sync/due_plan.hpp
#pragma once

// What `run --due` and the daemon do at one instant: for every scheduled
// integration, run it (due), skip it with a reason users must see (paused,
// needs reauthorization, already running, backing off after failures), or
// wait for its next slot. Integrations without a schedule run only when
// named and are not in the plan.

#include <runner/config/config.hpp>
#include <runner/schedule/schedule.hpp>
#include <runner/state/state_store.hpp>
#include <runner/sync/overview.hpp>
#include <runner/util/result.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tapline::sync {

enum class PlanAction {
  run,  // due now
  skip, // a slot passed but it must not run now; the reason says why
  wait, // not due yet
};

[[nodiscard]] std::string_view action_name(PlanAction action);

struct PlanEntry
{
  IntegrationView view;
  PlanAction action = PlanAction::wait;
  std::string reason; // one line: why it runs, is skipped, or waits
};

// In configuration order.
[[nodiscard]] Result<std::vector<PlanEntry>>
plan_due(const config::Config& config,
         state::StateStore& store,
         schedule::TimePoint now);

// Asked again by the run itself once it holds the integration's lock: a
// reason not to run (another tick used the slot meantime), or nullopt.
[[nodiscard]] Result<std::optional<std::string>>
not_due_reason(const config::Integration& integration,
               state::StateStore& store,
               schedule::TimePoint now);

} // namespace tapline::sync
