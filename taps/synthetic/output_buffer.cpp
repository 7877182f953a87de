// taps/synthetic/output_buffer.cpp
// Buffered stdout for the tap and whole-line stderr writes. See the header.

#include "output_buffer.hpp"

#include <fmt/format.h>

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace tapline::synthetic {

OutputBuffer::OutputBuffer(int fd, std::size_t capacity)
    : m_fd(fd), m_capacity(capacity),
      m_data(std::make_unique_for_overwrite<char[]>(capacity))
{
}

void
OutputBuffer::append(std::string_view text)
{
  while (!text.empty()) {
    char* cursor = reserve(1);
    const std::size_t chunk = std::min(text.size(), m_capacity - m_size);
    std::memcpy(cursor, text.data(), chunk);
    commit(cursor + chunk);
    text.remove_prefix(chunk);
  }
}

void
OutputBuffer::append_fill(char fill, std::size_t count)
{
  while (count > 0) {
    char* cursor = reserve(1);
    const std::size_t chunk = std::min(count, m_capacity - m_size);
    std::memset(cursor, fill, chunk);
    commit(cursor + chunk);
    count -= chunk;
  }
}

void
OutputBuffer::flush()
{
  write_all(m_data.get(), m_size);
  m_size = 0;
}

void
OutputBuffer::make_room(std::size_t bytes)
{
  flush();
  if (bytes <= m_capacity) {
    return;
  }
  // Only a very long stream name gets here; the buffer never shrinks again.
  m_capacity = bytes;
  m_data = std::make_unique_for_overwrite<char[]>(m_capacity);
}

void
OutputBuffer::write_all(const char* data, std::size_t size)
{
  while (size > 0) {
    const ssize_t written = ::write(m_fd, data, size);
    if (written >= 0) {
      data += written;
      size -= static_cast<std::size_t>(written);
      continue;
    }
    if (errno == EINTR) {
      continue;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      // A parent may have left the pipe non-blocking; wait instead of
      // spinning.
      pollfd waiter{m_fd, POLLOUT, 0};
      ::poll(&waiter, 1, -1);
      continue;
    }
    if (errno == EPIPE) {
      // The reader is gone: nobody is left to tell, so stop quietly.
      std::_Exit(0);
    }
    write_stderr_line(fmt::format("tap-synthetic: cannot write to stdout: {}",
                                  std::strerror(errno)));
    std::_Exit(1);
  }
}

void
write_stderr_line(std::string_view line)
{
  std::string whole;
  whole.reserve(line.size() + 1);
  whole.append(line);
  whole.push_back('\n');
  const char* data = whole.data();
  std::size_t size = whole.size();
  while (size > 0) {
    const ssize_t written = ::write(STDERR_FILENO, data, size);
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      return; // stderr is best effort: there is nowhere to report its failure
    }
    data += written;
    size -= static_cast<std::size_t>(written);
  }
}

} // namespace tapline::synthetic
