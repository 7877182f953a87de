// tests/unit/config/config_test_support.hpp
#pragma once

// Shared by the config tests: an injectable environment, and shortcuts
// that load YAML text and return either the Config or the full error text.

#include <runner/config/loader.hpp>
#include <runner/util/result.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace tapline::test {

// An environment holding exactly `vars`, so tests never depend on the
// environment they happen to run in.
inline config::EnvLookup
fake_env(std::map<std::string, std::string> vars = {})
{
  return [vars = std::move(vars)](
             const std::string& name) -> std::optional<std::string> {
    if (const auto it = vars.find(name); it != vars.end()) {
      return it->second;
    }
    return std::nullopt;
  };
}

// The error of loading `yaml` as "tapline.yaml", as the CLI prints it.
inline std::string
config_error(const std::string& yaml,
             std::map<std::string, std::string> vars = {})
{
  const auto result =
      config::load_config_from_string(yaml, "tapline.yaml", fake_env(vars));
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == ErrorCode::config);
  return result.error().to_string();
}

inline void
write_file(const std::filesystem::path& path, const std::string& text)
{
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

} // namespace tapline::test
