// runner/state/sqlite_state_store.cpp
//
// The SQLite StateStore: one connection behind a mutex (the sync thread
// commits bookmarks while the main thread records the run). Every write is
// its own transaction, and with WAL plus synchronous=FULL a commit that
// returned has been fsynced, so a bookmark survives a crash or power loss.
// Rows are only ever appended to state_history: clearing a bookmark appends
// a NULL value, so rollback can pick any earlier row.

#include <runner/state/run_summary_sql.hpp>
#include <runner/state/schema.hpp>
#include <runner/state/sqlite_db.hpp>
#include <runner/state/state_store.hpp>
#include <runner/util/time.hpp>

#include <fmt/format.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <utility>

namespace tapline::state {

namespace {

// Long enough to ride out another tapline's commit or checkpoint; a lock
// held longer than this is reported as `transient`.
constexpr std::chrono::milliseconds k_busy_timeout{10'000};

constexpr std::string_view k_state_columns =
    "id, integration, value_json, committed_at, run_id, source";

constexpr std::string_view k_run_columns =
    "id, integration, started_at, ended_at, outcome, exit_code, records_json, "
    "records, bytes, log_path, error, pid";

constexpr std::string_view k_summary_columns =
    "integration, last_run_id, last_started_at, last_started_unix, "
    "last_ended_at, last_ended_unix, last_outcome, last_exit_code, "
    "last_records, last_bytes, last_pid, last_duration_seconds, "
    "slot_started_unix, last_success_at, "
    "last_success_unix, consecutive_failures, runs_total, records_total, "
    "bytes_total";

constexpr std::string_view k_status_columns =
    "integration, status, auth_class, rule_id, explanation, evidence, run_id, "
    "since, fingerprint";

// SQLite reads a negative LIMIT as "no limit".
int64_t
sql_limit(int limit)
{
  return limit <= 0 ? -1 : limit;
}

// Every row `select` yields, each turned into a value by `read`.
template<typename Read>
auto
all_rows(Statement& select, Read read)
    -> Result<std::vector<decltype(read(select))>>
{
  std::vector<decltype(read(select))> rows;
  while (true) {
    TRY_ASSIGN(const bool has_row, select.step());
    if (!has_row) {
      return rows;
    }
    rows.push_back(read(select));
  }
}

StateEntry
read_state_entry(const Statement& row)
{
  StateEntry entry;
  entry.id = row.int64(0);
  entry.integration = row.text(1);
  entry.value_json = row.optional_text(2);
  entry.committed_at = row.text(3);
  entry.run_id = row.optional_int64(4);
  entry.source = row.text(5);
  return entry;
}

RunEntry
read_run_entry(const Statement& row)
{
  RunEntry entry;
  entry.id = row.int64(0);
  entry.integration = row.text(1);
  entry.started_at = row.text(2);
  entry.ended_at = row.optional_text(3);
  entry.outcome = row.text(4);
  if (const auto exit_code = row.optional_int64(5)) {
    entry.exit_code = static_cast<int>(*exit_code);
  }
  entry.records_json = row.text(6);
  entry.records = static_cast<uint64_t>(row.int64(7));
  entry.bytes = static_cast<uint64_t>(row.int64(8));
  entry.log_path = row.text(9);
  entry.error = row.text(10);
  entry.pid = row.optional_int64(11);
  return entry;
}

RunSummary
read_run_summary(const Statement& row)
{
  RunSummary summary;
  summary.integration = row.text(0);
  summary.last_run_id = row.int64(1);
  summary.last_started_at = row.text(2);
  summary.last_started_unix = row.int64(3);
  summary.last_ended_at = row.optional_text(4);
  summary.last_ended_unix = row.optional_int64(5);
  summary.last_outcome = row.text(6);
  if (const auto exit_code = row.optional_int64(7)) {
    summary.last_exit_code = static_cast<int>(*exit_code);
  }
  summary.last_records = static_cast<uint64_t>(row.int64(8));
  summary.last_bytes = static_cast<uint64_t>(row.int64(9));
  summary.last_pid = row.optional_int64(10);
  summary.last_duration_seconds = row.optional_double(11);
  summary.slot_started_unix = row.optional_int64(12);
  summary.last_success_at = row.optional_text(13);
  summary.last_success_unix = row.optional_int64(14);
  summary.consecutive_failures = static_cast<int>(row.int64(15));
  summary.runs_total = static_cast<uint64_t>(row.int64(16));
  summary.records_total = static_cast<uint64_t>(row.int64(17));
  summary.bytes_total = static_cast<uint64_t>(row.int64(18));
  return summary;
}

IntegrationStatus
read_status(const Statement& row)
{
  IntegrationStatus status;
  status.integration = row.text(0);
  status.status = row.text(1);
  status.auth_class = row.text(2);
  status.rule_id = row.text(3);
  status.explanation = row.text(4);
  status.evidence = row.text(5);
  status.run_id = row.optional_int64(6);
  status.since = row.text(7);
  status.fingerprint = row.text(8);
  return status;
}

std::optional<int64_t>
widen(std::optional<int> value)
{
  if (!value) {
    return std::nullopt;
  }
  return *value;
}

class SqliteStateStore final : public StateStore
{
public:
  explicit SqliteStateStore(SqliteDb db) : m_db(std::move(db)) {}

  Result<std::optional<StateEntry>>
  current_state(const std::string& integration) override
  {
    const std::scoped_lock lock(m_mutex);
    TRY_ASSIGN(auto history, read_history(integration, 1));
    // The newest row decides: a NULL value there means "cleared".
    if (history.empty() || !history.front().value_json) {
      return std::nullopt;
    }
    return std::move(history.front());
  }

  Result<int64_t>
  commit_state(const std::string& integration,
               const std::string& value_json,
               std::optional<int64_t> run_id,
               const std::string& source) override
  {
    const std::scoped_lock lock(m_mutex);
    return insert_state(integration, value_json, run_id, source);
  }

  Result<void>
  clear_state(const std::string& integration) override
  {
    const std::scoped_lock lock(m_mutex);
    TRY(insert_state(integration, std::nullopt, std::nullopt, "user"));
    return {};
  }

  Result<std::vector<StateEntry>>
  state_history(const std::string& integration, int limit) override
  {
    const std::scoped_lock lock(m_mutex);
    return read_history(integration, limit);
  }

  Result<int64_t>
  begin_run(const RunEntry& run) override
  {
    constexpr std::string_view context = "cannot record run start";
    const std::scoped_lock lock(m_mutex);
    TRY_ASSIGN(auto insert,
               m_db.prepare("INSERT INTO runs (integration, started_at, "
                            "ended_at, outcome, exit_code, records_json, "
                            "records, bytes, log_path, error, pid) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                            "?10, ?11)",
                            context));
    insert.bind_text(1, run.integration)
        .bind_text(
            2, run.started_at.empty() ? util::now_iso8601() : run.started_at)
        .bind_optional_text(3, run.ended_at)
        .bind_text(4, run.outcome.empty() ? "running" : run.outcome)
        .bind_optional_int(5, widen(run.exit_code))
        .bind_text(6, run.records_json)
        .bind_int(7, static_cast<int64_t>(run.records))
        .bind_int(8, static_cast<int64_t>(run.bytes))
        .bind_text(9, run.log_path)
        .bind_text(10, run.error)
        .bind_optional_int(11, run.pid);
    TRY_ASSIGN(auto transaction, Transaction::begin(m_db, context));
    TRY(insert.run());
    const auto id = m_db.last_insert_rowid();
    TRY(refresh_summary(run.integration, context));
    TRY(transaction.commit());
    return id;
  }

  Result<void>
  finish_run(const RunEntry& run) override
  {
    constexpr std::string_view context = "cannot record run end";
    const std::scoped_lock lock(m_mutex);
    // log_path and pid are often known only at the start (or, for pid,
    // only after it): keep the stored value when `run` leaves them unset.
    TRY_ASSIGN(auto update,
               m_db.prepare("UPDATE runs SET ended_at = ?2, outcome = ?3, "
                            "exit_code = ?4, records_json = ?5, records = ?6, "
                            "bytes = ?7, error = ?8, "
                            "log_path = CASE ?9 WHEN '' THEN log_path "
                            "ELSE ?9 END, "
                            "pid = COALESCE(?10, pid) WHERE id = ?1",
                            context));
    update.bind_int(1, run.id)
        .bind_text(2, run.ended_at.value_or(util::now_iso8601()))
        .bind_text(3, run.outcome)
        .bind_optional_int(4, widen(run.exit_code))
        .bind_text(5, run.records_json)
        .bind_int(6, static_cast<int64_t>(run.records))
        .bind_int(7, static_cast<int64_t>(run.bytes))
        .bind_text(8, run.error)
        .bind_text(9, run.log_path)
        .bind_optional_int(10, run.pid);
    TRY_ASSIGN(auto transaction, Transaction::begin(m_db, context));
    TRY(update.run());
    if (m_db.changes() == 0) {
      return fail(ErrorCode::internal,
                  fmt::format("{}: no run with id {}", context, run.id),
                  m_db.path());
    }
    TRY_ASSIGN(
        auto name,
        m_db.prepare("SELECT integration FROM runs WHERE id = ?1", context));
    name.bind_int(1, run.id);
    TRY(name.step());
    TRY(refresh_summary(name.text(0), context));
    return transaction.commit();
  }

  Result<std::vector<RunSummary>>
  run_summaries() override
  {
    const std::scoped_lock lock(m_mutex);
    TRY_ASSIGN(
        auto select,
        m_db.prepare(
            fmt::format("SELECT {} FROM run_summary ORDER BY integration",
                        k_summary_columns),
            "cannot read run summaries"));
    return all_rows(select, read_run_summary);
  }

  Result<std::optional<RunSummary>>
  run_summary(const std::string& integration) override
  {
    const std::scoped_lock lock(m_mutex);
    TRY_ASSIGN(
        auto select,
        m_db.prepare(
            fmt::format("SELECT {} FROM run_summary WHERE integration = ?1",
                        k_summary_columns),
            "cannot read run summary"));
    select.bind_text(1, integration);
    TRY_ASSIGN(const bool has_row, select.step());
    if (!has_row) {
      return std::optional<RunSummary>{};
    }
    return std::optional<RunSummary>(read_run_summary(select));
  }

  Result<std::optional<RunEntry>>
  run(int64_t run_id) override
  {
    const std::scoped_lock lock(m_mutex);
    TRY_ASSIGN(auto select,
               m_db.prepare(fmt::format("SELECT {} FROM runs WHERE id = ?1",
                                        k_run_columns),
                            "cannot read run"));
    select.bind_int(1, run_id);
    TRY_ASSIGN(const bool has_row, select.step());
    if (!has_row) {
      return std::nullopt;
    }
    return read_run_entry(select);
  }

  Result<std::vector<RunEntry>>
  runs(const std::string& integration, int limit) override
  {
    const std::scoped_lock lock(m_mutex);
    // Two statements rather than "?1 = '' OR integration = ?1", which
    // would keep SQLite from using the (integration, id) index.
    const std::string sql =
        integration.empty()
            ? fmt::format("SELECT {} FROM runs ORDER BY id DESC LIMIT ?2",
                          k_run_columns)
            : fmt::format("SELECT {} FROM runs WHERE integration = ?1 "
                          "ORDER BY id DESC LIMIT ?2",
                          k_run_columns);
    TRY_ASSIGN(auto select, m_db.prepare(sql, "cannot read runs"));
    if (!integration.empty()) {
      select.bind_text(1, integration);
    }
    select.bind_int(2, sql_limit(limit));
    return all_rows(select, read_run_entry);
  }

  Result<std::optional<IntegrationStatus>>
  integration_status(const std::string& integration) override
  {
    const std::scoped_lock lock(m_mutex);
    TRY_ASSIGN(auto select,
               m_db.prepare(fmt::format("SELECT {} FROM integration_status "
                                        "WHERE integration = ?1",
                                        k_status_columns),
                            "cannot read integration status"));
    select.bind_text(1, integration);
    TRY_ASSIGN(const bool has_row, select.step());
    if (!has_row) {
      return std::optional<IntegrationStatus>{};
    }
    return std::optional<IntegrationStatus>(read_status(select));
  }

  Result<std::vector<IntegrationStatus>>
  integration_statuses() override
  {
    const std::scoped_lock lock(m_mutex);
    TRY_ASSIGN(auto select,
               m_db.prepare(fmt::format("SELECT {} FROM integration_status "
                                        "ORDER BY integration",
                                        k_status_columns),
                            "cannot read integration status"));
    return all_rows(select, read_status);
  }

  Result<std::vector<StateEntry>>
  latest_states() override
  {
    const std::scoped_lock lock(m_mutex);
    TRY_ASSIGN(
        auto select,
        m_db.prepare(fmt::format("SELECT {} FROM state_history WHERE id IN "
                                 "(SELECT MAX(id) FROM state_history "
                                 "GROUP BY integration) ORDER BY integration",
                                 k_state_columns),
                     "cannot read state"));
    return all_rows(select, read_state_entry);
  }

  Result<void>
  set_integration_status(const IntegrationStatus& status) override
  {
    const std::scoped_lock lock(m_mutex);
    TRY_ASSIGN(
        auto upsert,
        m_db.prepare("INSERT INTO integration_status (integration, "
                     "status, auth_class, rule_id, explanation, evidence, "
                     "run_id, since, fingerprint) VALUES "
                     "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                     "ON CONFLICT (integration) DO UPDATE SET "
                     "status = ?2, auth_class = ?3, rule_id = ?4, "
                     "explanation = ?5, evidence = ?6, run_id = ?7, "
                     "since = ?8, fingerprint = ?9",
                     "cannot record integration status"));
    upsert.bind_text(1, status.integration)
        .bind_text(2, status.status)
        .bind_text(3, status.auth_class)
        .bind_text(4, status.rule_id)
        .bind_text(5, status.explanation)
        .bind_text(6, status.evidence)
        .bind_optional_int(7, status.run_id)
        .bind_text(8, status.since.empty() ? util::now_iso8601() : status.since)
        .bind_text(9, status.fingerprint);
    return upsert.run();
  }

  Result<void>
  record_event(const std::string& integration,
               const std::string& kind,
               const std::string& detail) override
  {
    const std::scoped_lock lock(m_mutex);
    TRY_ASSIGN(
        auto insert,
        m_db.prepare("INSERT INTO events (integration, at, kind, detail) "
                     "VALUES (?1, ?2, ?3, ?4)",
                     "cannot record event"));
    insert.bind_text(1, integration)
        .bind_text(2, util::now_iso8601())
        .bind_text(3, kind)
        .bind_text(4, detail);
    return insert.run();
  }

  Result<std::vector<Event>>
  events(const std::string& integration, int limit) override
  {
    const std::scoped_lock lock(m_mutex);
    TRY_ASSIGN(
        auto select,
        m_db.prepare("SELECT id, integration, at, kind, detail FROM events "
                     "WHERE integration = ?1 ORDER BY id DESC LIMIT ?2",
                     "cannot read events"));
    select.bind_text(1, integration).bind_int(2, sql_limit(limit));
    return all_rows(select, [](const Statement& row) {
      return Event{
          row.int64(0), row.text(1), row.text(2), row.text(3), row.text(4)};
    });
  }

private:
  // Callers hold `m_mutex` and a transaction.
  Result<void>
  refresh_summary(const std::string& integration, std::string_view context)
  {
    TRY_ASSIGN(auto refresh,
               m_db.prepare(fmt::format("INSERT OR REPLACE INTO run_summary {} "
                                        "WHERE r.integration = ?1 AND r.id = "
                                        "(SELECT MAX(m.id) FROM runs m "
                                        "WHERE m.integration = ?1)",
                                        k_run_summary_select),
                            context));
    refresh.bind_text(1, integration);
    return refresh.run();
  }

  // Callers hold `m_mutex`.
  Result<int64_t>
  insert_state(const std::string& integration,
               const std::optional<std::string>& value_json,
               std::optional<int64_t> run_id,
               const std::string& source)
  {
    TRY_ASSIGN(auto insert,
               m_db.prepare("INSERT INTO state_history (integration, "
                            "value_json, committed_at, run_id, source) "
                            "VALUES (?1, ?2, ?3, ?4, ?5)",
                            value_json ? "cannot commit state"
                                       : "cannot clear state"));
    insert.bind_text(1, integration)
        .bind_optional_text(2, value_json)
        .bind_text(3, util::now_iso8601())
        .bind_optional_int(4, run_id)
        .bind_text(5, source);
    TRY(insert.run());
    return m_db.last_insert_rowid();
  }

  // Callers hold `m_mutex`.
  Result<std::vector<StateEntry>>
  read_history(const std::string& integration, int limit)
  {
    TRY_ASSIGN(
        auto select,
        m_db.prepare(fmt::format("SELECT {} FROM state_history WHERE "
                                 "integration = ?1 ORDER BY id DESC LIMIT ?2",
                                 k_state_columns),
                     "cannot read state"));
    select.bind_text(1, integration).bind_int(2, sql_limit(limit));
    return all_rows(select, read_state_entry);
  }

  std::mutex m_mutex; // guards `m_db`, including sqlite3_errmsg after a call
  SqliteDb m_db;
};

} // namespace

Result<std::unique_ptr<StateStore>>
open_sqlite_store(const std::string& db_path)
{
  TRY_ASSIGN(auto db, SqliteDb::open(db_path, k_busy_timeout));
  constexpr std::string_view context = "cannot open state database";
  // WAL lets `tapline status` read while a run writes. If the file system
  // cannot do WAL, SQLite stays in rollback mode, which is slower but just
  // as durable, so that is not treated as an error.
  //
  // Switching a new database to WAL needs an exclusive lock, and SQLite
  // answers "busy" at once instead of waiting when another process is
  // doing the same (two cron ticks on a fresh data directory), so that
  // case is retried here for as long as the busy timeout.
  const auto give_up = std::chrono::steady_clock::now() + k_busy_timeout;
  while (true) {
    auto wal = db.exec("PRAGMA journal_mode = WAL", context);
    if (wal) {
      break;
    }
    if (wal.error().code != ErrorCode::transient ||
        std::chrono::steady_clock::now() >= give_up) {
      return std::unexpected(wal.error());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  // FULL: in WAL mode, fsync the log on every commit; NORMAL could lose the
  // last commits on power loss, and with them confirmed bookmarks.
  TRY(db.exec("PRAGMA synchronous = FULL", context));
  TRY(db.exec("PRAGMA foreign_keys = ON", context));
  TRY(migrate(db));
  return std::make_unique<SqliteStateStore>(std::move(db));
}

} // namespace tapline::state
