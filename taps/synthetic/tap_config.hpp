// taps/synthetic/tap_config.hpp
#pragma once

// The tap's `--config` file: how much data to make and which faults to
// inject. Every key is optional; unknown keys are ignored because real
// Singer configs carry credentials and other keys this tap never reads.

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

namespace tapline::synthetic {

// Keeps timestamps (60 s per id from 2024) within four-digit years.
inline constexpr uint64_t k_max_records = 1'000'000'000;

struct TapConfig
{
  std::vector<std::string> streams{"users", "orders", "events"};
  uint64_t records = 1000; // per stream
  uint64_t seed = 1;
  uint64_t state_every = 1000; // records in total; 0 = only the final STATE
  double rate = 0;             // records per second in total; 0 = unpaced

  // Counts below are records emitted in this run, not ids.
  std::optional<uint64_t> fail_after;
  std::vector<std::string> fail_stderr{"error: synthetic failure"};
  int fail_exit = 1;
  std::optional<uint64_t> hang_after;
  std::optional<uint64_t> inject_after;
  std::string inject_line;
  uint64_t record_padding = 0;           // bytes of `padding` in every record
  std::optional<uint64_t> big_record_at; // 1-based ordinal in this run
  uint64_t big_record_bytes = 0;
  uint64_t stderr_every = 0;
  std::string stderr_line = "info: synthetic progress";
};

// Load and check `path`. The error is one line naming the file and the key.
[[nodiscard]] std::expected<TapConfig, std::string>
load_config(const std::string& path);

} // namespace tapline::synthetic
