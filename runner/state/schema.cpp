// runner/state/schema.cpp
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
constexpr std::array<std::string_view, 3> k_steps = {
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
};

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
