// runner/singer/line_reader.cpp
#include <runner/singer/line_reader.hpp>

#include <fmt/format.h>
#include <simdjson.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tapline::singer {

namespace {

std::unique_ptr<char[]>
allocate(std::size_t capacity)
{
  // Value-initialised once; the padding must be readable, its content does
  // not matter to simdjson.
  return std::unique_ptr<char[]>(
      new char[capacity + simdjson::SIMDJSON_PADDING]());
}

} // namespace

LineReader::LineReader(int fd, std::size_t max_line_bytes)
    : m_fd(fd), m_max_line_bytes(max_line_bytes),
      m_buffer(allocate(k_default_capacity)), m_capacity(k_default_capacity)
{
}

void
LineReader::make_room()
{
  const std::size_t partial = m_end - m_begin;
  // A line longer than the buffer: grow (to at most the limit plus one byte,
  // which is enough to notice that the limit was exceeded).
  std::size_t wanted = k_default_capacity;
  while (wanted < partial + k_default_capacity / 4 &&
         wanted <= m_max_line_bytes) {
    wanted *= 2;
  }
  if (wanted != m_capacity) {
    auto bigger = allocate(wanted);
    std::memcpy(bigger.get(), m_buffer.get() + m_begin, partial);
    m_buffer = std::move(bigger);
    m_capacity = wanted;
  } else if (m_begin > 0) {
    std::memmove(m_buffer.get(), m_buffer.get() + m_begin, partial);
  }
  m_scan -= m_begin;
  m_end = partial;
  m_begin = 0;
  m_block_begin = 0;
}

Result<std::size_t>
LineReader::fill()
{
  if (m_eof) {
    return 0;
  }
  if (m_begin > 0 || m_end == m_capacity ||
      (m_capacity > k_default_capacity &&
       m_end - m_begin < k_default_capacity / 2)) {
    make_room();
  }
  for (;;) {
    const ssize_t got =
        ::read(m_fd, m_buffer.get() + m_end, m_capacity - m_end);
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail(
          ErrorCode::internal,
          fmt::format("cannot read tap output: {}", std::strerror(errno)));
    }
    if (got == 0) {
      m_eof = true;
    }
    m_end += static_cast<std::size_t>(got);
    m_bytes_read += static_cast<std::uint64_t>(got);
    return static_cast<std::size_t>(got);
  }
}

Result<std::optional<Line>>
LineReader::next_line()
{
  char* const base = m_buffer.get();
  const void* newline = std::memchr(base + m_scan, '\n', m_end - m_scan);
  std::size_t line_end = 0;
  std::size_t next_begin = 0;
  if (newline != nullptr) {
    line_end =
        static_cast<std::size_t>(static_cast<const char*>(newline) - base);
    next_begin = line_end + 1;
  } else if (m_eof && m_end > m_begin) {
    line_end = m_end;
    next_begin = m_end;
  } else {
    m_scan = m_end;
    if (m_end - m_begin > m_max_line_bytes) {
      return fail(ErrorCode::invalid_data,
                  fmt::format("line is longer than max_line_bytes ({} bytes)",
                              m_max_line_bytes),
                  fmt::format("tap stdout line {}", m_line_number + 1));
    }
    return std::nullopt;
  }
  const std::size_t length = line_end - m_begin;
  if (length > m_max_line_bytes) {
    return fail(ErrorCode::invalid_data,
                fmt::format("line is longer than max_line_bytes ({} bytes)",
                            m_max_line_bytes),
                fmt::format("tap stdout line {}", m_line_number + 1));
  }
  Line line{std::string_view(base + m_begin, length),
            m_capacity + simdjson::SIMDJSON_PADDING - m_begin,
            ++m_line_number};
  m_begin = next_begin;
  m_scan = next_begin;
  return line;
}

std::string_view
LineReader::take_block()
{
  std::string_view block(m_buffer.get() + m_block_begin,
                         m_begin - m_block_begin);
  m_block_begin = m_begin;
  return block;
}

} // namespace tapline::singer
