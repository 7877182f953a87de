// runner/sync/run_log.hpp
#pragma once

// The per-run log file under <data_dir>/logs/NAME/run-ID.log: every line of
// tap and target stderr, prefixed with a UTC timestamp and its source, plus
// tapline's own events. Safe to call from the drain threads at once.
//
// The file is capped at `max_bytes`: a target that writes a gigabyte of
// noise must not fill the disk. Past the cap, lines are counted and dropped,
// and a closing note says how many; the last lines of tap stderr are kept in
// memory anyway for error messages.

#include <runner/util/result.hpp>

#include <spdlog/logger.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace tapline::sync {

class RunLog
{
public:
  [[nodiscard]] static Result<std::unique_ptr<RunLog>>
  open(const std::filesystem::path& path, std::uint64_t max_bytes);
  ~RunLog();

  // Mask secrets in every line written from now on. Call before the
  // drain threads start.
  void set_redactor(std::function<std::string(std::string_view)> redact);

  // `source` is "tap", "target" or "tapline".
  void write(std::string_view source, std::string_view line);

  // The last few tap stderr lines, oldest first (for error messages).
  [[nodiscard]] std::vector<std::string> tap_tail() const;

  [[nodiscard]] const std::filesystem::path&
  path() const
  {
    return m_path;
  }

private:
  RunLog(std::filesystem::path path,
         std::shared_ptr<spdlog::logger> logger,
         std::uint64_t max_bytes);

  static constexpr std::size_t k_tail_lines = 20;
  static constexpr std::size_t k_tail_line_bytes = 1000;

  std::filesystem::path m_path;
  std::shared_ptr<spdlog::logger> m_logger;
  std::function<std::string(std::string_view)> m_redact;
  std::uint64_t m_max_bytes;
  std::atomic<std::uint64_t> m_written{0};
  std::atomic<std::uint64_t> m_dropped_lines{0};
  mutable std::mutex m_tail_mutex;
  std::deque<std::string> m_tap_tail;
};

} // namespace tapline::sync
