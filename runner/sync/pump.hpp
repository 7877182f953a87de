// runner/sync/pump.hpp
#pragma once

// The message loop of a run: read the tap's stdout, split it into lines,
// decode and check each Singer message, keep per-stream counts, and hand
// messages and the raw bytes to the sink. This is the hot path: no copies of
// lines, no allocation per record, one write per block.

#include <runner/singer/line_reader.hpp>
#include <runner/singer/message_reader.hpp>
#include <runner/sync/sink.hpp>
#include <runner/util/result.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tapline::sync {

struct StreamCount
{
  std::string stream;
  std::uint64_t records = 0;
};

struct PumpStats
{
  std::uint64_t bytes = 0;
  std::uint64_t lines = 0;
  std::uint64_t records = 0;
  std::vector<StreamCount> streams; // in order of first SCHEMA
};

// What the watchdog and the progress display see of a running pump.
struct PumpProgress
{
  std::atomic<std::uint64_t> records{0};
  std::atomic<std::uint64_t> bytes{0};
  // steady_clock ticks since the pump has been waiting for tap output; 0
  // while it is busy (parsing, or blocked writing to a slow target).
  std::atomic<std::int64_t> waiting_since{0};
  mutable std::mutex mutex;
  std::vector<StreamCount> streams; // refreshed now and then, under mutex

  [[nodiscard]] std::vector<StreamCount>
  snapshot() const
  {
    std::lock_guard lock(mutex);
    return streams;
  }
};

class Pump
{
public:
  using Warn = std::function<void(std::string_view)>;

  Pump(Sink& sink, PumpProgress& progress, Warn warn);

  // Run until the tap closes its stdout (or the first error). Returns the
  // error that should stop the run; stats() is valid either way.
  [[nodiscard]] Result<void> run(int tap_stdout, std::size_t max_line_bytes);

  [[nodiscard]] const PumpStats&
  stats() const
  {
    return m_stats;
  }

  // The tap's last STATE value (for `state_from: tap_on_success`).
  [[nodiscard]] const std::optional<std::string>&
  last_tap_state() const
  {
    return m_last_state;
  }

private:
  Result<void> handle(const singer::Line& line);
  StreamCount* find_stream(std::string_view name);
  void publish();

  Sink& m_sink;
  PumpProgress& m_progress;
  Warn m_warn;
  singer::MessageReader m_reader;
  PumpStats m_stats;
  StreamCount* m_last_stream = nullptr;
  std::optional<std::string> m_last_state;
  std::set<std::string, std::less<>> m_warned_types;
};

} // namespace tapline::sync
