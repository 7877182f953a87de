// runner/cli/wrap_command.hpp
#pragma once

// `tapline wrap [--rules FILE] [--grace SECONDS] -- TAP ARGS...`: run a tap
// for a shell pipeline, forwarding its checked Singer stream to stdout and
// exiting with a sysexits code (77 on an auth failure) so the pipeline
// halts cleanly. Argument parsing is tapline_main.cpp's; the work is
// sync::run_wrap's.

#include <optional>
#include <string>
#include <vector>

namespace tapline::cli {

// `argv`: the tap's command (a leading "--" is dropped). `rules`: an auth
// rules file instead of the default. `grace_seconds`: between SIGTERM and
// SIGKILL when the tap is stopped. Returns the exit code; a usage line on
// stderr and 64 when there is no command or the grace is negative.
int wrap_command(const std::vector<std::string>& argv,
                 const std::optional<std::string>& rules,
                 int grace_seconds);

} // namespace tapline::cli
