// runner/cli/logs_command.cpp
//
// `tapline logs NAME [--run ID]`: print the log of the latest run (or of
// run ID): the tap's and target's stderr and tapline's events.

#include <runner/cli/commands.hpp>
#include <runner/util/fs.hpp>

#include <fmt/format.h>

namespace tapline::cli {

int
logs_command(const GlobalOptions& global,
             const std::string& name,
             std::optional<std::int64_t> run_id)
{
  auto opened = open_integration(global, name);
  if (!opened) {
    return report(opened.error());
  }
  auto& context = opened->context;
  std::optional<state::RunEntry> run;
  if (run_id) {
    auto found = context.store->run(*run_id);
    if (!found) {
      return report(found.error());
    }
    if (!*found || (*found)->integration != name) {
      return report(Error{ErrorCode::usage,
                          fmt::format("no run {} of '{}'", *run_id, name),
                          {}});
    }
    run = **found;
  } else {
    auto runs = context.store->runs(name, 1);
    if (!runs) {
      return report(runs.error());
    }
    if (runs->empty()) {
      fmt::print(stderr, "tapline: {}: no runs yet\n", name);
      return 0;
    }
    run = runs->front();
  }
  auto text = util::read_file(run->log_path);
  if (!text) {
    return report(text.error());
  }
  fmt::print("{}", *text);
  return 0;
}

} // namespace tapline::cli
