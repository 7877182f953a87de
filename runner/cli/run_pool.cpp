// runner/cli/run_pool.cpp
#include <runner/cli/run_pool.hpp>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <system_error>

namespace tapline::cli {

namespace {

// The tapline binary itself, so the runs are the same version as the
// scheduler whatever PATH says.
std::filesystem::path
self_path()
{
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path("tapline") : path;
}

// The last 4 KiB written to `fd`, from its first whole line.
std::string
tail_of(int fd)
{
  constexpr off_t k_tail = 4096;
  if (fd < 0) {
    return {};
  }
  const off_t size = ::lseek(fd, 0, SEEK_END);
  if (size <= 0) {
    return {};
  }
  const off_t from = std::max<off_t>(0, size - k_tail);
  std::string text(static_cast<std::size_t>(size - from), '\0');
  const ssize_t got = ::pread(fd, text.data(), text.size(), from);
  text.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  if (from > 0) {
    const auto newline = text.find('\n');
    text.erase(0, newline == std::string::npos ? 0 : newline + 1);
  }
  while (!text.empty() && text.back() == '\n') {
    text.pop_back();
  }
  return text;
}

} // namespace

int
FinishedRun::exit_code() const
{
  return status.signal != 0 ? 70 : status.code;
}

RunPool::RunPool(std::filesystem::path config_file,
                 std::optional<std::string> now,
                 ChildOutput output)
    : m_config_file(std::move(config_file)), m_now(std::move(now)),
      m_output(output), m_self(self_path())
{
}

Result<pid_t>
RunPool::start(const std::string& integration)
{
  process::SpawnSpec spec;
  spec.argv = {m_self.string(),
               "--config",
               m_config_file.string(),
               "run",
               integration,
               "--scheduled"};
  if (m_now) {
    spec.argv.insert(spec.argv.end(), {"--now", *m_now});
  }
  util::UniqueFd output;
  if (m_output == ChildOutput::capture) {
    // An anonymous file rather than a pipe: nothing has to drain it while
    // the run goes, and it vanishes with its descriptor.
    output = util::UniqueFd(::open(m_config_file.parent_path().c_str(),
                                   O_TMPFILE | O_RDWR | O_CLOEXEC,
                                   0600));
    if (!output.valid()) {
      output =
          util::UniqueFd(::open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    }
  }
  if (output.valid()) {
    spec.stdout_fd = output.get();
    spec.stderr_fd = output.get();
  } else {
    spec.stdout_fd =
        m_output == ChildOutput::inherit ? STDOUT_FILENO : STDERR_FILENO;
    spec.stderr_fd = STDERR_FILENO;
  }
  // If the scheduler is killed outright, its runs still halt cleanly.
  spec.die_with_parent = process::DieWithParent::terminate;
  TRY_ASSIGN(auto child, process::spawn(spec));
  const pid_t pid = child.pid();
  m_runs.push_back(Run{integration,
                       std::move(child),
                       std::chrono::steady_clock::now(),
                       std::move(output)});
  return pid;
}

bool
RunPool::running(const std::string& integration) const
{
  return std::ranges::any_of(
      m_runs, [&](const Run& run) { return run.integration == integration; });
}

std::vector<FinishedRun>
RunPool::reap()
{
  std::vector<FinishedRun> finished;
  for (auto it = m_runs.begin(); it != m_runs.end();) {
    if (auto status = it->child.try_wait()) {
      finished.push_back(
          FinishedRun{it->integration,
                      it->child.pid(),
                      *status,
                      std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - it->started),
                      tail_of(it->output.get())});
      it = m_runs.erase(it);
    } else {
      ++it;
    }
  }
  return finished;
}

void
RunPool::signal_all(int signal) const
{
  for (const auto& run : m_runs) {
    run.child.signal_group(signal);
  }
}

std::vector<state::RunEntry>
runs_started_by(state::StateStore& store,
                const std::string& integration,
                pid_t pid)
{
  std::vector<state::RunEntry> mine;
  auto recent = store.runs(integration, 20);
  if (!recent) {
    return mine;
  }
  for (auto it = recent->rbegin(); it != recent->rend(); ++it) {
    if (it->pid && *it->pid == pid) {
      mine.push_back(*it);
    }
  }
  return mine;
}

void
wait_for_signal(std::initializer_list<int> fds,
                std::chrono::milliseconds timeout)
{
  std::vector<pollfd> polled;
  for (const int fd : fds) {
    if (fd >= 0) {
      polled.push_back(pollfd{fd, POLLIN, 0});
    }
  }
  const int ready =
      ::poll(polled.data(),
             polled.size(),
             static_cast<int>(std::max<long long>(timeout.count(), 0)));
  if (ready <= 0) {
    return;
  }
  for (const auto& fd : polled) {
    if ((fd.revents & POLLIN) != 0) {
      char drain[64];
      while (::read(fd.fd, drain, sizeof drain) > 0) {
      }
    }
  }
}

} // namespace tapline::cli
