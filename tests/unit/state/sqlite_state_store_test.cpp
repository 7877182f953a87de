// tests/unit/state/sqlite_state_store_test.cpp
//
// The SQLite StateStore against real files in a fresh directory per test:
// bookmark history, runs, durability across instances, file mode, schema
// migration and the errors a broken data directory produces. Also the
// SqliteDb wrapper's error mapping, which the store cannot easily provoke.

#include <runner/state/schema.hpp>
#include <runner/state/sqlite_db.hpp>
#include <runner/state/state_store.hpp>

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <sys/stat.h>
#include <tests/unit/temp_dir.hpp>
#include <thread>
#include <vector>

namespace {

using tapline::ErrorCode;
using tapline::state::open_sqlite_store;
using tapline::state::RunEntry;
using tapline::state::StateStore;

std::unique_ptr<StateStore>
open_store(const std::filesystem::path& path)
{
  auto store = open_sqlite_store(path.string());
  REQUIRE_MESSAGE(store.has_value(), store.error().to_string());
  return std::move(*store);
}

// Read one integer the way the end-to-end tests do: a separate connection.
int64_t
query_int(const std::filesystem::path& path, const std::string& sql)
{
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
          SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  const int64_t value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

unsigned
file_mode(const std::filesystem::path& path)
{
  struct stat info
  {
  };
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 0777U;
}

} // namespace

TEST_SUITE("state::SqliteStateStore")
{
  TEST_CASE("commit_state: current is the newest, history is newest first")
  {
    const tapline::test::TempDir dir;
    auto store = open_store(dir.path() / "state.db");

    CHECK(store->current_state("shop")->has_value() == false);
    const auto first = store->commit_state("shop", R"({"a":1})", 7, "target");
    const auto second = store->commit_state("shop", R"({"a":2})", 7, "target");
    const auto other = store->commit_state("crm", R"({"b":1})", {}, "user");
    REQUIRE(first.has_value());
    REQUIRE(second.has_value());
    REQUIRE(other.has_value());
    CHECK(*second > *first);

    const auto current = store->current_state("shop");
    REQUIRE(current.has_value());
    REQUIRE(current->has_value());
    CHECK((*current)->id == *second);
    CHECK((*current)->integration == "shop");
    CHECK((*current)->value_json == R"({"a":2})");
    CHECK((*current)->run_id == 7);
    CHECK((*current)->source == "target");
    CHECK((*current)->committed_at.size() ==
          std::string("2025-11-25T12:00:00.123Z").size());

    const auto history = store->state_history("shop", 0);
    REQUIRE(history.has_value());
    REQUIRE(history->size() == 2);
    CHECK((*history)[0].value_json == R"({"a":2})");
    CHECK((*history)[1].value_json == R"({"a":1})");

    const auto limited = store->state_history("shop", 1);
    REQUIRE(limited.has_value());
    REQUIRE(limited->size() == 1);
    CHECK((*limited)[0].id == *second);

    const auto crm = store->current_state("crm");
    REQUIRE(crm.has_value());
    REQUIRE(crm->has_value());
    CHECK((*crm)->run_id.has_value() == false);
  }

  TEST_CASE("clear_state: current is nullopt, history keeps both rows")
  {
    const tapline::test::TempDir dir;
    auto store = open_store(dir.path() / "state.db");
    REQUIRE(store->commit_state("shop", R"({"a":1})", 1, "target"));
    REQUIRE(store->clear_state("shop"));

    const auto current = store->current_state("shop");
    REQUIRE(current.has_value());
    CHECK(current->has_value() == false);

    const auto history = store->state_history("shop", -1);
    REQUIRE(history.has_value());
    REQUIRE(history->size() == 2);
    CHECK((*history)[0].value_json.has_value() == false);
    CHECK((*history)[0].source == "user");
    CHECK((*history)[0].run_id.has_value() == false);
    CHECK((*history)[1].value_json == R"({"a":1})");

    SUBCASE("a commit after the clear is current again")
    {
      REQUIRE(store->commit_state("shop", R"({"a":3})", 2, "target"));
      const auto again = store->current_state("shop");
      REQUIRE(again.has_value());
      REQUIRE(again->has_value());
      CHECK((*again)->value_json == R"({"a":3})");
    }
  }

  TEST_CASE("runs: begin, finish, read and list newest first")
  {
    const tapline::test::TempDir dir;
    auto store = open_store(dir.path() / "state.db");

    RunEntry run;
    run.integration = "shop";
    run.outcome = "running";
    run.log_path = "/var/log/tapline/shop-1.log";
    const auto id = store->begin_run(run);
    REQUIRE(id.has_value());

    const auto running = store->run(*id);
    REQUIRE(running.has_value());
    REQUIRE(running->has_value());
    CHECK((*running)->outcome == "running");
    CHECK((*running)->ended_at.has_value() == false);
    CHECK((*running)->started_at.empty() == false);
    CHECK((*running)->records_json == "{}");

    run.id = *id;
    run.outcome = "succeeded";
    run.exit_code = 0;
    run.records_json = R"({"orders":3,"customers":2})";
    run.records = 5;
    run.bytes = 1234;
    run.log_path.clear(); // keeps the path given at the start
    run.pid = 4242;
    REQUIRE(store->finish_run(run));

    const auto finished = store->run(*id);
    REQUIRE(finished.has_value());
    REQUIRE(finished->has_value());
    CHECK((*finished)->outcome == "succeeded");
    CHECK((*finished)->exit_code == 0);
    CHECK((*finished)->ended_at.has_value());
    CHECK((*finished)->records_json == R"({"orders":3,"customers":2})");
    CHECK((*finished)->records == 5);
    CHECK((*finished)->bytes == 1234);
    CHECK((*finished)->log_path == "/var/log/tapline/shop-1.log");
    CHECK((*finished)->pid == 4242);
    CHECK((*finished)->error.empty());

    RunEntry other;
    other.integration = "crm";
    other.outcome = "running";
    REQUIRE(store->begin_run(other));
    REQUIRE(store->begin_run(run));

    const auto all = store->runs("", 0);
    REQUIRE(all.has_value());
    REQUIRE(all->size() == 3);
    CHECK((*all)[0].integration == "shop");
    CHECK((*all)[1].integration == "crm");
    CHECK((*all)[2].id == *id);

    const auto shop = store->runs("shop", 1);
    REQUIRE(shop.has_value());
    REQUIRE(shop->size() == 1);
    CHECK((*shop)[0].id == (*all)[0].id);

    const auto missing = store->run(999);
    REQUIRE(missing.has_value());
    CHECK(missing->has_value() == false);
  }

  TEST_CASE("finish_run: an unknown id is an internal error")
  {
    const tapline::test::TempDir dir;
    auto store = open_store(dir.path() / "state.db");
    RunEntry run;
    run.id = 41;
    run.outcome = "failed";
    const auto result = store->finish_run(run);
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == ErrorCode::internal);
    CHECK(result.error().message == "cannot record run end: no run with id 41");
  }

