// runner/sync/pause.hpp
#pragma once

// The "needs reauthorization" state of an integration: pausing it when a run
// ends in an auth failure (recording why, and alerting once), refusing to
// run it while paused, and resuming it (alerting once more) when a run or a
// reauthorization succeeds.

#include <runner/auth/watch.hpp>
#include <runner/config/config.hpp>
#include <runner/state/state_store.hpp>
#include <runner/util/result.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tapline::sync {

using Redact = std::function<std::string(std::string_view)>;
using Log = std::function<void(std::string_view)>;

// Mark `integration` needs_reauth with the decision that paused it, record
// the event, and alert (only on the transition from active).
[[nodiscard]] Result<void> pause_integration(const config::Config& config,
                                             state::StateStore& store,
                                             const std::string& integration,
                                             const auth::Decision& decision,
                                             std::int64_t run_id,
                                             const Redact& redact,
                                             const Log& log);

// Mark `integration` active again if it was paused; record `reason` and
// alert "recovered". Nothing happens for an integration that was active.
[[nodiscard]] Result<void> resume_integration(const config::Config& config,
                                              state::StateStore& store,
                                              const std::string& integration,
                                              std::int64_t run_id,
                                              const std::string& reason,
                                              const Log& log);

// The error to refuse a run with while `integration` is paused, or nullopt
// when it may run: `auth` while it needs reauthorization, `transient` while
// it is held by hand.
[[nodiscard]] Result<std::optional<Error>>
paused_error(state::StateStore& store, const std::string& integration);

// Manual holds (`tapline pause` / `tapline resume`): a held integration is
// skipped by the scheduler and refused by `run` until released. Neither
// touches an integration that needs reauthorization (`refused`): only new
// credentials or a successful run clear that.
enum class HoldChange { changed, unchanged, refused };

[[nodiscard]] Result<HoldChange>
hold_integration(state::StateStore& store,
                 const std::string& integration,
                 const std::string& reason);

[[nodiscard]] Result<HoldChange>
release_integration(state::StateStore& store, const std::string& integration);

} // namespace tapline::sync
