// runner/state/schema.cpp
#include <runner/state/run_summary_sql.hpp>
#include <runner/state/schema.hpp>
#include <runner/state/sqlite_db.hpp>

#include <fmt/format.h>

#include <array>
#include <string>
#include <string_view>

namespace tapline::state {

namespace {

constexpr std::string_view k_context = "cannot migrate state database";

// Step `i` takes a database from user_version `i` to `i + 1`. Append only:
// databases in the field have already run the released steps.
constexpr std::array<std::string_view, 4> k_steps = {
    // 1: bookmark history and run history.
    R"sql(
CREATE TABLE state_history (
  id INTEGER PRIMARY KEY,
  integration TEXT NOT NULL,
  value_json TEXT, -- NULL: the bookmark was cleared here
  committed_at TEXT NOT NULL,
  run_id INTEGER,
  source TEXT NOT NULL
);
CREATE INDEX state_history_integration_id ON state_history (integration, id);

CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  integration TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  outcome TEXT NOT NULL,
  exit_code INTEGER,
  records_json TEXT NOT NULL DEFAULT '{}',
  records INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  log_path TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  pid INTEGER
);
CREATE INDEX runs_integration_id ON runs (integration, id);
)sql",
    // 2: credential overrides, sealed with the master key (credentials/).
    R"sql(
CREATE TABLE credentials (
  integration TEXT PRIMARY KEY,
  nonce BLOB NOT NULL,      -- 24 random bytes, new on every write
  ciphertext BLOB NOT NULL, -- XChaCha20-Poly1305 of the overrides' JSON
  updated_at TEXT NOT NULL
);
)sql",
    // 3: whether an integration may run (paused when it needs
    // reauthorization), and the events that changed it.
    R"sql(
CREATE TABLE integration_status (
  integration TEXT PRIMARY KEY,
  status TEXT NOT NULL,            -- active, needs_reauth
  auth_class TEXT NOT NULL DEFAULT '',
  rule_id TEXT NOT NULL DEFAULT '',
  explanation TEXT NOT NULL DEFAULT '',
  evidence TEXT NOT NULL DEFAULT '', -- redacted
  run_id INTEGER,
  since TEXT NOT NULL,
  fingerprint TEXT NOT NULL DEFAULT ''
);
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  integration TEXT NOT NULL,
  at TEXT NOT NULL,
  kind TEXT NOT NULL,              -- paused, reauthorized, resumed, alert
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_integration_id ON events (integration, id);
)sql",
    // 4: one row per integration with its latest run and running totals,
    // so planning `run --due` over thousands of integrations reads one
    // small table instead of the whole run history. Filled from existing
    // runs below; times are kept as text (shown) and unix seconds
    // (compared).
    R"sql(
CREATE TABLE run_summary (
  integration TEXT PRIMARY KEY,
  last_run_id INTEGER NOT NULL,
  last_started_at TEXT NOT NULL,
  last_started_unix INTEGER NOT NULL,
  last_ended_at TEXT,
  last_ended_unix INTEGER,
  last_outcome TEXT NOT NULL,
  last_exit_code INTEGER,
  last_records INTEGER NOT NULL DEFAULT 0,
  last_bytes INTEGER NOT NULL DEFAULT 0,
  last_pid INTEGER,
  last_duration_seconds REAL, -- millisecond precision; NULL while running
  slot_started_unix INTEGER,   -- last run that used its slot: not interrupted
  last_success_at TEXT,
  last_success_unix INTEGER,
  consecutive_failures INTEGER NOT NULL DEFAULT 0, -- failed, not auth (77)
  runs_total INTEGER NOT NULL DEFAULT 0,
  records_total INTEGER NOT NULL DEFAULT 0,
  bytes_total INTEGER NOT NULL DEFAULT 0
);
)sql",
};

// The step that creates run_summary; it is filled from the runs already
// recorded with the same query the store uses to keep it current.
constexpr int k_run_summary_step = 4;

Result<int>
user_version(SqliteDb& db)
{
  TRY_ASSIGN(auto statement, db.prepare("PRAGMA user_version", k_context));
  TRY_ASSIGN(const bool has_row, statement.step());
  if (!has_row) {
    return 0;
  }
  return static_cast<int>(statement.int64(0));
}

} // namespace

int
schema_version()
{
  return static_cast<int>(k_steps.size());
}

Result<void>
migrate(SqliteDb& db)
{
  const int newest = schema_version();
  TRY_ASSIGN(int version, user_version(db));
  while (version < newest) {
    TRY_ASSIGN(auto transaction, Transaction::begin(db, k_context));
    // Read again under the write lock: another process may have migrated
    // while this one waited for it.
    TRY_ASSIGN(version, user_version(db));
    if (version >= newest) {
      break;
    }
    TRY(db.exec(std::string(k_steps[static_cast<size_t>(version)]), k_context));
    if (version + 1 == k_run_summary_step) {
      TRY(db.exec(fmt::format("INSERT INTO run_summary {} WHERE r.id = "
                              "(SELECT MAX(m.id) FROM runs m "
                              "WHERE m.integration = r.integration)",
                              k_run_summary_select),
                  k_context));
    }
    // PRAGMA takes no bound parameters; `version` is our own integer.
    TRY(db.exec(fmt::format("PRAGMA user_version = {}", version + 1),
                k_context));
    TRY(transaction.commit());
    ++version;
  }
  if (version > newest) {
    return fail(ErrorCode::config,
                fmt::format("state database has schema version {}, newer than "
                            "the {} this tapline knows; use a newer tapline",
                            version,
                            newest),
                db.path());
  }
  return {};
}

} // namespace tapline::state
