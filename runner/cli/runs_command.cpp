// runner/cli/runs_command.cpp
//
// `tapline runs NAME [--limit N] [--json]`: an integration's past runs,
// newest first: when, how long, outcome, records, and the error if any.

#include <runner/cli/commands.hpp>
#include <runner/cli/format.hpp>
#include <runner/util/json_string.hpp>
#include <runner/util/time.hpp>

#include <fmt/format.h>

namespace tapline::cli {

namespace {

// Both stamps are tapline's own ISO 8601 UTC text.
std::optional<std::chrono::milliseconds>
duration_of(const state::RunEntry& run)
{
  if (!run.ended_at) {
    return std::nullopt;
  }
  const auto start = util::parse_iso8601(run.started_at);
  const auto end = util::parse_iso8601(*run.ended_at);
  if (!start || !end) {
    return std::nullopt;
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(*end - *start);
}

std::string
runs_json(const std::vector<state::RunEntry>& runs)
{
  std::string out = "{\"runs\":[";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& run = runs[i];
    const auto duration = duration_of(run);
    out += fmt::format(
        "{}{{\"id\":{},\"started_at\":{},\"ended_at\":{},\"duration_ms\":{},"
        "\"outcome\":{},\"exit_code\":{},\"records\":{},\"bytes\":{},"
        "\"error\":{},\"log_path\":{}}}",
        i == 0 ? "" : ",",
        run.id,
        util::json_string(run.started_at),
        run.ended_at ? util::json_string(*run.ended_at) : "null",
        duration ? std::to_string(duration->count()) : "null",
        util::json_string(run.outcome),
        run.exit_code ? std::to_string(*run.exit_code) : "null",
        run.records,
        run.bytes,
        util::json_string(run.error),
        util::json_string(run.log_path));
  }
  return out + "]}";
}

} // namespace

int
runs_command(const GlobalOptions& global,
             const std::string& name,
             int limit,
             bool json)
{
  auto opened = open_integration(global, name);
  if (!opened) {
    return report(opened.error());
  }
  auto& context = opened->context;
  auto runs = context.store->runs(name, limit);
  if (!runs) {
    return report(runs.error(), name);
  }
  if (json) {
    fmt::print("{}\n", runs_json(*runs));
    return 0;
  }
  if (runs->empty()) {
    fmt::print("{}: no runs yet\n", name);
    return 0;
  }
  fmt::print("{:>6}  {:<24}  {:>9}  {:<16}  {:>12}  {}\n",
             "RUN",
             "STARTED",
             "DURATION",
             "OUTCOME",
             "RECORDS",
             "ERROR");
  for (const auto& run : *runs) {
    const auto duration = duration_of(run);
    const auto first_line = run.error.substr(0, run.error.find('\n'));
    fmt::print("{:>6}  {:<24}  {:>9}  {:<16}  {:>12}  {}\n",
               run.id,
               run.started_at,
               duration ? human_duration(*duration) : "-",
               run.exit_code && *run.exit_code != 0
                   ? fmt::format("{} ({})", run.outcome, *run.exit_code)
                   : run.outcome,
               with_commas(run.records),
               first_line.substr(0, 120));
  }
  return 0;
}

} // namespace tapline::cli
