// runner/util/file_lock.hpp
#pragma once

// An exclusive advisory lock on a file (flock), held while this object
// lives. The kernel drops it when the process dies, even by kill -9, so the
// lock itself is never stale: whoever holds the flock is alive. The file
// also records its owner (pid, host, since) for two messages: who holds a
// busy lock, and whose lock was taken over. A clean release empties the
// file, so an owner record found on acquiring means the previous holder died
// while holding it.

#include <runner/util/result.hpp>
#include <runner/util/unique_fd.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace tapline::util {

struct LockOwner
{
  long pid = 0;
  std::string host;
  std::string since; // ISO 8601 UTC

  // "pid 123 on host-a since 2026-11-25T12:00:00.000Z", as much as is known.
  [[nodiscard]] std::string describe() const;
};

struct LockAttempt;

class FileLock
{
public:
  // Take the lock without waiting.
  [[nodiscard]] static Result<LockAttempt>
  try_acquire(const std::filesystem::path& path);

  // The owner record in `path`, without touching the lock (probing it could
  // make a concurrent try_acquire fail). Empty after a clean release; a
  // record whose local pid is dead was left by a killed holder.
  [[nodiscard]] static Result<std::optional<LockOwner>>
  recorded_owner(const std::filesystem::path& path);

  FileLock(FileLock&&) noexcept = default;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

private:
  explicit FileLock(UniqueFd fd) : m_fd(std::move(fd)) {}
  void release();
  UniqueFd m_fd;
};

struct LockAttempt
{
  std::optional<FileLock> lock;        // nullopt: another process holds it
  std::optional<LockOwner> holder;     // when busy, if the file says
  std::optional<LockOwner> taken_over; // acquired from a dead holder
};

// This machine's host name ("unknown" if it has none).
[[nodiscard]] std::string host_name();

} // namespace tapline::util
