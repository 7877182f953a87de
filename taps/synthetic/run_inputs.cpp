// taps/synthetic/run_inputs.cpp
// Reading the `--state` and `--catalog` files. See the header.

#include "run_inputs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "json_input.hpp"

namespace tapline::synthetic {

namespace {

struct CatalogEntry
{
  std::string name;
  bool has_metadata = false;
  bool selected = false;
};

// The bookmarks object of a state file, or nothing when there is none.
[[nodiscard]] std::expected<std::optional<simdjson::dom::object>, std::string>
find_bookmarks(const std::string& path, simdjson::dom::element root)
{
  if (root.is_null()) {
    return std::nullopt;
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return std::unexpected(fmt::format(
        "{}: expected a JSON object, got {}", path, describe_json(root)));
  }
  simdjson::dom::element value;
  if (object.at_key("bookmarks").get(value) != simdjson::SUCCESS) {
    simdjson::dom::element wrapped;
    if (object.at_key("value").get(wrapped) == simdjson::SUCCESS &&
        wrapped.at_key("bookmarks").get(value) == simdjson::SUCCESS) {
      return find_bookmarks(path, wrapped);
    }
    return std::nullopt;
  }
  if (value.is_null()) {
    return std::nullopt;
  }
  simdjson::dom::object bookmarks;
  if (value.get_object().get(bookmarks) != simdjson::SUCCESS) {
    return std::unexpected(
        fmt::format("{}: expected an object for 'bookmarks', got {}",
                    path,
                    describe_json(value)));
  }
  return bookmarks;
}

// Whether the entry's top-level metadata says `selected: true`.
[[nodiscard]] std::expected<CatalogEntry, std::string>
read_catalog_entry(const std::string& path,
                   std::size_t index,
                   simdjson::dom::element stream)
{
  const std::string key = fmt::format("streams[{}]", index);
  simdjson::dom::object object;
  if (stream.get_object().get(object) != simdjson::SUCCESS) {
    return std::unexpected(
        fmt::format("{}: expected an object for '{}', got {}",
                    path,
                    key,
                    describe_json(stream)));
  }
  FieldReader reader(path, object, key + ".");
  std::optional<std::string> name;
  reader.read_string("tap_stream_id", name);
  if (!name) {
    reader.read_string("stream", name);
  }
  if (reader.ok() && (!name || name->empty())) {
    reader.fail("tap_stream_id", "is missing (and so is 'stream')");
  }
  if (!reader.ok()) {
    return std::unexpected(reader.error());
  }

  CatalogEntry entry{*name, false, false};
  simdjson::dom::array metadata;
  if (object.at_key("metadata").get(metadata) != simdjson::SUCCESS) {
    return entry;
  }
  for (simdjson::dom::element item : metadata) {
    entry.has_metadata = true;
    simdjson::dom::array breadcrumb;
    if (item.at_key("breadcrumb").get(breadcrumb) != simdjson::SUCCESS ||
        breadcrumb.size() != 0) {
      continue;
    }
    bool selected = false;
    if (item.at_key("metadata").at_key("selected").get(selected) ==
        simdjson::SUCCESS) {
      entry.selected = selected;
    }
  }
  return entry;
}

} // namespace

std::expected<std::vector<InputBookmark>, std::string>
load_state(const std::string& path)
{
  simdjson::dom::parser parser;
  auto root = parse_json_file(path, parser, EmptyFile::as_null);
  if (!root) {
    return std::unexpected(root.error());
  }
  auto bookmarks = find_bookmarks(path, *root);
  if (!bookmarks) {
    return std::unexpected(bookmarks.error());
  }
  std::vector<InputBookmark> result;
  if (!*bookmarks) {
    return result;
  }
  for (auto [stream, value] : **bookmarks) {
    InputBookmark bookmark;
    bookmark.stream = std::string(stream);
    bookmark.raw_json = simdjson::minify(value);
    simdjson::dom::object object;
    if (value.get_object().get(object) != simdjson::SUCCESS) {
      return std::unexpected(
          fmt::format("{}: expected an object for 'bookmarks.{}', got {}",
                      path,
                      bookmark.stream,
                      describe_json(value)));
    }
    FieldReader reader(path, object, fmt::format("bookmarks.{}.", stream));
    reader.read_uint("id", bookmark.id);
    if (!reader.ok()) {
      return std::unexpected(reader.error());
    }
    result.push_back(std::move(bookmark));
  }
  return result;
}

std::expected<std::vector<std::string>, std::string>
load_catalog_selection(const std::string& path)
{
  simdjson::dom::parser parser;
  auto root = parse_json_file(path, parser, EmptyFile::error);
  if (!root) {
    return std::unexpected(root.error());
  }
  simdjson::dom::array streams;
  simdjson::dom::element value;
  if (root->at_key("streams").get(value) != simdjson::SUCCESS) {
    return std::unexpected(
        fmt::format("{}: expected a catalog object with 'streams'", path));
  }
  if (value.get_array().get(streams) != simdjson::SUCCESS) {
    return std::unexpected(
        fmt::format("{}: expected an array for 'streams', got {}",
                    path,
                    describe_json(value)));
  }

  std::vector<CatalogEntry> entries;
  std::size_t index = 0;
  for (simdjson::dom::element stream : streams) {
    auto entry = read_catalog_entry(path, index++, stream);
    if (!entry) {
      return std::unexpected(entry.error());
    }
    const bool seen =
        std::any_of(entries.begin(), entries.end(), [&](const auto& other) {
          return other.name == entry->name;
        });
    if (seen) {
      return std::unexpected(fmt::format(
          "{}: stream '{}' is listed more than once", path, entry->name));
    }
    entries.push_back(std::move(*entry));
  }

  const bool any_metadata =
      std::any_of(entries.begin(), entries.end(), [](const auto& entry) {
        return entry.has_metadata;
      });
  std::vector<std::string> selected;
  for (auto& entry : entries) {
    if (!any_metadata || entry.selected) {
      selected.push_back(std::move(entry.name));
    }
  }
  return selected;
}

} // namespace tapline::synthetic
