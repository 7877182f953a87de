// runner/sync/watchdog.hpp
#pragma once

// Watches a running sync from its own thread and stops it when it must:
// the run's `timeout`, the tap's `idle_timeout` (no output while tapline
// waits for it), or SIGINT/SIGTERM to tapline. Stopping means SIGTERM to the
// tap's process group and SIGKILL after a grace period; the main thread then
// sees the tap's stdout close and winds the run down normally, so confirmed
// state is still committed. On `timeout` the target is killed too, since a
// target that stopped reading would otherwise keep the run blocked.
//
// The watchdog only sends signals; the main thread reaps every child.

#include <runner/sync/pump.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <sys/types.h>
#include <thread>

namespace tapline::sync {

enum class StopReason { none, timeout, idle_timeout, signal, auth };

struct WatchdogSettings
{
  std::chrono::seconds timeout{0};      // 0 = none
  std::chrono::seconds idle_timeout{0}; // 0 = none
  std::chrono::milliseconds grace{5000};
  int stop_fd = -1; // readable when a stop signal arrived; -1 = none
  std::function<void()> on_tick; // every ~second (progress display)
  std::function<void()> on_poll; // every ~100 ms (the auth watch's quiet)
};

class Watchdog
{
public:
  // `tap_pgid` is the tap's process group; `abort_target` kills the target.
  Watchdog(WatchdogSettings settings,
           const PumpProgress& progress,
           pid_t tap_pgid,
           std::function<void()> abort_target);
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog(); // stops and joins

  // The tap has been reaped: never signal its (possibly reused) group again.
  void tap_reaped();

  // Stop the tap for `reason` (the auth watch decided): SIGTERM now, SIGKILL
  // after the grace period. The first reason wins. Thread-safe.
  void request_stop(StopReason reason);

  // Stop watching (the run is over) and join the thread.
  void stop();

  [[nodiscard]] StopReason
  reason() const
  {
    return m_reason.load();
  }
  [[nodiscard]] std::string describe() const;

private:
  void run();
  void trigger(StopReason reason);

  WatchdogSettings m_settings;
  const PumpProgress& m_progress;
  pid_t m_tap_pgid;
  std::function<void()> m_abort_target;
  std::atomic<StopReason> m_reason{StopReason::none};
  std::atomic<int> m_signal{0};
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stopping = false;
  bool m_tap_reaped = false;
  std::thread m_thread;
};

} // namespace tapline::sync
