// runner/config/yaml_reader.hpp
#pragma once

// Checked access to a parsed tapline.yaml (private to config/). Every
// accessor takes the dotted key path of the node it reads, so each error it
// returns reads "FILE:LINE:COL" + "PATH: expected ..., got ...". Scalars
// come back interpolated (${VAR}); keys never are.

#include <runner/config/loader.hpp>
#include <runner/util/result.hpp>

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace tapline::config {

// One key of a mapping. `key` is the key's text; a YAML null key (written
// `null` or `~`) reads as "null", which is how `target: {null: {}}` works.
//
// Entries and Mappings can be copied but never assigned: assigning a
// YAML::Node does not rebind it, it overwrites the node it refers to, so an
// assignment (std::erase_if, std::sort) would silently rewrite the document.
struct Entry
{
  std::string key;
  YAML::Node key_node;
  YAML::Node value;

  Entry& operator=(const Entry&) = delete;

  // Where to point at the value: the value itself, or the key when the
  // value is empty (yaml-cpp places an empty value on the next token, which
  // is usually the following line).
  [[nodiscard]] const YAML::Node& at() const;
};

// A mapping's entries in file order, with duplicate keys already rejected.
struct Mapping
{
  YAML::Node node;
  std::vector<Entry> entries;

  Mapping& operator=(const Mapping&) = delete;

  [[nodiscard]] const Entry* find(std::string_view key) const;
};

// "a mapping", "a sequence", "an empty value" or the scalar in quotes.
[[nodiscard]] std::string describe(const YAML::Node& node);

// Optimal string alignment distance (edits and adjacent transpositions),
// for "did you mean" hints.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

class YamlReader
{
public:
  // `file` is the path as the user gave it (used in messages only);
  // `base_dir` the absolute directory relative paths are resolved against.
  YamlReader(std::string file, std::filesystem::path base_dir, EnvLookup env);

  // "FILE:LINE:COL" of `node`, 1-based; 1:1 for nodes without a position.
  [[nodiscard]] std::string where(const YAML::Node& node) const;

  // An ErrorCode::config error "PATH: MESSAGE" located at `at`.
  [[nodiscard]] std::unexpected<Error> error(const YAML::Node& at,
                                             std::string_view path,
                                             std::string_view message) const;

  // "PATH: expected EXPECTED, got <describe(node)>".
  [[nodiscard]] std::unexpected<Error> expected(const YAML::Node& at,
                                                std::string_view path,
                                                std::string_view expected,
                                                const YAML::Node& got) const;

  // The entries of a mapping. `expected` names what the caller wants in the
  // "expected ..., got ..." message for non-mappings.
  [[nodiscard]] Result<Mapping>
  mapping(const YAML::Node& node,
          const YAML::Node& at,
          std::string_view path,
          std::string_view expected = "a mapping") const;

  // Fail on the first key of `mapping` that is not in `allowed`, suggesting
  // the closest allowed key when it is at most two edits away.
  [[nodiscard]] Result<void>
  check_keys(const Mapping& mapping,
             std::string_view path,
             std::initializer_list<std::string_view> allowed) const;

  // The entry for `key`, or an error when it is missing.
  [[nodiscard]] Result<const Entry*> require(const Mapping& mapping,
                                             std::string_view path,
                                             std::string_view key) const;

  // The interpolated text of a scalar.
  [[nodiscard]] Result<std::string>
  scalar(const YAML::Node& node,
         const YAML::Node& at,
         std::string_view path,
         std::string_view expected = "a string") const;

  // Interpolate text already known to be a scalar's.
  [[nodiscard]] Result<std::string> interpolated(const YAML::Node& at,
                                                 std::string_view path,
                                                 std::string_view text) const;

  // An interpolated, non-empty path, made absolute against the base
  // directory and lexically normalized.
  [[nodiscard]] Result<std::filesystem::path> path(const Entry& entry,
                                                   std::string_view path) const;

  // Same, and the path must name an existing regular file.
  [[nodiscard]] Result<std::filesystem::path>
  existing_file(const Entry& entry, std::string_view path) const;

  [[nodiscard]] const std::filesystem::path&
  base_dir() const
  {
    return m_base_dir;
  }

  // Append the path of every file existing_file checks to `out`, so the
  // config cache can check them again; nullptr (the default) records none.
  void
  record_checked_files(std::vector<std::filesystem::path>* out)
  {
    m_checked_files = out;
  }

private:
  std::string m_file;
  std::filesystem::path m_base_dir;
  EnvLookup m_env;
  std::vector<std::filesystem::path>* m_checked_files = nullptr;
};

// `path` lexically normalized, without the trailing separator that
// normalizing "a/b/.." leaves ("a/"), so equal paths compare equal.
[[nodiscard]] std::filesystem::path
normalized(const std::filesystem::path& path);

// `path` + "." + `key`, for building dotted key paths.
[[nodiscard]] std::string child_path(std::string_view path,
                                     std::string_view key);

} // namespace tapline::config
