// runner/cli/auth_command.hpp
#pragma once

// `tapline auth classify FILE [--exit-code N] [--json] [--rules FILE]`:
// run the auth watch over a saved stderr excerpt and say what tapline would
// have decided. Argument parsing is tapline_main.cpp's.

#include <optional>
#include <string>

namespace tapline::cli {

// Feed `file` ("-" for stdin) line by line through an auth::Watch built
// from `rules_file` (default: auth::default_rules_path()); then at_exit
// when `exit_code` is given, else the verdict so far. Prints class, action,
// rule, explanation, halt and the deciding record (one JSON object with
// `json`). Returns 0 whenever it classified, even as not_auth; the error's
// exit code when the rules or the file cannot be read.
int auth_classify_command(const std::string& file,
                          std::optional<int> exit_code,
                          bool json,
                          const std::optional<std::string>& rules_file);

} // namespace tapline::cli
