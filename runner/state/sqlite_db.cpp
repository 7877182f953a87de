// runner/state/sqlite_db.cpp
#include <runner/state/sqlite_db.hpp>

#include <fmt/format.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

namespace tapline::state {

namespace {

constexpr std::string_view k_memory_path = ":memory:";

// Create `path` with mode 0600 before SQLite sees it: SQLite creates files
// with 0644 (less the umask) and gives its -wal and -shm files the mode of
// the database file, so creating the database file ourselves covers all
// three. An existing file is left as it is. No directory fsync here: SQLite
// syncs this directory itself when it first syncs the new WAL file.
Result<void>
create_private_file(const std::string& path)
{
  const std::filesystem::path parent =
      std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return fail(ErrorCode::io,
                  "cannot create the state database directory: " + ec.message(),
                  path);
    }
  }
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
    return {};
  }
  if (errno == EEXIST) {
    return {};
  }
  return fail(ErrorCode::io,
              std::string("cannot create state database: ") +
                  std::strerror(errno),
              path);
}

} // namespace

Error
sqlite_error(int rc,
             std::string_view context,
             std::string_view detail,
             const std::string& db_path)
{
  switch (rc & 0xff) {
  case SQLITE_FULL:
    return Error{ErrorCode::io,
                 fmt::format("{}: disk full: {}", context, detail),
                 db_path};
  case SQLITE_IOERR:
  case SQLITE_CANTOPEN:
  case SQLITE_READONLY:
  case SQLITE_PERM:
  case SQLITE_CORRUPT:
  case SQLITE_NOTADB:
  case SQLITE_NOLFS:
    return Error{
        ErrorCode::io, fmt::format("{}: {}", context, detail), db_path};
  case SQLITE_BUSY:
    return Error{
        ErrorCode::transient, fmt::format("{}: {}", context, detail), db_path};
  default:
    return Error{
        ErrorCode::internal, fmt::format("{}: {}", context, detail), db_path};
  }
}

// Statement

void
Statement::Finalizer::operator()(sqlite3_stmt* stmt) const noexcept
{
  sqlite3_finalize(stmt);
}

Statement::Statement(sqlite3* db,
                     sqlite3_stmt* stmt,
                     std::string_view context,
                     const std::string& db_path)
    : m_db(db), m_stmt(stmt), m_context(context), m_db_path(db_path),
      m_bind_rc(SQLITE_OK)
{
}

void
Statement::keep_bind_error(int rc)
{
  if (m_bind_rc == SQLITE_OK) {
    m_bind_rc = rc;
  }
}

Statement&
Statement::bind_text(int index, std::string_view value)
{
  // SQLITE_TRANSIENT: SQLite copies the bytes, so `value` may die before
  // the statement runs.
  keep_bind_error(sqlite3_bind_text64(m_stmt.get(),
                                      index,
                                      value.data(),
                                      value.size(),
                                      SQLITE_TRANSIENT,
                                      SQLITE_UTF8));
  return *this;
}

Statement&
Statement::bind_optional_text(int index,
                              const std::optional<std::string>& value)
{
  if (!value) {
    keep_bind_error(sqlite3_bind_null(m_stmt.get(), index));
    return *this;
  }
  return bind_text(index, *value);
}

Statement&
Statement::bind_int(int index, int64_t value)
{
  keep_bind_error(sqlite3_bind_int64(m_stmt.get(), index, value));
  return *this;
}

Statement&
Statement::bind_optional_int(int index, std::optional<int64_t> value)
{
  if (!value) {
    keep_bind_error(sqlite3_bind_null(m_stmt.get(), index));
    return *this;
  }
  return bind_int(index, *value);
}

Result<bool>
Statement::step()
{
  if (m_bind_rc != SQLITE_OK) {
    return std::unexpected(sqlite_error(
        m_bind_rc, m_context, sqlite3_errstr(m_bind_rc), m_db_path));
  }
  const int rc = sqlite3_step(m_stmt.get());
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  return std::unexpected(
      sqlite_error(rc, m_context, sqlite3_errmsg(m_db), m_db_path));
}

Result<void>
Statement::run()
{
  while (true) {
    TRY_ASSIGN(const bool has_row, step());
    if (!has_row) {
      return {};
    }
  }
}

