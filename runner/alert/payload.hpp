// runner/alert/payload.hpp
#pragma once

// What goes over the wire for an alert: the redacted event, the one-line
// summary, the webhook's JSON body and the command's environment. Pure
// functions, so the exact bytes are easy to test.

#include <runner/alert/alert.hpp>

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace tapline::alert {

using Redact = std::function<std::string(std::string_view)>;

// `event` with every string field passed through `redact` and made valid
// UTF-8 (invalid bytes and NUL become U+FFFD), so the JSON body is valid
// and an environment variable is not cut short. `redact` may be empty.
[[nodiscard]] AlertEvent redacted(const AlertEvent& event,
                                  const Redact& redact);

// What the user must do for `auth_class` ("re-authorize"); empty when the
// class is unknown.
[[nodiscard]] std::string_view user_action(std::string_view auth_class);

// One line, Slack compatible: "tapline: integration 'github' needs
// reauthorization — Token expired or revoked — re-authorize (token_revoked,
// run 12)". Parts that are empty are left out; line breaks become spaces.
[[nodiscard]] std::string summary_text(const AlertEvent& event);

// {"integration","status","class","explanation","action","run_id","time",
//  "evidence","text"} as one JSON object.
[[nodiscard]] std::string webhook_json(const AlertEvent& event,
                                       std::string_view text);

// TAPLINE_ALERT_{INTEGRATION,STATUS,CLASS,EXPLANATION,ACTION,RUN_ID,TIME,
// EVIDENCE,TEXT}.
[[nodiscard]] std::map<std::string, std::string>
command_environment(const AlertEvent& event, std::string_view text);

} // namespace tapline::alert
