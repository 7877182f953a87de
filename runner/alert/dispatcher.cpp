// runner/alert/dispatcher.cpp
#include <runner/alert/command.hpp>
#include <runner/alert/dispatcher.hpp>
#include <runner/net/http_client.hpp>
#include <runner/net/outcome.hpp>
#include <runner/net/retry.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace tapline::alert {

namespace {

// How much of a refusing server's body goes into the error ("no_service",
// "invalid_payload" from Slack).
constexpr std::size_t k_max_body_in_error = 200;

std::string
body_excerpt(std::string_view body)
{
  std::string text(body.substr(0, k_max_body_in_error));
  std::ranges::replace_if(
      text, [](char c) { return static_cast<unsigned char>(c) < 0x20; }, ' ');
  while (!text.empty() && text.back() == ' ') {
    text.pop_back();
  }
  return text.empty() ? text : ": " + text;
}

} // namespace

AlertDispatcher::AlertDispatcher(AlertSettings settings, Redact redact, Log log)
    : m_settings(std::move(settings)), m_redact(std::move(redact)),
      m_log(std::move(log))
{
}

void
AlertDispatcher::log(std::string_view line)
{
  if (m_log) {
    const std::lock_guard lock(m_log_mutex);
    m_log(m_redact ? m_redact(line) : std::string(line));
  }
}

Result<void>
AlertDispatcher::send(const AlertEvent& event)
{
  const AlertEvent clean = redacted(event, m_redact);
  std::string text = summary_text(clean);
  if (m_redact) {
    // Once more as a whole: a secret may span two fields.
    text = m_redact(text);
  }

  std::vector<Error> failures;
  if (m_settings.webhook) {
    auto sent = send_webhook(*m_settings.webhook, webhook_json(clean, text));
    if (!sent) {
      failures.push_back(std::move(sent.error()));
    }
  }
  if (m_settings.command) {
    auto ran = run_alert_command(*m_settings.command,
                                 command_environment(clean, text),
                                 m_settings.command_timeout,
                                 [this](std::string_view line) {
                                   log("alert command: " + std::string(line));
                                 });
    if (ran) {
      log(fmt::format("alert: command '{}' succeeded",
                      m_settings.command->front()));
    } else {
      failures.push_back(std::move(ran.error()));
    }
  }
  if (failures.empty()) {
    return {};
  }
  std::string message;
  for (const auto& failure : failures) {
    message += (message.empty() ? "" : "; ") + failure.message;
  }
  // One failure keeps its code (a bad webhook URL is a config error).
  const auto code =
      failures.size() == 1 ? failures.front().code : ErrorCode::unavailable;
  return fail(code, m_redact ? m_redact(message) : std::move(message));
}

Result<void>
AlertDispatcher::send_webhook(const WebhookSettings& webhook,
                              const std::string& body)
{
  const std::string name =
      fmt::format("webhook {}", net::url_origin(webhook.url));
  net::HttpRequest request;
  request.url = webhook.url;
  request.body = body;
  request.content_type = "application/json";
  request.headers.assign(webhook.headers.begin(), webhook.headers.end());
  request.timeout = webhook.timeout;
  request.connect_timeout = std::min<std::chrono::milliseconds>(
      webhook.timeout, std::chrono::seconds(10));
  request.max_body = 64 * 1024;

  net::RetryPolicy policy;
  policy.attempts = std::max(webhook.retries, 0) + 1;
  policy.backoff = webhook.backoff;
  policy.log = [this](std::string_view line) {
    log("alert: webhook " + std::string(line));
  };

  net::HttpClient client;
  const auto result = net::post_with_retries(client, request, policy);
  const auto outcome = net::classify(result);
  if (!result) {
    const auto gave_up =
        outcome == net::Outcome::transient && policy.attempts > 1
            ? fmt::format(", gave up after {} attempts", policy.attempts)
            : std::string();
    return fail(result.error().code,
                fmt::format("{}: {}{}", name, result.error().message, gave_up));
  }
  const auto excerpt = body_excerpt(result->body);
  switch (outcome) {
  case net::Outcome::ok:
    log(fmt::format("alert: {} delivered (http {})", name, result->status));
    return {};
  case net::Outcome::transient:
    return fail(ErrorCode::unavailable,
                fmt::format("{}: http {}{}, gave up after {} attempts",
                            name,
                            result->status,
                            excerpt,
                            policy.attempts));
  case net::Outcome::auth:
    return fail(ErrorCode::unavailable,
                fmt::format("{}: http {}{}, the webhook refused tapline's "
                            "credentials (check its headers)",
                            name,
                            result->status,
                            excerpt));
  case net::Outcome::error:
    break;
  }
  return fail(ErrorCode::unavailable,
              fmt::format("{}: http {}{}", name, result->status, excerpt));
}

} // namespace tapline::alert
