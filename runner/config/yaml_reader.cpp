// runner/config/yaml_reader.cpp
//
// Checked access to yaml-cpp nodes. yaml-cpp's own accessors throw on the
// wrong type and lose the key path; these return an Error that says which
// key, what was expected and what was there, at the node's position.

#include <runner/config/interpolate.hpp>
#include <runner/config/yaml_reader.hpp>

#include <algorithm>
#include <numeric>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>

namespace tapline::config {

namespace {

// Scalars longer than this are cut in messages; the position already says
// where the rest is.
constexpr std::size_t k_max_shown = 60;

// Suggest a key only when it is this close to what was written.
constexpr std::size_t k_max_suggestion_distance = 2;

std::string
key_text(const YAML::Node& key)
{
  return key.IsNull() ? std::string("null") : key.Scalar();
}

} // namespace

const YAML::Node&
Entry::at() const
{
  return value.IsNull() ? key_node : value;
}

const Entry*
Mapping::find(std::string_view key) const
{
  for (const Entry& entry : entries) {
    if (entry.key == key) {
      return &entry;
    }
  }
  return nullptr;
}

std::string
describe(const YAML::Node& node)
{
  switch (node.Type()) {
  case YAML::NodeType::Map:
    return "a mapping";
  case YAML::NodeType::Sequence:
    return node.size() == 0 ? "an empty sequence" : "a sequence";
  case YAML::NodeType::Scalar: {
    const std::string& text = node.Scalar();
    if (text.size() > k_max_shown) {
      return "'" + text.substr(0, k_max_shown) + "...'";
    }
    return "'" + text + "'";
  }
  case YAML::NodeType::Null:
  case YAML::NodeType::Undefined:
    break;
  }
  return "an empty value";
}

std::size_t
edit_distance(std::string_view a, std::string_view b)
{
  // Three rows of the classic table: the transposition step looks two
  // rows back.
  std::vector<std::size_t> before(b.size() + 1);
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  std::iota(previous.begin(), previous.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min(
          {previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::filesystem::path
normalized(const std::filesystem::path& path)
{
  std::filesystem::path out = path.lexically_normal();
  if (!out.has_filename() && out.has_relative_path()) {
    out = out.parent_path();
  }
  return out;
}

std::string
child_path(std::string_view path, std::string_view key)
{
  if (path.empty()) {
    return std::string(key);
  }
  std::string out(path);
  out += '.';
  out += key;
  return out;
}

YamlReader::YamlReader(std::string file,
                       std::filesystem::path base_dir,
                       EnvLookup env)
    : m_file(std::move(file)), m_base_dir(std::move(base_dir)),
      m_env(std::move(env))
{
}

std::string
YamlReader::where(const YAML::Node& node) const
{
  const YAML::Mark mark = node.Mark();
  if (mark.is_null() || mark.line < 0 || mark.column < 0) {
    return m_file + ":1:1";
  }
  return m_file + ":" + std::to_string(mark.line + 1) + ":" +
         std::to_string(mark.column + 1);
}

std::unexpected<Error>
YamlReader::error(const YAML::Node& at,
                  std::string_view path,
                  std::string_view message) const
{
  std::string text(path);
  if (!text.empty()) {
    text += ": ";
  }
  text += message;
  return fail(ErrorCode::config, std::move(text), where(at));
}

std::unexpected<Error>
YamlReader::expected(const YAML::Node& at,
                     std::string_view path,
                     std::string_view expected,
                     const YAML::Node& got) const
{
  return error(
      at, path, "expected " + std::string(expected) + ", got " + describe(got));
}

Result<Mapping>
YamlReader::mapping(const YAML::Node& node,
                    const YAML::Node& at,
                    std::string_view path,
                    std::string_view expected_what) const
{
  if (!node.IsMap()) {
    return expected(at, path, expected_what, node);
  }
  Mapping out{node, {}};
  // Reserved up front, so no entry moves and views of their keys stay
  // valid for the duplicate index below.
  out.entries.reserve(node.size());
  // A linear search is quickest for the small mappings of one integration;
  // `integrations` itself may have 100,000 keys, where it would be
  // quadratic.
  constexpr std::size_t k_indexed_from = 16;
  std::unordered_map<std::string_view, std::size_t> index;
  if (node.size() >= k_indexed_from) {
    index.reserve(node.size());
  }
  for (const auto& pair : node) {
    const YAML::Node& key = pair.first;
    if (!key.IsScalar() && !key.IsNull()) {
      return expected(key, path, "a string key", key);
    }
    Entry entry{key_text(key), key, pair.second};
    const Entry* first = nullptr;
    if (node.size() >= k_indexed_from) {
      if (const auto found = index.find(entry.key); found != index.end()) {
        first = &out.entries[found->second];
      }
    } else {
      first = out.find(entry.key);
    }
    if (first != nullptr) {
      return error(key,
                   child_path(path, entry.key),
                   "duplicate key (first defined at " + where(first->key_node) +
                       ")");
    }
    out.entries.push_back(std::move(entry));
    if (node.size() >= k_indexed_from) {
      index.emplace(out.entries.back().key, out.entries.size() - 1);
    }
  }
  return out;
}

Result<void>
YamlReader::check_keys(const Mapping& mapping,
                       std::string_view path,
                       std::initializer_list<std::string_view> allowed) const
{
  for (const Entry& entry : mapping.entries) {
    if (std::ranges::find(allowed, entry.key) != allowed.end()) {
      continue;
    }
    const std::string key_path = child_path(path, entry.key);
    if (allowed.size() == 0) {
      return error(
          entry.key_node, key_path, "unknown key (expected an empty mapping)");
    }
    std::string_view best;
    std::size_t best_distance = k_max_suggestion_distance + 1;
    for (const std::string_view candidate : allowed) {
      const std::size_t distance = edit_distance(entry.key, candidate);
      if (distance < best_distance) {
        best = candidate;
        best_distance = distance;
      }
    }
    if (!best.empty()) {
      return error(entry.key_node,
                   key_path,
                   "unknown key, did you mean '" + std::string(best) + "'?");
    }
    std::string list;
    for (const std::string_view candidate : allowed) {
      list += list.empty() ? "" : ", ";
      list += candidate;
    }
    return error(entry.key_node,
                 key_path,
                 "unknown key (expected one of: " + list + ")");
  }
  return {};
}

Result<const Entry*>
YamlReader::require(const Mapping& mapping,
                    std::string_view path,
                    std::string_view key) const
{
  if (const Entry* entry = mapping.find(key)) {
    return entry;
  }
  return error(
      mapping.node, path, "missing required key '" + std::string(key) + "'");
}

Result<std::string>
YamlReader::scalar(const YAML::Node& node,
                   const YAML::Node& at,
                   std::string_view path,
                   std::string_view expected_what) const
{
  if (!node.IsScalar()) {
    return expected(at, path, expected_what, node);
  }
  return interpolated(at, path, node.Scalar());
}

Result<std::string>
YamlReader::interpolated(const YAML::Node& at,
                         std::string_view path,
                         std::string_view text) const
{
  auto expanded = interpolate(text, m_env);
  if (!expanded) {
    return error(at, path, expanded.error());
  }
  return std::move(*expanded);
}

Result<std::filesystem::path>
YamlReader::path(const Entry& entry, std::string_view key_path) const
{
  TRY_ASSIGN(const std::string text,
             scalar(entry.value, entry.at(), key_path, "a path"));
  if (text.empty()) {
    return error(entry.at(), key_path, "expected a path, got an empty string");
  }
  return normalized(m_base_dir / text);
}

Result<std::filesystem::path>
YamlReader::existing_file(const Entry& entry, std::string_view key_path) const
{
  TRY_ASSIGN(std::filesystem::path file, path(entry, key_path));
  if (m_checked_files != nullptr) {
    m_checked_files->push_back(file);
  }
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (!std::filesystem::exists(status)) {
    return error(entry.at(),
                 key_path,
                 "expected an existing file, '" + file.string() +
                     "' does not exist");
  }
  if (!std::filesystem::is_regular_file(status)) {
    return error(entry.at(),
                 key_path,
                 "expected an existing file, '" + file.string() +
                     "' is not a regular file");
  }
  return file;
}

} // namespace tapline::config
