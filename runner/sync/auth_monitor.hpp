// runner/sync/auth_monitor.hpp
#pragma once

// Connects one run to the auth watch: tap stderr lines go in as they
// arrive (from the drain thread), quiet periods are signalled from the
// watchdog's tick, and the first decision that halts calls `on_halt` so the
// run stops within a moment of the error line. After the tap exited,
// `verdict` gives the run's classification. Thread-safe. Knows nothing of
// pausing or alerts: run_integration decides what a verdict means.

#include <runner/auth/rule_set.hpp>
#include <runner/auth/watch.hpp>
#include <runner/config/config.hpp>
#include <runner/util/result.hpp>

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>

namespace tapline::sync {

// The default rules with the integration's own (`auth.rules`) added and its
// `auth.disable` ids removed.
[[nodiscard]] Result<auth::RuleSet>
rules_for(const config::Integration& integration);

class AuthMonitor
{
public:
  AuthMonitor(auth::RuleSet rules,
              std::function<void(const auth::Decision&)> on_halt);

  void on_line(std::string_view line);

  // Called about every 100 ms: completes an open record once the tap has
  // been quiet for k_quiet, so a tap that prints its error and then hangs
  // is still stopped.
  void on_tick();

  // The tap exited with `exit_code`: the run's verdict.
  [[nodiscard]] auth::Decision verdict(int exit_code);

  // The halting decision, if one was made while the tap ran.
  [[nodiscard]] std::optional<auth::Decision> halted() const;

  static constexpr auto k_quiet = std::chrono::milliseconds(500);
  // A record still growing after this long is decided as it stands: a tap
  // that repeats its error line every few hundred milliseconds must not
  // keep one record open (and itself running) indefinitely.
  static constexpr auto k_max_record_age = std::chrono::seconds(2);

private:
  void deliver(const std::optional<auth::Decision>& decision);

  mutable std::mutex m_mutex;
  auth::Watch m_watch;
  std::function<void(const auth::Decision&)> m_on_halt;
  std::chrono::steady_clock::time_point m_last_line{};
  std::chrono::steady_clock::time_point m_open_since{};
  bool m_open = false; // a record may be incomplete
  bool m_halted = false;
};

} // namespace tapline::sync