  TEST_CASE("reopen: a second instance sees committed state and runs")
  {
    const tapline::test::TempDir dir;
    const auto path = dir.path() / "state.db";
    int64_t run_id = 0;
    {
      auto store = open_store(path);
      RunEntry run;
      run.integration = "shop";
      run.outcome = "running";
      run_id = store->begin_run(run).value();
      REQUIRE(store->commit_state("shop", R"({"a":1})", run_id, "target"));
    }
    auto reopened = open_store(path);
    const auto current = reopened->current_state("shop");
    REQUIRE(current.has_value());
    REQUIRE(current->has_value());
    CHECK((*current)->value_json == R"({"a":1})");
    CHECK((*current)->run_id == run_id);
    const auto run = reopened->run(run_id);
    REQUIRE(run.has_value());
    CHECK(run->has_value());
  }

  TEST_CASE("open: files are mode 0600 and the parent directory is created")
  {
    const tapline::test::TempDir dir;
    const auto path = dir.path() / "data" / "nested" / "state.db";
    auto store = open_store(path);
    REQUIRE(store->commit_state("shop", "{}", {}, "user"));
    CHECK(file_mode(path) == 0600U);
    // SQLite gives its side files the database file's mode.
    CHECK(file_mode(path.string() + "-wal") == 0600U);
    CHECK(file_mode(path.string() + "-shm") == 0600U);
  }

