// runner/util/fs.cpp
#include <runner/util/fs.hpp>

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <system_error>

namespace tapline::util {

Error
io_error(int errnum, std::string_view what, const std::filesystem::path& path)
{
  std::string message(what);
  message += ": ";
  message += errnum == ENOSPC
                 ? std::string("disk full (No space left on device)")
                 : std::string(std::strerror(errnum));
  return Error{ErrorCode::io, std::move(message), path.string()};
}

Result<std::string>
read_file(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::unexpected(io_error(errno, "cannot read file", path));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    return std::unexpected(io_error(errno, "cannot read file", path));
  }
  return std::move(content).str();
}

int
write_all(int fd, std::string_view data)
{
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      return errno;
    }
    data.remove_prefix(static_cast<size_t>(written));
  }
  return 0;
}

Result<void>
write_private_file(const std::filesystem::path& path, std::string_view content)
{
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return std::unexpected(io_error(errno, "cannot create file", path));
  }
  const int write_errno = write_all(fd, content);
  const int close_result = ::close(fd);
  if (write_errno != 0) {
    return std::unexpected(io_error(write_errno, "cannot write file", path));
  }
  if (close_result != 0) {
    return std::unexpected(io_error(errno, "cannot write file", path));
  }
  return {};
}

Result<PrivateTempDir>
PrivateTempDir::create(const std::filesystem::path& parent,
                       std::string_view prefix)
{
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    return std::unexpected(
        io_error(ec.value(), "cannot create directory", parent));
  }
  std::string templ = (parent / (std::string(prefix) + "XXXXXX")).string();
  // mkdtemp creates the directory with mode 0700.
  if (::mkdtemp(templ.data()) == nullptr) {
    return std::unexpected(
        io_error(errno, "cannot create temporary directory", parent));
  }
  return PrivateTempDir(std::filesystem::path(templ));
}

PrivateTempDir::PrivateTempDir(std::filesystem::path path)
    : m_path(std::move(path))
{
}

PrivateTempDir::PrivateTempDir(PrivateTempDir&& other) noexcept
    : m_path(std::move(other.m_path))
{
  other.m_path.clear();
}

PrivateTempDir::~PrivateTempDir()
{
  if (!m_path.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
  }
}

} // namespace tapline::util
