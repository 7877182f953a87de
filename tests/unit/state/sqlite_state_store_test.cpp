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
#include <optional>
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
using tapline::state::RunSummary;
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

// 2026-11-25T06:00:00Z in unix seconds; runs in these tests start on the
// hour after it.
constexpr int64_t k_six_utc = 1'795'586'400;

// Start a run of `integration` at `started_at` and return its id.
int64_t
start_run(StateStore& store,
          const std::string& integration,
          const std::string& started_at,
          std::optional<int64_t> pid = std::nullopt)
{
  RunEntry run;
  run.integration = integration;
  run.started_at = started_at;
  run.outcome = "running";
  run.pid = pid;
  const auto id = store.begin_run(run);
  REQUIRE_MESSAGE(id.has_value(), id.error().to_string());
  return *id;
}

void
end_run(StateStore& store,
        int64_t id,
        const std::string& outcome,
        std::optional<int> exit_code,
        const std::string& ended_at,
        uint64_t records = 0,
        uint64_t bytes = 0)
{
  RunEntry run;
  run.id = id;
  run.outcome = outcome;
  run.exit_code = exit_code;
  run.ended_at = ended_at;
  run.records = records;
  run.bytes = bytes;
  const auto result = store.finish_run(run);
  REQUIRE_MESSAGE(result.has_value(), result.error().to_string());
}

RunSummary
summary_of(StateStore& store, const std::string& integration)
{
  const auto summary = store.run_summary(integration);
  REQUIRE_MESSAGE(summary.has_value(), summary.error().to_string());
  REQUIRE(summary->has_value());
  return **summary;
}

