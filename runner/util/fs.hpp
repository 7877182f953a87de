// runner/util/fs.hpp
#pragma once

// File helpers that know nothing of Singer: whole-file reads, private (0600)
// writes for files that may carry secrets, private temporary directories, and
// write loops that survive EINTR and short writes.

#include <runner/util/result.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace tapline::util {

[[nodiscard]] Result<std::string> read_file(const std::filesystem::path& path);

// Create `path` with mode 0600 (it must not exist yet) and write `content`.
[[nodiscard]] Result<void> write_private_file(const std::filesystem::path& path,
                                              std::string_view content);

// Write all of `data` to `fd`. Returns 0 or the errno of the failed write.
[[nodiscard]] int write_all(int fd, std::string_view data);

// Error for a failed system call on `path`: code `io` for ENOSPC/EDQUOT/EROFS/
// EACCES-like conditions, message "`what`: strerror".
[[nodiscard]] Error
io_error(int errnum, std::string_view what, const std::filesystem::path& path);

// A directory created with mode 0700 under `parent` (created if missing) and
// removed with its contents when this object goes away.
class PrivateTempDir
{
public:
  [[nodiscard]] static Result<PrivateTempDir>
  create(const std::filesystem::path& parent, std::string_view prefix);

  PrivateTempDir(PrivateTempDir&& other) noexcept;
  PrivateTempDir& operator=(PrivateTempDir&&) = delete;
  PrivateTempDir(const PrivateTempDir&) = delete;
  PrivateTempDir& operator=(const PrivateTempDir&) = delete;
  ~PrivateTempDir();

  [[nodiscard]] const std::filesystem::path&
  path() const
  {
    return m_path;
  }

private:
  explicit PrivateTempDir(std::filesystem::path path);
  std::filesystem::path m_path;
};

} // namespace tapline::util
