// runner/singer/line_reader.hpp
#pragma once

// Splits a byte stream (a tap's stdout) into lines without copying them:
// lines are views into one buffer that always keeps SIMDJSON_PADDING spare
// bytes after the data, so the message reader can parse a line in place.
//
// The buffer grows only to hold one line that is longer than it (up to
// `max_line_bytes`) and shrinks back afterwards, so memory stays bounded by
// the longest line, not by the stream. Lines handed out since the last
// `take_block()` are contiguous, which lets the caller forward them to a
// target in one write, byte for byte as read.

#include <runner/util/result.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

namespace tapline::singer {

struct Line
{
  std::string_view text; // without the trailing newline
  std::size_t capacity;  // bytes readable from text.data() (>= padding)
  std::uint64_t number;  // 1-based
};

class LineReader
{
public:
  static constexpr std::size_t k_default_capacity = std::size_t{1} << 20;

  LineReader(int fd, std::size_t max_line_bytes);

  // Read more bytes from the fd. Returns the number read; 0 means end of
  // stream. Call only when next_line() returned nothing, and after
  // take_block(): filling may move the buffered bytes.
  [[nodiscard]] Result<std::size_t> fill();

  // The next complete line, if one is buffered. At end of stream a final
  // line without newline is returned too. Fails with `invalid_data` when a
  // line exceeds `max_line_bytes`.
  [[nodiscard]] Result<std::optional<Line>> next_line();

  // The bytes of all lines handed out since the previous call, newlines
  // included, exactly as read.
  [[nodiscard]] std::string_view take_block();

  [[nodiscard]] std::uint64_t
  bytes_read() const
  {
    return m_bytes_read;
  }
  [[nodiscard]] std::uint64_t
  line_count() const
  {
    return m_line_number;
  }
  [[nodiscard]] std::size_t
  capacity() const
  {
    return m_capacity;
  }

private:
  void make_room();

  int m_fd;
  std::size_t m_max_line_bytes;
  std::unique_ptr<char[]> m_buffer;
  std::size_t m_capacity = 0; // usable bytes, padding not included
  std::size_t m_begin = 0;    // first byte of the current (partial) line
  std::size_t m_scan = 0;     // where the newline search resumes
  std::size_t m_end = 0;      // one past the last buffered byte
  std::size_t m_block_begin = 0;
  std::uint64_t m_line_number = 0;
  std::uint64_t m_bytes_read = 0;
  bool m_eof = false;
};

} // namespace tapline::singer
