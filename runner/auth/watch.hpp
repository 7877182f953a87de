// runner/auth/watch.hpp
#pragma once

// The auth watch of one tap run: fed the tap's stderr line by line, it
// groups lines into records (record.hpp), matches them against the rules
// (rule_set.hpp) and decides, by the timing rules of the design, whether the
// run must stop now, ends degraded, or failed for a reason that is not
// authentication. It never sees stdout: that is Singer data, and a RECORD
// that quotes "401 invalid_grant" is not a failure. It does not stop
// processes, redact secrets or pause integrations; its caller does.
//
// Timing rules:
// - Only a terminal record can stop a run: level ERROR or CRITICAL, no level
//   at all (an unprefixed line, an uncaught thread exception), or any record
//   that carries a traceback (then only the traceback is matched).
// - Rules are tried in precedence order, so transient and rate-limit
//   evidence overrides auth evidence in the same record.
// - INFO, WARNING and DEBUG records are evidence for later records (rules
//   with `evidence:`) and for the verdict at exit; a WARNING that matches an
//   auth rule becomes a warning (warn_only), never a pause.
// - insufficient_permissions on an ERROR without a traceback, or when the
//   tap exits 0, is warn_only: the tap skipped a stream and went on.
// - At a non-zero exit with no decision during the run, the last
//   k_tail_records records decide; nothing there means not_auth / fail
//   (rule "exit.nonzero"), or retry_backoff when a signal killed the tap
//   (rule "exit.signal").

#include <runner/auth/auth_class.hpp>
#include <runner/auth/record.hpp>
#include <runner/auth/rule_set.hpp>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tapline::auth {

struct Decision
{
  AuthClass auth_class = AuthClass::not_auth;
  Action action = Action::none;
  std::string rule_id;     // the matched rule, "exit.*", or empty
  std::string record;      // the record that decided (not redacted)
  std::string explanation; // for users
  bool halt = false;       // decided while the tap ran: stop it now
};

class Watch
{
public:
  // The watch keeps its own copy of `rules` (cheap: compiled rules are
  // shared between copies).
  explicit Watch(RuleSet rules);

  // Feed one stderr line (without its newline). Returns a decision with
  // `halt` set the first time a terminal record matches a rule whose action
  // stops a run (pause_reauth, pause_permissions, refresh_and_retry,
  // retry_backoff); the record completes when the next record starts, so
  // the decision arrives with the line after it, or from on_quiet().
  [[nodiscard]] std::optional<Decision> on_line(std::string_view line);

  // The tap printed nothing for a while (the caller picks the period, about
  // half a second): complete the open record. Same result as on_line.
  [[nodiscard]] std::optional<Decision> on_quiet();

  // The tap exited with `exit_code` (negative or >128: killed by a signal).
  // Completes the open record and returns the run's final verdict, which is
  // the halting decision if there was one.
  [[nodiscard]] Decision at_exit(int exit_code);

  // The verdict so far, for a run whose exit code is unknown (call
  // on_quiet() first to include the open record).
  [[nodiscard]] Decision verdict() const;

  // warn_only decisions: degraded-run reports, in order, at most 100.
  [[nodiscard]] const std::vector<Decision>&
  warnings() const
  {
    return m_warnings;
  }

  [[nodiscard]] const std::optional<Decision>&
  halted() const
  {
    return m_halt;
  }

  static constexpr std::size_t k_tail_records = 50;
  static constexpr std::size_t k_max_warnings = 100;

private:
  struct TailEntry
  {
    std::uint64_t seq = 0;
    Record record;
    bool terminal = false;
    const RuleSpec* match = nullptr; // set for terminal and WARNING records
  };

  std::optional<Decision> complete(Record record);
  std::optional<Decision> decide_terminal(const TailEntry& entry);
  void decide_warning(const TailEntry& entry);
  void add_warning(Decision decision);
  [[nodiscard]] std::optional<Decision> from_tail(Action action) const;
  [[nodiscard]] std::optional<Decision> last_terminal() const;
  [[nodiscard]] std::optional<Decision> preferred_warning() const;

  RuleSet m_rules;
  RecordBuilder m_builder;
  std::deque<TailEntry> m_tail;
  std::uint64_t m_seq = 0;
  std::optional<Decision> m_halt;
  std::optional<std::pair<std::uint64_t, Decision>> m_last_terminal;
  std::vector<Decision> m_warnings;
};

} // namespace tapline::auth
