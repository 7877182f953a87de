// runner/auth/rules_path.hpp
#pragma once

// Where the shipped auth rules live when the user did not name a file. It
// only finds a path; loading is rule_loader.hpp's job.

#include <runner/util/result.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace tapline::auth {

// The first of, in order:
//   $TAPLINE_AUTH_RULES (an error if set but missing: an explicit choice
//     must not silently fall back to other rules),
//   <dir of the tapline executable>/../config/auth-rules.yaml (source tree
//     or build directory inside it),
//   <dir of the tapline executable>/../share/tapline/auth-rules.yaml
//     (installed),
//   TAPLINE_SOURCE_DIR "/config/auth-rules.yaml" (compile time).
[[nodiscard]] Result<std::filesystem::path> default_rules_path();

// default_rules_path() with its inputs given, for tests: the value of
// TAPLINE_AUTH_RULES (or nullopt), the executable's path and the source dir.
[[nodiscard]] Result<std::filesystem::path>
find_rules_path(const std::optional<std::string>& env_value,
                const std::filesystem::path& executable,
                const std::filesystem::path& source_dir);

} // namespace tapline::auth
