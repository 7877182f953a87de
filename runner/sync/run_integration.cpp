// runner/sync/run_integration.cpp
#include <runner/process/child.hpp>
#include <runner/process/line_drain.hpp>
#include <runner/process/subreaper.hpp>
#include <runner/sync/auth_monitor.hpp>
#include <runner/sync/pause.hpp>
#include <runner/sync/run_integration.hpp>
#include <runner/sync/run_log.hpp>
#include <runner/sync/run_verdict.hpp>
#include <runner/sync/sink.hpp>
#include <runner/sync/state_committer.hpp>
#include <runner/sync/tap_credentials.hpp>
#include <runner/sync/verify_credentials.hpp>
#include <runner/sync/watchdog.hpp>
#include <runner/util/file_lock.hpp>
#include <runner/util/fs.hpp>
#include <runner/util/json_string.hpp>
#include <runner/util/time.hpp>
#include <runner/util/unique_fd.hpp>

#include <fmt/format.h>

#include <unistd.h>

namespace tapline::sync {

namespace {

constexpr std::size_t k_max_stderr_line = 64 * 1024;
constexpr auto k_commit_interval = std::chrono::milliseconds(1000);
constexpr auto k_stop_grace = std::chrono::milliseconds(5000);
constexpr auto k_verify_timeout = std::chrono::seconds(60);

std::string
records_json(const PumpStats& stats)
{
  std::string out = "{";
  for (const auto& stream : stats.streams) {
    if (out.size() > 1) {
      out += ',';
    }
    util::append_json_string(out, stream.stream);
    out += fmt::format(":{}", stream.records);
  }
  out += '}';
  return out;
}

// The argv for the tap: its command plus the Singer flags.
Result<std::vector<std::string>>
prepare_tap_argv(const config::Integration& integration,
                 const std::string& config_text,
                 state::StateStore& store,
                 const std::filesystem::path& work_dir,
                 RunLog& log)
{
  const auto& tap = integration.tap;
  std::vector<std::string> argv = tap.command;
  const auto config_path = work_dir / "tap-config.json";
  TRY(util::write_private_file(config_path, config_text));
  argv.insert(argv.end(), {"--config", config_path.string()});

  TRY_ASSIGN(const auto current, store.current_state(integration.name));
  if (current && current->value_json) {
    const auto state_path = work_dir / "state.json";
    TRY(util::write_private_file(state_path, *current->value_json));
    argv.insert(argv.end(), {"--state", state_path.string()});
    log.write("tapline",
              fmt::format("resuming from bookmark committed at {}",
                          current->committed_at));
  } else {
    log.write("tapline", "no committed bookmark: full sync");
  }

  if (tap.catalog) {
    const char* flag = tap.catalog_flag == config::CatalogFlag::properties
                           ? "--properties"
                           : "--catalog";
    argv.insert(argv.end(), {flag, tap.catalog->string()});
  }
  return argv;
}

// Which credentials failed, so a later edit of them is noticed.
Result<void>
remember_fingerprint(state::StateStore& store,
                     const std::string& integration,
                     const TapCredentials& credentials)
{
  TRY_ASSIGN(auto status, store.integration_status(integration));
  if (!status) {
    return {};
  }
  TRY_ASSIGN(status->fingerprint, credentials.fingerprint());
  return store.set_integration_status(*status);
}

// A paused integration whose credentials someone changed (the tap's config
// file, tapline.yaml, the environment) is verified again; if the new ones
// work it resumes, otherwise it stays paused with what the check said.
// Returns the error to refuse the run with, or nothing to go ahead.
Result<void>
resume_if_credentials_changed(const config::Config& config,
                              const config::Integration& integration,
                              state::StateStore& store,
                              const Error& paused)
{
  TRY_ASSIGN(auto status, store.integration_status(integration.name));
  TRY_ASSIGN(auto credentials, TapCredentials::load(config, integration));
  TRY_ASSIGN(const auto now, credentials->fingerprint());
  if (!status || status->fingerprint.empty() || status->fingerprint == now) {
    return std::unexpected(paused);
  }
  const auto& redactor = credentials->redactor();
  TRY_ASSIGN(const auto check,
             verify_credentials(
                 config,
                 integration,
                 credentials->config_json(),
                 k_verify_timeout,
                 [&](std::string_view text) { return redactor.redact(text); }));
  if (check.ok) {
    // The check may have rotated a refresh token: keep what the tap wrote.
    if (!check.config_after.empty()) {
      TRY(credentials->persist_text(check.config_after));
    }
    return resume_integration(config,
                              store,
                              integration.name,
                              status->run_id.value_or(0),
                              "credentials changed and verified with " +
                                  check.method,
                              {});
  }
  // Remember these credentials were tried, so the next tick does not try
  // them again.
  status->fingerprint = now;
  if (check.decision) {
    status->evidence = check.decision->record;
  }
  TRY(store.set_integration_status(*status));
  auto error = paused;
  error.message +=
      fmt::format("; the changed credentials were rejected by {}: {}",
                  check.method,
                  check.decision ? describe(*check.decision) : check.detail);
  return std::unexpected(error);
}

// Runs still marked "running" whose tapline is gone (kill -9, power loss)
// are closed as failed, so history and status do not show them forever.
Result<void>
close_abandoned_runs(state::StateStore& store, const std::string& integration)
{
  TRY_ASSIGN(auto recent, store.runs(integration, 20));
  for (auto& run : recent) {
    if (run.outcome != "running" ||
        (run.pid && process::is_alive(static_cast<pid_t>(*run.pid)))) {
      continue;
    }
    run.outcome = "failed";
    run.ended_at = util::now_iso8601();
    run.error = "run did not finish: tapline was killed or the machine stopped";
    TRY(store.finish_run(run));
  }
  return {};
}

} // namespace

std::filesystem::path
lock_path(const config::Config& config, const std::string& integration)
{
  return config.data_dir / "locks" / (integration + ".lock");
}

Result<RunResult>
run_integration(const config::Config& config,
                const config::Integration& integration,
                state::StateStore& store,
                const RunOptions& options)
{
  // One run of an integration at a time: a second tapline (another cron
  // tick, a person) would interleave records and bookmarks.
  TRY_ASSIGN(auto attempt,
             util::FileLock::try_acquire(lock_path(config, integration.name)));
  if (!attempt.lock) {
    const auto holder = attempt.holder ? fmt::format("already running ({})",
                                                     attempt.holder->describe())
                                       : std::string("already running");
    // For the scheduler a busy integration is one to skip, not a failure:
    // the other run is using the slot.
    if (options.skip_under_lock) {
      RunResult skipped;
      skipped.outcome = "skipped";
      skipped.skip_reason = holder;
      return skipped;
    }
    return fail(ErrorCode::transient, holder + "; not started");
  }
  if (attempt.taken_over && options.on_warning) {
    options.on_warning(
        fmt::format("took over the lock left by {}, which is gone",
                    attempt.taken_over->describe()));
  }
  if (options.skip_under_lock) {
    // Asked again now that no other run can start: a scheduler tick that
    // lost the race to another one finds the slot already used.
    TRY_ASSIGN(auto skip, options.skip_under_lock(store));
    if (skip) {
      RunResult skipped;
      skipped.outcome = "skipped";
      skipped.skip_reason = std::move(*skip);
      return skipped;
    }
  }

  TRY_ASSIGN(const auto paused, paused_error(store, integration.name));
  if (paused && !options.force) {
    if (paused->code != ErrorCode::auth) {
      return std::unexpected(*paused);
    }
    TRY(resume_if_credentials_changed(config, integration, store, *paused));
  }
  TRY_ASSIGN(auto rules, rules_for(integration));

  const auto started = std::chrono::steady_clock::now();
  state::RunEntry entry;
  entry.integration = integration.name;
  entry.started_at = util::now_iso8601();
  entry.outcome = "running";
  entry.pid = ::getpid();
  TRY(close_abandoned_runs(store, integration.name));
  TRY_ASSIGN(entry.id, store.begin_run(entry));

  RunResult result;
  result.run_id = entry.id;
  result.log_path = config.data_dir / "logs" / integration.name /
                    fmt::format("run-{}.log", entry.id);
  entry.log_path = result.log_path.string();

  const auto finish = [&](std::optional<Error> error) -> Result<RunResult> {
    result.error = std::move(error);
    result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    entry.ended_at = util::now_iso8601();
    entry.exit_code = result.exit_code();
    entry.records = result.stats.records;
    entry.bytes = result.stats.bytes;
    entry.records_json = records_json(result.stats);
    entry.error = result.error ? result.error->to_string().substr(0, 2000) : "";
    if (result.outcome.empty()) {
      result.outcome = result.error ? "failed" : "succeeded";
    }
    entry.outcome = result.outcome;
    TRY(store.finish_run(entry));
    return result;
  };

  auto opened_log = RunLog::open(result.log_path, integration.max_log_bytes);
  if (!opened_log) {
    return finish(opened_log.error());
  }
  RunLog& log = **opened_log;
  const auto warn = [&](std::string_view message) {
    log.write("tapline", message);
    if (options.on_warning) {
      options.on_warning(message);
    }
  };
  log.write("tapline",
            fmt::format("run {} of '{}' started", entry.id, integration.name));

  auto work_dir = util::PrivateTempDir::create(
      config.data_dir / "tmp", fmt::format("run-{}-", entry.id));
  if (!work_dir) {
    return finish(work_dir.error());
  }
  auto credentials = TapCredentials::load(config, integration);
  if (!credentials) {
    return finish(credentials.error());
  }
  const auto& redactor = (*credentials)->redactor();
  const Redact redact = [&redactor](std::string_view text) {
    return redactor.redact(text);
  };
  log.set_redactor(redact);
  auto tap_argv = prepare_tap_argv(
      integration, (*credentials)->config_json(), store, work_dir->path(), log);
  if (!tap_argv) {
    return finish(tap_argv.error());
  }

  StateCommitter committer(
      store, integration.name, entry.id, k_commit_interval);
  const auto cwd = config.file.parent_path();
  auto sink = make_sink(
      SinkContext{integration, work_dir->path(), cwd, log, committer});
  if (!sink) {
    return finish(sink.error());
  }

  auto out = process::make_pipe();
  auto err = process::make_pipe();
  if (!out || !err) {
    return finish(!out ? out.error() : err.error());
  }
  util::UniqueFd tap_stdout(out->read_fd);
  util::UniqueFd child_out(out->write_fd);
  util::UniqueFd child_err(err->write_fd);
  process::SpawnSpec spec;
  spec.argv = *tap_argv;
  spec.env = integration.tap.env;
  spec.cwd = cwd;
  spec.stdout_fd = child_out.get();
  spec.stderr_fd = child_err.get();
  spec.die_with_parent = process::DieWithParent::yes;
  auto tap = process::spawn(spec);
  child_out.reset();
  child_err.reset();
  if (!tap) {
    ::close(err->read_fd);
    auto error = tap.error();
    error.message = "cannot start tap: " + error.message;
    (void)(*sink)->finish();
    (void)committer.flush();
    return finish(error);
  }
  log.write("tapline", fmt::format("tap started (pid {})", tap->pid()));

  PumpProgress progress;
  WatchdogSettings settings;
  settings.timeout = integration.timeout;
  settings.idle_timeout = integration.idle_timeout;
  settings.grace = k_stop_grace;
  settings.stop_fd = options.stop_fd;
  if (options.on_progress) {
    settings.on_tick = [&] { options.on_progress(progress); };
  }
  // The auth watch reads the tap's stderr as it arrives and stops the run at
  // the first decisive record; the watchdog's tick completes a record the
  // tap left open by going quiet.
  Watchdog* stopper = nullptr;
  AuthMonitor monitor(std::move(rules), [&](const auth::Decision& decision) {
    log.write("tapline", "auth watch: stopping the tap: " + describe(decision));
    stopper->request_stop(StopReason::auth);
  });
  settings.on_poll = [&] { monitor.on_tick(); };
  Sink& destination = **sink;
  Watchdog watchdog(
      std::move(settings), progress, tap->pid(), [&] { destination.abort(); });
  stopper = &watchdog;
  process::LineDrain tap_stderr(
      err->read_fd, k_max_stderr_line, [&](std::string_view line) {
        log.write("tap", line);
        monitor.on_line(line);
      });

  Pump pump(destination, progress, warn);
  const auto pumped = pump.run(tap_stdout.get(), integration.max_line_bytes);
  process::ExitStatus tap_status;
  if (!pumped) {
    // Stop reading first so a tap blocked on a full pipe sees EPIPE, then
    // stop its whole group.
    tap_stdout.reset();
    tap_status = tap->terminate(k_stop_grace);
  } else {
    tap_status = tap->wait();
  }
  watchdog.tap_reaped();
  tap_stdout.reset();
  tap_stderr.join();
  log.write("tapline", fmt::format("tap {}", tap_status.describe()));
  // Success or not: a tap may have rotated its refresh token into the file.
  if (auto changed =
          (*credentials)->persist_changes(work_dir->path() / "tap-config.json");
      !changed) {
    log.write("tapline",
              "cannot persist the tap's config changes: " +
                  changed.error().to_string());
  } else if (!changed->empty()) {
    std::string keys;
    for (const auto& key : *changed) {
      keys += (keys.empty() ? "" : ", ") + key;
    }
    log.write("tapline",
              "the tap changed its config; kept for the next run: " + keys);
  }

  const auto finished = destination.finish();
  watchdog.stop();
  if (const int strays = process::reap_strays(); strays > 0) {
    log.write(
        "tapline",
        fmt::format(
            "stopped and reaped {} leftover process(es) of the tap or target",
            strays));
  }
  result.stats = pump.stats();

  if (integration.target.kind == config::TargetKind::process &&
      integration.state_from == config::StateFrom::tap_on_success && pumped &&
      finished && tap_status.success() && pump.last_tap_state()) {
    committer.confirm(*pump.last_tap_state(), "tap");
  }
  (void)committer.flush();
  result.commits = committer.commits();

  RunFacts facts;
  facts.stop_reason = watchdog.reason();
  facts.stop_description = watchdog.describe();
  if (!pumped) {
    facts.pump_error = pumped.error();
  }
  facts.tap_status = tap_status;
  if (!finished) {
    facts.target_error = finished.error();
  }
  facts.commit_error = committer.error();
  if (const auto tail = log.tap_tail(); !tail.empty()) {
    facts.tap_last_line = tail.back();
  }
  facts.auth = monitor.verdict(tap_status.signal != 0 ? 128 + tap_status.signal
                                                      : tap_status.code);
  facts.pause_on_partial_permissions =
      integration.auth.pause_on_partial_permissions;
  auto verdict = judge(facts);
  result.outcome = verdict.outcome;
  result.warnings = verdict.warnings;
  result.retry_after_refresh = verdict.retry_after_refresh;
  result.retry_with_backoff = verdict.retry_with_backoff;
  result.auth = facts.auth;
  for (const auto& warning : verdict.warnings) {
    warn("degraded run: " + warning);
  }
  const Log tapline_log = [&](std::string_view line) {
    log.write("tapline", line);
  };
  if (verdict.pause) {
    result.paused = true;
    if (auto paused_now = pause_integration(config,
                                            store,
                                            integration.name,
                                            *verdict.pause,
                                            entry.id,
                                            redact,
                                            tapline_log);
        !paused_now) {
      log.write("tapline",
                "cannot record the pause: " + paused_now.error().to_string());
    } else if (auto recorded =
                   remember_fingerprint(store, integration.name, **credentials);
               !recorded) {
      log.write("tapline",
                "cannot record the fingerprint: " +
                    recorded.error().to_string());
    }
  } else if (!verdict.error) {
    if (auto resumed = resume_integration(config,
                                          store,
                                          integration.name,
                                          entry.id,
                                          "run succeeded",
                                          tapline_log);
        !resumed) {
      log.write("tapline",
                "cannot record the resume: " + resumed.error().to_string());
    }
  }
  auto error = std::move(verdict.error);
  log.write("tapline",
            fmt::format("run {}: {} records, {} bytes, {} bookmark commits{}",
                        result.outcome,
                        result.stats.records,
                        result.stats.bytes,
                        result.commits,
                        error ? "; " + error->to_string() : ""));
  return finish(std::move(error));
}

} // namespace tapline::sync
