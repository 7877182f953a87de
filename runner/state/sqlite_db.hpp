// runner/state/sqlite_db.hpp
#pragma once

// A thin RAII layer over the SQLite C API for the state store: one
// connection, prepared statements that finalize themselves, and IMMEDIATE
// transactions that roll back unless committed. Every SQLite failure becomes
// an Error with the database path as its location. It knows nothing of
// tables and takes no locks: the caller serializes use of a connection.

#include <runner/util/result.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

// The C API's handle types, declared here so callers need not see
// <sqlite3.h>.
struct sqlite3;
struct sqlite3_stmt;

namespace tapline::state {

// The Error for SQLite result code `rc` (primary or extended): `context` says
// what was being done ("cannot commit state"), `detail` is sqlite3_errmsg.
// Disk full and file-system failures are `io`, a lock still held after the
// busy timeout is `transient` (another tapline is writing: retry later), and
// anything else is `internal`.
[[nodiscard]] Error sqlite_error(int rc,
                                 std::string_view context,
                                 std::string_view detail,
                                 const std::string& db_path);

class Statement
{
public:
  // Bind to 1-based parameter `index`. A failure is kept and returned by the
  // next `step`, so a chain of binds needs no checks in between. The names
  // differ by type because std::string converts to both std::string_view and
  // std::optional<std::string>, which would make overloads ambiguous.
  Statement& bind_text(int index, std::string_view value);
  Statement& bind_optional_text(int index,
                                const std::optional<std::string>& value);
  Statement& bind_int(int index, int64_t value);
  Statement& bind_optional_int(int index, std::optional<int64_t> value);

  // Advance: true when a row is ready to read, false when the statement is
  // done.
  [[nodiscard]] Result<bool> step();

  // Step until done, for statements that return no rows.
  [[nodiscard]] Result<void> run();

  // Columns of the current row, 0-based. NULL reads as "" or 0 from the
  // non-optional getters.
  [[nodiscard]] std::string text(int column) const;
  [[nodiscard]] std::optional<std::string> optional_text(int column) const;
  [[nodiscard]] int64_t int64(int column) const;
  [[nodiscard]] std::optional<int64_t> optional_int64(int column) const;
  [[nodiscard]] std::optional<double> optional_double(int column) const;

private:
  friend class SqliteDb;

  struct Finalizer
  {
    void operator()(sqlite3_stmt* stmt) const noexcept;
  };

  Statement(sqlite3* db,
            sqlite3_stmt* stmt,
            std::string_view context,
            const std::string& db_path);
  void keep_bind_error(int rc);

  sqlite3* m_db; // owned by the SqliteDb, which outlives its statements
  std::unique_ptr<sqlite3_stmt, Finalizer> m_stmt;
  std::string m_context; // for errors: what the statement is doing
  std::string m_db_path;
  int m_bind_rc; // first failed bind, SQLITE_OK if none
};

class SqliteDb
{
public:
  // Open `path` read-write, creating it (mode 0600, so a store that later
  // holds credentials is never readable by others) and its parent
  // directories when missing. Waits up to `busy_timeout` for locks held by
  // other connections. ":memory:" opens a private in-memory database.
  [[nodiscard]] static Result<SqliteDb>
  open(const std::string& path, std::chrono::milliseconds busy_timeout);

  // Run `sql`, which may hold several statements; rows are discarded.
  [[nodiscard]] Result<void> exec(const std::string& sql,
                                  std::string_view context);

  // Compile the single statement `sql`. `context` prefixes its errors.
  [[nodiscard]] Result<Statement> prepare(std::string_view sql,
                                          std::string_view context);

  // Rowid of the last INSERT and rows changed by the last statement on this
  // connection.
  [[nodiscard]] int64_t last_insert_rowid() const;
  [[nodiscard]] int64_t changes() const;

  [[nodiscard]] const std::string&
  path() const
  {
    return m_path;
  }

  // The Error for `rc` just returned by a call on this connection.
  [[nodiscard]] Error error(int rc, std::string_view context) const;

private:
  struct Closer
  {
    void operator()(sqlite3* db) const noexcept;
  };

  SqliteDb(std::unique_ptr<sqlite3, Closer> db, std::string path);

  std::unique_ptr<sqlite3, Closer> m_db;
  std::string m_path;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back on destruction unless committed,
// so an early return through TRY leaves no half-written change.
class Transaction
{
public:
  // IMMEDIATE takes the write lock up front: a busy database then waits
  // here under the busy timeout instead of failing later, mid-transaction,
  // when a read lock would have to be upgraded.
  [[nodiscard]] static Result<Transaction> begin(SqliteDb& db,
                                                 std::string_view context);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  [[nodiscard]] Result<void> commit();

private:
  Transaction(SqliteDb& db, std::string_view context);

  SqliteDb* m_db; // nullptr once committed or moved from
  std::string m_context;
};

} // namespace tapline::state
