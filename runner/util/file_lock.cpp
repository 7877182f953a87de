// runner/util/file_lock.cpp
#include <runner/util/file_lock.hpp>
#include <runner/util/fs.hpp>
#include <runner/util/time.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <string>
#include <sys/file.h>
#include <system_error>

namespace tapline::util {

namespace {

// The record is one line "PID HOST SINCE"; host names have no spaces.
std::optional<LockOwner>
read_owner(int fd)
{
  std::array<char, 512> text{};
  const ssize_t got = ::pread(fd, text.data(), text.size() - 1, 0);
  if (got <= 0) {
    return std::nullopt;
  }
  const std::string_view record(text.data(), static_cast<size_t>(got));
  LockOwner owner;
  const auto [end, ec] =
      std::from_chars(record.data(), record.data() + record.size(), owner.pid);
  if (ec != std::errc{} || owner.pid <= 0) {
    return std::nullopt;
  }
  std::string_view rest(end, record.data() + record.size() - end);
  const auto word = [&rest]() {
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\n')) {
      rest.remove_prefix(1);
    }
    const auto stop = rest.find_first_of(" \n");
    const auto token = rest.substr(0, stop);
    rest.remove_prefix(token.size());
    return std::string(token);
  };
  owner.host = word();
  owner.since = word();
  return owner;
}

Result<UniqueFd>
open_lock_file(const std::filesystem::path& path)
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
  return fd;
}

} // namespace

std::string
LockOwner::describe() const
{
  std::string text = fmt::format("pid {}", pid);
  if (!host.empty()) {
    text += " on " + host;
  }
  if (!since.empty()) {
    text += " since " + since;
  }
  return text;
}

std::string
host_name()
{
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') {
    return "unknown";
  }
  return name.data();
}

Result<LockAttempt>
FileLock::try_acquire(const std::filesystem::path& path)
{
  TRY_ASSIGN(auto fd, open_lock_file(path));
  LockAttempt attempt;
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) {
      return std::unexpected(io_error(errno, "cannot lock", path));
    }
    attempt.holder = read_owner(fd.get());
    return attempt;
  }
  attempt.taken_over = read_owner(fd.get());
  const auto record =
      fmt::format("{} {} {}\n", ::getpid(), host_name(), now_iso8601());
  if (::ftruncate(fd.get(), 0) != 0 ||
      ::pwrite(fd.get(), record.data(), record.size(), 0) < 0) {
    return std::unexpected(io_error(errno, "cannot write lock file", path));
  }
  attempt.lock = FileLock(std::move(fd));
  return attempt;
}

Result<std::optional<LockOwner>>
FileLock::recorded_owner(const std::filesystem::path& path)
{
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) {
      return std::optional<LockOwner>{};
    }
    return std::unexpected(io_error(errno, "cannot open lock file", path));
  }
  return read_owner(fd.get());
}

FileLock&
FileLock::operator=(FileLock&& other) noexcept
{
  if (this != &other) {
    release();
    m_fd = std::move(other.m_fd);
  }
  return *this;
}

FileLock::~FileLock() { release(); }

void
FileLock::release()
{
  // Emptied before the flock goes: a record left in the file then always
  // means its owner died holding the lock.
  if (m_fd.valid()) {
    (void)::ftruncate(m_fd.get(), 0);
    m_fd.reset();
  }
}

} // namespace tapline::util
