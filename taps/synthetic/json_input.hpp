// taps/synthetic/json_input.hpp
#pragma once

// Reading the tap's JSON input files (config, state, catalog) with error
// messages that name the file and the key, e.g.
//   c.json: expected a non-negative integer for 'records', got "many"
// Not on the hot path, so it favours clear messages over speed. Knows nothing
// about what the keys mean.

#include <simdjson.h>

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tapline::synthetic {

// What a file holding only whitespace means to the caller.
enum class EmptyFile { error, as_null };

// Read `path` and parse it into `parser`; the element lives as long as the
// parser. Errors say which file and what went wrong.
[[nodiscard]] std::expected<simdjson::dom::element, std::string>
parse_json_file(const std::string& path,
                simdjson::dom::parser& parser,
                EmptyFile empty);

// A short description of a JSON value for error messages: numbers, booleans
// and short strings are shown, containers are named ("an array").
[[nodiscard]] std::string describe_json(simdjson::dom::element value);

// Reads typed fields of one JSON object. Absent keys and nulls leave the
// target untouched; the first wrong type is kept as the error and later
// reads are skipped, so callers check `error()` once at the end.
class FieldReader
{
public:
  // `key_prefix` is put in front of key names in errors ("bookmarks.users.").
  FieldReader(std::string_view file,
              simdjson::dom::object object,
              std::string key_prefix = {});

  void
  read_uint(std::string_view key, uint64_t& out, uint64_t max = UINT64_MAX);
  void read_uint(std::string_view key,
                 std::optional<uint64_t>& out,
                 uint64_t max = UINT64_MAX);
  void read_number(std::string_view key, double& out);
  void read_string(std::string_view key, std::optional<std::string>& out);
  // A string or an array of strings when `single` is allowed, else an array.
  enum class Single { allowed, rejected };
  void read_strings(std::string_view key,
                    std::vector<std::string>& out,
                    Single single);

  // Record an error about `key` for checks the typed reads cannot make;
  // `message` follows the quoted key ("must not be empty").
  void fail(std::string_view key, std::string_view message);

  [[nodiscard]] bool
  ok() const
  {
    return m_error.empty();
  }
  [[nodiscard]] const std::string&
  error() const
  {
    return m_error;
  }

private:
  // The value at `key`, or nothing when absent, null or after an error.
  [[nodiscard]] std::optional<simdjson::dom::element>
  lookup(std::string_view key);
  void expected(std::string_view key,
                std::string_view what,
                simdjson::dom::element got);
  void set_error(std::string message);

  std::string m_file;
  simdjson::dom::object m_object;
  std::string m_key_prefix;
  std::string m_error;
};

} // namespace tapline::synthetic
