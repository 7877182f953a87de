// runner/util/json_error.hpp
#pragma once

// How tapline words simdjson's parse errors, the same wherever JSON is read
// (tap messages, stored credentials). Only the kinds of error a person can
// act on are named; callers word the rest for their context.

#include <simdjson.h>

#include <optional>
#include <string_view>

namespace tapline::util {

// "invalid UTF-8", "unclosed string", "incomplete object or array", ...;
// nullopt for errors that are not about the JSON text itself.
[[nodiscard]] std::optional<std::string_view>
json_error_text(simdjson::error_code error);

} // namespace tapline::util
