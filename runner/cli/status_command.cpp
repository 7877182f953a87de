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
  // needs_reauth, running, ok, degraded, failed, never_run
  std::string status;
  std::optional<state::RunEntry> last_run;
  std::optional<state::StateEntry> bookmark;
  std::optional<state::IntegrationStatus> pause; // set while needs_reauth
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
  if (run->outcome == "succeeded") {
    return "ok";
  }
  return run->outcome == "degraded" ? "degraded" : "failed";
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
    TRY_ASSIGN(auto paused,
               context.store->integration_status(integration.name));
    if (paused && paused->status == "needs_reauth" && row.status != "running") {
      row.status = "needs_reauth";
      row.pause = std::move(paused);
    }
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
    out += ",\"reauth\":";
    if (row.pause) {
      const auto& pause = *row.pause;
      out += fmt::format(
          "{{\"class\":{},\"rule\":{},\"explanation\":{},\"since\":{},"
          "\"run_id\":{},\"evidence\":{}}}",
          util::json_string(pause.auth_class),
          util::json_string(pause.rule_id),
          util::json_string(pause.explanation),
          util::json_string(pause.since),
          pause.run_id ? std::to_string(*pause.run_id) : "null",
          util::json_string(pause.evidence));
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
    if (row.pause) {
      const auto& pause = *row.pause;
      fmt::print("{:<20} {}: {} (since {}, rule {}{})\n",
                 "",
                 pause.auth_class,
                 pause.explanation,
                 pause.since,
                 pause.rule_id,
                 pause.run_id ? fmt::format(", run {}", *pause.run_id) : "");
      const auto first_line =
          pause.evidence.substr(0, pause.evidence.find('\n'));
      fmt::print("{:<20} evidence: {}\n", "", first_line.substr(0, 200));
      fmt::print("{:<20} fix the credentials, then: tapline reauth {}\n",
                 "",
                 row.name);
    } else if (run && !run->error.empty() && row.status == "failed") {
      fmt::print("{:<20} last error: {}\n", "", run->error.substr(0, 200));
    }
  }
  return 0;
}

} // namespace tapline::cli