std::string
Statement::text(int column) const
{
  return optional_text(column).value_or(std::string());
}

std::optional<std::string>
Statement::optional_text(int column) const
{
  if (sqlite3_column_type(m_stmt.get(), column) == SQLITE_NULL) {
    return std::nullopt;
  }
  // Ask for the text before its size: the conversion to text may change
  // the size.
  const auto* data = sqlite3_column_text(m_stmt.get(), column);
  const auto size = sqlite3_column_bytes(m_stmt.get(), column);
  return std::string(reinterpret_cast<const char*>(data),
                     static_cast<size_t>(size));
}

int64_t
Statement::int64(int column) const
{
  return sqlite3_column_int64(m_stmt.get(), column);
}

std::optional<int64_t>
Statement::optional_int64(int column) const
{
  if (sqlite3_column_type(m_stmt.get(), column) == SQLITE_NULL) {
    return std::nullopt;
  }
  return int64(column);
}

std::optional<double>
Statement::optional_double(int column) const
{
  if (sqlite3_column_type(m_stmt.get(), column) == SQLITE_NULL) {
    return std::nullopt;
  }
  return sqlite3_column_double(m_stmt.get(), column);
}

// SqliteDb

void
SqliteDb::Closer::operator()(sqlite3* db) const noexcept
{
  // _v2: closes once the last statement is finalized, never fails as busy.
  sqlite3_close_v2(db);
}

SqliteDb::SqliteDb(std::unique_ptr<sqlite3, Closer> db, std::string path)
    : m_db(std::move(db)), m_path(std::move(path))
{
}

Result<SqliteDb>
SqliteDb::open(const std::string& path, std::chrono::milliseconds busy_timeout)
{
  constexpr std::string_view context = "cannot open state database";
  if (path != k_memory_path) {
    TRY(create_private_file(path));
  }
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  // SQLite returns a handle even when opening fails; it must be closed too.
  std::unique_ptr<sqlite3, Closer> db(raw);
  if (rc != SQLITE_OK) {
    const char* detail = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    return std::unexpected(sqlite_error(rc, context, detail, path));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, static_cast<int>(busy_timeout.count()));
  return SqliteDb(std::move(db), path);
}

Result<void>
SqliteDb::exec(const std::string& sql, std::string_view context)
{
  const int rc =
      sqlite3_exec(m_db.get(), sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return std::unexpected(error(rc, context));
  }
  return {};
}

Result<Statement>
SqliteDb::prepare(std::string_view sql, std::string_view context)
{
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(
      m_db.get(), sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  // Construct first so a partly prepared statement is still finalized.
  Statement statement(m_db.get(), stmt, context, m_path);
  if (rc != SQLITE_OK) {
    return std::unexpected(error(rc, context));
  }
  return statement;
}

int64_t
SqliteDb::last_insert_rowid() const
{
  return sqlite3_last_insert_rowid(m_db.get());
}

int64_t
SqliteDb::changes() const
{
  return sqlite3_changes64(m_db.get());
}

Error
SqliteDb::error(int rc, std::string_view context) const
{
  return sqlite_error(rc, context, sqlite3_errmsg(m_db.get()), m_path);
}

// Transaction

Transaction::Transaction(SqliteDb& db, std::string_view context)
    : m_db(&db), m_context(context)
{
}

Transaction::Transaction(Transaction&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)),
      m_context(std::move(other.m_context))
{
}

Transaction::~Transaction()
{
  if (m_db == nullptr) {
    return;
  }
  // Nothing to report a failure to; a failed ROLLBACK leaves the
  // transaction to be rolled back when the connection closes.
  (void)m_db->exec("ROLLBACK", m_context);
}

Result<Transaction>
Transaction::begin(SqliteDb& db, std::string_view context)
{
  TRY(db.exec("BEGIN IMMEDIATE", context));
  return Transaction(db, context);
}

Result<void>
Transaction::commit()
{
  if (m_db == nullptr) {
    return fail(ErrorCode::internal,
                fmt::format("{}: transaction already ended", m_context));
  }
  // On failure `m_db` stays set, so the destructor rolls back.
  TRY(m_db->exec("COMMIT", m_context));
  m_db = nullptr;
  return {};
}

} // namespace tapline::state
