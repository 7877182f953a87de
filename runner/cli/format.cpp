// runner/cli/format.cpp
#include <runner/cli/format.hpp>

#include <fmt/format.h>

#include <array>

namespace tapline::cli {

std::string
with_commas(std::uint64_t value)
{
  std::string digits = std::to_string(value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) {
      out.push_back(',');
    }
    out.push_back(digits[i]);
  }
  return out;
}

std::string
human_bytes(std::uint64_t bytes)
{
  constexpr std::array<const char*, 5> k_units = {"B", "KB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1000.0 && unit + 1 < k_units.size()) {
    value /= 1000.0;
    ++unit;
  }
  if (unit == 0) {
    return fmt::format("{} B", bytes);
  }
  return fmt::format("{:.1f} {}", value, k_units[unit]);
}

std::string
human_duration(std::chrono::milliseconds duration)
{
  const auto millis = duration.count();
  if (millis < 60'000) {
    return fmt::format("{:.2f}s", static_cast<double>(millis) / 1000.0);
  }
  const auto seconds = millis / 1000;
  if (seconds < 3600) {
    return fmt::format("{}m{:02}s", seconds / 60, seconds % 60);
  }
  return fmt::format("{}h{:02}m", seconds / 3600, (seconds % 3600) / 60);
}

} // namespace tapline::cli
