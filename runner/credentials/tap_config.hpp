// runner/credentials/tap_config.hpp
#pragma once

// The tap's config at run time: the user's config with the stored
// credential overrides on top, the values a tap rewrote into its config
// file during a run (a rotated refresh_token) to be kept, and a fingerprint
// that tells when a person edited the config or the environment.

#include <runner/credentials/overrides.hpp>
#include <runner/util/result.hpp>

#include <map>
#include <string>
#include <string_view>

namespace tapline::credentials {

// `base_json` (a JSON object, read from `where`) with each top-level key of
// `overrides` replacing the base's value or, when new, appended; order and
// other values are kept. Compact JSON. A base that is not an object is a
// `config` error at `where`.
[[nodiscard]] Result<std::string> merge_config(std::string_view base_json,
                                               const Overrides& overrides,
                                               std::string_view where);

// The top-level keys of `read_back_json` (the tap's config file after the
// run) whose values differ from `written_json` (what tapline wrote), or that
// are new. Values are compared canonically, so a tap that only reformatted
// or reordered the file changes nothing. Keys the tap removed are ignored:
// an override cannot express a removal. A read-back file that is not a JSON
// object is an `invalid_data` error (the tap broke its own config).
[[nodiscard]] Result<Overrides> changed_values(std::string_view written_json,
                                               std::string_view read_back_json);

// Hex BLAKE2b-256 of the canonical form of `config_json` (pass the merged
// config) and of `env` (name and value of each variable the tap gets).
// Key order and whitespace do not change it; any value does. An invalid
// config is a `config` error.
[[nodiscard]] Result<std::string>
fingerprint(std::string_view config_json,
            const std::map<std::string, std::string>& env);

} // namespace tapline::credentials
