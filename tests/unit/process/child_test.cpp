// tests/unit/process/child_test.cpp
//
// spawn() and Child against real programs (/bin/echo, /bin/sh, sleep,
// /usr/bin/env): exit statuses and their descriptions, programs that cannot
// be started, terminate() with and without a grace period, the process
// group, the environment, the working directory and the descriptors the
// child gets. Output comes back through a pipe and a LineDrain.

#include <runner/process/child.hpp>
#include <runner/process/line_drain.hpp>

#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tests/unit/temp_dir.hpp>
#include <tests/unit/test_support.hpp>
#include <thread>
#include <vector>

namespace {

using tapline::test::error_text;

using tapline::ErrorCode;
using tapline::process::Child;
using tapline::process::ExitStatus;
using tapline::process::LineDrain;
using tapline::process::make_pipe;
using tapline::process::spawn;
using tapline::process::SpawnSpec;
using namespace std::chrono_literals;

// Collects the lines a LineDrain delivers.
class Lines
{
public:
  LineDrain::Callback
  callback()
  {
    return [this](std::string_view line) {
      const std::lock_guard lock(m_mutex);
      m_lines.emplace_back(line);
    };
  }

  [[nodiscard]] std::vector<std::string>
  get() const
  {
    const std::lock_guard lock(m_mutex);
    return m_lines;
  }

private:
  mutable std::mutex m_mutex;
  std::vector<std::string> m_lines;
};

struct Finished
{
  ExitStatus status;
  std::vector<std::string> stdout_lines;
};

// Run `spec` with its stdout captured, wait for it and for its output.
Finished
run(SpawnSpec spec)
{
  auto pipe = make_pipe();
  REQUIRE_MESSAGE(pipe.has_value(), error_text(pipe));
  spec.stdout_fd = pipe->write_fd;
  Lines lines;
  auto child = spawn(spec);
  ::close(pipe->write_fd);
  if (!child) {
    ::close(pipe->read_fd);
  }
  REQUIRE_MESSAGE(child.has_value(), error_text(child));
  LineDrain drain(pipe->read_fd, 4096, lines.callback());
  Finished finished;
  finished.status = child->wait();
  drain.join();
  finished.stdout_lines = lines.get();
  return finished;
}

// Spawn `argv` with stdout on a pipe and return once it printed one line.
struct Started
{
  Child child;
  int stdout_fd = -1;
  std::string first_line;
};

Started
start_and_wait_for_line(std::vector<std::string> argv)
{
  auto pipe = make_pipe();
  REQUIRE(pipe.has_value());
  SpawnSpec spec;
  spec.argv = std::move(argv);
  spec.stdout_fd = pipe->write_fd;
  auto child = spawn(spec);
  ::close(pipe->write_fd);
  REQUIRE_MESSAGE(child.has_value(), error_text(child));
  Started started{std::move(*child), pipe->read_fd, {}};
  char byte = 0;
  while (::read(started.stdout_fd, &byte, 1) == 1 && byte != '\n') {
    started.first_line += byte;
  }
  return started;
}

// Whether `pid` is gone or a zombie (no longer running).
bool
process_gone(pid_t pid)
{
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) {
    return true;
  }
  std::string content;
  std::getline(stat, content);
  const auto paren = content.rfind(')');
  return paren == std::string::npos || paren + 2 >= content.size() ||
         content[paren + 2] == 'Z' || content[paren + 2] == 'X';
}

bool
wait_until_gone(pid_t pid, std::chrono::milliseconds timeout)
{
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!process_gone(pid)) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

} // namespace

TEST_SUITE("process::ExitStatus")
{
  TEST_CASE("describe: exit code or signal with its name")
  {
    CHECK(ExitStatus{0, 0}.describe() == "exited with code 0");
    CHECK(ExitStatus{3, 0}.describe() == "exited with code 3");
    CHECK(ExitStatus{137, 9}.describe() == "was killed by signal 9 (Killed)");
    CHECK(ExitStatus{143, 15}.describe() ==
          "was killed by signal 15 (Terminated)");
    CHECK(ExitStatus{0, 0}.success());
    CHECK_FALSE(ExitStatus{3, 0}.success());
    CHECK_FALSE(ExitStatus{0, 15}.success());
  }
}

