// runner/process/child.cpp
#include <runner/process/child.hpp>

#include <boost/asio/io_context.hpp>
// Boost 1.81's Process v2 uses a few type traits unqualified and forgets an
// include when it is told to use std::filesystem (BOOST_PROCESS_USE_STD_FS);
// these declarations make its headers self-contained.
#include <boost/optional.hpp>

#include <type_traits>
namespace boost::process::v2 {
using std::decay;
using std::is_convertible;
using std::remove_pointer;
} // namespace boost::process::v2

#include <boost/process/v2/posix/default_launcher.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/start_dir.hpp>
#include <boost/process/v2/stdio.hpp>
#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>

extern char** environ;

namespace tapline::process {

namespace bp = boost::process::v2;

namespace {

ExitStatus
from_wait_status(int status)
{
  ExitStatus result;
  if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
    result.code = 128 + result.signal;
  } else if (WIFEXITED(status)) {
    result.code = WEXITSTATUS(status);
  }
  return result;
}

// Runs in the child between fork and exec: only async-signal-safe calls.
struct ChildSetup
{
  int death_signal = 0; // sent to the child when tapline dies; 0: none

  bp::error_code
  on_exec_setup(bp::posix::default_launcher&,
                const std::filesystem::path&,
                const char* const*&)
  {
    ::setpgid(0, 0);
    // tapline ignores SIGPIPE and handles SIGINT/SIGTERM itself; ignored
    // dispositions survive exec, so give the child the defaults back.
    ::signal(SIGPIPE, SIG_DFL);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGHUP, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (death_signal != 0) {
      ::prctl(PR_SET_PDEATHSIG, death_signal);
    }
    // Whatever tapline has open beyond stdin, stdout and stderr (other
    // children's pipes, the state database, descriptors a library opened
    // without O_CLOEXEC) must not leak into the child. Marked close-on-exec
    // rather than closed: the launcher reports a failed exec through a pipe
    // of its own that must stay open until exec.
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
      const long limit = ::sysconf(_SC_OPEN_MAX);
      for (int fd = 3; fd < (limit > 0 && limit < 65536 ? limit : 65536);
           ++fd) {
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
      }
    }
    return {};
  }
};

std::vector<std::string>
merged_environment(const std::map<std::string, std::string>& overrides)
{
  std::vector<std::string> entries;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    const auto name = text.substr(0, text.find('='));
    if (!overrides.contains(std::string(name))) {
      entries.emplace_back(text);
    }
  }
  for (const auto& [name, value] : overrides) {
    entries.push_back(name + "=" + value);
  }
  return entries;
}

Result<std::filesystem::path>
find_program(const std::string& program)
{
  if (program.find('/') != std::string::npos) {
    return std::filesystem::path(program);
  }
  const char* path = std::getenv("PATH");
  std::string_view dirs =
      path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    const auto dir = dirs.substr(0, colon);
    const auto candidate =
        std::filesystem::path(dir.empty() ? "." : std::string(dir)) / program;
    if (::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    if (colon == std::string_view::npos) {
      break;
    }
    dirs.remove_prefix(colon + 1);
  }
  return fail(
      ErrorCode::unavailable, "command not found (not on PATH)", program);
}

} // namespace

std::string
ExitStatus::describe() const
{
  if (signal != 0) {
    return fmt::format(
        "was killed by signal {} ({})", signal, ::strsignal(signal));
  }
  return fmt::format("exited with code {}", code);
}

Child::Child(Child&& other) noexcept
    : m_pid(std::exchange(other.m_pid, -1)), m_status(std::move(other.m_status))
{
}

Child&
Child::operator=(Child&& other) noexcept
{
  if (this != &other) {
    if (running()) {
      terminate(std::chrono::milliseconds(0));
    }
    m_pid = std::exchange(other.m_pid, -1);
    m_status = std::move(other.m_status);
  }
  return *this;
}

Child::~Child()
{
  if (running()) {
    terminate(std::chrono::milliseconds(0));
  }
}

void
Child::signal_group(int signal) const
{
  if (m_pid > 0) {
    ::kill(-m_pid, signal);
  }
}

ExitStatus
Child::wait()
{
  if (m_status) {
    return *m_status;
  }
  int status = 0;
  while (::waitpid(m_pid, &status, 0) < 0) {
    if (errno != EINTR) {
      m_status = ExitStatus{127, 0};
      return *m_status;
    }
  }
  m_status = from_wait_status(status);
  return *m_status;
}

