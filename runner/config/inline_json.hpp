// runner/config/inline_json.hpp
#pragma once

// Inline tap/target configs: a YAML mapping in tapline.yaml becomes the
// compact JSON text that is written to the process's config file (private
// to config/). Typing follows the YAML 1.2 core schema, after ${VAR}
// interpolation: plain scalars that read as integers, floats, true/false or
// null become JSON numbers, booleans and null; quoted scalars stay strings.

#include <runner/config/yaml_reader.hpp>
#include <runner/util/result.hpp>

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>

namespace tapline::config {

// The JSON literal a plain (unquoted) YAML scalar stands for when it is a
// number, boolean or null under the YAML 1.2 core schema, in JSON's
// spelling ("+1.5" -> "1.5", "0x1F" -> "31", "~" -> "null"). nullopt when
// it is a string, and for .inf/.nan, which JSON cannot represent.
[[nodiscard]] std::optional<std::string>
plain_scalar_json(std::string_view text);

// `node` (a mapping) as compact JSON. Scalars are interpolated; errors name
// the key path below `path`.
[[nodiscard]] Result<std::string> inline_json(const YamlReader& reader,
                                              const YAML::Node& node,
                                              std::string_view path);

} // namespace tapline::config
