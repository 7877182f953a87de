// runner/sync/state_committer.cpp
#include <runner/sync/state_committer.hpp>

namespace tapline::sync {

StateCommitter::StateCommitter(state::StateStore& store,
                               std::string integration,
                               std::int64_t run_id,
                               std::chrono::milliseconds min_interval)
    : m_store(store), m_integration(std::move(integration)), m_run_id(run_id),
      m_min_interval(min_interval)
{
}

void
StateCommitter::confirm(std::string value_json, std::string_view source)
{
  std::lock_guard lock(m_mutex);
  m_pending = std::move(value_json);
  m_pending_source = source;
  if (std::chrono::steady_clock::now() - m_last_commit >= m_min_interval) {
    (void)commit_locked();
  }
}

bool
StateCommitter::commit_due() const
{
  std::lock_guard lock(m_mutex);
  return std::chrono::steady_clock::now() - m_last_commit >= m_min_interval;
}

Result<void>
StateCommitter::flush()
{
  std::lock_guard lock(m_mutex);
  return commit_locked();
}

Result<void>
StateCommitter::commit_locked()
{
  if (!m_pending) {
    return {};
  }
  auto committed = m_store.commit_state(
      m_integration, *m_pending, m_run_id, m_pending_source);
  if (!committed) {
    if (!m_error) {
      m_error = committed.error();
    }
    return std::unexpected(committed.error());
  }
  m_pending.reset();
  m_last_commit = std::chrono::steady_clock::now();
  ++m_commits;
  return {};
}

std::uint64_t
StateCommitter::commits() const
{
  std::lock_guard lock(m_mutex);
  return m_commits;
}

std::optional<Error>
StateCommitter::error() const
{
  std::lock_guard lock(m_mutex);
  return m_error;
}

} // namespace tapline::sync
