// runner/util/atomic_file.hpp
#pragma once

// Replace a whole file so that a concurrent reader (a metrics scraper, a
// status command) sees either the old or the new content, never a truncated
// or half-written file, and a crash leaves one of the two on disk. Not for
// files that need O_EXCL semantics or secrets (see write_private_file).

#include <runner/util/result.hpp>

#include <filesystem>
#include <string_view>

namespace tapline::util {

// Write `content` to a temporary file in the directory of `path` (named
// ".<name>.tmp.XXXXXX", so globbing collectors skip it), give it `mode`
// regardless of the umask, fsync it, rename it over `path` and fsync the
// directory. The directory must exist. On failure the temporary file is
// removed and `path` is untouched; the error has code `io` and `path` as its
// location.
[[nodiscard]] Result<void>
write_file_atomically(const std::filesystem::path& path,
                      std::string_view content,
                      std::filesystem::perms mode);

} // namespace tapline::util
