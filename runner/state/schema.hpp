// runner/state/schema.hpp
#pragma once

// The state database's tables and the migrations that create them, keyed by
// `PRAGMA user_version`. Later features (integration status, credentials,
// locks) add tables by appending a migration step in schema.cpp; released
// steps are never edited. End-to-end tests read these tables directly, so
// table and column names are part of the contract.

#include <runner/util/result.hpp>

namespace tapline::state {

class SqliteDb;

// The user_version a fully migrated database has.
[[nodiscard]] int schema_version();

// Apply each step newer than the database's user_version, one transaction
// per step. Idempotent, and safe when several processes open the same
// database at once. A database newer than this build is refused with code
// `config` rather than touched.
[[nodiscard]] Result<void> migrate(SqliteDb& db);

} // namespace tapline::state
