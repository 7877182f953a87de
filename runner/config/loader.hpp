// runner/config/loader.hpp
#pragma once

// Loads tapline.yaml: parses it with yaml-cpp, interpolates ${VAR} and
// ${VAR:-default} in every scalar, resolves relative paths against the
// file's directory, and checks every key. Every error has code `config` and
// `where` = "FILE:LINE:COL" (1-based) of the offending node, and a message
// naming the key and what was expected, e.g.
//   tapline.yaml:12:7: integrations.demo.tap.command: expected a sequence of
//   strings, got a mapping

#include <runner/config/config.hpp>
#include <runner/util/result.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace tapline::config {

// Looks up an environment variable; injectable for tests.
using EnvLookup =
    std::function<std::optional<std::string>(const std::string& name)>;

// The process environment.
[[nodiscard]] EnvLookup process_env();

// Load `file`. A compiled copy of an earlier load (config_cache.hpp) is
// used instead of parsing when it provably gives the same Config; errors
// are always those of a full parse.
[[nodiscard]] Result<Config> load_config(const std::filesystem::path& file,
                                         const EnvLookup& env = process_env());

// Same, from text (for tests), never cached; `file` is used for messages
// and relative paths only.
[[nodiscard]] Result<Config>
load_config_from_string(const std::string& text,
                        const std::filesystem::path& file,
                        const EnvLookup& env = process_env());

// Which file to use: `--config` if given, else $TAPLINE_CONFIG, else
// ./tapline.yaml. Fails with `config` if that file does not exist.
[[nodiscard]] Result<std::filesystem::path>
resolve_config_path(const std::optional<std::string>& flag,
                    const EnvLookup& env = process_env());

} // namespace tapline::config
