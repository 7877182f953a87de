// runner/alert/command.hpp
#pragma once

// Runs an alert command: argv through process::spawn (no shell), stdin
// /dev/null, stdout and stderr line by line to `on_output`, killed with its
// whole process group after `timeout`. Whatever it left running in its
// group when it exits is killed too, so its output pipe closes.

#include <runner/util/result.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace tapline::alert {

// Errors (code `unavailable`), naming the program only, never its arguments:
// "alert command 'notify': command not found (not on PATH)", "... exited
// with code 3", "... timed out after 30s and was killed". `on_output` is
// called from a helper thread.
[[nodiscard]] Result<void>
run_alert_command(const std::vector<std::string>& argv,
                  const std::map<std::string, std::string>& env,
                  std::chrono::milliseconds timeout,
                  const std::function<void(std::string_view)>& on_output);

} // namespace tapline::alert
