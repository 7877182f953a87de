// runner/sync/verify_credentials.cpp
#include <runner/process/child.hpp>
#include <runner/process/line_drain.hpp>
#include <runner/sync/auth_monitor.hpp>
#include <runner/sync/verify_credentials.hpp>
#include <runner/util/fs.hpp>
#include <runner/util/unique_fd.hpp>

#include <fmt/format.h>

#include <thread>

namespace tapline::sync {

namespace {

constexpr std::size_t k_max_stderr_line = 64 * 1024;
constexpr auto k_grace = std::chrono::milliseconds(3000);

} // namespace

Result<Verification>
verify_credentials(const config::Config& config,
                   const config::Integration& integration,
                   const std::string& config_json,
                   std::chrono::seconds timeout,
                   const std::function<std::string(std::string_view)>& redact)
{
  TRY_ASSIGN(auto rules, rules_for(integration));
  TRY_ASSIGN(auto work_dir,
             util::PrivateTempDir::create(config.data_dir / "tmp", "verify-"));
  const auto config_path = work_dir.path() / "tap-config.json";
  TRY(util::write_private_file(config_path, config_json));

  Verification result;
  process::SpawnSpec spec;
  if (integration.auth.check_command.empty()) {
    spec.argv = integration.tap.command;
    spec.argv.insert(spec.argv.end(),
                     {"--config", config_path.string(), "--discover"});
    result.method = "tap --discover";
  } else {
    spec.argv = integration.auth.check_command;
    spec.argv.insert(spec.argv.end(), {"--config", config_path.string()});
    result.method = integration.auth.check_command.front();
  }
  spec.env = integration.tap.env;
  spec.cwd = config.file.parent_path();
  spec.die_with_parent = process::DieWithParent::yes;
  TRY_ASSIGN(auto err, process::make_pipe());
  util::UniqueFd child_err(err.write_fd);
  spec.stderr_fd = child_err.get(); // stdout (the catalog) goes to /dev/null
  auto child = process::spawn(spec);
  child_err.reset();
  if (!child) {
    ::close(err.read_fd);
    return std::unexpected(child.error());
  }
  std::atomic<bool> halted{false};
  AuthMonitor monitor(std::move(rules),
                      [&](const auth::Decision&) { halted = true; });
  std::string last_line;
  std::mutex last_mutex;
  process::LineDrain drain(
      err.read_fd, k_max_stderr_line, [&](std::string_view line) {
        const std::string clean = redact ? redact(line) : std::string(line);
        {
          std::lock_guard lock(last_mutex);
          last_line = clean;
        }
        monitor.on_line(clean);
      });

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::optional<process::ExitStatus> status;
  while (!(status = child->try_wait())) {
    monitor.on_tick();
    if (halted || std::chrono::steady_clock::now() >= deadline) {
      status = child->terminate(k_grace);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  drain.join();
  if (auto after = util::read_file(config_path)) {
    result.config_after = std::move(*after);
  }
  const int code = status->signal != 0 ? 128 + status->signal : status->code;
  const auto verdict = monitor.verdict(code);
  const bool timed_out =
      !halted && std::chrono::steady_clock::now() >= deadline;
  result.ok = status->success() && !halted &&
              verdict.action != auth::Action::pause_reauth &&
              verdict.action != auth::Action::pause_permissions;
  if (!result.ok) {
    if (verdict.action != auth::Action::none &&
        verdict.action != auth::Action::fail) {
      result.decision = verdict;
    }
    std::lock_guard lock(last_mutex);
    result.detail =
        timed_out
            ? fmt::format("no answer within {}s", timeout.count())
            : status->describe() + (last_line.empty() ? "" : ": " + last_line);
  }
  return result;
}

} // namespace tapline::sync
