// runner/cli/context.hpp
#pragma once

// What most commands need before they do anything: the loaded configuration
// and the open state store, plus the small output helpers every command
// shares (errors go to stderr as "tapline: ...", data to stdout).

#include <runner/config/config.hpp>
#include <runner/state/state_store.hpp>
#include <runner/util/result.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tapline::cli {

struct GlobalOptions
{
  std::optional<std::string> config_path; // --config
};

struct Context
{
  config::Config config;
  std::unique_ptr<state::StateStore> store;
};

[[nodiscard]] Result<Context> open_context(const GlobalOptions& options);

// The integration called `name`, or a usage error listing the known ones.
[[nodiscard]] Result<const config::Integration*>
find_integration(const config::Config& config, const std::string& name);

struct IntegrationContext
{
  Context context;
  const config::Integration* integration = nullptr; // in context.config
};

// open_context, then find_integration: what every command about one
// integration starts with.
[[nodiscard]] Result<IntegrationContext>
open_integration(const GlobalOptions& options, const std::string& name);

// Print `error` to stderr as "tapline: [prefix: ]where: message" and return
// its exit code.
int report(const Error& error, const std::string& prefix = {});

// The exit code that wins when several runs ended differently.
[[nodiscard]] int most_severe(int a, int b);

} // namespace tapline::cli
