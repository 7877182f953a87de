// runner/cli/commands.hpp
#pragma once

// One function per subcommand; each returns the process exit code. The
// argument parsing lives in tapline_main.cpp.

#include <runner/cli/context.hpp>

#include <optional>
#include <string>
#include <vector>

namespace tapline::cli {

int run_command(const GlobalOptions& global,
                const std::vector<std::string>& names,
                bool force);

int status_command(const GlobalOptions& global, bool json);

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
