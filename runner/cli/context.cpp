// runner/cli/context.cpp
#include <runner/cli/context.hpp>
#include <runner/config/loader.hpp>

#include <fmt/format.h>

#include <array>
#include <cstdio>

namespace tapline::cli {

Result<Context>
open_context(const GlobalOptions& options)
{
  TRY_ASSIGN(const auto path, config::resolve_config_path(options.config_path));
  Context context;
  TRY_ASSIGN(context.config, config::load_config(path));
  TRY_ASSIGN(context.store,
             state::open_sqlite_store(
                 (context.config.data_dir / "state.db").string()));
  return context;
}

Result<const config::Integration*>
find_integration(const config::Config& config, const std::string& name)
{
  if (const auto* integration = config.find(name)) {
    return integration;
  }
  std::string known;
  for (const auto& integration : config.integrations) {
    known += (known.empty() ? "" : ", ") + integration.name;
  }
  return fail(ErrorCode::usage,
              fmt::format("unknown integration '{}' (configured: {})",
                          name,
                          known.empty() ? "none" : known));
}

Result<IntegrationContext>
open_integration(const GlobalOptions& options, const std::string& name)
{
  IntegrationContext opened;
  TRY_ASSIGN(opened.context, open_context(options));
  TRY_ASSIGN(opened.integration, find_integration(opened.context.config, name));
  return opened;
}

int
report(const Error& error, const std::string& prefix)
{
  std::string line = "tapline: ";
  if (!prefix.empty()) {
    line += prefix + ": ";
  }
  line += error.to_string();
  std::fprintf(stderr, "%s\n", line.c_str());
  return exit_code_for(error.code);
}

int
most_severe(int a, int b)
{
  // Least to most severe: what the person reading the cron mail should act
  // on first comes last.
  constexpr std::array<int, 9> k_order = {0, 75, 69, 74, 65, 77, 78, 70, 64};
  const auto rank = [&](int code) {
    for (std::size_t i = 0; i < k_order.size(); ++i) {
      if (k_order[i] == code) {
        return i;
      }
    }
    return k_order.size();
  };
  return rank(a) >= rank(b) ? a : b;
}

} // namespace tapline::cli
