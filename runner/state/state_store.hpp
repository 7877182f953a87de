// runner/state/state_store.hpp
#pragma once

// Durable bookmarks and run history. A bookmark (the Singer STATE value) is
// committed only once the destination confirmed the records before it; every
// commit is kept so a bad state can be rolled back. Implementations must be
// safe to call from several threads (the run commits from the thread that
// reads the target's stdout while the main thread records the run).

#include <runner/util/result.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tapline::state {

struct StateEntry
{
  int64_t id = 0;
  std::string integration;
  std::optional<std::string> value_json; // nullopt: state cleared here
  std::string committed_at;              // ISO 8601 UTC, millisecond
  std::optional<int64_t> run_id;         // nullopt for `state set/clear`
  std::string source;                    // "target", "tap", "sink", "user"
};

struct RunEntry
{
  int64_t id = 0;
  std::string integration;
  std::string started_at;
  std::optional<std::string> ended_at; // nullopt while running
  std::string outcome;                 // running, succeeded, failed, ...
  std::optional<int> exit_code;
  std::string records_json = "{}"; // {"stream": count, ...}
  uint64_t records = 0;            // sum over streams
  uint64_t bytes = 0;              // bytes read from the tap's stdout
  std::string log_path;
  std::string error; // excerpt, empty on success
  std::optional<int64_t> pid;
};

// An integration's latest run and its totals, kept up to date by begin_run
// and finish_run. Times are ISO 8601 text and unix seconds.
struct RunSummary
{
  std::string integration;
  int64_t last_run_id = 0;
  std::string last_started_at;
  int64_t last_started_unix = 0;
  std::optional<std::string> last_ended_at; // nullopt while running
  std::optional<int64_t> last_ended_unix;
  std::string last_outcome;
  std::optional<int> last_exit_code;
  uint64_t last_records = 0;
  uint64_t last_bytes = 0;
  std::optional<int64_t> last_pid;
  std::optional<double> last_duration_seconds; // nullopt while running
  // Start of the last run that used its schedule slot: a run interrupted
  // by a signal did not, so the next scheduler tick runs it again.
  std::optional<int64_t> slot_started_unix;
  std::optional<std::string> last_success_at;
  std::optional<int64_t> last_success_unix;
  // Failed runs since the last success, auth failures (77) not counted:
  // those pause the integration instead.
  int consecutive_failures = 0;
  uint64_t runs_total = 0;
  uint64_t records_total = 0;
  uint64_t bytes_total = 0;
};

// Whether an integration may run. `needs_reauth` pauses it until new
// credentials are verified (tapline reauth) or `--force` is given.
struct IntegrationStatus
{
  std::string integration;
  std::string status = "active"; // active, needs_reauth, paused (by hand)
  std::string auth_class;        // token_revoked, ...
  std::string rule_id;
  std::string explanation; // what the user must do
  std::string evidence;    // the stderr record that decided, redacted
  std::optional<int64_t> run_id;
  std::string since; // ISO 8601
  std::string fingerprint;
};

struct Event
{
  int64_t id = 0;
  std::string integration;
  std::string at;
  std::string kind; // paused, reauthorized, resumed, alert
  std::string detail;
};

class StateStore
{
public:
  virtual ~StateStore() = default;

  // The latest committed bookmark; nullopt if none or cleared.
  [[nodiscard]] virtual Result<std::optional<StateEntry>>
  current_state(const std::string& integration) = 0;

  // Commit `value_json` (compact JSON object text) as the new bookmark.
  [[nodiscard]] virtual Result<int64_t>
  commit_state(const std::string& integration,
               const std::string& value_json,
               std::optional<int64_t> run_id,
               const std::string& source) = 0;

  // Record that the bookmark was cleared (history keeps what was before).
  [[nodiscard]] virtual Result<void>
  clear_state(const std::string& integration) = 0;

  // Newest first.
  [[nodiscard]] virtual Result<std::vector<StateEntry>>
  state_history(const std::string& integration, int limit) = 0;

  // Insert a run with outcome "running"; returns its id.
  [[nodiscard]] virtual Result<int64_t> begin_run(const RunEntry& run) = 0;

  // Update the run with `run.id`: ended_at, outcome, exit code, counts,
  // error.
  [[nodiscard]] virtual Result<void> finish_run(const RunEntry& run) = 0;

  [[nodiscard]] virtual Result<std::optional<RunEntry>> run(int64_t run_id) = 0;

  // Newest first; empty `integration` means all integrations.
  [[nodiscard]] virtual Result<std::vector<RunEntry>>
  runs(const std::string& integration, int limit) = 0;

  // One row per integration that ever ran, in name order.
  [[nodiscard]] virtual Result<std::vector<RunSummary>> run_summaries() = 0;

  [[nodiscard]] virtual Result<std::optional<RunSummary>>
  run_summary(const std::string& integration) = 0;

  // nullopt: never paused (active).
  [[nodiscard]] virtual Result<std::optional<IntegrationStatus>>
  integration_status(const std::string& integration) = 0;

  // Every stored status (paused or not), in name order.
  [[nodiscard]] virtual Result<std::vector<IntegrationStatus>>
  integration_statuses() = 0;

  // The newest bookmark row of every integration (value nullopt: cleared).
  [[nodiscard]] virtual Result<std::vector<StateEntry>> latest_states() = 0;

  [[nodiscard]] virtual Result<void>
  set_integration_status(const IntegrationStatus& status) = 0;

  [[nodiscard]] virtual Result<void>
  record_event(const std::string& integration,
               const std::string& kind,
               const std::string& detail) = 0;

  // Newest first.
  [[nodiscard]] virtual Result<std::vector<Event>>
  events(const std::string& integration, int limit) = 0;
};

// Open (creating if needed) the SQLite store at `db_path`, in WAL mode, and
// migrate its schema. Errors have code `io` with the path in `where`.
[[nodiscard]] Result<std::unique_ptr<StateStore>>
open_sqlite_store(const std::string& db_path);

} // namespace tapline::state
