// runner/config/config_cache.hpp
#pragma once

// The compiled configuration cache (private to config/), in the spirit of
// ninja's .ninja_deps: after a successful full load of tapline.yaml the
// loaded Config is written as JSON to the user's cache directory (see
// config_cache_path), and later loads use it instead of parsing YAML when it
// provably describes the same load. A full load depends on four things besides
// the code: the file's bytes, its absolute path (relative paths resolve against
// it), the environment variables interpolation looked up, and the files
// `existing_file` found; the cache key records all four, so a hit gives the
// Config the full load would give. The file never holds the value of a
// variable: the key has a hash of them, and a body that interpolated any
// is sealed under a key derived from them. Anything wrong with the cache is
// a miss, never an error: the cache can only make a load faster.
//
// This unit reads and writes the cache; loader.cpp decides when.

#include <runner/config/config.hpp>
#include <runner/config/loader.hpp>
#include <runner/util/result.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tapline::config {

// What a full load read besides the file's bytes.
struct LoadInputs
{
  // Every variable interpolation looked up, with its value or nullopt
  // when it was unset.
  std::map<std::string, std::optional<std::string>> env;
  // The absolute path of every file the loader required to exist.
  std::vector<std::filesystem::path> checked_files;
};

// Forwards to `env` and notes each lookup in `inputs`. Both must outlive
// the returned lookup.
[[nodiscard]] EnvLookup recording_env(const EnvLookup& env, LoadInputs& inputs);

// False when TAPLINE_NO_CONFIG_CACHE is set to anything but "" or "0".
[[nodiscard]] bool config_cache_enabled(const EnvLookup& env);

// `$XDG_CACHE_HOME/tapline/config-HASH.json` (else under `$HOME/.cache`),
// HASH naming the absolute `config_file`; nullopt when neither is set.
// Nothing is written beside tapline.yaml, so a read-only /etc/tapline or a
// data_dir elsewhere is cached the same.
[[nodiscard]] std::optional<std::filesystem::path>
config_cache_path(const std::filesystem::path& config_file,
                  const EnvLookup& env);

// The cached Config, if the cache at `cache_file` was written for
// `config_file` (absolute) holding exactly `text`, by this tapline and
// cache format, and every recorded input still holds under `env`; nullopt
// on any mismatch or problem. `given_file` is the path as the user gave it,
// for `Integration::source` (which is "GIVEN:LINE:COL").
[[nodiscard]] std::optional<Config>
read_config_cache(const std::filesystem::path& cache_file,
                  const std::filesystem::path& config_file,
                  std::string_view given_file,
                  std::string_view text,
                  const EnvLookup& env);

// Write the cache for `config`, the result of a full load of `text` (the
// bytes of `config.file`) that read `inputs`: creates the cache's directory
// (0700) if missing, then replaces the file atomically with mode 0600.
[[nodiscard]] Result<void>
write_config_cache(const std::filesystem::path& cache_file,
                   const Config& config,
                   std::string_view given_file,
                   std::string_view text,
                   const LoadInputs& inputs);

} // namespace tapline::config
