// runner/process/child.hpp
#pragma once

// Starts a child process from an argv vector (never through a shell) in its
// own process group, with the given file descriptors as its stdin, stdout
// and stderr and every other descriptor closed. The group lets tapline stop
// the whole tree a tap may have started (a Python tap with worker
// processes, a shell wrapper) with one signal.
//
// A Child that is destroyed while still running gets its group killed and
// reaped, so no path leaves a zombie or an orphan behind.

#include <runner/util/result.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace tapline::process {

struct ExitStatus
{
  int code = 0;   // exit code when the child exited normally
  int signal = 0; // the signal that killed it, or 0

  [[nodiscard]] bool
  success() const
  {
    return signal == 0 && code == 0;
  }
  // "exited with code 3" / "was killed by signal 9 (Killed)"
  [[nodiscard]] std::string describe() const;
};

// yes: SIGKILL; terminate: SIGTERM, for a child that halts cleanly on it
// (a tapline run started by the scheduler).
enum class DieWithParent { yes, terminate, no };

struct SpawnSpec
{
  std::vector<std::string>
      argv; // argv[0] is looked up on PATH if it has no '/'
  std::map<std::string, std::string> env; // added to (or replacing) ours
  std::filesystem::path cwd;              // empty: inherit
  int stdin_fd = -1;                      // -1: /dev/null
  int stdout_fd = -1;
  int stderr_fd = -1;
  // Kill the child if tapline dies (kill -9): a tap must not keep running
  // against an API with nobody reading it.
  DieWithParent die_with_parent = DieWithParent::no;
};

class Child
{
public:
  Child() = default;
  explicit Child(pid_t pid) : m_pid(pid) {}
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();

  [[nodiscard]] pid_t
  pid() const
  {
    return m_pid;
  }
  [[nodiscard]] bool
  running() const
  {
    return m_pid > 0 && !m_status;
  }

  // Send `signal` to the child's whole process group.
  void signal_group(int signal) const;

  // Block until the child exits and reap it.
  ExitStatus wait();

  // Reap the child if it has exited, without blocking.
  std::optional<ExitStatus> try_wait();

  // SIGTERM to the group, then SIGKILL after `grace`; reaps the child.
  ExitStatus terminate(std::chrono::milliseconds grace);

  [[nodiscard]] const std::optional<ExitStatus>&
  status() const
  {
    return m_status;
  }

private:
  pid_t m_pid = -1;
  std::optional<ExitStatus> m_status;
};

// Errors: `unavailable` when the program cannot be found or executed, with
// the program in `where`.
[[nodiscard]] Result<Child> spawn(const SpawnSpec& spec);

// Whether process `pid` exists (it may belong to another user).
[[nodiscard]] bool is_alive(pid_t pid);

// A pipe whose ends are close-on-exec (the child gets dup2'ed copies).
struct Pipe
{
  int read_fd = -1;
  int write_fd = -1;
};
[[nodiscard]] Result<Pipe> make_pipe();

} // namespace tapline::process
