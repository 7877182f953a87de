// runner/cli/format.hpp
#pragma once

// Human-readable numbers for summaries and the progress line.

#include <chrono>
#include <cstdint>
#include <string>

namespace tapline::cli {

// 1234567 -> "1,234,567"
[[nodiscard]] std::string with_commas(std::uint64_t value);
// 1536 -> "1.5 KB", 563771903 -> "563.8 MB"
[[nodiscard]] std::string human_bytes(std::uint64_t bytes);
// 840ms -> "0.84s", 75s -> "1m15s"
[[nodiscard]] std::string human_duration(std::chrono::milliseconds duration);

} // namespace tapline::cli
