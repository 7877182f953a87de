// runner/alert/command.cpp
#include <runner/alert/command.hpp>
#include <runner/process/child.hpp>
#include <runner/process/line_drain.hpp>

#include <fmt/format.h>

#include <unistd.h>

#include <csignal>
#include <optional>
#include <thread>

namespace tapline::alert {

namespace {

constexpr std::size_t k_max_output_line = 4096;
constexpr std::chrono::milliseconds k_poll{10};
constexpr std::chrono::milliseconds k_kill_grace{2000};

std::string
describe(std::chrono::milliseconds duration)
{
  if (duration.count() % 1000 == 0) {
    return fmt::format("{}s", duration.count() / 1000);
  }
  return fmt::format("{}ms", duration.count());
}

} // namespace

Result<void>
run_alert_command(const std::vector<std::string>& argv,
                  const std::map<std::string, std::string>& env,
                  std::chrono::milliseconds timeout,
                  const std::function<void(std::string_view)>& on_output)
{
  if (argv.empty() || argv.front().empty()) {
    return fail(ErrorCode::config, "alert command is empty");
  }
  const std::string name = fmt::format("alert command '{}'", argv.front());
  auto pipe = process::make_pipe();
  if (!pipe) {
    return fail(ErrorCode::unavailable,
                fmt::format("{}: {}", name, pipe.error().message));
  }
  process::SpawnSpec spec;
  spec.argv = argv;
  spec.env = env;
  spec.stdout_fd = pipe->write_fd;
  spec.stderr_fd = pipe->write_fd;
  spec.die_with_parent = process::DieWithParent::yes;
  auto child = process::spawn(spec);
  ::close(pipe->write_fd);
  if (!child) {
    ::close(pipe->read_fd);
    return fail(ErrorCode::unavailable,
                fmt::format("{}: {}", name, child.error().message));
  }
  process::LineDrain drain(
      pipe->read_fd, k_max_output_line, [&](std::string_view line) {
        if (on_output) {
          on_output(line);
        }
      });

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  std::optional<process::ExitStatus> status;
  while (!(status = child->try_wait())) {
    if (std::chrono::steady_clock::now() >= deadline) {
      timed_out = true;
      status = child->terminate(k_kill_grace);
      break;
    }
    std::this_thread::sleep_for(k_poll);
  }
  // Background jobs it left in its group would hold the pipe open.
  child->signal_group(SIGKILL);
  drain.join();

  if (timed_out) {
    return fail(ErrorCode::unavailable,
                fmt::format("{} timed out after {} and was killed",
                            name,
                            describe(timeout)));
  }
  if (!status->success()) {
    return fail(ErrorCode::unavailable,
                fmt::format("{} {}", name, status->describe()));
  }
  return {};
}

} // namespace tapline::alert