TEST_SUITE("process::Child")
{
  TEST_CASE("spawn: a program that succeeds")
  {
    SpawnSpec spec;
    SUBCASE("by path") { spec.argv = {"/bin/echo", "hello", "two words"}; }
    SUBCASE("looked up on PATH") { spec.argv = {"echo", "hello", "two words"}; }

    const auto finished = run(spec);

    CHECK(finished.status.code == 0);
    CHECK(finished.status.signal == 0);
    CHECK(finished.status.success());
    CHECK(finished.status.describe() == "exited with code 0");
    // Arguments are passed as they are, not split by a shell.
    CHECK(finished.stdout_lines == std::vector<std::string>{"hello two words"});
  }

  TEST_CASE("spawn: arguments are not interpreted by a shell")
  {
    SpawnSpec spec;
    spec.argv = {"/bin/echo", "$HOME", "*", "a;b", "'q'"};
    const auto finished = run(spec);
    CHECK(finished.stdout_lines == std::vector<std::string>{"$HOME * a;b 'q'"});
  }

  TEST_CASE("spawn: a program that exits with a code")
  {
    SpawnSpec spec;
    spec.argv = {"/bin/sh", "-c", "exit 3"};
    const auto finished = run(spec);

    CHECK(finished.status.code == 3);
    CHECK(finished.status.signal == 0);
    CHECK_FALSE(finished.status.success());
    CHECK(finished.status.describe() == "exited with code 3");
  }

  TEST_CASE("spawn: a program that kills itself reports the signal")
  {
    SpawnSpec spec;
    spec.argv = {"/bin/sh", "-c", "kill -9 $$"};
    const auto finished = run(spec);

    CHECK(finished.status.signal == 9);
    CHECK(finished.status.code == 128 + 9);
    CHECK_FALSE(finished.status.success());
    CHECK(finished.status.describe() == "was killed by signal 9 (Killed)");
  }

  TEST_CASE("spawn: a program that is not on PATH")
  {
    SpawnSpec spec;
    spec.argv = {"tapline-no-such-program-7f3a", "--version"};
    const auto child = spawn(spec);

    REQUIRE_FALSE(child.has_value());
    CHECK(child.error().code == ErrorCode::unavailable);
    CHECK(child.error().message == "command not found (not on PATH)");
    CHECK(child.error().where == "tapline-no-such-program-7f3a");
    CHECK(child.error().to_string() ==
          "tapline-no-such-program-7f3a: command not found (not on PATH)");
  }

  TEST_CASE("spawn: a program path that cannot be executed")
  {
    const tapline::test::TempDir dir;
    SpawnSpec spec;
    std::string reason;
    SUBCASE("the file does not exist")
    {
      spec.argv = {(dir.path() / "missing").string()};
      reason = "No such file or directory";
    }
    SUBCASE("the file is not executable")
    {
      const auto script = dir.path() / "script.sh";
      std::ofstream(script) << "#!/bin/sh\necho hi\n";
      std::filesystem::permissions(script,
                                   std::filesystem::perms::owner_read |
                                       std::filesystem::perms::owner_write);
      spec.argv = {script.string()};
      reason = "Permission denied";
    }
    const auto child = spawn(spec);

    REQUIRE_FALSE(child.has_value());
    CHECK(child.error().code == ErrorCode::unavailable);
    CHECK(child.error().message == "cannot start command: " + reason);
    CHECK(child.error().where == spec.argv.front());
  }

  TEST_CASE("spawn: an empty argv is refused")
  {
    const auto child = spawn(SpawnSpec{});
    REQUIRE_FALSE(child.has_value());
    CHECK(child.error().code == ErrorCode::internal);
    CHECK(child.error().message == "empty command");
  }

  TEST_CASE("spawn: the child leads its own process group")
  {
    auto started =
        start_and_wait_for_line({"/bin/sh", "-c", "echo up; exec sleep 30"});
    REQUIRE(started.first_line == "up");
    const pid_t pid = started.child.pid();
    CHECK(pid > 0);
    CHECK(::getpgid(pid) == pid);
    CHECK(::getpgid(pid) != ::getpgid(0));
    started.child.terminate(0ms);
    ::close(started.stdout_fd);
  }

  TEST_CASE("terminate: a child that honours SIGTERM stops within the grace "
            "period")
  {
    SpawnSpec spec;
    spec.argv = {"sleep", "30"};
    auto child = spawn(spec);
    REQUIRE_MESSAGE(child.has_value(), error_text(child));
    CHECK(child->running());

    const auto before = std::chrono::steady_clock::now();
    const auto status = child->terminate(5000ms);
    const auto took = std::chrono::steady_clock::now() - before;

    CHECK(took < 5000ms);
    CHECK(status.signal == 15);
    CHECK(status.code == 128 + 15);
    CHECK(status.describe() == "was killed by signal 15 (Terminated)");
    CHECK_FALSE(child->running());
    REQUIRE(child->status().has_value());
    CHECK(child->status()->signal == 15);
    // Terminating again changes nothing.
    CHECK(child->terminate(5000ms).signal == 15);
  }

  TEST_CASE("terminate: a child that ignores SIGTERM is killed after the "
            "grace period")
  {
    // Ignored dispositions survive exec, so the sleep ignores TERM too.
    auto started = start_and_wait_for_line(
        {"/bin/sh", "-c", "trap '' TERM; echo ready; sleep 30; exit 0"});
    REQUIRE(started.first_line == "ready");

    const auto before = std::chrono::steady_clock::now();
    const auto status = started.child.terminate(300ms);
    const auto took = std::chrono::steady_clock::now() - before;

    CHECK(took >= 300ms);
    CHECK(took < 5000ms);
    CHECK(status.signal == 9);
    CHECK(status.describe() == "was killed by signal 9 (Killed)");
    ::close(started.stdout_fd);
  }

  TEST_CASE("terminate: the whole process group is stopped")
  {
    // The shell starts a grandchild in the background and reports its pid.
    auto started =
        start_and_wait_for_line({"/bin/sh", "-c", "sleep 30 & echo $!; wait"});
    const pid_t grandchild = std::stoi(started.first_line);
    REQUIRE(grandchild > 0);
    CHECK(::getpgid(grandchild) == started.child.pid());

    const auto status = started.child.terminate(5000ms);

    CHECK(status.signal == 15);
    CHECK(wait_until_gone(grandchild, 5000ms));
    ::close(started.stdout_fd);
  }

  TEST_CASE("terminate: without grace period the child is killed")
  {
    SpawnSpec spec;
    spec.argv = {"sleep", "30"};
    auto child = spawn(spec);
    REQUIRE(child.has_value());
    const auto status = child->terminate(0ms);
    CHECK(status.signal == 9);
    CHECK(status.describe() == "was killed by signal 9 (Killed)");
  }

  TEST_CASE("try_wait: nothing while running, the status once exited")
  {
    auto started =
        start_and_wait_for_line({"/bin/sh", "-c", "echo go; read x; exit 4"});
    // stdin is /dev/null, so `read` returns at once; wait for the exit.
    REQUIRE(started.first_line == "go");
    std::optional<ExitStatus> status;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!status && std::chrono::steady_clock::now() < deadline) {
      status = started.child.try_wait();
      std::this_thread::sleep_for(5ms);
    }
    REQUIRE(status.has_value());
    CHECK(status->code == 4);
    CHECK_FALSE(started.child.running());
    CHECK(started.child.wait().code == 4);
    ::close(started.stdout_fd);

    SpawnSpec spec;
    spec.argv = {"sleep", "30"};
    auto sleeper = spawn(spec);
    REQUIRE(sleeper.has_value());
    CHECK_FALSE(sleeper->try_wait().has_value());
    CHECK(sleeper->running());
  }

  TEST_CASE("~Child: a running child is killed and reaped")
  {
    pid_t pid = -1;
    {
      SpawnSpec spec;
      spec.argv = {"sleep", "30"};
      auto child = spawn(spec);
      REQUIRE(child.has_value());
      pid = child->pid();
      REQUIRE(::kill(pid, 0) == 0);
    }
    // Reaped: the pid no longer exists, not even as a zombie.
    errno = 0;
    CHECK(::kill(pid, 0) == -1);
    CHECK(errno == ESRCH);
  }

  TEST_CASE("spawn: environment overrides reach the child")
  {
    SpawnSpec spec;
    spec.argv = {"/usr/bin/env"};
    spec.env = {{"TAPLINE_TEST_ADDED", "hello world"},
                {"HOME", "/nonexistent-home"},
                {"TAPLINE_TEST_EMPTY", ""}};
    const auto finished = run(spec);
    REQUIRE(finished.status.success());

    std::map<std::string, std::vector<std::string>> seen;
    for (const auto& line : finished.stdout_lines) {
      const auto equals = line.find('=');
      REQUIRE(equals != std::string::npos);
      seen[line.substr(0, equals)].push_back(line.substr(equals + 1));
    }
    CHECK(seen["TAPLINE_TEST_ADDED"] ==
          std::vector<std::string>{"hello world"});
    CHECK(seen["TAPLINE_TEST_EMPTY"] == std::vector<std::string>{""});
    // Replaced, not added a second time.
    CHECK(seen["HOME"] == std::vector<std::string>{"/nonexistent-home"});
    // Everything else is inherited.
    const char* path = std::getenv("PATH");
    REQUIRE(path != nullptr);
    CHECK(seen["PATH"] == std::vector<std::string>{path});
  }

  TEST_CASE("spawn: the child runs in the given working directory")
  {
    const tapline::test::TempDir dir;
    SpawnSpec spec;
    spec.argv = {"/bin/sh", "-c", "pwd -P"};
    spec.cwd = dir.path();
    const auto finished = run(spec);
    REQUIRE(finished.status.success());
    CHECK(finished.stdout_lines ==
          std::vector<std::string>{
              std::filesystem::canonical(dir.path()).string()});
  }

  TEST_CASE("spawn: stdin defaults to /dev/null")
  {
    SpawnSpec spec;
    spec.argv = {"/bin/sh", "-c", "cat; echo end"};
    const auto finished = run(spec);
    REQUIRE(finished.status.success());
    CHECK(finished.stdout_lines == std::vector<std::string>{"end"});
  }

  // child.hpp promises every other descriptor closed, including ones tapline
  // holds without close-on-exec and the launcher's own /dev/null ones.
  TEST_CASE("spawn: descriptors without close-on-exec do not reach the child")
  {
    int leaky[2];
    REQUIRE(::pipe(leaky) == 0);
    SpawnSpec spec;
    spec.argv = {"/bin/sh",
                 "-c",
                 "for fd in \"$@\"; do "
                 "if [ -e /proc/self/fd/$fd ]; then echo open $fd; "
                 "else echo closed $fd; fi; done",
                 "sh",
                 std::to_string(leaky[0]),
                 std::to_string(leaky[1])};
    const auto finished = run(spec);
    ::close(leaky[0]);
    ::close(leaky[1]);

    REQUIRE(finished.status.success());
    CHECK(finished.stdout_lines ==
          std::vector<std::string>{"closed " + std::to_string(leaky[0]),
                                   "closed " + std::to_string(leaky[1])});
  }

  TEST_CASE("spawn: the child has only stdin, stdout and stderr open")
  {
    // `ls` lists its own directory descriptor as well, hence the 4th entry.
    SpawnSpec spec;
    spec.argv = {"/bin/sh", "-c", "ls /proc/self/fd | wc -l"};
    const auto finished = run(spec);
    REQUIRE(finished.status.success());
    CHECK(finished.stdout_lines == std::vector<std::string>{"4"});
  }

  TEST_CASE("spawn: stdin and stderr can be given descriptors")
  {
    auto input = make_pipe();
    auto errors = make_pipe();
    REQUIRE(input.has_value());
    REQUIRE(errors.has_value());
    constexpr std::string_view text = "from stdin\n";
    REQUIRE(::write(input->write_fd, text.data(), text.size()) ==
            static_cast<ssize_t>(text.size()));
    ::close(input->write_fd);

    SpawnSpec spec;
    spec.argv = {"/bin/sh", "-c", "read line; echo \"err: $line\" >&2"};
    spec.stdin_fd = input->read_fd;
    spec.stderr_fd = errors->write_fd;
    Lines stderr_lines;
    auto child = spawn(spec);
    ::close(input->read_fd);
    ::close(errors->write_fd);
    REQUIRE_MESSAGE(child.has_value(), error_text(child));
    LineDrain drain(errors->read_fd, 4096, stderr_lines.callback());
    CHECK(child->wait().success());
    drain.join();
    CHECK(stderr_lines.get() == std::vector<std::string>{"err: from stdin"});
  }
}
