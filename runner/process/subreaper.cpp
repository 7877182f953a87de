// runner/process/subreaper.cpp
#include <runner/process/subreaper.hpp>

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <system_error>

namespace tapline::process {

namespace {

// The parent pid from /proc/PID/stat ("pid (comm) state ppid ..."); comm
// may contain spaces and parentheses, so parse after the last ')'.
pid_t
parent_of(const std::filesystem::path& stat_path)
{
  std::ifstream in(stat_path);
  std::string text;
  std::getline(in, text);
  const auto close = text.rfind(')');
  if (close == std::string::npos || close + 4 >= text.size()) {
    return -1;
  }
  return static_cast<pid_t>(std::strtol(text.c_str() + close + 4, nullptr, 10));
}

} // namespace

void
become_subreaper()
{
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
}

int
reap_strays()
{
  const pid_t self = ::getpid();
  int found = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    if (name.empty() ||
        name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    const auto pid = static_cast<pid_t>(std::strtol(name.c_str(), nullptr, 10));
    if (parent_of(entry.path() / "stat") != self) {
      continue;
    }
    ++found;
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  // Anything that died between the scan and now.
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    ++found;
  }
  return found;
}

} // namespace tapline::process
