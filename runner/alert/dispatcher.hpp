// runner/alert/dispatcher.hpp
#pragma once

// Sends an AlertEvent to every configured channel. Everything that leaves
// tapline is redacted first: each string field of the event, the summary
// text, the command's output as it is logged, and the error messages.
//
// Webhook: a JSON POST (payload.hpp), retried on transient outcomes (429,
// 5xx, timeouts, refused connections) with backoff and Retry-After.
// Command: argv with TAPLINE_ALERT_* in its environment (command.hpp); a
// non-zero exit is a failure.
//
// With both configured both are tried, whatever happens to the first; the
// error of send() then names every channel that failed.

#include <runner/alert/alert.hpp>
#include <runner/alert/payload.hpp>
#include <runner/util/result.hpp>

#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace tapline::alert {

class AlertDispatcher
{
public:
  using Log = std::function<void(std::string_view)>;

  // `redact` maps text to text with secrets masked; `log` gets one line per
  // event worth knowing (delivered, retrying, command output). Either may be
  // empty. `log` is never called from two threads at once.
  AlertDispatcher(AlertSettings settings, Redact redact, Log log);

  // Errors (code `unavailable`, `config` for a channel that cannot work):
  // "webhook https://hooks.example.com: http 503, gave up after 4 attempts;
  // alert command 'notify' exited with code 3".
  [[nodiscard]] Result<void> send(const AlertEvent& event);

private:
  [[nodiscard]] Result<void> send_webhook(const WebhookSettings& webhook,
                                          const std::string& body);
  void log(std::string_view line);

  AlertSettings m_settings;
  Redact m_redact;
  Log m_log;
  std::mutex m_log_mutex;
};

} // namespace tapline::alert
