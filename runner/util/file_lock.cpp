// runner/util/file_lock.cpp
#include <runner/util/file_lock.hpp>
#include <runner/util/fs.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <sys/file.h>
#include <system_error>

namespace tapline::util {

Result<std::optional<FileLock>>
FileLock::try_acquire(const std::filesystem::path& path, long* holder_pid)
{
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    return std::unexpected(io_error(
        ec.value(), "cannot create lock directory", path.parent_path()));
  }
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    return std::unexpected(io_error(errno, "cannot open lock file", path));
  }
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) {
      return std::unexpected(io_error(errno, "cannot lock", path));
    }
    if (holder_pid != nullptr) {
      char text[32] = {};
      const ssize_t got = ::pread(fd.get(), text, sizeof(text) - 1, 0);
      *holder_pid = got > 0 ? std::strtol(text, nullptr, 10) : 0;
    }
    return std::optional<FileLock>{};
  }
  const auto pid = fmt::format("{}\n", ::getpid());
  if (::ftruncate(fd.get(), 0) != 0 ||
      ::pwrite(fd.get(), pid.data(), pid.size(), 0) < 0) {
    return std::unexpected(io_error(errno, "cannot write lock file", path));
  }
  return std::optional<FileLock>(FileLock(std::move(fd)));
}

} // namespace tapline::util
