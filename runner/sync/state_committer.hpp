// runner/sync/state_committer.hpp
#pragma once

// The one place a run commits bookmarks. Sinks call `confirm` with a state
// the destination has durably taken; the committer writes it to the store
// (at most every `min_interval`, so a target that confirms thousands of
// states a second does not turn into thousands of fsyncs) and `flush` writes
// the last pending one. A bookmark never moves past what was confirmed;
// coalescing only means the committed one may lag a little behind.

#include <runner/state/state_store.hpp>
#include <runner/util/result.hpp>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace tapline::sync {

class StateCommitter
{
public:
  StateCommitter(state::StateStore& store,
                 std::string integration,
                 std::int64_t run_id,
                 std::chrono::milliseconds min_interval);

  // `value_json` is the state value (a JSON object); `source` is recorded
  // with it ("target", "sink", "tap"). Thread-safe.
  void confirm(std::string value_json, std::string_view source);

  // Whether a `confirm` now would commit at once (the interval has passed).
  // Lets a sink skip making records durable for a state that would only be
  // kept pending. Thread-safe.
  [[nodiscard]] bool commit_due() const;

  // Commit the pending state, if any. Thread-safe.
  [[nodiscard]] Result<void> flush();

  // Whether anything was committed during this run.
  [[nodiscard]] std::uint64_t commits() const;
  // The first commit error (the store kept the previous bookmark).
  [[nodiscard]] std::optional<Error> error() const;

private:
  Result<void> commit_locked();

  state::StateStore& m_store;
  std::string m_integration;
  std::int64_t m_run_id;
  std::chrono::milliseconds m_min_interval;
  mutable std::mutex m_mutex;
  std::optional<std::string> m_pending;
  std::string m_pending_source;
  std::chrono::steady_clock::time_point m_last_commit{};
  std::uint64_t m_commits = 0;
  std::optional<Error> m_error;
};

} // namespace tapline::sync
