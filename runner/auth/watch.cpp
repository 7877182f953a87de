// runner/auth/watch.cpp
//
// Decisions from records. Matching happens once per record, when it
// completes; INFO and DEBUG records are only matched at exit, when the tail
// is read for transient evidence, so chatty taps cost nothing per line
// beyond grouping.

#include <runner/auth/watch.hpp>

#include <algorithm>
#include <ranges>

namespace tapline::auth {

namespace {

bool
can_halt(const Record& record)
{
  return record.level == Level::error || record.level == Level::critical ||
         record.level == Level::none || record.has_traceback();
}

// Where permissions are concerned an ERROR line alone is not enough: taps
// log a 403 at ERROR, skip the stream and exit 0 (tap-hubspot).
bool
is_fatal(const Record& record)
{
  return record.level == Level::critical || record.level == Level::none ||
         record.has_traceback();
}

std::string_view
terminal_text(const Record& record)
{
  if (record.level == Level::error || record.level == Level::critical ||
      record.level == Level::none || !record.has_traceback()) {
    return record.text;
  }
  // An INFO/WARNING head with a traceback: only the unhandled exception
  // counts, not what the log line quoted.
  const std::string_view text = record.text;
  return text.substr(std::min(record.traceback_at, text.size()));
}

bool
is_retry_class(AuthClass auth_class)
{
  return auth_class == AuthClass::transient ||
         auth_class == AuthClass::rate_limited;
}

bool
killed_by_signal(int exit_code)
{
  return exit_code < 0 || (exit_code > 128 && exit_code <= 128 + 64);
}

Decision
decision_for(const RuleSpec& rule, const Record& record)
{
  return Decision{rule.auth_class,
                  rule.action,
                  rule.id,
                  record.text,
                  rule.explanation.empty()
                      ? std::string(default_explanation(rule.auth_class))
                      : rule.explanation,
                  false};
}

} // namespace

Watch::Watch(RuleSet rules) : m_rules(std::move(rules)) {}

std::optional<Decision>
Watch::on_line(std::string_view line)
{
  if (auto record = m_builder.add_line(line)) {
    return complete(std::move(*record));
  }
  return std::nullopt;
}

std::optional<Decision>
Watch::on_quiet()
{
  if (auto record = m_builder.flush()) {
    return complete(std::move(*record));
  }
  return std::nullopt;
}

std::optional<Decision>
Watch::complete(Record record)
{
  TailEntry entry{++m_seq, std::move(record), false, nullptr};
  entry.terminal = can_halt(entry.record);
  std::optional<Decision> halting;
  // After a halt the run is over; later records are kept for the tail only.
  if (!m_halt) {
    if (entry.terminal) {
      std::vector<std::string_view> evidence;
      evidence.reserve(m_tail.size());
      for (const auto& earlier : m_tail) {
        evidence.emplace_back(earlier.record.text);
      }
      entry.match = m_rules.match(terminal_text(entry.record), evidence);
      halting = decide_terminal(entry);
    } else if (entry.record.level == Level::warning) {
      entry.match = m_rules.match(entry.record.text);
      decide_warning(entry);
    }
  }
  m_tail.push_back(std::move(entry));
  if (m_tail.size() > k_tail_records) {
    m_tail.pop_front();
  }
  return halting;
}

std::optional<Decision>
Watch::decide_terminal(const TailEntry& entry)
{
  if (entry.match == nullptr) {
    return std::nullopt;
  }
  Decision decision = decision_for(*entry.match, entry.record);
  if (decision.auth_class == AuthClass::insufficient_permissions &&
      decision.action == Action::pause_permissions && !is_fatal(entry.record)) {
    decision.action = Action::warn_only;
  }
  if (halts(decision.action)) {
    decision.halt = true;
    m_halt = decision;
    return decision;
  }
  if (decision.action == Action::warn_only) {
    add_warning(std::move(decision));
  } else if (decision.action != Action::none) {
    m_last_terminal.emplace(entry.seq, std::move(decision));
  }
  return std::nullopt;
}

void
Watch::decide_warning(const TailEntry& entry)
{
  const RuleSpec* rule = entry.match;
  if (rule == nullptr || is_retry_class(rule->auth_class) ||
      rule->action == Action::none) {
    return; // the tap is retrying, or the rule says this is healthy
  }
  Decision decision = decision_for(*rule, entry.record);
  decision.action = Action::warn_only;
  if (decision.auth_class != AuthClass::insufficient_permissions) {
    // A WARNING the tap survived is not the integration's auth state (one
    // dead token of a pool, a repo the token cannot see): report it only.
    decision.auth_class = AuthClass::not_auth;
    decision.explanation =
        "Logged as a warning and the tap went on — check it, no action "
        "needed to resume";
  }
  add_warning(std::move(decision));
}

void
Watch::add_warning(Decision decision)
{
  if (m_warnings.size() < k_max_warnings) {
    m_warnings.push_back(std::move(decision));
  }
}

std::optional<Decision>
Watch::last_terminal() const
{
  if (!m_last_terminal || m_tail.empty() ||
      m_last_terminal->first < m_tail.front().seq) {
    return std::nullopt;
  }
  return m_last_terminal->second;
}

std::optional<Decision>
Watch::preferred_warning() const
{
  for (const auto& warning : m_warnings) {
    if (warning.auth_class == AuthClass::insufficient_permissions) {
      return warning;
    }
  }
  if (!m_warnings.empty()) {
    return m_warnings.front();
  }
  return std::nullopt;
}

// The newest record in the tail that shows the tap retrying (backoff on a
// 503, a 429), as a decision with `action`. INFO records count here: a
// wrong retry costs little, and auth classes are never taken from them.
std::optional<Decision>
Watch::from_tail(Action action) const
{
  for (const auto& entry : std::views::reverse(m_tail)) {
    const RuleSpec* rule =
        entry.terminal || entry.record.level == Level::warning
            ? entry.match
            : m_rules.match(entry.record.text);
    if (rule != nullptr && is_retry_class(rule->auth_class)) {
      Decision decision = decision_for(*rule, entry.record);
      decision.action = action;
      return decision;
    }
  }
  return std::nullopt;
}

Decision
Watch::verdict() const
{
  if (m_halt) {
    return *m_halt;
  }
  if (auto decision = last_terminal()) {
    return *decision;
  }
  if (auto decision = preferred_warning()) {
    return *decision;
  }
  if (auto decision = from_tail(Action::none)) {
    return *decision;
  }
  return Decision{AuthClass::not_auth,
                  Action::none,
                  {},
                  {},
                  std::string(default_explanation(AuthClass::not_auth)),
                  false};
}

Decision
Watch::at_exit(int exit_code)
{
  (void)on_quiet();
  if (exit_code == 0) {
    Decision decision = verdict();
    // The tap finished: whatever it reported and survived made the run
    // degraded, not failed (permissions: a stream was skipped).
    if (decision.auth_class == AuthClass::insufficient_permissions ||
        decision.action == Action::fail ||
        decision.action == Action::fail_config) {
      decision.action = Action::warn_only;
      decision.halt = false;
    }
    return decision;
  }
  if (m_halt) {
    return *m_halt;
  }
  if (auto decision = last_terminal()) {
    return *decision;
  }
  if (auto decision = from_tail(Action::retry_backoff)) {
    return *decision;
  }
  if (auto decision = preferred_warning();
      decision && decision->auth_class == AuthClass::insufficient_permissions) {
    return *decision;
  }
  Decision fallback{AuthClass::not_auth,
                    Action::fail,
                    "exit.nonzero",
                    m_tail.empty() ? std::string() : m_tail.back().record.text,
                    "The tap failed (exit " + std::to_string(exit_code) +
                        ") with no sign of an authentication failure",
                    false};
  if (killed_by_signal(exit_code)) {
    fallback.action = Action::retry_backoff;
    fallback.rule_id = "exit.signal";
    fallback.explanation = "The tap was killed by a signal (exit " +
                           std::to_string(exit_code) +
                           "), not an authentication failure — retry later "
                           "from the bookmark";
  }
  return fallback;
}

} // namespace tapline::auth