void
exec_sql(sqlite3* db, const std::string& sql)
{
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  const std::string text = message != nullptr ? message : "";
  sqlite3_free(message);
  REQUIRE_MESSAGE(rc == SQLITE_OK, text);
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

  TEST_CASE("run_summary: a started run is the running last run")
  {
    const tapline::test::TempDir dir;
    auto store = open_store(dir.path() / "state.db");
    const auto none = store->run_summary("shop");
    REQUIRE(none.has_value());
    CHECK_FALSE(none->has_value());

    const auto id = start_run(*store, "shop", "2026-11-25T06:00:00.000Z", 4242);
    const RunSummary summary = summary_of(*store, "shop");
    CHECK(summary.integration == "shop");
    CHECK(summary.last_run_id == id);
    CHECK(summary.last_started_at == "2026-11-25T06:00:00.000Z");
    CHECK(summary.last_started_unix == k_six_utc);
    CHECK(summary.last_ended_at == std::nullopt);
    CHECK(summary.last_ended_unix == std::nullopt);
    CHECK(summary.last_outcome == "running");
    CHECK(summary.last_exit_code == std::nullopt);
    CHECK(summary.last_records == 0);
    CHECK(summary.last_bytes == 0);
    CHECK(summary.last_pid == 4242);
    CHECK(summary.last_duration_seconds == std::nullopt);
    CHECK(summary.slot_started_unix == k_six_utc);
    CHECK(summary.last_success_at == std::nullopt);
    CHECK(summary.last_success_unix == std::nullopt);
    CHECK(summary.consecutive_failures == 0);
    CHECK(summary.runs_total == 1);
    CHECK(summary.records_total == 0);
    CHECK(summary.bytes_total == 0);
  }

  TEST_CASE("run_summary: a succeeded run sets success time and duration")
  {
    const tapline::test::TempDir dir;
    auto store = open_store(dir.path() / "state.db");
    const auto id = start_run(*store, "shop", "2026-11-25T06:00:00.000Z", 4242);
    end_run(*store, id, "succeeded", 0, "2026-11-25T06:00:01.500Z", 5, 1234);

    const RunSummary summary = summary_of(*store, "shop");
    CHECK(summary.last_run_id == id);
    CHECK(summary.last_started_unix == k_six_utc);
    CHECK(summary.last_ended_at == "2026-11-25T06:00:01.500Z");
    // unixepoch() drops the fraction.
    CHECK(summary.last_ended_unix == k_six_utc + 1);
    CHECK(summary.last_outcome == "succeeded");
    CHECK(summary.last_exit_code == 0);
    CHECK(summary.last_records == 5);
    CHECK(summary.last_bytes == 1234);
    CHECK(summary.last_pid == 4242); // kept: finish_run gave none
    CHECK(summary.last_duration_seconds == 1.5);
    CHECK(summary.slot_started_unix == k_six_utc);
    CHECK(summary.last_success_at == "2026-11-25T06:00:01.500Z");
    CHECK(summary.last_success_unix == k_six_utc + 1);
    CHECK(summary.consecutive_failures == 0);
    CHECK(summary.runs_total == 1);
    CHECK(summary.records_total == 5);
    CHECK(summary.bytes_total == 1234);
  }

  TEST_CASE("run_summary: consecutive failures, auth failures not counted")
  {
    const tapline::test::TempDir dir;
    auto store = open_store(dir.path() / "state.db");
    struct Step
    {
      std::string outcome;
      std::optional<int> exit_code;
      int consecutive_failures; // after this run
    };
    const std::vector<Step> steps = {
        {"failed", 69, 1},
        {"failed", 69, 2},
        {"failed", 77, 2}, // auth: pauses instead
        {"failed", std::nullopt, 3},
        {"interrupted", std::nullopt, 3},
        {"succeeded", 0, 0},
        {"failed", 65, 1},
        {"degraded", 0, 0},
        {"failed", 75, 1},
    };
    int hour = 0;
    for (const auto& step : steps) {
      CAPTURE(hour);
      const std::string start =
          "2026-11-25T" + std::to_string(10 + hour) + ":00:00.000Z";
      const std::string end =
          "2026-11-25T" + std::to_string(10 + hour) + ":00:02.000Z";
      const auto id = start_run(*store, "shop", start);
      end_run(*store, id, step.outcome, step.exit_code, end);
      const RunSummary summary = summary_of(*store, "shop");
      CHECK(summary.last_outcome == step.outcome);
      CHECK(summary.last_exit_code == step.exit_code);
      CHECK(summary.consecutive_failures == step.consecutive_failures);
      CHECK(summary.runs_total == static_cast<uint64_t>(hour + 1));
      ++hour;
    }
    const RunSummary summary = summary_of(*store, "shop");
    // The degraded run (hour 7) is the last success.
    CHECK(summary.last_success_at == "2026-11-25T17:00:02.000Z");
    CHECK(summary.last_success_unix == k_six_utc + 11 * 3600 + 2);
  }

  TEST_CASE("run_summary: an interrupted run does not use its slot")
  {
    const tapline::test::TempDir dir;
    auto store = open_store(dir.path() / "state.db");
    const auto first = start_run(*store, "shop", "2026-11-25T06:00:00.000Z");
    end_run(*store, first, "succeeded", 0, "2026-11-25T06:00:01.000Z");

    const auto second = start_run(*store, "shop", "2026-11-25T07:00:00.000Z");
    // While it runs, it holds the slot.
    CHECK(summary_of(*store, "shop").slot_started_unix == k_six_utc + 3600);
    end_run(*store, second, "interrupted", 75, "2026-11-25T07:00:30.000Z");

    const RunSummary summary = summary_of(*store, "shop");
    CHECK(summary.last_run_id == second);
    CHECK(summary.last_outcome == "interrupted");
    CHECK(summary.last_started_unix == k_six_utc + 3600);
    CHECK(summary.last_duration_seconds == 30.0);
    CHECK(summary.slot_started_unix == k_six_utc);
    CHECK(summary.consecutive_failures == 0);
    CHECK(summary.last_success_at == "2026-11-25T06:00:01.000Z");
  }

  TEST_CASE("run_summary: totals sum every run of the integration")
  {
    const tapline::test::TempDir dir;
    auto store = open_store(dir.path() / "state.db");
    const auto a = start_run(*store, "shop", "2026-11-25T06:00:00.000Z");
    end_run(*store, a, "succeeded", 0, "2026-11-25T06:01:00.000Z", 10, 1000);
    const auto other = start_run(*store, "crm", "2026-11-25T06:00:00.000Z");
    end_run(*store, other, "succeeded", 0, "2026-11-25T06:01:00.000Z", 7, 70);
    const auto b = start_run(*store, "shop", "2026-11-25T07:00:00.000Z");
    end_run(*store, b, "failed", 69, "2026-11-25T07:01:00.000Z", 3, 300);
    const auto c = start_run(*store, "shop", "2026-11-25T08:00:00.000Z");
    end_run(*store, c, "succeeded", 0, "2026-11-25T08:01:00.250Z", 20, 2000);

    const RunSummary shop = summary_of(*store, "shop");
    CHECK(shop.runs_total == 3);
    CHECK(shop.records_total == 33);
    CHECK(shop.bytes_total == 3300);
    CHECK(shop.last_records == 20);
    CHECK(shop.last_bytes == 2000);
    CHECK(shop.last_duration_seconds == 60.25);
    const RunSummary crm = summary_of(*store, "crm");
    CHECK(crm.runs_total == 1);
    CHECK(crm.records_total == 7);
    CHECK(crm.bytes_total == 70);
  }

  TEST_CASE("run_summaries: one row per integration in name order")
  {
    const tapline::test::TempDir dir;
    auto store = open_store(dir.path() / "state.db");
    const auto empty = store->run_summaries();
    REQUIRE(empty.has_value());
    CHECK(empty->empty());

    start_run(*store, "shop", "2026-11-25T06:00:00.000Z");
    start_run(*store, "crm", "2026-11-25T06:00:00.000Z");
    const auto latest = start_run(*store, "shop", "2026-11-25T07:00:00.000Z");
    start_run(*store, "ads", "2026-11-25T06:00:00.000Z");

    const auto summaries = store->run_summaries();
    REQUIRE_MESSAGE(summaries.has_value(), summaries.error().to_string());
    REQUIRE(summaries->size() == 3);
    CHECK((*summaries)[0].integration == "ads");
    CHECK((*summaries)[1].integration == "crm");
    CHECK((*summaries)[2].integration == "shop");
    CHECK((*summaries)[2].last_run_id == latest);
    CHECK((*summaries)[2].runs_total == 2);
  }

  TEST_CASE("integration_statuses: every stored status in name order")
  {
    const tapline::test::TempDir dir;
    auto store = open_store(dir.path() / "state.db");
    const auto none = store->integration_statuses();
    REQUIRE(none.has_value());
    CHECK(none->empty());

    tapline::state::IntegrationStatus shop;
    shop.integration = "shop";
    shop.status = "needs_reauth";
    shop.auth_class = "token_revoked";
    shop.rule_id = "oauth.invalid_grant";
    shop.explanation = "run tapline reauth shop";
    shop.evidence = "invalid_grant";
    shop.run_id = 3;
    shop.since = "2026-11-25T06:00:00.000Z";
    shop.fingerprint = "abc";
    REQUIRE(store->set_integration_status(shop));
    tapline::state::IntegrationStatus crm;
    crm.integration = "crm";
    crm.status = "active";
    crm.since = "2026-11-25T07:00:00.000Z";
    REQUIRE(store->set_integration_status(crm));

    const auto statuses = store->integration_statuses();
    REQUIRE_MESSAGE(statuses.has_value(), statuses.error().to_string());
    REQUIRE(statuses->size() == 2);
    const auto& first = (*statuses)[0];
    CHECK(first.integration == "crm");
    CHECK(first.status == "active");
    CHECK(first.auth_class.empty());
    CHECK(first.run_id == std::nullopt);
    CHECK(first.since == "2026-11-25T07:00:00.000Z");
    const auto& second = (*statuses)[1];
    CHECK(second.integration == "shop");
    CHECK(second.status == "needs_reauth");
    CHECK(second.auth_class == "token_revoked");
    CHECK(second.rule_id == "oauth.invalid_grant");
    CHECK(second.explanation == "run tapline reauth shop");
    CHECK(second.evidence == "invalid_grant");
    CHECK(second.run_id == 3);
    CHECK(second.since == "2026-11-25T06:00:00.000Z");
    CHECK(second.fingerprint == "abc");
  }

  TEST_CASE("latest_states: the newest row of each integration, cleared too")
  {
    const tapline::test::TempDir dir;
    auto store = open_store(dir.path() / "state.db");
    const auto none = store->latest_states();
    REQUIRE(none.has_value());
    CHECK(none->empty());

    REQUIRE(store->commit_state("shop", R"({"a":1})", 1, "target"));
    REQUIRE(store->commit_state("crm", R"({"b":1})", 2, "target"));
    const auto shop_latest =
        store->commit_state("shop", R"({"a":2})", 3, "tap");
    REQUIRE(shop_latest.has_value());
    REQUIRE(store->clear_state("crm"));
    REQUIRE(store->commit_state("ads", R"({"c":1})", std::nullopt, "user"));

    const auto latest = store->latest_states();
    REQUIRE_MESSAGE(latest.has_value(), latest.error().to_string());
    REQUIRE(latest->size() == 3);
    CHECK((*latest)[0].integration == "ads");
    CHECK((*latest)[0].value_json == R"({"c":1})");
    CHECK((*latest)[0].source == "user");
    CHECK((*latest)[1].integration == "crm");
    CHECK((*latest)[1].value_json == std::nullopt);
    CHECK((*latest)[1].source == "user");
    CHECK((*latest)[1].run_id == std::nullopt);
    CHECK((*latest)[2].integration == "shop");
    CHECK((*latest)[2].id == *shop_latest);
    CHECK((*latest)[2].value_json == R"({"a":2})");
    CHECK((*latest)[2].run_id == 3);
    CHECK((*latest)[2].source == "tap");
  }

  TEST_CASE("open: migrating a version 3 database fills run_summary")
  {
    const tapline::test::TempDir dir;
    const auto path = dir.path() / "state.db";
    {
      sqlite3* db = nullptr;
      REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
      // Steps 1 to 3 of runner/state/schema.cpp as released.
      exec_sql(db, R"sql(
CREATE TABLE state_history (
  id INTEGER PRIMARY KEY,
  integration TEXT NOT NULL,
  value_json TEXT,
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
CREATE TABLE credentials (
  integration TEXT PRIMARY KEY,
  nonce BLOB NOT NULL,
  ciphertext BLOB NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE integration_status (
  integration TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  auth_class TEXT NOT NULL DEFAULT '',
  rule_id TEXT NOT NULL DEFAULT '',
  explanation TEXT NOT NULL DEFAULT '',
  evidence TEXT NOT NULL DEFAULT '',
  run_id INTEGER,
  since TEXT NOT NULL,
  fingerprint TEXT NOT NULL DEFAULT ''
);
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  integration TEXT NOT NULL,
  at TEXT NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_integration_id ON events (integration, id);
)sql");
      exec_sql(db, R"sql(
INSERT INTO runs (id, integration, started_at, ended_at, outcome, exit_code,
                  records, bytes, pid) VALUES
  (1, 'shop', '2026-11-25T06:00:00.000Z', '2026-11-25T06:00:02.250Z',
   'succeeded', 0, 10, 1000, 101),
  (2, 'crm', '2026-11-25T06:00:00.000Z', '2026-11-25T06:00:05.000Z',
   'succeeded', 0, 4, 40, 102),
  (3, 'shop', '2026-11-25T07:00:00.000Z', '2026-11-25T07:00:01.000Z',
   'failed', 69, 1, 10, 103),
  (4, 'shop', '2026-11-25T08:00:00.000Z', '2026-11-25T08:00:01.000Z',
   'failed', 77, 0, 0, 104),
  (5, 'shop', '2026-11-25T09:00:00.000Z', '2026-11-25T09:00:03.000Z',
   'failed', 69, 2, 20, 105),
  (6, 'crm', '2026-11-25T07:00:00.000Z', NULL, 'running', NULL, 0, 0, 106),
  (7, 'shop', '2026-11-25T10:00:00.000Z', '2026-11-25T10:00:00.500Z',
   'interrupted', 75, 3, 30, 107),
  (8, 'ads', '2026-11-25T06:00:00.000Z', '2026-11-25T06:00:01.000Z',
   'failed', 69, 0, 5, NULL),
  (9, 'ads', '2026-11-25T07:00:00.000Z', '2026-11-25T07:00:01.000Z',
   'failed', 1, 0, 5, NULL);
PRAGMA user_version = 3;
)sql");
      sqlite3_close(db);
    }

    auto store = open_store(path);
    CHECK(query_int(path, "PRAGMA user_version") == 4);
    const auto summaries = store->run_summaries();
    REQUIRE_MESSAGE(summaries.has_value(), summaries.error().to_string());
    REQUIRE(summaries->size() == 3);

    const RunSummary& ads = (*summaries)[0];
    CHECK(ads.integration == "ads");
    CHECK(ads.last_run_id == 9);
    CHECK(ads.last_exit_code == 1);
    CHECK(ads.last_pid == std::nullopt);
    CHECK(ads.last_success_at == std::nullopt);
    CHECK(ads.last_success_unix == std::nullopt);
    CHECK(ads.consecutive_failures == 2);
    CHECK(ads.runs_total == 2);
    CHECK(ads.bytes_total == 10);

    const RunSummary& crm = (*summaries)[1];
    CHECK(crm.integration == "crm");
    CHECK(crm.last_run_id == 6);
    CHECK(crm.last_outcome == "running");
    CHECK(crm.last_started_unix == k_six_utc + 3600);
    CHECK(crm.last_ended_at == std::nullopt);
    CHECK(crm.last_duration_seconds == std::nullopt);
    CHECK(crm.last_pid == 106);
    CHECK(crm.slot_started_unix == k_six_utc + 3600);
    CHECK(crm.last_success_at == "2026-11-25T06:00:05.000Z");
    CHECK(crm.last_success_unix == k_six_utc + 5);
    CHECK(crm.consecutive_failures == 0);
    CHECK(crm.runs_total == 2);
    CHECK(crm.records_total == 4);
    CHECK(crm.bytes_total == 40);

    const RunSummary& shop = (*summaries)[2];
    CHECK(shop.integration == "shop");
    CHECK(shop.last_run_id == 7);
    CHECK(shop.last_started_at == "2026-11-25T10:00:00.000Z");
    CHECK(shop.last_started_unix == k_six_utc + 4 * 3600);
    CHECK(shop.last_ended_at == "2026-11-25T10:00:00.500Z");
    CHECK(shop.last_ended_unix == k_six_utc + 4 * 3600);
    CHECK(shop.last_outcome == "interrupted");
    CHECK(shop.last_exit_code == 75);
    CHECK(shop.last_records == 3);
    CHECK(shop.last_bytes == 30);
    CHECK(shop.last_pid == 107);
    CHECK(shop.last_duration_seconds == 0.5);
    // Run 5 is the last one that used its slot.
    CHECK(shop.slot_started_unix == k_six_utc + 3 * 3600);
    CHECK(shop.last_success_at == "2026-11-25T06:00:02.250Z");
    CHECK(shop.last_success_unix == k_six_utc + 2);
    CHECK(shop.consecutive_failures == 2); // runs 3 and 5; 4 was auth
    CHECK(shop.runs_total == 5);
    CHECK(shop.records_total == 16);
    CHECK(shop.bytes_total == 1060);

    // The store keeps the backfilled rows current.
    const auto next = start_run(*store, "shop", "2026-11-25T11:00:00.000Z");
    end_run(*store, next, "succeeded", 0, "2026-11-25T11:00:01.000Z", 4, 40);
    const RunSummary after = summary_of(*store, "shop");
    CHECK(after.last_run_id == next);
    CHECK(after.consecutive_failures == 0);
    CHECK(after.slot_started_unix == k_six_utc + 5 * 3600);
    CHECK(after.runs_total == 6);
    CHECK(after.records_total == 20);
    CHECK(after.bytes_total == 1100);
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