std::optional<ExitStatus>
Child::try_wait()
{
  if (m_status || m_pid <= 0) {
    return m_status;
  }
  int status = 0;
  const pid_t reaped = ::waitpid(m_pid, &status, WNOHANG);
  if (reaped == m_pid) {
    m_status = from_wait_status(status);
  }
  return m_status;
}

ExitStatus
Child::terminate(std::chrono::milliseconds grace)
{
  if (!running()) {
    return m_status.value_or(ExitStatus{});
  }
  if (grace.count() > 0) {
    signal_group(SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto status = try_wait()) {
        // The leader is gone; make sure nothing it started lingers.
        signal_group(SIGKILL);
        return *status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  signal_group(SIGKILL);
  return wait();
}

Result<Child>
spawn(const SpawnSpec& spec)
{
  if (spec.argv.empty()) {
    return fail(ErrorCode::internal, "empty command");
  }
  TRY_ASSIGN(const auto program, find_program(spec.argv.front()));

  const auto environment = merged_environment(spec.env);
  std::vector<const char*> env_pointers;
  env_pointers.reserve(environment.size() + 1);
  for (const auto& entry : environment) {
    env_pointers.push_back(entry.c_str());
  }
  env_pointers.push_back(nullptr);

  std::vector<std::string> args(spec.argv.begin() + 1, spec.argv.end());
  // If exec fails, the launcher's child calls exit(), which flushes its copy
  // of our stdio buffers: empty them first so nothing is printed twice.
  std::fflush(nullptr);
  boost::asio::io_context context;
  bp::posix::default_launcher launcher;
  launcher.env = env_pointers.data();
  bp::error_code ec;
  // Not const: Boost only calls the non-const on_exec_setup of initializers.
  auto stdio = bp::process_stdio{
      spec.stdin_fd >= 0 ? bp::detail::process_input_binding(spec.stdin_fd)
                         : bp::detail::process_input_binding(nullptr),
      spec.stdout_fd >= 0 ? bp::detail::process_output_binding(spec.stdout_fd)
                          : bp::detail::process_output_binding(nullptr),
      spec.stderr_fd >= 0 ? bp::detail::process_error_binding(spec.stderr_fd)
                          : bp::detail::process_error_binding(nullptr)};
  ChildSetup setup{spec.die_with_parent == DieWithParent::yes         ? SIGKILL
                   : spec.die_with_parent == DieWithParent::terminate ? SIGTERM
                                                                      : 0};
  pid_t pid = -1;
  try {
    auto launched = [&]() {
      if (spec.cwd.empty()) {
        return launcher(
            context.get_executor(), ec, program, args, stdio, setup);
      }
      return launcher(context.get_executor(),
                      ec,
                      program,
                      args,
                      stdio,
                      bp::process_start_dir(spec.cwd),
                      setup);
    }();
    // tapline reaps the child itself (waitpid on the pid), so the Boost
    // handle lets go of it.
    pid = launched.id();
    launched.detach();
  } catch (const boost::system::system_error&) {
    // Boost opens a pidfd for the handle it returns, after the child was
    // started; kernels before 5.3 (and valgrind) have no pidfd_open, and it
    // throws. The child is running all the same, and we do not need the
    // pidfd: carry on with the pid.
    pid = launcher.pid;
  }
  if (ec || pid <= 0) {
    // The fork happened but exec failed: reap that child, or it stays a
    // zombie for the rest of the run.
    if (launcher.pid > 0) {
      int status = 0;
      while (::waitpid(launcher.pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    return fail(ErrorCode::unavailable,
                fmt::format("cannot start command: {}",
                            ec ? ec.message() : std::string("launch failed")),
                spec.argv.front());
  }
  // Set the group from the parent too, so that signal_group works even if
  // the child has not reached its own setpgid yet.
  ::setpgid(pid, pid);
  return Child(pid);
}

bool
is_alive(pid_t pid)
{
  return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
}

Result<Pipe>
make_pipe()
{
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return fail(ErrorCode::internal,
                fmt::format("cannot create pipe: {}", std::strerror(errno)));
  }
  // A 1 MiB pipe (Linux's default limit for unprivileged processes) instead
  // of 64 KiB lets tap, tapline and target run on different cores without
  // waking each other every 64 KiB. Best effort: the default still works.
  ::fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
  return Pipe{fds[0], fds[1]};
}

} // namespace tapline::process
