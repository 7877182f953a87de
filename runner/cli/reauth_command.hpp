// runner/cli/reauth_command.hpp
#pragma once

#include <runner/cli/context.hpp>

#include <optional>
#include <string>
#include <vector>

namespace tapline::cli {

struct ReauthOptions
{
  std::string name;
  std::optional<std::string>
      config_file;              // JSON object of new values; "-": stdin
  std::vector<std::string> set; // KEY=VALUE (string values)
  int timeout_seconds = 60;
  bool run = false; // sync right after a successful verification
};

// `tapline reauth NAME`: take new credentials, verify them at once, and only
// then store them and clear the pause. Exit 0 when verified, 77 when the
// check rejected them (the integration stays paused), 64/78 for bad input.
int reauth_command(const GlobalOptions& global, const ReauthOptions& options);

} // namespace tapline::cli
