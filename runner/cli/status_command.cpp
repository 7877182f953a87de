// runner/cli/status_command.cpp
//
// `tapline status [--json]`: one line per configured integration with its
// last run and bookmark; `--json` carries the same for scripts.

#include <runner/cli/commands.hpp>
#include <runner/process/child.hpp>
#include <runner/util/json_string.hpp>

#include <fmt/format.h>

namespace tapline::cli {

namespace {

struct Row
{
  std::string name;
  std::string status; // never_run, running, ok, failed
  std::optional<state::RunEntry> last_run;
  std::optional<state::StateEntry> bookmark;
};

std::string
status_of(const std::optional<state::RunEntry>& run)
{
  if (!run) {
    return "never_run";
  }
  if (run->outcome == "running") {
    // A run whose tapline was killed (-9, power loss) stays "running" in
    // the table; it is over if its process is gone.
    return run->pid && process::is_alive(static_cast<pid_t>(*run->pid))
               ? "running"
               : "failed";
  }
  return run->outcome == "succeeded" ? "ok" : "failed";
}

Result<std::vector<Row>>
collect(Context& context)
{
  std::vector<Row> rows;
  for (const auto& integration : context.config.integrations) {
    Row row;
    row.name = integration.name;
    TRY_ASSIGN(auto runs, context.store->runs(integration.name, 1));
    if (!runs.empty()) {
      row.last_run = runs.front();
    }
    TRY_ASSIGN(row.bookmark, context.store->current_state(integration.name));
    row.status = status_of(row.last_run);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string
to_json(const std::vector<Row>& rows)
{
  std::string out = "{\"integrations\":[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    out += fmt::format("{}{{\"name\":{},\"status\":{},\"last_run\":",
                       i == 0 ? "" : ",",
                       util::json_string(row.name),
                       util::json_string(row.status));
    if (row.last_run) {
      const auto& run = *row.last_run;
      out += fmt::format(
          "{{\"id\":{},\"started_at\":{},\"ended_at\":{},\"outcome\":{},"
          "\"exit_code\":{},\"records\":{},\"bytes\":{},\"error\":{},"
          "\"log_path\":{}}}",
          run.id,
          util::json_string(run.started_at),
          run.ended_at ? util::json_string(*run.ended_at) : "null",
          util::json_string(run.outcome),
          run.exit_code ? std::to_string(*run.exit_code) : "null",
          run.records,
          run.bytes,
          util::json_string(run.error),
          util::json_string(run.log_path));
    } else {
      out += "null";
    }
    out += ",\"bookmark\":";
    if (row.bookmark && row.bookmark->value_json) {
      out += fmt::format("{{\"committed_at\":{},\"value\":{}}}",
                         util::json_string(row.bookmark->committed_at),
                         *row.bookmark->value_json);
    } else {
      out += "null";
    }
    out += "}";
  }
  out += "]}";
  return out;
}

std::string
upper(std::string text)
{
  for (auto& c : text) {
    c = c == '_'
            ? ' '
            : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return text;
}

} // namespace

int
status_command(const GlobalOptions& global, bool json)
{
  auto context = open_context(global);
  if (!context) {
    return report(context.error());
  }
  auto rows = collect(*context);
  if (!rows) {
    return report(rows.error());
  }
  if (json) {
    fmt::print("{}\n", to_json(*rows));
    return 0;
  }
  fmt::print("{:<20} {:<10} {:<25} {:<11} {:>10}  {}\n",
             "NAME",
             "STATUS",
             "LAST RUN",
             "OUTCOME",
             "RECORDS",
             "BOOKMARK COMMITTED");
  for (const auto& row : *rows) {
    const auto& run = row.last_run;
    fmt::print(
        "{:<20} {:<10} {:<25} {:<11} {:>10}  {}\n",
        row.name,
        upper(row.status),
        run ? run->started_at : "-",
        run ? (run->exit_code && *run->exit_code != 0
                   ? fmt::format("{} ({})", run->outcome, *run->exit_code)
                   : run->outcome)
            : "-",
        run ? std::to_string(run->records) : "-",
        row.bookmark && row.bookmark->value_json ? row.bookmark->committed_at
                                                 : "-");
    if (run && !run->error.empty() && row.status == "failed") {
      fmt::print("{:<20} last error: {}\n", "", run->error.substr(0, 200));
    }
  }
  return 0;
}

} // namespace tapline::cli
