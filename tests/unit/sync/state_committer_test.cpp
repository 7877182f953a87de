// tests/unit/sync/state_committer_test.cpp
//
// StateCommitter over the real SQLite store in a fresh directory: what lands
// in the bookmark history after confirm/flush, coalescing within
// min_interval, and a failing commit (a thin wrapper around the real store
// that fails on request) keeping the pending state for the next flush.

#include <runner/state/state_store.hpp>
#include <runner/sync/state_committer.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <tests/unit/temp_dir.hpp>
#include <tests/unit/test_support.hpp>
#include <thread>
#include <vector>

namespace {

using tapline::test::error_text;

using tapline::ErrorCode;
using tapline::Result;
using tapline::state::RunEntry;
using tapline::state::StateEntry;
using tapline::state::StateStore;
using tapline::sync::StateCommitter;
using namespace std::chrono_literals;

constexpr std::int64_t k_run_id = 7;
constexpr auto k_long = std::chrono::milliseconds(std::chrono::hours(24));

std::unique_ptr<StateStore>
open_store(const std::filesystem::path& path)
{
  auto store = tapline::state::open_sqlite_store(path.string());
  REQUIRE_MESSAGE(store.has_value(), error_text(store));
  return std::move(*store);
}

// The real store, with commit_state counted and failing on request.
class CountingStore final : public StateStore
{
public:
  explicit CountingStore(std::unique_ptr<StateStore> inner)
      : m_inner(std::move(inner))
  {
  }

  int commit_calls = 0;
  bool fail_commits = false;

  Result<std::optional<StateEntry>>
  current_state(const std::string& integration) override
  {
    return m_inner->current_state(integration);
  }
  Result<std::int64_t>
  commit_state(const std::string& integration,
               const std::string& value_json,
               std::optional<std::int64_t> run_id,
               const std::string& source) override
  {
    ++commit_calls;
    if (fail_commits) {
      return tapline::fail(
          ErrorCode::io, "disk I/O error", "cannot commit state");
    }
    return m_inner->commit_state(integration, value_json, run_id, source);
  }
  Result<void>
  clear_state(const std::string& integration) override
  {
    return m_inner->clear_state(integration);
  }
  Result<std::vector<StateEntry>>
  state_history(const std::string& integration, int limit) override
  {
    return m_inner->state_history(integration, limit);
  }
  Result<std::int64_t>
  begin_run(const RunEntry& run) override
  {
    return m_inner->begin_run(run);
  }
  Result<void>
  finish_run(const RunEntry& run) override
  {
    return m_inner->finish_run(run);
  }
  Result<std::optional<RunEntry>>
  run(std::int64_t run_id) override
  {
    return m_inner->run(run_id);
  }
  Result<std::vector<RunEntry>>
  runs(const std::string& integration, int limit) override
  {
    return m_inner->runs(integration, limit);
  }
  Result<std::vector<tapline::state::RunSummary>>
  run_summaries() override
  {
    return m_inner->run_summaries();
  }
  Result<std::optional<tapline::state::RunSummary>>
  run_summary(const std::string& integration) override
  {
    return m_inner->run_summary(integration);
  }
  Result<std::optional<tapline::state::IntegrationStatus>>
  integration_status(const std::string& integration) override
  {
    return m_inner->integration_status(integration);
  }
  Result<std::vector<tapline::state::IntegrationStatus>>
  integration_statuses() override
  {
    return m_inner->integration_statuses();
  }
  Result<std::vector<tapline::state::StateEntry>>
  latest_states() override
  {
    return m_inner->latest_states();
  }
  Result<void>
  set_integration_status(const tapline::state::IntegrationStatus& status) override
  {
    return m_inner->set_integration_status(status);
  }
  Result<void>
  record_event(const std::string& integration,
               const std::string& kind,
               const std::string& detail) override
  {
    return m_inner->record_event(integration, kind, detail);
  }
  Result<std::vector<tapline::state::Event>>
  events(const std::string& integration, int limit) override
  {
    return m_inner->events(integration, limit);
  }

private:
  std::unique_ptr<StateStore> m_inner;
};

// Committed values, newest first.
std::vector<std::string>
history(StateStore& store, const std::string& integration = "shop")
{
  auto entries = store.state_history(integration, 100);
  REQUIRE_MESSAGE(entries.has_value(), error_text(entries));
  std::vector<std::string> values;
  for (const auto& entry : *entries) {
    values.push_back(entry.value_json.value_or("<cleared>"));
  }
  return values;
}

void
require_flushed(StateCommitter& committer)
{
  const auto flushed = committer.flush();
  REQUIRE_MESSAGE(flushed.has_value(), error_text(flushed));
}

} // namespace

