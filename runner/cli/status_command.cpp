// runner/cli/status_command.cpp
//
// `tapline status [--json] [--now TIME]`: the morning glance. One row per
// configured integration: its status (ACTIVE, RUNNING, NEEDS REAUTH,
// FAILING, DEGRADED, PAUSED), its last run (when, outcome, records,
// duration), when it is next due, and how old its bookmark is; below a
// row, what to do about it when something needs doing. `--json` carries
// the same for scripts.

#include <runner/cli/commands.hpp>
#include <runner/cli/format.hpp>
#include <runner/cli/time_option.hpp>
#include <runner/schedule/time_text.hpp>
#include <runner/sync/due_plan.hpp>
#include <runner/sync/overview.hpp>
#include <runner/util/json_string.hpp>
#include <runner/util/time.hpp>

#include <fmt/format.h>

#include <unordered_map>

namespace tapline::cli {

namespace {

struct Row
{
  sync::IntegrationView view;
  std::optional<state::StateEntry> bookmark;
  std::optional<std::chrono::seconds> bookmark_age;
};

// "45s", "12m", "3h20m", "4d2h".
std::string
short_age(std::chrono::seconds age)
{
  const auto seconds = age.count();
  if (seconds < 60) {
    return fmt::format("{}s", std::max<long long>(seconds, 0));
  }
  if (seconds < 3600) {
    return fmt::format("{}m", seconds / 60);
  }
  if (seconds < 86400) {
    return fmt::format("{}h{:02}m", seconds / 3600, (seconds % 3600) / 60);
  }
  return fmt::format("{}d{}h", seconds / 86400, (seconds % 86400) / 3600);
}

std::string
next_due_text(const Row& row, schedule::TimePoint now)
{
  const auto& view = row.view;
  if (!view.due) {
    return "manual";
  }
  if (view.health == sync::Health::paused ||
      view.health == sync::Health::needs_reauth) {
    return "held";
  }
  if (view.due->at <= now) {
    return "now";
  }
  return schedule::format_utc(view.due->at);
}

std::string
last_run_text(const std::optional<state::RunSummary>& summary)
{
  if (!summary) {
    return "never";
  }
  return fmt::format(
      "{} {}{}, {} rec{}",
      summary->last_started_at.substr(0, 19) + "Z",
      summary->last_outcome,
      summary->last_exit_code && *summary->last_exit_code != 0
          ? fmt::format(" ({})", *summary->last_exit_code)
          : "",
      with_commas(summary->last_records),
      summary->last_duration_seconds
          ? ", " +
                human_duration(std::chrono::milliseconds(static_cast<long long>(
                    *summary->last_duration_seconds * 1000.0)))
          : "");
}

Result<std::vector<Row>>
collect(Context& context, schedule::TimePoint now)
{
  TRY_ASSIGN(auto views, sync::overview(context.config, *context.store, now));
  TRY_ASSIGN(auto states, context.store->latest_states());
  std::unordered_map<std::string, state::StateEntry> bookmarks;
  for (auto& entry : states) {
    if (entry.value_json) {
      auto name = entry.integration;
      bookmarks.emplace(std::move(name), std::move(entry));
    }
  }
  std::vector<Row> rows;
  rows.reserve(views.size());
  for (auto& view : views) {
    Row row;
    if (auto found = bookmarks.find(view.integration->name);
        found != bookmarks.end()) {
      row.bookmark = std::move(found->second);
      if (const auto at = util::parse_iso8601(row.bookmark->committed_at)) {
        row.bookmark_age =
            std::chrono::duration_cast<std::chrono::seconds>(now - *at);
      }
    }
    row.view = std::move(view);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string
optional_json(const std::optional<std::string>& text)
{
  return text ? util::json_string(*text) : "null";
}

std::string
row_json(const Row& row, schedule::TimePoint now)
{
  const auto& view = row.view;
  const auto& integration = *view.integration;
  std::string out =
      fmt::format("{{\"name\":{},\"status\":{}",
                  util::json_string(integration.name),
                  util::json_string(sync::health_name(view.health)));
  out += ",\"schedule\":";
  if (integration.schedule) {
    out +=
        fmt::format("{{\"expression\":{},\"timezone\":{}}}",
                    util::json_string(integration.schedule->expression()),
                    util::json_string(integration.schedule->timezone_name()));
  } else {
    out += "null";
  }
  out += fmt::format(",\"next_due\":{}",
                     view.due ? util::json_string(schedule::format_utc(
                                    std::max(view.due->at, now)))
                              : "null");
  out += ",\"running\":";
  if (view.running) {
    out += fmt::format("{{\"pid\":{},\"host\":{},\"since\":{}}}",
                       view.running->pid,
                       util::json_string(view.running->host),
                       util::json_string(view.running->since));
  } else {
    out += "null";
  }
  out += ",\"last_run\":";
  if (view.summary) {
    const auto& run = *view.summary;
    out += fmt::format(
        "{{\"id\":{},\"started_at\":{},\"ended_at\":{},\"outcome\":{},"
        "\"exit_code\":{},\"records\":{},\"bytes\":{},\"duration_seconds\":{}}"
        "}",
        run.last_run_id,
        util::json_string(run.last_started_at),
        optional_json(run.last_ended_at),
        util::json_string(run.last_outcome),
        run.last_exit_code ? std::to_string(*run.last_exit_code) : "null",
        run.last_records,
        run.last_bytes,
        run.last_duration_seconds
            ? fmt::format("{:.3f}", *run.last_duration_seconds)
            : "null");
    out += fmt::format(",\"consecutive_failures\":{},\"last_success_at\":{}",
                       run.consecutive_failures,
                       optional_json(run.last_success_at));
  } else {
    out += "null,\"consecutive_failures\":0,\"last_success_at\":null";
  }
  out += ",\"reauth\":";
  if (view.health == sync::Health::needs_reauth) {
    const auto& pause = *view.status;
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
  out += ",\"paused\":";
  if (view.status && view.status->status == "paused") {
    out += fmt::format("{{\"since\":{},\"reason\":{}}}",
                       util::json_string(view.status->since),
                       util::json_string(view.status->explanation));
  } else {
    out += "null";
  }
  out += ",\"bookmark\":";
  if (row.bookmark) {
    out += fmt::format(
        "{{\"committed_at\":{},\"age_seconds\":{},\"value\":{}}}",
        util::json_string(row.bookmark->committed_at),
        row.bookmark_age ? std::to_string(row.bookmark_age->count()) : "null",
        *row.bookmark->value_json);
  } else {
    out += "null";
  }
  return out + "}";
}

// What to do about a row that needs attention, indented under it.
void
print_details(const Row& row, std::size_t indent)
{
  const auto& view = row.view;
  const auto& name = view.integration->name;
  const std::string pad(indent, ' ');
  switch (view.health) {
  case sync::Health::running:
    fmt::print("{}running: {}\n", pad, view.running->describe());
    break;
  case sync::Health::needs_reauth: {
    const auto& pause = *view.status;
    fmt::print("{}{}: {} (since {}, rule {}{})\n",
               pad,
               pause.auth_class,
               pause.explanation,
               pause.since,
               pause.rule_id,
               pause.run_id ? fmt::format(", run {}", *pause.run_id) : "");
    const auto first_line = pause.evidence.substr(0, pause.evidence.find('\n'));
    fmt::print("{}evidence: {}\n", pad, first_line.substr(0, 200));
    fmt::print("{}fix the credentials, then: tapline reauth {}\n", pad, name);
    break;
  }
  case sync::Health::paused:
    fmt::print("{}paused by hand since {}{}; tapline resume {}\n",
               pad,
               view.status->since,
               view.status->explanation.empty()
                   ? ""
                   : " (" + view.status->explanation + ")",
               name);
    break;
  case sync::Health::failing:
    fmt::print("{}{} failed in a row{}; see tapline logs {}\n",
               pad,
               view.summary->consecutive_failures,
               view.due && view.due->backing_off
                   ? fmt::format(", backing off until {}",
                                 schedule::format_utc(view.due->at))
                   : "",
               name);
    break;
  case sync::Health::active:
  case sync::Health::degraded:
    break;
  }
}

} // namespace

int
status_command(const GlobalOptions& global,
               bool json,
               const std::optional<std::string>& now_option)
{
  auto now = now_or(now_option);
  if (!now) {
    return report(now.error());
  }
  auto context = open_context(global);
  if (!context) {
    return report(context.error());
  }
  auto rows = collect(*context, *now);
  if (!rows) {
    return report(rows.error());
  }
  if (json) {
    std::string out = "{\"integrations\":[";
    for (std::size_t i = 0; i < rows->size(); ++i) {
      out += (i == 0 ? "" : ",") + row_json((*rows)[i], *now);
    }
    fmt::print("{}]}}\n", out);
    return 0;
  }
  std::size_t name_width = 4;
  for (const auto& row : *rows) {
    name_width = std::max(name_width, row.view.integration->name.size());
  }
  const auto line = [&](std::string_view name,
                        std::string_view status,
                        std::string_view last_run,
                        std::string_view next_due,
                        std::string_view age) {
    fmt::print("{:<{}}  {:<12}  {:<52}  {:<20}  {}\n",
               name,
               name_width,
               status,
               last_run,
               next_due,
               age);
  };
  line("NAME", "STATUS", "LAST RUN", "NEXT DUE", "BOOKMARK AGE");
  for (const auto& row : *rows) {
    line(row.view.integration->name,
         sync::health_label(row.view.health),
         last_run_text(row.view.summary),
         next_due_text(row, *now),
         row.bookmark_age ? short_age(*row.bookmark_age) : "-");
    print_details(row, name_width + 2);
  }
  return 0;
}

} // namespace tapline::cli
