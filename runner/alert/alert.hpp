// runner/alert/alert.hpp
#pragma once

// What an alert says and where it goes. An alert is sent when an
// integration changes state in a way a person must know about: it needs
// reauthorization, or it recovered. Channels: a webhook (JSON POST, Slack
// compatible through its "text" field) and a command (argv, details in
// TAPLINE_ALERT_* environment variables). See dispatcher.hpp.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tapline::alert {

struct AlertEvent
{
  std::string integration; // "github"
  // "needs_reauth", "recovered", "failed", or another status word.
  std::string status;
  std::string auth_class;  // "token_revoked"; empty when not about auth
  std::string explanation; // "Token expired or revoked"
  // What the user must do ("re-authorize"); empty: derived from auth_class
  // for needs_reauth (see user_action in payload.hpp).
  std::string action;
  std::int64_t run_id = 0; // 0: not about one run
  std::string time;        // ISO 8601, as util::now_iso8601()
  std::string evidence;    // the stderr line that matched, for example
};

struct WebhookSettings
{
  std::string url;
  std::chrono::seconds timeout{10}; // per attempt
  int retries{3};                   // after the first attempt
  std::map<std::string, std::string> headers;
  // Delay before the first retry; doubles after each.
  std::chrono::milliseconds backoff{std::chrono::seconds(1)};
};

struct AlertSettings
{
  std::optional<WebhookSettings> webhook;
  std::optional<std::vector<std::string>> command; // argv, no shell
  // The command is killed (its whole process group) after this long.
  std::chrono::seconds command_timeout{30};
};

} // namespace tapline::alert
