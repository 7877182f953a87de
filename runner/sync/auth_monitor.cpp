// runner/sync/auth_monitor.cpp
#include <runner/auth/rule_loader.hpp>
#include <runner/auth/rules_path.hpp>
#include <runner/sync/auth_monitor.hpp>
#include <runner/util/fs.hpp>

namespace tapline::sync {

Result<auth::RuleSet>
rules_for(const config::Integration& integration)
{
  TRY_ASSIGN(const auto path, auth::default_rules_path());
  TRY_ASSIGN(auto rules, auth::load_rules(path));
  const auto& settings = integration.auth;
  if (!settings.rules_file && settings.disabled_rules.empty()) {
    return rules;
  }
  std::vector<auth::RuleSpec> extra;
  if (settings.rules_file) {
    TRY_ASSIGN(const auto text, util::read_file(*settings.rules_file));
    TRY_ASSIGN(auto file,
               auth::parse_rule_file(text, settings.rules_file->string()));
    extra = std::move(file.rules);
  }
  return rules.with_overrides(std::move(extra), settings.disabled_rules);
}

AuthMonitor::AuthMonitor(auth::RuleSet rules,
                         std::function<void(const auth::Decision&)> on_halt)
    : m_watch(std::move(rules)), m_on_halt(std::move(on_halt))
{
}

void
AuthMonitor::deliver(const std::optional<auth::Decision>& decision)
{
  // Called with m_mutex held; the callback only signals processes.
  if (decision && decision->halt && !m_halted) {
    m_halted = true;
    m_on_halt(*decision);
  }
}

void
AuthMonitor::on_line(std::string_view line)
{
  std::lock_guard lock(m_mutex);
  m_last_line = std::chrono::steady_clock::now();
  if (!m_open) {
    m_open_since = m_last_line;
  }
  m_open = true;
  deliver(m_watch.on_line(line));
}

void
AuthMonitor::on_tick()
{
  std::lock_guard lock(m_mutex);
  const auto now = std::chrono::steady_clock::now();
  if (!m_open ||
      (now - m_last_line < k_quiet && now - m_open_since < k_max_record_age)) {
    return;
  }
  m_open = false;
  deliver(m_watch.on_quiet());
}

auth::Decision
AuthMonitor::verdict(int exit_code)
{
  std::lock_guard lock(m_mutex);
  m_open = false;
  return m_watch.at_exit(exit_code);
}

std::optional<auth::Decision>
AuthMonitor::halted() const
{
  std::lock_guard lock(m_mutex);
  return m_watch.halted();
}

} // namespace tapline::sync
