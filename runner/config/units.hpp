// runner/config/units.hpp
#pragma once

// Durations ("90", "45s", "1h30m", "1d") and byte sizes ("1048576",
// "512KiB", "64MiB", "100MB") as written in tapline.yaml. Kept apart from
// the loader so the grammar is testable on plain strings and reusable by
// modules that read the same notation (schedule intervals).

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

namespace tapline::config {

// A whole number of seconds, or one or more <integer><unit> parts with the
// units d, h, m, s in that order and each at most once ("1h30m", "2d12h").
// nullopt when `text` is not such a duration or overflows.
[[nodiscard]] std::optional<std::chrono::seconds>
parse_duration(std::string_view text);

// A whole number of bytes, or <integer>[ ]<unit> with the units B, kB/KB,
// MB, GB, TB (powers of 1000) and KiB, MiB, GiB, TiB (powers of 1024).
// nullopt when `text` is not such a size or does not fit in size_t.
[[nodiscard]] std::optional<std::size_t> parse_size(std::string_view text);

} // namespace tapline::config