TEST_SUITE("sync::StateCommitter")
{
  TEST_CASE("flush: nothing pending commits nothing")
  {
    const tapline::test::TempDir dir;
    CountingStore store(open_store(dir.path() / "state.db"));
    StateCommitter committer(store, "shop", k_run_id, 0ms);

    require_flushed(committer);
    require_flushed(committer);

    CHECK(committer.commits() == 0);
    CHECK(store.commit_calls == 0);
    CHECK(history(store).empty());
    CHECK_FALSE(committer.error().has_value());
  }

  TEST_CASE("confirm then flush: the value is committed with run and source")
  {
    const tapline::test::TempDir dir;
    CountingStore store(open_store(dir.path() / "state.db"));
    StateCommitter committer(store, "shop", k_run_id, k_long);

    committer.confirm(R"({"bookmarks":{"a":1}})", "target");
    require_flushed(committer);

    CHECK(committer.commits() == 1);
    const auto current = store.current_state("shop");
    REQUIRE(current.has_value());
    REQUIRE(current->has_value());
    CHECK((*current)->value_json == R"({"bookmarks":{"a":1}})");
    CHECK((*current)->run_id == k_run_id);
    CHECK((*current)->source == "target");
    CHECK(history(store) ==
          std::vector<std::string>{R"({"bookmarks":{"a":1}})"});
    // Once committed, nothing is pending any more.
    require_flushed(committer);
    CHECK(committer.commits() == 1);
    CHECK(store.commit_calls == 1);
  }

  TEST_CASE("confirm: within the interval only the newest value is committed")
  {
    const tapline::test::TempDir dir;
    CountingStore store(open_store(dir.path() / "state.db"));
    StateCommitter committer(store, "shop", k_run_id, k_long);
    // A first commit starts the interval.
    committer.confirm(R"({"n":1})", "target");
    require_flushed(committer);
    REQUIRE(committer.commits() == 1);

    committer.confirm(R"({"n":2})", "target");
    committer.confirm(R"({"n":3})", "sink");
    // Both confirms fell within the interval: nothing written yet.
    CHECK(committer.commits() == 1);
    CHECK(store.commit_calls == 1);
    CHECK(history(store) == std::vector<std::string>{R"({"n":1})"});

    require_flushed(committer);

    // One commit, of the newest value and its source.
    CHECK(committer.commits() == 2);
    CHECK(store.commit_calls == 2);
    CHECK(history(store) ==
          std::vector<std::string>{R"({"n":3})", R"({"n":1})"});
    const auto current = store.current_state("shop");
    REQUIRE(current.has_value());
    REQUIRE(current->has_value());
    CHECK((*current)->source == "sink");
  }

  TEST_CASE("confirm: with a zero interval every confirm commits at once")
  {
    const tapline::test::TempDir dir;
    CountingStore store(open_store(dir.path() / "state.db"));
    StateCommitter committer(store, "shop", k_run_id, 0ms);

    committer.confirm(R"({"n":1})", "target");
    committer.confirm(R"({"n":2})", "target");
    committer.confirm(R"({"n":3})", "target");

    CHECK(committer.commits() == 3);
    CHECK(history(store) ==
          std::vector<std::string>{R"({"n":3})", R"({"n":2})", R"({"n":1})"});
    require_flushed(committer);
    CHECK(committer.commits() == 3);
  }

  TEST_CASE("confirm: once the interval has passed the next confirm commits")
  {
    const tapline::test::TempDir dir;
    CountingStore store(open_store(dir.path() / "state.db"));
    StateCommitter committer(store, "shop", k_run_id, 200ms);
    committer.confirm(R"({"n":1})", "target");
    require_flushed(committer);

    committer.confirm(R"({"n":2})", "target"); // within the interval: pending
    CHECK(committer.commits() == 1);
    std::this_thread::sleep_for(250ms);
    committer.confirm(R"({"n":3})", "target"); // after it: committed at once

    CHECK(committer.commits() == 2);
    // The pending {"n":2} was superseded, never written.
    CHECK(history(store) ==
          std::vector<std::string>{R"({"n":3})", R"({"n":1})"});
  }

  TEST_CASE("confirm: bookmarks of different integrations stay apart")
  {
    const tapline::test::TempDir dir;
    CountingStore store(open_store(dir.path() / "state.db"));
    StateCommitter shop(store, "shop", 1, k_long);
    StateCommitter crm(store, "crm", 2, k_long);
    shop.confirm(R"({"s":1})", "target");
    crm.confirm(R"({"c":1})", "target");
    require_flushed(shop);
    require_flushed(crm);

    CHECK(history(store, "shop") == std::vector<std::string>{R"({"s":1})"});
    CHECK(history(store, "crm") == std::vector<std::string>{R"({"c":1})"});
  }

  TEST_CASE("flush: a failed commit keeps the pending value and the first "
            "error")
  {
    const tapline::test::TempDir dir;
    CountingStore store(open_store(dir.path() / "state.db"));
    StateCommitter committer(store, "shop", k_run_id, k_long);
    committer.confirm(R"({"n":1})", "target");
    require_flushed(committer);

    store.fail_commits = true;
    committer.confirm(R"({"n":2})", "target");
    const auto failed = committer.flush();
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.error().to_string() == "cannot commit state: disk I/O error");
    REQUIRE(committer.error().has_value());
    CHECK(committer.error()->code == ErrorCode::io);
    CHECK(committer.error()->message == "disk I/O error");
    CHECK(committer.commits() == 1);
    CHECK(history(store) == std::vector<std::string>{R"({"n":1})"});

    // The store recovers: the pending value is committed on the next flush,
    // and the first error is still reported.
    store.fail_commits = false;
    require_flushed(committer);
    CHECK(committer.commits() == 2);
    CHECK(history(store) ==
          std::vector<std::string>{R"({"n":2})", R"({"n":1})"});
    REQUIRE(committer.error().has_value());
    CHECK(committer.error()->message == "disk I/O error");
  }

  TEST_CASE("confirm: confirms from several threads commit the last value")
  {
    const tapline::test::TempDir dir;
    CountingStore store(open_store(dir.path() / "state.db"));
    StateCommitter committer(store, "shop", k_run_id, 1ms);
    std::vector<std::thread> threads;
    for (int thread = 0; thread < 4; ++thread) {
      threads.emplace_back([&committer, thread] {
        for (int index = 0; index < 50; ++index) {
          committer.confirm(R"({"t":)" + std::to_string(thread) + R"(,"i":)" +
                                std::to_string(index) + "}",
                            "target");
        }
      });
    }
    for (auto& thread : threads) {
      thread.join();
    }
    committer.confirm(R"({"final":true})", "target");
    require_flushed(committer);

    const auto values = history(store);
    REQUIRE_FALSE(values.empty());
    CHECK(values.front() == R"({"final":true})");
    CHECK(committer.commits() == values.size());
    CHECK_FALSE(committer.error().has_value());
  }
}
