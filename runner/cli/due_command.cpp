// runner/cli/due_command.cpp
//
// `tapline run --due [--jobs N] [--dry-run] [--json] [--now TIME]`: runs the
// scheduled integrations that are due, up to N at once, each in its own
// `tapline run NAME --scheduled` process (see run_pool.hpp). Skipped ones
// (paused, needs reauthorization, already running, backing off) get one
// line each; integrations waiting for their next slot stay quiet, so cron
// mails only what needs reading. Exits with the most severe run's code.

#include <runner/cli/commands.hpp>
#include <runner/cli/run_pool.hpp>
#include <runner/cli/time_option.hpp>
#include <runner/process/signals.hpp>
#include <runner/schedule/time_text.hpp>
#include <runner/sync/due_plan.hpp>
#include <runner/util/json_string.hpp>

#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <deque>
#include <map>

namespace tapline::cli {

namespace {

struct Outcome
{
  int exit_code = 0;
  std::vector<state::RunEntry> runs; // the attempts the process made
};

std::string
plan_json(const std::vector<sync::PlanEntry>& plan,
          const std::map<std::string, Outcome>& outcomes,
          schedule::TimePoint now,
          int exit_code)
{
  std::string out =
      fmt::format("{{\"now\":{},\"exit_code\":{},\"integrations\":[",
                  util::json_string(schedule::format_utc(now)),
                  exit_code);
  bool first = true;
  for (const auto& entry : plan) {
    const auto& name = entry.view.integration->name;
    out += fmt::format(
        "{}{{\"name\":{},\"action\":{},\"reason\":{},\"next_due\":{}",
        first ? "" : ",",
        util::json_string(name),
        util::json_string(sync::action_name(entry.action)),
        util::json_string(entry.reason),
        util::json_string(schedule::format_utc(entry.view.due->at)));
    first = false;
    if (const auto found = outcomes.find(name); found != outcomes.end()) {
      out +=
          fmt::format(",\"exit_code\":{},\"runs\":[", found->second.exit_code);
      bool first_run = true;
      for (const auto& run : found->second.runs) {
        out += fmt::format(
            "{}{{\"id\":{},\"outcome\":{},\"exit_code\":{},\"records\":{},"
            "\"bytes\":{},\"started_at\":{},\"ended_at\":{},\"error\":{}}}",
            first_run ? "" : ",",
            run.id,
            util::json_string(run.outcome),
            run.exit_code ? std::to_string(*run.exit_code) : "null",
            run.records,
            run.bytes,
            util::json_string(run.started_at),
            run.ended_at ? util::json_string(*run.ended_at) : "null",
            util::json_string(run.error));
        first_run = false;
      }
      out += "]";
    }
    out += "}";
  }
  return out + "]}";
}

void
print_plan(const std::vector<sync::PlanEntry>& plan, schedule::TimePoint now)
{
  std::size_t counts[3] = {0, 0, 0};
  std::size_t width = 4;
  for (const auto& entry : plan) {
    ++counts[static_cast<int>(entry.action)];
    width = std::max(width, entry.view.integration->name.size());
  }
  std::string out =
      fmt::format("plan at {}: {} to run, {} skipped, {} waiting\n",
                  schedule::format_utc(now),
                  counts[static_cast<int>(sync::PlanAction::run)],
                  counts[static_cast<int>(sync::PlanAction::skip)],
                  counts[static_cast<int>(sync::PlanAction::wait)]);
  for (const auto& entry : plan) {
    out += fmt::format("{:<5} {:<{}}  {}\n",
                       sync::action_name(entry.action),
                       entry.view.integration->name,
                       width,
                       entry.reason);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
}

} // namespace

int
run_due_command(const GlobalOptions& global, const RunRequest& request)
{
  if (!request.names.empty()) {
    return report(Error{ErrorCode::usage,
                        "--due runs what the schedules say; give either "
                        "--due or integration names",
                        {}});
  }
  if (request.jobs < 1) {
    return report(Error{ErrorCode::usage, "--jobs: expected at least 1", {}});
  }
  auto now = now_or(request.now);
  if (!now) {
    return report(now.error());
  }
  auto context = open_context(global);
  if (!context) {
    return report(context.error());
  }
  auto plan = sync::plan_due(context->config, *context->store, *now);
  if (!plan) {
    return report(plan.error());
  }
  if (request.dry_run) {
    if (request.json) {
      fmt::print("{}\n", plan_json(*plan, {}, *now, 0));
    } else {
      print_plan(*plan, *now);
    }
    return 0;
  }

  std::deque<std::string> queue;
  for (const auto& entry : *plan) {
    const auto& name = entry.view.integration->name;
    if (entry.action == sync::PlanAction::run) {
      queue.push_back(name);
    } else if (entry.action == sync::PlanAction::skip && !request.json) {
      fmt::print("{}: skipped: {}\n", name, entry.reason);
    }
  }
  std::fflush(stdout);

  const int stop_fd = process::install_stop_signal_handlers();
  RunPool pool(context->config.file,
               request.now,
               request.json ? ChildOutput::stderr_only : ChildOutput::inherit);
  std::map<std::string, Outcome> outcomes;
  int exit_code = 0;
  bool stopping = false;
  int forwarded = 0;
  while (!queue.empty() || pool.size() > 0) {
    while (!stopping && !queue.empty() &&
           pool.size() < static_cast<std::size_t>(request.jobs)) {
      const auto name = queue.front();
      queue.pop_front();
      if (auto started = pool.start(name); !started) {
        exit_code = most_severe(exit_code, report(started.error(), name));
        outcomes[name].exit_code = exit_code_for(started.error().code);
      }
    }
    wait_for_signal({stop_fd}, std::chrono::milliseconds{100});
    // Runs not started yet are dropped; the ones in flight get each stop
    // signal passed on (a second one means "stop now" to them too).
    if (const int signals = process::stop_signal_count(); signals > forwarded) {
      forwarded = signals;
      stopping = true;
      queue.clear();
      pool.signal_all(SIGTERM);
      exit_code = most_severe(exit_code, 75);
    }
    for (const auto& finished : pool.reap()) {
      exit_code = most_severe(exit_code, finished.exit_code());
      outcomes[finished.integration] = Outcome{
          finished.exit_code(),
          runs_started_by(*context->store, finished.integration, finished.pid)};
    }
  }
  if (request.json) {
    fmt::print("{}\n", plan_json(*plan, outcomes, *now, exit_code));
  }
  return exit_code;
}

} // namespace tapline::cli
