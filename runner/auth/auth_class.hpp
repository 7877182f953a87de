// runner/auth/auth_class.hpp
#pragma once

// The vocabulary of the auth watch: what kind of failure a tap reported
// (AuthClass) and what tapline should do about it (Action), with their
// spellings in rule files, `status --json` and pause reasons. This file
// knows nothing of rules or stderr.

#include <runner/util/result.hpp>

#include <string>
#include <string_view>

namespace tapline::auth {

// The classes of the design's support table, plus the two kinds of "retry
// later" and a catch-all for failures that are not about credentials.
enum class AuthClass {
  token_revoked,            // invalid_grant, token revoked: re-authorize
  bad_credentials,          // wrong password / API key / client secret
  insufficient_permissions, // scope or role missing: restore permissions
  access_token_expired,     // short-lived token expired: refresh, resume
  refresh_token_expired,    // the refresh token itself expired: reconnect
  transient,                // 5xx, timeouts, network: retry with backoff
  rate_limited,             // 429, quotas, secondary limits: retry later
  not_auth,                 // anything else (bugs, config, plans)
};

// What the caller should do. Rules carry the action for a terminal record;
// the watch downgrades it for records the tap survived (see watch.hpp).
enum class Action {
  pause_reauth,      // stop the run, pause: needs reauthorization
  pause_permissions, // stop the run, pause: needs permissions restored
  refresh_and_retry, // refresh the access token once, resume from bookmark
  retry_backoff,     // transient: retry later from the bookmark, no pause
  warn_only,         // degraded run: report, do not pause or fail
  none,              // nothing to do
  fail_config,       // a configuration problem new credentials won't fix
  fail,              // an ordinary failure: retry per schedule, no pause
};

[[nodiscard]] std::string_view to_string(AuthClass auth_class);
[[nodiscard]] std::string_view to_string(Action action);

// Parse the spellings above; a config error names the accepted values.
[[nodiscard]] Result<AuthClass> parse_auth_class(std::string_view text);
[[nodiscard]] Result<Action> parse_action(std::string_view text);

// Whether the caller should stop the tap now when a terminal record asks for
// `action` (the caller still decides what each action means for it).
[[nodiscard]] bool halts(Action action);

// The text shown to users when a rule has no `explanation` of its own.
[[nodiscard]] std::string_view default_explanation(AuthClass auth_class);

} // namespace tapline::auth
