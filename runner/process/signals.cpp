// runner/process/signals.cpp
#include <runner/process/signals.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <csignal>

namespace tapline::process {

namespace {

// Signal handlers can reach only globals; these two are set once and read
// from the watchdog thread.
std::atomic<int> g_stop_signal{0};
std::atomic<int> g_stop_count{0};
int g_pipe_write = -1;
int g_pipe_read = -1;
std::atomic<bool> g_reload_requested{false};
int g_reload_write = -1;
int g_reload_read = -1;

void
on_stop_signal(int signal)
{
  g_stop_signal.store(signal);
  g_stop_count.fetch_add(1);
  if (g_pipe_write >= 0) {
    const char byte = 1;
    [[maybe_unused]] const auto ignored = ::write(g_pipe_write, &byte, 1);
  }
}

void
on_reload_signal(int)
{
  g_reload_requested.store(true);
  if (g_reload_write >= 0) {
    const char byte = 1;
    [[maybe_unused]] const auto ignored = ::write(g_reload_write, &byte, 1);
  }
}

} // namespace

int
install_reload_signal_handler()
{
  if (g_reload_read >= 0) {
    return g_reload_read;
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    return -1;
  }
  g_reload_read = fds[0];
  g_reload_write = fds[1];
  struct sigaction action = {};
  action.sa_handler = on_reload_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGHUP, &action, nullptr);
  return g_reload_read;
}

bool
take_reload_request()
{
  if (g_reload_read >= 0) {
    char drain[64];
    while (::read(g_reload_read, drain, sizeof drain) > 0) {
    }
  }
  return g_reload_requested.exchange(false);
}

int
install_stop_signal_handlers()
{
  if (g_pipe_read >= 0) {
    return g_pipe_read;
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    return -1;
  }
  g_pipe_read = fds[0];
  g_pipe_write = fds[1];
  struct sigaction action = {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  return g_pipe_read;
}

int
stop_signal()
{
  return g_stop_signal.load();
}

} // namespace tapline::process

namespace tapline::process {

int
stop_signal_count()
{
  return g_stop_count.load();
}

} // namespace tapline::process
