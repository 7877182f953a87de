// runner/credentials/json_value.hpp
#pragma once

// A small JSON tree for the credential code (private to credentials/):
// configs and overrides are a few hundred bytes, and merging, comparing and
// scanning them for secrets is simpler on a tree than on simdjson's
// forward-only On-Demand API. Numbers keep their text, so integers wider
// than 64 bits and "1.50" survive a merge unchanged. Error messages never
// quote the input: it holds secrets.

#include <runner/util/result.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace tapline::credentials {

struct JsonField;

struct JsonValue
{
  enum class Kind { null, boolean, number, string, array, object };

  Kind kind = Kind::null;
  std::string text;              // boolean: true/false; number: as written;
                                 // string: unescaped
  std::vector<JsonValue> items;  // array
  std::vector<JsonField> fields; // object, in order, keys unique

  [[nodiscard]] const JsonValue* find(std::string_view key) const;
};

struct JsonField
{
  std::string key; // unescaped
  JsonValue value;
};

enum class KeyOrder {
  as_written, // keep each object's order (what a tap reads)
  sorted,     // sort keys bytewise at every depth (canonical, for hashing and
              // comparing)
};

// Parse one JSON value. A key that repeats keeps its first position and its
// last value, as Python's json does. Errors have code `config`, say what is
// wrong ("invalid string escape") and never quote the text.
[[nodiscard]] Result<JsonValue> parse_json(std::string_view text);

// Compact JSON text of `value`. With KeyOrder::sorted, two values that mean
// the same (key order, whitespace, escapes such as "\u0041" for "A") give
// the same bytes; numbers are compared as written ("1.0" is not "1").
[[nodiscard]] std::string to_json(const JsonValue& value, KeyOrder order);

// "an object", "an array", ... for messages.
[[nodiscard]] std::string_view kind_name(JsonValue::Kind kind);

} // namespace tapline::credentials
