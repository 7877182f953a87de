// runner/auth/auth_class.cpp
//
// Spellings of AuthClass and Action. The tables are the single source of the
// names, so parse and to_string cannot drift apart.

#include <runner/auth/auth_class.hpp>

#include <array>
#include <utility>

namespace tapline::auth {

namespace {

constexpr std::array k_classes = {
    std::pair{AuthClass::token_revoked, std::string_view("token_revoked")},
    std::pair{AuthClass::bad_credentials, std::string_view("bad_credentials")},
    std::pair{AuthClass::insufficient_permissions,
              std::string_view("insufficient_permissions")},
    std::pair{AuthClass::access_token_expired,
              std::string_view("access_token_expired")},
    std::pair{AuthClass::refresh_token_expired,
              std::string_view("refresh_token_expired")},
    std::pair{AuthClass::transient, std::string_view("transient")},
    std::pair{AuthClass::rate_limited, std::string_view("rate_limited")},
    std::pair{AuthClass::not_auth, std::string_view("not_auth")},
};

constexpr std::array k_actions = {
    std::pair{Action::pause_reauth, std::string_view("pause_reauth")},
    std::pair{Action::pause_permissions, std::string_view("pause_permissions")},
    std::pair{Action::refresh_and_retry, std::string_view("refresh_and_retry")},
    std::pair{Action::retry_backoff, std::string_view("retry_backoff")},
    std::pair{Action::warn_only, std::string_view("warn_only")},
    std::pair{Action::none, std::string_view("none")},
    std::pair{Action::fail_config, std::string_view("fail_config")},
    std::pair{Action::fail, std::string_view("fail")},
};

template<typename Table>
std::string
joined_names(const Table& table)
{
  std::string names;
  for (const auto& [value, name] : table) {
    names += names.empty() ? "" : ", ";
    names += name;
  }
  return names;
}

} // namespace

std::string_view
to_string(AuthClass auth_class)
{
  for (const auto& [value, name] : k_classes) {
    if (value == auth_class) {
      return name;
    }
  }
  return "not_auth";
}

std::string_view
to_string(Action action)
{
  for (const auto& [value, name] : k_actions) {
    if (value == action) {
      return name;
    }
  }
  return "fail";
}

Result<AuthClass>
parse_auth_class(std::string_view text)
{
  for (const auto& [value, name] : k_classes) {
    if (name == text) {
      return value;
    }
  }
  return fail(ErrorCode::config,
              "expected one of " + joined_names(k_classes) + ", got '" +
                  std::string(text) + "'");
}

Result<Action>
parse_action(std::string_view text)
{
  for (const auto& [value, name] : k_actions) {
    if (name == text) {
      return value;
    }
  }
  return fail(ErrorCode::config,
              "expected one of " + joined_names(k_actions) + ", got '" +
                  std::string(text) + "'");
}

bool
halts(Action action)
{
  switch (action) {
  case Action::pause_reauth:
  case Action::pause_permissions:
  case Action::refresh_and_retry:
  case Action::retry_backoff:
    return true;
  case Action::warn_only:
  case Action::none:
  case Action::fail_config:
  case Action::fail:
    return false;
  }
  return false;
}

std::string_view
default_explanation(AuthClass auth_class)
{
  switch (auth_class) {
  case AuthClass::token_revoked:
    return "Token expired or revoked — re-authorize";
  case AuthClass::bad_credentials:
    return "Credentials rejected — re-enter the password, API key or client "
           "secret";
  case AuthClass::insufficient_permissions:
    return "User role changed or permissions restricted — restore "
           "permissions";
  case AuthClass::access_token_expired:
    return "Access token expired — refresh it and resume from the bookmark";
  case AuthClass::refresh_token_expired:
    return "Refresh token expired — reconnect and re-authorize";
  case AuthClass::transient:
    return "Temporary failure at the provider or network — retry later from "
           "the bookmark";
  case AuthClass::rate_limited:
    return "Rate limit or quota reached — retry later from the bookmark";
  case AuthClass::not_auth:
    return "Not an authentication failure";
  }
  return "Not an authentication failure";
}

} // namespace tapline::auth
