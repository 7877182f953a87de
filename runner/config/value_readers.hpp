// runner/config/value_readers.hpp
#pragma once

// Readers for the kinds of values tapline.yaml uses in several places (private
// to config/): argv commands, string maps, durations, sizes, booleans and
// small integers. Each reports errors as "PATH: expected ..., got ...".

#include <runner/config/yaml_reader.hpp>
#include <runner/util/result.hpp>

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace tapline::config {

// argv: a non-empty sequence of strings; a program with a '/' is resolved
// against the directory of tapline.yaml.
[[nodiscard]] Result<std::vector<std::string>> read_command(
    const YamlReader& reader, const Entry& entry, const std::string& path);

// A sequence of strings (may be empty).
[[nodiscard]] Result<std::vector<std::string>> read_strings(
    const YamlReader& reader, const Entry& entry, const std::string& path);

[[nodiscard]] Result<std::map<std::string, std::string>>
read_env(const YamlReader& reader, const Entry& entry, const std::string& path);

[[nodiscard]] Result<std::chrono::seconds> read_duration(
    const YamlReader& reader, const Entry& entry, const std::string& path);

[[nodiscard]] Result<std::size_t> read_size(const YamlReader& reader,
                                            const Entry& entry,
                                            const std::string& path);

// true/false (YAML 1.2 spelling only).
[[nodiscard]] Result<bool> read_bool(const YamlReader& reader,
                                     const Entry& entry,
                                     const std::string& path);

// A whole number in [min, max].
[[nodiscard]] Result<int> read_int(const YamlReader& reader,
                                   const Entry& entry,
                                   const std::string& path,
                                   int min,
                                   int max);

} // namespace tapline::config
