// runner/cli/commands.hpp
#pragma once

// One function per subcommand; each returns the process exit code. The
// argument parsing lives in tapline_main.cpp.

#include <runner/cli/context.hpp>

#include <optional>
#include <string>
#include <vector>

namespace tapline::cli {

struct RunRequest
{
  std::vector<std::string> names;
  bool force = false;
  bool due = false;               // run what the schedules say is due
  bool dry_run = false;           // with due: print the plan only
  bool json = false;              // with due: a JSON summary on stdout
  int jobs = 1;                   // with due: runs at once
  std::optional<std::string> now; // evaluate schedules at this instant
  // Internal: started by the scheduler for one due integration; skip it
  // if another run used the slot or holds the lock.
  bool scheduled = false;
};

int run_command(const GlobalOptions& global, const RunRequest& request);
int run_due_command(const GlobalOptions& global, const RunRequest& request);

struct DaemonOptions
{
  int jobs = 1;
  std::string log_format = "text"; // text, json
};
int daemon_command(const GlobalOptions& global, const DaemonOptions& options);

int status_command(const GlobalOptions& global,
                   bool json,
                   const std::optional<std::string>& now);
int runs_command(const GlobalOptions& global,
                 const std::string& name,
                 int limit,
                 bool json);
int pause_command(const GlobalOptions& global,
                  const std::string& name,
                  const std::string& reason);
int resume_command(const GlobalOptions& global, const std::string& name);

int state_get_command(const GlobalOptions& global, const std::string& name);
int state_set_command(const GlobalOptions& global,
                      const std::string& name,
                      const std::string& file);
int state_clear_command(const GlobalOptions& global, const std::string& name);
int state_history_command(const GlobalOptions& global,
                          const std::string& name,
                          int limit,
                          bool json);

int logs_command(const GlobalOptions& global,
                 const std::string& name,
                 std::optional<std::int64_t> run_id);

} // namespace tapline::cli
