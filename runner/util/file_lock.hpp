// runner/util/file_lock.hpp
#pragma once

// An exclusive advisory lock on a file (flock), held while this object
// lives. The kernel drops it when the process dies, even by kill -9, so a
// crashed run never leaves a lock behind. The file records the holder's pid
// for the message a second process shows.

#include <runner/util/result.hpp>
#include <runner/util/unique_fd.hpp>

#include <filesystem>
#include <optional>

namespace tapline::util {

class FileLock
{
public:
  // Take the lock without waiting. Returns nullopt when another process
  // holds it; `holder_pid` then says who, if known.
  [[nodiscard]] static Result<std::optional<FileLock>>
  try_acquire(const std::filesystem::path& path, long* holder_pid = nullptr);

private:
  explicit FileLock(UniqueFd fd) : m_fd(std::move(fd)) {}
  UniqueFd m_fd;
};

} // namespace tapline::util
