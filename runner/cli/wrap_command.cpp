// runner/cli/wrap_command.cpp
//
// `tapline wrap`: checks the command line, installs the stop-signal
// handlers (which also ignore SIGPIPE, so a target that exits shows up as
// EPIPE) and hands over to sync::run_wrap with tapline's own stdout and
// stderr.

#include <runner/cli/context.hpp>
#include <runner/cli/wrap_command.hpp>
#include <runner/process/signals.hpp>
#include <runner/process/subreaper.hpp>
#include <runner/sync/wrap.hpp>

#include <cstdio>

namespace tapline::cli {

namespace {

constexpr const char* k_usage =
    "usage: tapline wrap [--rules FILE] [--grace SECONDS] -- TAP [ARGS...]";

int
usage_error(const char* problem)
{
  std::fprintf(stderr, "tapline: wrap: %s\n%s\n", problem, k_usage);
  return exit_code_for(ErrorCode::usage);
}

} // namespace

int
wrap_command(const std::vector<std::string>& argv,
             const std::optional<std::string>& rules,
             int grace_seconds)
{
  sync::WrapOptions options;
  options.argv = argv;
  if (!options.argv.empty() && options.argv.front() == "--") {
    options.argv.erase(options.argv.begin());
  }
  if (options.argv.empty() || options.argv.front().empty()) {
    return usage_error("no tap command after --");
  }
  if (grace_seconds < 0) {
    return usage_error("--grace must be 0 or more seconds");
  }
  if (rules) {
    options.rules_file = *rules;
  }
  options.grace = std::chrono::seconds(grace_seconds);
  options.out_fd = STDOUT_FILENO;
  options.err_fd = STDERR_FILENO;
  std::fflush(stdout);
  std::fflush(stderr);
  options.stop_fd = process::install_stop_signal_handlers();
  // What the tap orphans is reparented to us and stopped at the end.
  process::become_subreaper();
  auto exit_code = sync::run_wrap(options);
  if (!exit_code) {
    return report(exit_code.error());
  }
  return *exit_code;
}

} // namespace tapline::cli
