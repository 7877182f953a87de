// runner/config/interpolate.hpp
#pragma once

// ${VAR} interpolation for scalars in tapline.yaml (private to config/).
// Kept apart from the YAML walk so the grammar can be tested on plain
// strings:
//   ${NAME}           the variable's value; an error when it is unset
//   ${NAME:-default}  the default when the variable is unset or empty
//   $$                a literal '$'
// Any other '$' is kept as it is, so "price: 5$" needs no escaping.

#include <runner/config/loader.hpp>

#include <expected>
#include <string>
#include <string_view>

namespace tapline::config {

// Expand `text` against `env`. The error is a message without location or
// key path (the caller knows both), e.g.
// "environment variable 'TOKEN' is not set".
[[nodiscard]] std::expected<std::string, std::string>
interpolate(std::string_view text, const EnvLookup& env);

// Whether `name` is a valid variable name: [A-Za-z_][A-Za-z0-9_]*.
[[nodiscard]] bool is_env_name(std::string_view name);

} // namespace tapline::config