  TEST_CASE("open: WAL mode and the schema version are in the file")
  {
    const tapline::test::TempDir dir;
    const auto path = dir.path() / "state.db";
    {
      auto store = open_store(path);
    }
    SUBCASE("migration is idempotent on reopen")
    {
      REQUIRE(open_store(path) != nullptr);
      REQUIRE(open_store(path) != nullptr);
    }
    CHECK(query_int(path, "PRAGMA user_version") ==
          tapline::state::schema_version());
    CHECK(query_int(path,
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                    "AND name IN ('state_history', 'runs')") == 2);
    CHECK(query_int(path,
                    "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                    "AND tbl_name IN ('state_history', 'runs')") == 2);
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr) ==
            SQLITE_OK);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    CHECK(std::string(reinterpret_cast<const char*>(
              sqlite3_column_text(stmt, 0))) == "wal");
    sqlite3_finalize(stmt);
    sqlite3_close(db);
  }

  TEST_CASE("open: a database from a newer tapline is refused")
  {
    const tapline::test::TempDir dir;
    const auto path = dir.path() / "state.db";
    {
      auto store = open_store(path);
    }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(
                db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr) ==
            SQLITE_OK);
    sqlite3_close(db);

    const auto store = open_sqlite_store(path.string());
    REQUIRE_FALSE(store.has_value());
    CHECK(store.error().code == ErrorCode::config);
    CHECK(store.error().where == path.string());
    CHECK(store.error().message ==
          "state database has schema version 99, newer than the 4 this "
          "tapline knows; use a newer tapline");
  }

  TEST_CASE("commit_state: concurrent commits from two threads all land")
  {
    const tapline::test::TempDir dir;
    auto store = open_store(dir.path() / "state.db");
    constexpr int k_per_thread = 100;
    std::vector<int64_t> ids_a;
    std::vector<int64_t> ids_b;
    bool failed_a = false;
    bool failed_b = false;
    auto commit_many = [&store](const std::string& integration,
                                std::vector<int64_t>& ids,
                                bool& failed) {
      for (int i = 0; i < k_per_thread; ++i) {
        const auto id = store->commit_state(
            integration, "{\"n\":" + std::to_string(i) + "}", 1, "target");
        if (!id) {
          failed = true;
          return;
        }
        ids.push_back(*id);
      }
    };
    std::thread a(commit_many, "shop", std::ref(ids_a), std::ref(failed_a));
    std::thread b(commit_many, "crm", std::ref(ids_b), std::ref(failed_b));
    a.join();
    b.join();

    CHECK_FALSE(failed_a);
    CHECK_FALSE(failed_b);
    std::set<int64_t> unique(ids_a.begin(), ids_a.end());
    unique.insert(ids_b.begin(), ids_b.end());
    CHECK(unique.size() == 2 * k_per_thread);
    const auto shop = store->state_history("shop", 0);
    const auto crm = store->state_history("crm", 0);
    REQUIRE(shop.has_value());
    REQUIRE(crm.has_value());
    CHECK(shop->size() == k_per_thread);
    CHECK(crm->size() == k_per_thread);
    CHECK(shop->front().value_json == R"({"n":99})");
  }

  TEST_CASE("open: an unusable path is an io error naming the path")
  {
    const tapline::test::TempDir dir;

    SUBCASE("the path is a directory")
    {
      const auto path = dir.path() / "state.db";
      std::filesystem::create_directory(path);
      const auto store = open_sqlite_store(path.string());
      REQUIRE_FALSE(store.has_value());
      CHECK(store.error().code == ErrorCode::io);
      CHECK(store.error().where == path.string());
      CHECK(store.error().message ==
            "cannot open state database: unable to open database file");
    }
    SUBCASE("a parent is a regular file")
    {
      // Not a read-only directory: the tests may run as root.
      std::ofstream(dir.path() / "file") << "x";
      const auto path = dir.path() / "file" / "state.db";
      const auto store = open_sqlite_store(path.string());
      REQUIRE_FALSE(store.has_value());
      CHECK(store.error().code == ErrorCode::io);
      CHECK(store.error().where == path.string());
      CHECK(store.error().message ==
            "cannot create the state database directory: Not a directory");
    }
    SUBCASE("the file is not a database")
    {
      const auto path = dir.path() / "state.db";
      std::ofstream(path) << std::string(4096, 'x');
      const auto store = open_sqlite_store(path.string());
      REQUIRE_FALSE(store.has_value());
      CHECK(store.error().code == ErrorCode::io);
      CHECK(store.error().where == path.string());
      CHECK(store.error().message ==
            "cannot open state database: file is not a database");
    }
  }
}

