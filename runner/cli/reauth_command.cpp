// runner/cli/reauth_command.cpp
#include <runner/cli/commands.hpp>
#include <runner/cli/reauth_command.hpp>
#include <runner/credentials/overrides.hpp>
#include <runner/sync/pause.hpp>
#include <runner/sync/run_verdict.hpp>
#include <runner/sync/tap_credentials.hpp>
#include <runner/sync/verify_credentials.hpp>
#include <runner/util/fs.hpp>

#include <fmt/format.h>

#include <iostream>
#include <iterator>

namespace tapline::cli {

namespace {

Result<credentials::Overrides>
new_values(const ReauthOptions& options)
{
  credentials::Overrides values;
  if (options.config_file) {
    std::string text;
    if (*options.config_file == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin),
                  std::istreambuf_iterator<char>());
    } else {
      TRY_ASSIGN(text, util::read_file(*options.config_file));
    }
    TRY_ASSIGN(values,
               credentials::Overrides::parse(text,
                                             *options.config_file == "-"
                                                 ? "stdin"
                                                 : *options.config_file));
  }
  for (const auto& assignment : options.set) {
    const auto equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0) {
      return fail(ErrorCode::usage,
                  fmt::format("--set expects KEY=VALUE, got '{}'",
                              assignment.substr(0, assignment.find('='))));
    }
    values.set_string(assignment.substr(0, equals),
                      assignment.substr(equals + 1));
  }
  return values;
}

} // namespace

int
reauth_command(const GlobalOptions& global, const ReauthOptions& options)
{
  auto context = open_context(global);
  if (!context) {
    return report(context.error());
  }
  auto integration = find_integration(context->config, options.name);
  if (!integration) {
    return report(integration.error());
  }
  const auto& name = options.name;
  auto values = new_values(options);
  if (!values) {
    return report(values.error(), name);
  }
  auto credentials = sync::TapCredentials::load(context->config, **integration);
  if (!credentials) {
    return report(credentials.error(), name);
  }
  auto candidate = (*credentials)->with_values(*values);
  if (!candidate) {
    return report(candidate.error(), name);
  }
  const auto& redactor = (*credentials)->redactor();
  fmt::print(stderr,
             "tapline: {}: verifying {} with the tap...\n",
             name,
             values->empty() ? std::string("the configured credentials")
                             : credentials::describe(*values));
  auto check = sync::verify_credentials(
      context->config,
      **integration,
      *candidate,
      std::chrono::seconds(options.timeout_seconds),
      [&](std::string_view text) { return redactor.redact(text); });
  if (!check) {
    return report(check.error(), name);
  }
  if (!check->ok) {
    (void)context->store->record_event(name, "reauth_failed", check->method);
    return report(
        Error{ErrorCode::auth,
              fmt::format("new credentials rejected by {}: {}; the integration "
                          "stays paused",
                          check->method,
                          check->decision ? sync::describe(*check->decision)
                                          : check->detail),
              {}},
        name);
  }
  if (!values->empty()) {
    if (auto stored = (*credentials)->store_values(*values); !stored) {
      return report(stored.error(), name);
    }
  }
  // The check may have rotated a refresh token: keep what the tap wrote.
  if (!check->config_after.empty()) {
    if (auto kept =
            (*credentials)->persist_text(check->config_after, *candidate);
        !kept) {
      return report(kept.error(), name);
    }
  }
  (void)context->store->record_event(
      name, "reauthorized", "verified with " + check->method);
  if (auto resumed = sync::resume_integration(context->config,
                                              *context->store,
                                              name,
                                              0,
                                              "reauthorized: verified with " +
                                                  check->method,
                                              {});
      !resumed) {
    return report(resumed.error(), name);
  }
  fmt::print("{}: credentials verified with {}; the integration is active and "
             "its next run "
             "resumes from the last confirmed bookmark\n",
             name,
             check->method);
  std::fflush(stdout);
  if (options.run) {
    RunRequest request;
    request.names = {name};
    return run_command(global, request);
  }
  return 0;
}

} // namespace tapline::cli
