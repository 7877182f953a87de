// taps/synthetic/run_inputs.hpp
#pragma once

// The optional inputs of a sync: the `--state` file (where each stream left
// off) and the `--catalog`/`--properties` file (which streams to emit).
// Errors name the file and the key, like the config's.

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

namespace tapline::synthetic {

struct InputBookmark
{
  std::string stream;
  uint64_t id = 0;      // highest id already emitted; 0 when absent
  std::string raw_json; // the bookmark as given, carried over until replaced
};

// Bookmarks in file order. Accepts `{"bookmarks": {...}}`, the same wrapped
// in a STATE message's `{"value": ...}`, an empty object, `null` or an empty
// file.
[[nodiscard]] std::expected<std::vector<InputBookmark>, std::string>
load_state(const std::string& path);

// Names of the streams to emit, in catalog order: those whose top-level
// metadata (empty breadcrumb) says `selected: true`, or every listed stream
// when no stream in the catalog has metadata at all.
[[nodiscard]] std::expected<std::vector<std::string>, std::string>
load_catalog_selection(const std::string& path);

} // namespace tapline::synthetic
