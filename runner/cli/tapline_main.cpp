// runner/cli/tapline_main.cpp
//
// The command line: subcommands, their options and help, and the mapping of
// parse errors to exit code 64. Each subcommand's work is in its own file.

#include <runner/cli/auth_command.hpp>
#include <runner/cli/commands.hpp>
#include <runner/cli/reauth_command.hpp>
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

  std::vector<std::string> run_names;
  bool run_force = false;
  auto* run =
      app.add_subcommand("run", "Run integrations now, one after another");
  run->add_option("NAME", run_names, "Integrations to run")->required();
  run->add_flag(
      "--force", run_force, "Run even if paused (needs reauthorization)");

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

  bool status_json = false;
  auto* status = app.add_subcommand(
      "status", "Show each integration's last run and bookmark");
  status->add_flag("--json", status_json, "Print JSON instead of a table");

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
      exit_code = run_command(global, run_names, run_force);
    } else if (wrap->parsed()) {
      exit_code = wrap_command(wrap_argv, wrap_rules, wrap_grace);
    } else if (reauth->parsed()) {
      exit_code = reauth_command(global, reauth_options);
    } else if (classify->parsed()) {
      exit_code = auth_classify_command(
          classify_file, classify_exit, classify_json, classify_rules);
    } else if (status->parsed()) {
      exit_code = status_command(global, status_json);
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
