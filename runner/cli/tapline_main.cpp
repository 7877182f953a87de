// runner/cli/tapline_main.cpp
//
// The command line: subcommands, their options and help, and the mapping of
// parse errors to exit code 64. Each subcommand's work is in its own file.

#include <runner/cli/auth_command.hpp>
#include <runner/cli/commands.hpp>
#include <runner/cli/reauth_command.hpp>
#include <runner/cli/schedule_command.hpp>
#include <runner/cli/tapline_main.hpp>
#include <runner/cli/wrap_command.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <exception>

namespace tapline::cli {

namespace {

constexpr const char* k_description =
    "tapline runs Singer taps into Singer targets or built-in sinks, keeps "
    "bookmarks durably, and halts cleanly when a run fails.";

constexpr const char* k_footer =
    "Configuration: --config FILE, else $TAPLINE_CONFIG, else ./tapline.yaml.\n"
    "Exit codes: 0 ok, 64 usage, 65 invalid Singer data, 69 tap or target "
    "failed,\n70 internal error, 74 I/O error (disk full), 75 transient "
    "(timeout, interrupted),\n77 authentication failure, 78 configuration "
    "error.";

} // namespace

int
tapline_main(int argc, char** argv)
{
  CLI::App app(k_description, "tapline");
  app.footer(k_footer);
  app.set_version_flag("--version", std::string("tapline ") + TAPLINE_VERSION);
  app.require_subcommand(1);
  app.fallthrough();

  GlobalOptions global;
  std::string config_path;
  app.add_option("-c,--config", config_path, "Path of tapline.yaml")
      ->option_text("FILE");

  int exit_code = 0;

  RunRequest run_request;
  auto* run = app.add_subcommand(
      "run",
      "Run the named integrations now, one after another; or, with --due, "
      "the scheduled ones whose slot has come");
  run->add_option("NAME", run_request.names, "Integrations to run");
  run->add_flag("--force",
                run_request.force,
                "Run even if paused (by hand or needing reauthorization)");
  run->add_flag("--due",
                run_request.due,
                "Run every scheduled integration that is due; skip paused, "
                "running and backing-off ones with one line each");
  run->add_option("-j,--jobs", run_request.jobs, "With --due: runs at once")
      ->capture_default_str();
  run->add_flag("-n,--dry-run",
                run_request.dry_run,
                "With --due: print the plan (run, skip, wait, and why); run "
                "nothing");
  run->add_flag("--json",
                run_request.json,
                "With --due: print a JSON summary per integration");
  run->add_option("--now",
                  run_request.now,
                  "With --due: decide as if it were TIME (ISO 8601, e.g. "
                  "2026-11-25T06:00:00Z)")
      ->option_text("TIME");
  run->add_flag("--scheduled", run_request.scheduled)->group("");

  DaemonOptions daemon_options;
  auto* daemon = app.add_subcommand(
      "daemon",
      "Run the scheduler in the foreground: sleep until an integration is "
      "due, run it, repeat. SIGHUP reloads tapline.yaml; SIGTERM halts runs "
      "cleanly and exits 0");
  daemon->add_option("-j,--jobs", daemon_options.jobs, "Runs at once")
      ->capture_default_str();
  daemon
      ->add_option("--log-format",
                   daemon_options.log_format,
                   "text, or json (one object per line) for log shippers")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  std::string runs_name;
  int runs_limit = 20;
  bool runs_json = false;
  auto* runs = app.add_subcommand(
      "runs", "List an integration's past runs, newest first");
  runs->add_option("NAME", runs_name, "Integration")->required();
  runs->add_option("--limit", runs_limit, "How many (0 = all)")
      ->capture_default_str();
  runs->add_flag("--json", runs_json, "Print JSON");

  std::string hold_name;
  std::string hold_reason;
  auto* pause = app.add_subcommand(
      "pause",
      "Hold an integration: scheduled runs skip it and `run` refuses it "
      "until `tapline resume`");
  pause->add_option("NAME", hold_name, "Integration")->required();
  pause->add_option("--reason", hold_reason, "Why, shown in status")
      ->option_text("TEXT");
  auto* resume =
      app.add_subcommand("resume", "Release an integration held by pause");
  resume->add_option("NAME", hold_name, "Integration")->required();

  std::vector<std::string> wrap_argv;
  std::optional<std::string> wrap_rules;
  int wrap_grace = 5;
  auto* wrap = app.add_subcommand("wrap",
                                  "Run a tap for a pipeline (tapline wrap -- "
                                  "TAP ARGS... | target): check its "
                                  "Singer stream, forward it unchanged, watch "
                                  "its stderr, and exit 77 on an auth "
                                  "failure");
  wrap->add_option(
          "--rules", wrap_rules, "Auth rules file instead of the default")
      ->option_text("FILE");
  wrap->add_option("--grace", wrap_grace, "Seconds between SIGTERM and SIGKILL")
      ->capture_default_str();
  wrap->add_option("TAP", wrap_argv, "The tap's argv, after --");
  wrap->positionals_at_end();

  ReauthOptions reauth_options;
  auto* reauth = app.add_subcommand(
      "reauth",
      "Give an integration new credentials: verify them at once (the tap's "
      "--discover "
      "or auth.check), then store them encrypted and clear the pause");
  reauth->add_option("NAME", reauth_options.name, "Integration")->required();
  reauth
      ->add_option(
          "--config",
          reauth_options.config_file,
          "JSON object of new tap config values (- for stdin); give "
          "tapline.yaml "
          "before the subcommand: tapline --config tapline.yaml reauth ...")
      ->option_text("FILE");
  reauth
      ->add_option(
          "--set", reauth_options.set, "KEY=VALUE to change (repeatable)")
      ->option_text("KEY=VALUE");
  reauth
      ->add_option("--timeout",
                   reauth_options.timeout_seconds,
                   "Seconds the verification may take")
      ->capture_default_str();
  reauth->add_flag("--run",
                   reauth_options.run,
                   "Sync right after a successful verification");

  std::string classify_file;
  std::optional<int> classify_exit;
  bool classify_json = false;
  std::optional<std::string> classify_rules;
  auto* auth = app.add_subcommand(
      "auth", "Auth-failure rules: test them on saved tap stderr");
  auth->require_subcommand(1);
  auto* classify =
      auth->add_subcommand("classify",
                           "Classify a saved stderr excerpt as tapline's auth "
                           "watch would: class, action, "
                           "rule and the record that decided");
  classify->add_option("FILE", classify_file, "stderr excerpt, or - for stdin")
      ->required();
  classify->add_option(
      "--exit-code", classify_exit, "The tap's exit code, if it exited");
  classify->add_flag("--json", classify_json, "Print one JSON object");
  classify
      ->add_option(
          "--rules", classify_rules, "Rules file instead of the default")
      ->option_text("FILE");

  ScheduleNextOptions schedule_next_options;
  std::vector<std::string> schedule_next_words;
  auto* schedule_group = app.add_subcommand(
      "schedule",
      "Check a schedule expression before putting it in tapline.yaml");
  schedule_group->require_subcommand(1);
  auto* schedule_next = schedule_group->add_subcommand(
      "next",
      "Print the next fire times of a cron expression, @shorthand or "
      "'every N{s,m,h,d}', in UTC and in the zone");
  schedule_next
      ->add_option("EXPR",
                   schedule_next_words,
                   "The schedule (quote it, or give the fields as words)")
      ->required();
  schedule_next
      ->add_option("--from",
                   schedule_next_options.from,
                   "Start after this ISO 8601 time (without a zone: wall "
                   "clock in --timezone); default now")
      ->option_text("TIME");
  schedule_next
      ->add_option("--timezone",
                   schedule_next_options.timezone,
                   "IANA zone the cron fields are read in (default UTC)")
      ->option_text("TZ");
  schedule_next
      ->add_option(
          "--count", schedule_next_options.count, "How many fire times")
      ->capture_default_str();

  bool status_json = false;
  std::optional<std::string> status_now;
  auto* status = app.add_subcommand(
      "status",
      "Show each integration's status, last run, next due time and bookmark "
      "age");
  status->add_flag("--json", status_json, "Print JSON instead of a table");
  status->add_option("--now", status_now, "Compute next due times at TIME")
      ->option_text("TIME");

  std::string state_name;
  std::string state_file;
  int history_limit = 20;
  bool history_json = false;
  auto* state = app.add_subcommand(
      "state", "Inspect or repair an integration's bookmark");
  state->require_subcommand(1);
  auto* state_get =
      state->add_subcommand("get", "Print the committed bookmark as JSON");
  state_get->add_option("NAME", state_name, "Integration")->required();
  auto* state_set = state->add_subcommand(
      "set", "Commit a bookmark from a file or stdin (-)");
  state_set->add_option("NAME", state_name, "Integration")->required();
  state_set->add_option("FILE", state_file, "JSON state value, or - for stdin")
      ->required();
  auto* state_clear = state->add_subcommand(
      "clear", "Clear the bookmark (next run: full sync)");
  state_clear->add_option("NAME", state_name, "Integration")->required();
  auto* state_history = state->add_subcommand(
      "history", "List committed bookmarks, newest first");
  state_history->add_option("NAME", state_name, "Integration")->required();
  state_history->add_option("--limit", history_limit, "How many (0 = all)")
      ->capture_default_str();
  state_history->add_flag("--json", history_json, "Print JSON");

  std::string logs_name;
  std::optional<std::int64_t> logs_run;
  auto* logs =
      app.add_subcommand("logs", "Print the log of an integration's last run");
  logs->add_option("NAME", logs_name, "Integration")->required();
  logs->add_option("--run", logs_run, "Run id (see `tapline status`)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : 64;
  }
  if (!config_path.empty()) {
    global.config_path = config_path;
  }

  try {
    if (run->parsed()) {
      exit_code = run_command(global, run_request);
    } else if (daemon->parsed()) {
      exit_code = daemon_command(global, daemon_options);
    } else if (runs->parsed()) {
      exit_code = runs_command(global, runs_name, runs_limit, runs_json);
    } else if (pause->parsed()) {
      exit_code = pause_command(global, hold_name, hold_reason);
    } else if (resume->parsed()) {
      exit_code = resume_command(global, hold_name);
    } else if (wrap->parsed()) {
      exit_code = wrap_command(wrap_argv, wrap_rules, wrap_grace);
    } else if (reauth->parsed()) {
      exit_code = reauth_command(global, reauth_options);
    } else if (classify->parsed()) {
      exit_code = auth_classify_command(
          classify_file, classify_exit, classify_json, classify_rules);
    } else if (schedule_next->parsed()) {
      for (const auto& word : schedule_next_words) {
        schedule_next_options.expression +=
            (schedule_next_options.expression.empty() ? "" : " ") + word;
      }
      exit_code = schedule_next_command(schedule_next_options);
    } else if (status->parsed()) {
      exit_code = status_command(global, status_json, status_now);
    } else if (state_get->parsed()) {
      exit_code = state_get_command(global, state_name);
    } else if (state_set->parsed()) {
      exit_code = state_set_command(global, state_name, state_file);
    } else if (state_clear->parsed()) {
      exit_code = state_clear_command(global, state_name);
    } else if (state_history->parsed()) {
      exit_code = state_history_command(
          global, state_name, history_limit, history_json);
    } else if (logs->parsed()) {
      exit_code = logs_command(global, logs_name, logs_run);
    }
  } catch (const std::exception& error) {
    fmt::print(stderr, "tapline: internal error: {}\n", error.what());
    return 70;
  }
  return exit_code;
}

} // namespace tapline::cli
