// runner/sync/wrap.hpp
#pragma once

// `tapline wrap`: tapline as a drop-in tap in a shell pipeline
// (`tapline wrap -- tap-foo --config c.json | target-bar`). The tap runs in
// its own process group with stdin from /dev/null; its stdout is checked
// message by message with the core's LineReader and MessageReader (RECORD
// before its SCHEMA is invalid) and forwarded unchanged, in whole blocks,
// with blocking writes, so a slow target slows the tap down instead of
// filling memory (when stdout is a pipe it is enlarged to 1 MiB, as
// tapline's own pipes are, which halves wrap's overhead). Its stderr passes
// through line by line while the auth watch reads it. No state, no config, no
// store: the exit code is the verdict, and one `tapline: ...` line on stderr
// says why when it is not 0.

#include <runner/util/result.hpp>

#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tapline::sync {

struct WrapOptions
{
  std::vector<std::string> argv; // the tap's command; argv[0] found on PATH
  // Auth rules; default: auth::default_rules_path().
  std::optional<std::filesystem::path> rules_file;
  std::chrono::milliseconds grace{5000}; // SIGTERM to SIGKILL when stopping
  int out_fd = STDOUT_FILENO;            // the Singer stream, byte for byte
  int err_fd = STDERR_FILENO; // the tap's stderr, then the summary line
  int stop_fd = -1; // readable once SIGINT/SIGTERM arrived (signals.hpp)
  std::size_t max_line_bytes = std::size_t{64} << 20;
};

// Run the tap to its end and return the exit code. SIGINT/SIGTERM (seen on
// stop_fd) stop the tap, but a target that stops reading without exiting
// still holds tapline in its write: that is the back-pressure.
//
// Exit codes:
//   0  the tap exited 0 and every message was valid
//   65 invalid Singer data (the lines before the bad one were forwarded)
//   69 the tap failed otherwise, or the reader of out_fd went away
//   75 a transient failure (the auth watch's retry actions) or a stop signal
//   77 an auth failure that needs a person (pause_reauth, pause_permissions)
//   74 / 70 out_fd cannot be written (not EPIPE) / the tap's stdout read
// For every code but 0 exactly one summary line ("tapline: ...") is written
// to err_fd after the tap's stderr; at 0, a "tapline: warning: ..." line
// when the tap reported a lost permission and went on (degraded run). Errors
// are for what prevents running the tap at all: no command (usage), unreadable
// rules (config), a tap that cannot be started (unavailable); nothing is
// written to err_fd for them.
[[nodiscard]] Result<int> run_wrap(const WrapOptions& options);

} // namespace tapline::sync
