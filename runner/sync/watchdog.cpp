// runner/sync/watchdog.cpp
#include <runner/process/signals.hpp>
#include <runner/sync/watchdog.hpp>

#include <fmt/format.h>

#include <poll.h>
#include <unistd.h>

#include <csignal>

namespace tapline::sync {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto k_tick = std::chrono::milliseconds(100);

} // namespace

Watchdog::Watchdog(WatchdogSettings settings,
                   const PumpProgress& progress,
                   pid_t tap_pgid,
                   std::function<void()> abort_target)
    : m_settings(std::move(settings)), m_progress(progress),
      m_tap_pgid(tap_pgid), m_abort_target(std::move(abort_target)),
      m_thread([this] { run(); })
{
}

Watchdog::~Watchdog() { stop(); }

void
Watchdog::tap_reaped()
{
  std::lock_guard lock(m_mutex);
  m_tap_reaped = true;
}

void
Watchdog::stop()
{
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable()) {
    m_thread.join();
  }
}

std::string
Watchdog::describe() const
{
  switch (m_reason.load()) {
  case StopReason::timeout:
    return fmt::format("run exceeded its timeout of {}s and was stopped",
                       m_settings.timeout.count());
  case StopReason::idle_timeout:
    return fmt::format("tap produced no output for {}s (idle_timeout) and was "
                       "stopped",
                       m_settings.idle_timeout.count());
  case StopReason::signal:
    return fmt::format("interrupted by {}",
                       ::sigabbrev_np(m_signal.load()) != nullptr
                           ? std::string("SIG") +
                                 ::sigabbrev_np(m_signal.load())
                           : std::string("a signal"));
  case StopReason::auth:
    return "stopped by the auth watch";
  case StopReason::none:
    break;
  }
  return {};
}

void
Watchdog::request_stop(StopReason reason)
{
  trigger(reason);
}

void
Watchdog::trigger(StopReason reason)
{
  StopReason expected = StopReason::none;
  if (!m_reason.compare_exchange_strong(expected, reason)) {
    return;
  }
  std::lock_guard lock(m_mutex);
  if (!m_tap_reaped && m_tap_pgid > 0) {
    ::kill(-m_tap_pgid, SIGTERM);
  }
}

void
Watchdog::run()
{
  const auto started = Clock::now();
  auto last_tick = started;
  std::optional<Clock::time_point> triggered_at;
  bool escalated = false;
  std::unique_lock lock(m_mutex);
  while (!m_stopping) {
    lock.unlock();
    if (m_settings.stop_fd >= 0) {
      pollfd fd{m_settings.stop_fd, POLLIN, 0};
      if (::poll(&fd, 1, 0) > 0 && process::stop_signal() != 0) {
        m_signal.store(process::stop_signal());
        trigger(StopReason::signal);
      }
    }
    const auto now = Clock::now();
    if (m_settings.timeout.count() > 0 && now - started >= m_settings.timeout) {
      trigger(StopReason::timeout);
    }
    if (m_settings.idle_timeout.count() > 0) {
      const auto waiting_since = m_progress.waiting_since.load();
      if (waiting_since != 0 &&
          now - Clock::time_point(Clock::duration(waiting_since)) >=
              m_settings.idle_timeout) {
        trigger(StopReason::idle_timeout);
      }
    }
    if (m_reason.load() != StopReason::none && !triggered_at) {
      triggered_at = now;
      if (m_reason.load() == StopReason::timeout && m_abort_target) {
        m_abort_target();
      }
    }
    // A second Ctrl-C means now; otherwise the tap gets `grace` to exit.
    const bool hurry = m_reason.load() == StopReason::signal &&
                       process::stop_signal_count() > 1;
    if (triggered_at && !escalated &&
        (hurry || now - *triggered_at >= m_settings.grace)) {
      escalated = true;
      {
        std::lock_guard kill_lock(m_mutex);
        if (!m_tap_reaped && m_tap_pgid > 0) {
          ::kill(-m_tap_pgid, SIGKILL);
        }
      }
      // Interrupted by a person or a supervisor: a target still busy after
      // the grace period (slow, or ignoring signals) must not hold tapline;
      // what it had not confirmed is not committed anyway.
      if (m_reason.load() == StopReason::signal && m_abort_target) {
        m_abort_target();
      }
    }
    if (m_settings.on_poll) {
      m_settings.on_poll();
    }
    if (m_settings.on_tick && now - last_tick >= std::chrono::seconds(1)) {
      last_tick = now;
      m_settings.on_tick();
    }
    lock.lock();
    m_wake.wait_for(lock, k_tick, [this] { return m_stopping; });
  }
}

} // namespace tapline::sync
