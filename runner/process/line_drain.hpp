// runner/process/line_drain.hpp
#pragma once

// Reads a child's output pipe on its own thread until end of file and hands
// each line to a callback. Used for stderr of taps and targets and for the
// target's stdout: draining each pipe independently is what keeps a child
// that floods one stream from blocking while tapline waits on another.
//
// Memory is bounded: a line longer than `max_line` is cut (the rest of it is
// skipped) and the callback sees the first `max_line` bytes.

#include <functional>
#include <string_view>
#include <thread>

namespace tapline::process {

class LineDrain
{
public:
  using Callback = std::function<void(std::string_view line)>;

  // Takes ownership of `fd`; starts the thread at once.
  LineDrain(int fd, std::size_t max_line, Callback on_line);
  LineDrain(const LineDrain&) = delete;
  LineDrain& operator=(const LineDrain&) = delete;
  ~LineDrain(); // joins

  // Wait until the pipe reached end of file and every line was delivered.
  void join();

private:
  void run();

  int m_fd;
  std::size_t m_max_line;
  Callback m_on_line;
  std::thread m_thread;
};

} // namespace tapline::process
