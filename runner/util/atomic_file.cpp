// runner/util/atomic_file.cpp
#include <runner/util/atomic_file.hpp>
#include <runner/util/fs.hpp>
#include <runner/util/unique_fd.hpp>

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <sys/stat.h>

namespace tapline::util {

namespace {

// Removes the temporary file unless it was renamed into place.
class TempFile
{
public:
  explicit TempFile(std::string path) : m_path(std::move(path)) {}
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile()
  {
    if (!m_path.empty()) {
      ::unlink(m_path.c_str());
    }
  }

  [[nodiscard]] const std::string&
  path() const
  {
    return m_path;
  }

  void
  keep()
  {
    m_path.clear();
  }

private:
  std::string m_path;
};

int
fsync_retrying(int fd)
{
  while (::fsync(fd) != 0) {
    if (errno != EINTR) {
      return errno;
    }
  }
  return 0;
}

} // namespace

Result<void>
write_file_atomically(const std::filesystem::path& path,
                      std::string_view content,
                      std::filesystem::perms mode)
{
  const std::filesystem::path directory =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::string temp_name =
      (directory / ("." + path.filename().string() + ".tmp.XXXXXX")).string();

  UniqueFd fd(::mkostemp(temp_name.data(), O_CLOEXEC));
  if (!fd.valid()) {
    return std::unexpected(
        io_error(errno, "cannot create temporary file", path));
  }
  TempFile temp(std::move(temp_name));

  // mkostemp creates 0600; set the mode explicitly so the umask does not
  // decide whether another user (node_exporter) can read the file.
  if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) {
    return std::unexpected(
        io_error(errno, "cannot set mode of temporary file", path));
  }
  if (const int error = write_all(fd.get(), content); error != 0) {
    return std::unexpected(io_error(error, "cannot write file", path));
  }
  // Without this fsync a crash after the rename can leave an empty file
  // under the final name on filesystems that reorder metadata and data.
  if (const int error = fsync_retrying(fd.get()); error != 0) {
    return std::unexpected(io_error(error, "cannot sync file", path));
  }
  if (::close(fd.release()) != 0) {
    return std::unexpected(io_error(errno, "cannot write file", path));
  }
  if (::rename(temp.path().c_str(), path.c_str()) != 0) {
    return std::unexpected(io_error(errno, "cannot replace file", path));
  }
  temp.keep();

  // Make the rename itself durable. Some filesystems cannot fsync a
  // directory (EINVAL); the rename is still atomic there, so that is fine.
  UniqueFd dir_fd(
      ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid()) {
    return std::unexpected(io_error(errno, "cannot open directory", path));
  }
  if (const int error = fsync_retrying(dir_fd.get());
      error != 0 && error != EINVAL) {
    return std::unexpected(io_error(error, "cannot sync directory", path));
  }
  return {};
}

} // namespace tapline::util
