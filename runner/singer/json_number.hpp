// runner/singer/json_number.hpp
#pragma once

// Checks a JSON number token against RFC 8259's grammar only:
//   -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
// Taps emit integers wider than 64 bits and exponents beyond double's range
// (Python's json writes them, and Singer targets read them), so tapline
// checks the grammar instead of converting the number, which simdjson would
// refuse for such values. Hand-written because it is nine lines and sits on
// the hot path; tests/unit/singer checks it against Python's json module.

#include <string_view>

namespace tapline::singer {

// `token` is the number's text; trailing whitespace is allowed.
[[nodiscard]] bool is_json_number(std::string_view token);

} // namespace tapline::singer
