// runner/process/line_drain.cpp
#include <runner/process/line_drain.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace tapline::process {

LineDrain::LineDrain(int fd, std::size_t max_line, Callback on_line)
    : m_fd(fd), m_max_line(max_line), m_on_line(std::move(on_line)),
      m_thread([this] { run(); })
{
}

LineDrain::~LineDrain() { join(); }

void
LineDrain::join()
{
  if (m_thread.joinable()) {
    m_thread.join();
  }
}

void
LineDrain::run()
{
  std::vector<char> chunk(64 * 1024);
  std::string line;
  bool skipping = false; // inside a line that was already cut
  for (;;) {
    const ssize_t got = ::read(m_fd, chunk.data(), chunk.size());
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      break;
    }
    std::string_view data(chunk.data(), static_cast<std::size_t>(got));
    while (!data.empty()) {
      const auto newline = data.find('\n');
      const auto piece = data.substr(0, newline);
      if (!skipping) {
        line.append(piece.substr(0, m_max_line - line.size()));
      }
      if (newline == std::string_view::npos) {
        if (!skipping && line.size() >= m_max_line) {
          m_on_line(line);
          line.clear();
          skipping = true;
        }
        break;
      }
      if (!skipping) {
        if (!line.empty() && line.back() == '\r') {
          line.pop_back();
        }
        m_on_line(line);
      }
      line.clear();
      skipping = false;
      data.remove_prefix(newline + 1);
    }
  }
  if (!line.empty()) {
    m_on_line(line);
  }
  ::close(m_fd);
}

} // namespace tapline::process
