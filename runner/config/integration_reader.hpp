// runner/config/integration_reader.hpp
#pragma once

// Reads one entry of `integrations:` (private to config/): the tap, the
// target or built-in sink, and the run limits.

#include <runner/config/config.hpp>
#include <runner/config/yaml_reader.hpp>
#include <runner/util/result.hpp>

#include <string_view>

namespace tapline::config {

// Whether `name` may name an integration: [A-Za-z0-9][A-Za-z0-9_.-]*. Names
// become file and directory names under the data directory, so they are
// kept to characters that are safe there.
[[nodiscard]] bool is_integration_name(std::string_view name);

// The integration under `entry` (a key of `integrations`).
[[nodiscard]] Result<Integration> read_integration(const YamlReader& reader,
                                                   const Entry& entry);

} // namespace tapline::config
