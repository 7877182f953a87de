// tests/unit/auth/rules_test.cpp
//
// The shipped rules on provider and tap families beyond the corpus: lines
// built from the taps' own format strings (singer-io raise_for_error texts,
// backoff and Meltano SDK formats, driver messages). Each case is a stderr
// excerpt, the tap's exit code, and the expected class and action.

#include <runner/auth/rule_loader.hpp>
#include <runner/auth/watch.hpp>

#include <doctest/doctest.h>

#include <string>
#include <tests/unit/test_support.hpp>
#include <vector>

using tapline::auth::Action;
using tapline::auth::AuthClass;

namespace {

struct Family
{
  const char* name;
  std::vector<std::string> lines;
  int exit_code;
  AuthClass auth_class;
  Action action;
};

const std::string k_traceback = "Traceback (most recent call last):";
const std::string k_frames = "  ...";

// singer-python's handle_top_exception: CRITICAL message, traceback, final
// line "module.Class: message".
std::vector<std::string>
fatal(const std::string& message, const std::string& exception)
{
  return {
      "CRITICAL " + message, k_traceback, k_frames, exception + ": " + message};
}

std::vector<Family>
families()
{
  return {
      // HubSpot: the token endpoint's 400 is given up on at once (4xx).
      {"hubspot token 400 given up",
       {"INFO GET https://api.hubapi.com/contacts/v1/lists/all/contacts/all",
        "ERROR Giving up request(...) after 1 tries (requests.exceptions."
        "HTTPError: 400 Client Error: Bad Request for url: "
        "https://api.hubapi.com/oauth/v1/token)",
        "CRITICAL Giving up on request after 1 tries with url "
        "https://api.hubapi.com/contacts/v1/lists/all/contacts/all and params "
        "{}"},
       1,
       AuthClass::token_revoked,
       Action::pause_reauth},
      {"hubspot 403 at the token endpoint",
       fatal("b'{\"status\":\"BAD_CLIENT_ID\",\"message\":\"missing or unknown "
             "client id\"}'",
             "tap_hubspot.InvalidAuthException"),
       1,
       AuthClass::bad_credentials,
       Action::pause_reauth},
      {"hubspot daily limit",
       fatal("429 Client Error: Too Many Requests for url: "
             "https://api.hubapi.com/crm/v3/objects/deals {\"policyName\":"
             "\"DAILY\"}",
             "requests.exceptions.HTTPError"),
       1,
       AuthClass::rate_limited,
       Action::retry_backoff},
      // Salesforce
      {"salesforce bad login",
       fatal("INVALID_LOGIN: Invalid username, password, security token; or "
             "user locked out.",
             "simple_salesforce.exceptions.SalesforceAuthenticationFailed"),
       1,
       AuthClass::bad_credentials,
       Action::pause_reauth},
      {"salesforce API disabled",
       fatal("[{'message': 'The REST API is not enabled for this "
             "Organization.', 'errorCode': 'API_DISABLED_FOR_ORG'}]",
             "tap_salesforce.salesforce.exceptions.TapSalesforceException"),
       1,
       AuthClass::insufficient_permissions,
       Action::pause_permissions},
      {"salesforce refresh thread invalid_grant, tap keeps running",
       {"INFO Starting sync",
        "Exception in thread Thread-2:",
        k_traceback,
        k_frames,
        "requests.exceptions.HTTPError: 400 Client Error: Bad Request for "
        "url: https://login.salesforce.com/services/oauth2/token",
        "INFO Making GET request"},
       0,
       AuthClass::token_revoked,
       Action::pause_reauth},
      // Meltano SDK
      {"sdk oauth invalid_grant",
       {"2024-05-02 10:15:01,123 | ERROR    | tap-x                | Failed "
        "OAuth login with status code 400, response was '{\"error\": "
        "\"invalid_grant\", \"error_description\": \"Bad Request\"}'",
        k_traceback,
        k_frames,
        "singer_sdk.exceptions.AuthenticationError: Failed to update access "
        "token (status=400)"},
       1,
       AuthClass::token_revoked,
       Action::pause_reauth},
      {"sdk oauth 503",
       {"2024-05-02 10:15:01,123 | INFO     | tap-x                | "
        "Beginning full_table sync of 'users'...",
        k_traceback,
        k_frames,
        "singer_sdk.exceptions.AuthenticationError: Failed to update access "
        "token (status=503)"},
       1,
       AuthClass::transient,
       Action::retry_backoff},
      {"sdk old runtime error, client secret",
       {"RuntimeError: Failed OAuth login, response was '{'error': "
        "'invalid_client'}'. 401 Client Error: Unauthorized for url: "
        "https://accounts.example.com/oauth2/token"},
       1,
       AuthClass::bad_credentials,
       Action::pause_reauth},
      {"sdk bare 401",
       {"2024-05-02 10:15:01,123 | INFO     | tap-x | Beginning sync",
        k_traceback,
        k_frames,
        "singer_sdk.exceptions.FatalAPIError: 401 Client Error: Unauthorized "
        "for path: /v3/users"},
       1,
       AuthClass::access_token_expired,
       Action::refresh_and_retry},
      {"sdk bare 403",
       {k_traceback,
        k_frames,
        "singer_sdk.exceptions.FatalAPIError: 403 Client Error: Forbidden for "
        "path: /v3/objects"},
       1,
       AuthClass::insufficient_permissions,
       Action::pause_permissions},
      {"github app lost access",
       {k_traceback,
        k_frames,
        "singer_sdk.exceptions.FatalAPIError: 403 Client Error: "
        "b'{\"message\":\"Resource not accessible by integration\"}' (Reason: "
        "Forbidden) for path: /repos/acme/x/pulls"},
       1,
       AuthClass::insufficient_permissions,
       Action::pause_permissions},
      {"github IP allow list",
       fatal("HTTP-error-code: 403, Error: {'message': 'Although you appear "
             "to have the correct authorization credentials, the `acme` "
             "organization has an IP allow list enabled'}",
             "tap_github.client.AuthException"),
       1,
       AuthClass::not_auth,
       Action::fail_config},
      // Facebook
      {"facebook user request limit",
       {"CRITICAL Message: Call was not successful",
        "CRITICAL   Response:",
        "CRITICAL     {\"error\": {\"message\": \"(#17) User request limit "
        "reached\", \"type\": \"OAuthException\", \"is_transient\": true, "
        "\"code\": 17}}"},
       1,
       AuthClass::rate_limited,
       Action::retry_backoff},
      {"facebook password changed",
       fatal("{\"error\": {\"message\": \"Error validating access token: The "
             "session has been invalidated because the user changed their "
             "password.\", \"type\": \"OAuthException\", \"code\": 190, "
             "\"error_subcode\": 460}}",
             "facebook_business.exceptions.FacebookRequestError"),
       1,
       AuthClass::token_revoked,
       Action::pause_reauth},
      // Google
      {"google analytics rate limit behind canned 403 text",
       fatal("HTTP-error-code: 403, Error: {'errors': [{'message': 'Quota "
             "Error', 'reason': 'rateLimitExceeded'}], 'code': 403}, Message: "
             "User does not have permission to access the resource or has "
             "exceeded the daily limit quota.",
             "tap_google_analytics.client.GoogleAnalyticsForbiddenError"),
       1,
       AuthClass::rate_limited,
       Action::retry_backoff},
      {"google invalid_grant with a misleading message",
       fatal("HTTP-error-code: 400, Error: invalid_grant, Message: The request "
             "is missing or has a bad parameter.",
             "tap_google_analytics.client.GoogleAnalyticsBadRequestError"),
       1,
       AuthClass::token_revoked,
       Action::pause_reauth},
      {"google API not enabled",
       fatal("HTTP-error-code: 403, Error: Google Analytics Data API has not "
             "been used in project 1234 before or it is disabled.",
             "tap_ga4.client.GA4ForbiddenError"),
       1,
       AuthClass::not_auth,
       Action::fail_config},
      // Microsoft identity platform
      {"microsoft refresh token inactive",
       fatal("invalid_grant: AADSTS700082: The refresh token has expired due "
             "to inactivity.",
             "msal.exceptions.Error"),
       1,
       AuthClass::refresh_token_expired,
       Action::pause_reauth},
      {"microsoft password changed",
       fatal("invalid_grant: AADSTS50173: The provided grant has expired due "
             "to it being revoked, a fresh auth token is needed.",
             "Exception"),
       1,
       AuthClass::token_revoked,
       Action::pause_reauth},
      {"microsoft client secret expired",
       fatal("invalid_client: AADSTS7000222: The provided client secret keys "
             "for app 'x' are expired.",
             "Exception"),
       1,
       AuthClass::bad_credentials,
       Action::pause_reauth},
      {"microsoft consent",
       fatal("invalid_grant: AADSTS65001: The user or administrator has not "
             "consented to use the application.",
             "Exception"),
       1,
       AuthClass::insufficient_permissions,
       Action::pause_permissions},
      // Stripe
      {"stripe restricted key",
       fatal("Request req_1: The provided key 'rk_live_****1234' does not "
             "have the required permissions for this endpoint on account "
             "'acct_1'.",
             "stripe.error.PermissionError"),
       1,
       AuthClass::insufficient_permissions,
       Action::pause_permissions},
      {"stripe rate limit",
       fatal("Request req_1: Request rate limit exceeded.",
             "stripe.error.RateLimitError"),
       1,
       AuthClass::rate_limited,
       Action::retry_backoff},
      // Shopify
      {"shopify call limit",
       fatal("Exceeded 2 calls per second for api client. Reduce request "
             "rates to resume uninterrupted service.",
             "pyactiveresource.connection.ClientError"),
       1,
       AuthClass::rate_limited,
       Action::retry_backoff},
      {"shopify reauthorize",
       fatal("Invalid access token - Re-authorize the connection",
             "tap_shopify.exceptions.ShopifyUnauthorizedError"),
       1,
       AuthClass::token_revoked,
       Action::pause_reauth},
      // Zendesk and Xero canned texts
      {"zendesk 401 canned",
       fatal("HTTP-error-code: 401, Error: The access token provided is "
             "expired, revoked, malformed or invalid for other reasons.",
             "tap_zendesk.http.ZendeskUnauthorizedError"),
       1,
       AuthClass::token_revoked,
       Action::pause_reauth},
      {"zendesk refresh failed",
       fatal("OAuth token refresh failed. HTTP 400: {\"error\":"
             "\"invalid_grant\",\"error_description\":\"The provided "
             "authorization grant is invalid, expired, or revoked\"}",
             "tap_zendesk.http.ZendeskError"),
       1,
       AuthClass::token_revoked,
       Action::pause_reauth},
      {"zendesk 403 skipped at WARNING",
       {"WARNING HTTP-error-code: 403, Error: You are missing the following "
        "required scopes: read",
        "INFO Syncing stream: tickets"},
       0,
       AuthClass::insufficient_permissions,
       Action::warn_only},
      {"xero 401 canned",
       fatal("HTTP-error-code: 401, Error: Invalid authorization credentials.",
             "tap_xero.client.XeroUnauthorizedError"),
       1,
       AuthClass::token_revoked,
       Action::pause_reauth},
      {"xero 403 canned",
       fatal("HTTP-error-code: 403, Error: User doesn't have permission to "
             "access the resource.",
             "tap_xero.client.XeroForbiddenError"),
       1,
       AuthClass::insufficient_permissions,
       Action::pause_permissions},
      // Databases
      {"postgres password",
       fatal("connection to server at \"db\" (10.0.0.5), port 5432 failed: "
             "FATAL:  password authentication failed for user \"stitch\"",
             "psycopg2.OperationalError"),
       1,
       AuthClass::bad_credentials,
       Action::pause_reauth},
      {"postgres pg_hba",
       fatal("connection to server at \"db\" (10.0.0.5), port 5432 failed: "
             "FATAL:  no pg_hba.conf entry for host \"1.2.3.4\", user "
             "\"stitch\", database \"app\", SSL off",
             "psycopg2.OperationalError"),
       1,
       AuthClass::not_auth,
       Action::fail_config},
      {"postgres grant revoked",
       fatal("permission denied for table orders",
             "psycopg2.errors.InsufficientPrivilege"),
       1,
       AuthClass::insufficient_permissions,
       Action::pause_permissions},
      {"postgres replication role",
       fatal("must be superuser or replication role to start walsender",
             "psycopg2.OperationalError"),
       1,
       AuthClass::insufficient_permissions,
       Action::pause_permissions},
      {"mysql password",
       fatal("(1045, \"Access denied for user 'stitch'@'10.0.0.9' (using "
             "password: YES)\")",
             "pymysql.err.OperationalError"),
       1,
       AuthClass::bad_credentials,
       Action::pause_reauth},
      {"mssql login (JDBC)",
       {"CRITICAL com.microsoft.sqlserver.jdbc.SQLServerException: Login "
        "failed for user 'stitch'.",
        "\tat com.microsoft.sqlserver.jdbc.SQLServerException."
        "makeFromDatabaseError(SQLServerException.java:262)",
        "\t... 12 more"},
       1,
       AuthClass::bad_credentials,
       Action::pause_reauth},
      // Negatives
      {"missing refresh_token in config",
       fatal("'refresh_token'", "KeyError"),
       1,
       AuthClass::not_auth,
       Action::fail_config},
      {"healthy refresh",
       {"INFO Refreshing access token.",
        "WARNING Access token expired, refreshing the access token",
        "INFO Token refreshed. Expires at 2026-03-02 11:00:00"},
       0,
       AuthClass::not_auth,
       Action::none},
      {"local permission error",
       fatal("[Errno 13] Permission denied: '/tmp/tap/state.json'",
             "PermissionError"),
       1,
       AuthClass::not_auth,
       Action::fail},
      {"backoff on 502, then a bare crash",
       {"INFO Backing off request(...) for 10.0s (requests.exceptions."
        "HTTPError: 502 Server Error: Bad Gateway for url: "
        "https://api.example.com/v1/items)",
        "CRITICAL Unexpected API response: items not in dict_keys([])"},
       1,
       AuthClass::transient,
       Action::retry_backoff},
  };
}

} // namespace

TEST_SUITE("auth::rules")
{
  TEST_CASE("families: the shipped rules on taps beyond the corpus")
  {
    auto rules =
        tapline::auth::load_rules(TAPLINE_SOURCE_DIR "/config/auth-rules.yaml");
    REQUIRE_MESSAGE(rules, tapline::test::error_text(rules));
    for (const auto& family : families()) {
      tapline::auth::Watch watch(*rules);
      for (const auto& line : family.lines) {
        (void)watch.on_line(line);
      }
      const auto decision = watch.at_exit(family.exit_code);
      CHECK_MESSAGE(decision.action == family.action,
                    family.name << ": got "
                                << tapline::auth::to_string(decision.action)
                                << " [" << decision.rule_id << "]");
      CHECK_MESSAGE(decision.auth_class == family.auth_class,
                    family.name << ": got "
                                << tapline::auth::to_string(decision.auth_class)
                                << " [" << decision.rule_id << "]");
    }
  }
}