TEST_SUITE("state::SqliteDb")
{
  using tapline::state::SqliteDb;

  TEST_CASE("sqlite_error: codes follow what the user should do next")
  {
    using tapline::state::sqlite_error;
    const auto full = sqlite_error(
        SQLITE_FULL, "cannot commit state", "database or disk is full", "s.db");
    CHECK(full.code == ErrorCode::io);
    CHECK(full.message ==
          "cannot commit state: disk full: database or disk is full");
    CHECK(full.where == "s.db");
    CHECK(
        sqlite_error(SQLITE_IOERR_FSYNC, "x", "disk I/O error", "s.db").code ==
        ErrorCode::io);
    CHECK(sqlite_error(SQLITE_BUSY, "x", "database is locked", "s.db").code ==
          ErrorCode::transient);
    CHECK(sqlite_error(SQLITE_CONSTRAINT_NOTNULL, "x", "y", "s.db").code ==
          ErrorCode::internal);
  }

  TEST_CASE("step: a full database is an io error mentioning disk full")
  {
    const tapline::test::TempDir dir;
    const auto path = (dir.path() / "full.db").string();
    auto db = SqliteDb::open(path, std::chrono::milliseconds{100});
    REQUIRE(db.has_value());
    REQUIRE(db->exec("CREATE TABLE t (v TEXT)", "setup"));
    // max_page_count caps the file, which SQLite reports as SQLITE_FULL.
    REQUIRE(db->exec("PRAGMA max_page_count = 2", "setup"));
    auto insert =
        db->prepare("INSERT INTO t VALUES (?1)", "cannot commit state");
    REQUIRE(insert.has_value());
    insert->bind_text(1, std::string(100'000, 'x'));
    const auto result = insert->run();
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == ErrorCode::io);
    CHECK(result.error().where == path);
    CHECK(result.error().message ==
          "cannot commit state: disk full: database or disk is full");
  }

  TEST_CASE("Transaction: rolls back unless committed")
  {
    const tapline::test::TempDir dir;
    auto db = SqliteDb::open((dir.path() / "t.db").string(),
                             std::chrono::milliseconds{100});
    REQUIRE(db.has_value());
    REQUIRE(db->exec("CREATE TABLE t (v INTEGER)", "setup"));
    {
      auto transaction = tapline::state::Transaction::begin(*db, "test");
      REQUIRE(transaction.has_value());
      REQUIRE(db->exec("INSERT INTO t VALUES (1)", "test"));
    }
    {
      auto transaction = tapline::state::Transaction::begin(*db, "test");
      REQUIRE(transaction.has_value());
      REQUIRE(db->exec("INSERT INTO t VALUES (2)", "test"));
      REQUIRE(transaction->commit());
    }
    auto count = db->prepare("SELECT sum(v) FROM t", "test");
    REQUIRE(count.has_value());
    REQUIRE(count->step().value());
    CHECK(count->int64(0) == 2);
  }

  TEST_CASE("prepare: a syntax error is internal and names the statement's job")
  {
    auto db = SqliteDb::open(":memory:", std::chrono::milliseconds{100});
    REQUIRE(db.has_value());
    const auto statement = db->prepare("SELEC 1", "cannot read state");
    REQUIRE_FALSE(statement.has_value());
    CHECK(statement.error().code == ErrorCode::internal);
    CHECK(statement.error().message ==
          "cannot read state: near \"SELEC\": syntax error");
  }
}
