// runner/credentials/overrides.hpp
#pragma once

// Credential overrides of one integration: a JSON object whose top-level
// keys replace those of the tap's config at run time (a rotated
// refresh_token, a password set with `tapline reauth --set`). Values may be
// any JSON (strings, numbers, objects) and are held as Secrets, so printing
// Overrides shows its keys only: {refresh_token: ********}.

#include <runner/credentials/secret.hpp>
#include <runner/util/result.hpp>

#include <fmt/format.h>

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace tapline::credentials {

struct OverrideField
{
  std::string key;   // a config key; not secret
  Secret value_json; // compact JSON text of the value
};

class Overrides
{
public:
  Overrides() = default;

  // `json_object` must be a JSON object; errors have code `config`, name
  // `where` and never quote the text.
  [[nodiscard]] static Result<Overrides> parse(std::string_view json_object,
                                               std::string_view where);

  // Set `key` to the JSON string `value` (as `--set key=value` means).
  void set_string(std::string key, std::string_view value);

  // Set `key` to the JSON value `value_json` (checked, stored compact).
  [[nodiscard]] Result<void> set_json(std::string key,
                                      std::string_view value_json);

  // Each key of `other` replaces or adds to this one's.
  void merge(const Overrides& other);

  // Remove `key`; false when it was not there.
  bool erase(std::string_view key);

  [[nodiscard]] bool
  empty() const
  {
    return m_fields.empty();
  }

  [[nodiscard]] std::size_t
  size() const
  {
    return m_fields.size();
  }

  // In insertion order; keys are unique.
  [[nodiscard]] const std::vector<OverrideField>&
  fields() const
  {
    return m_fields;
  }

  [[nodiscard]] std::vector<std::string> keys() const;

  // The value of `key` as JSON text; nullptr when absent.
  [[nodiscard]] const Secret* find(std::string_view key) const;

  // The whole object as compact JSON text.
  [[nodiscard]] Secret to_json() const;

  // Same keys, in any order, with the same compact value text.
  friend bool operator==(const Overrides& a, const Overrides& b);

private:
  void put(std::string key, Secret value_json);

  std::vector<OverrideField> m_fields;
};

// "{key: ********, ...}": keys only.
[[nodiscard]] std::string describe(const Overrides& overrides);

std::ostream& operator<<(std::ostream& out, const Overrides& overrides);

} // namespace tapline::credentials

template<>
struct fmt::formatter<tapline::credentials::Overrides>
    : fmt::formatter<std::string_view>
{
  template<typename FormatContext>
  auto
  format(const tapline::credentials::Overrides& overrides,
         FormatContext& context) const
  {
    return fmt::formatter<std::string_view>::format(
        tapline::credentials::describe(overrides), context);
  }
};
