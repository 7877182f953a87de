// taps/synthetic/output_buffer.hpp
#pragma once

// The tap's stdout: one large buffer drained with write(2), so the hot path
// is memcpy and the kernel sees few, big writes. A reader that goes away
// (EPIPE) ends the process quietly, as a Singer tap piped into a target
// should. Also a helper that writes one whole line to stderr.

#include <cstddef>
#include <memory>
#include <string_view>

namespace tapline::synthetic {

class OutputBuffer
{
public:
  static constexpr std::size_t k_default_capacity = std::size_t{1} << 20;

  explicit OutputBuffer(int fd, std::size_t capacity = k_default_capacity);

  // A cursor with at least `bytes` free behind it. Write through it, then
  // hand the end to `commit`.
  [[nodiscard]] char*
  reserve(std::size_t bytes)
  {
    if (m_capacity - m_size < bytes) {
      make_room(bytes);
    }
    return m_data.get() + m_size;
  }

  void
  commit(char* end)
  {
    m_size = static_cast<std::size_t>(end - m_data.get());
  }

  void append(std::string_view text);

  // `count` copies of `fill`, written in buffer-sized chunks so a 100 MB
  // field never needs a 100 MB buffer.
  void append_fill(char fill, std::size_t count);

  // Drain the buffer. Call before sleeping, blocking or exiting so the
  // reader sees everything emitted so far.
  void flush();

private:
  void make_room(std::size_t bytes);
  void write_all(const char* data, std::size_t size);

  int m_fd;
  std::size_t m_capacity;
  std::size_t m_size = 0;
  std::unique_ptr<char[]> m_data;
};

// Write `line` and a newline to stderr in a single write(2), so lines from
// the tap do not interleave with anything else written to the same pipe.
void write_stderr_line(std::string_view line);

} // namespace tapline::synthetic
