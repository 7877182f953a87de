// tests/unit/singer/line_reader_test.cpp
//
// LineReader over a real pipe: the input is written by a thread (or into the
// pipe up front when it is small), and the reader is driven the way the pump
// drives it: next_line() until nothing, take_block(), fill(). Checks the
// split at every possible read boundary, that the blocks reproduce the input
// byte for byte, the padding promise, growth and shrink for a long line and
// the max_line_bytes error.

#include <runner/singer/line_reader.hpp>

#include <doctest/doctest.h>
#include <simdjson.h>

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <sys/ioctl.h>
#include <tests/unit/test_support.hpp>
#include <thread>
#include <vector>

namespace {

using tapline::test::error_text;

using tapline::ErrorCode;
using tapline::singer::LineReader;

constexpr std::size_t k_default_limit = std::size_t{64} << 20; // 64 MiB

// Both ends of a pipe, closed on destruction.
struct PipeFds
{
  int read_fd = -1;
  int write_fd = -1;

  PipeFds()
  {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    read_fd = fds[0];
    write_fd = fds[1];
  }
  PipeFds(const PipeFds&) = delete;
  PipeFds& operator=(const PipeFds&) = delete;
  ~PipeFds()
  {
    close_read();
    close_write();
  }

  void
  close_read()
  {
    if (read_fd >= 0) {
      ::close(read_fd);
      read_fd = -1;
    }
  }
  void
  close_write()
  {
    if (write_fd >= 0) {
      ::close(write_fd);
      write_fd = -1;
    }
  }
};

// Write all of `data` in one go; for inputs that fit the pipe's buffer.
void
write_all(int fd, std::string_view data)
{
  while (!data.empty()) {
    const ssize_t wrote = ::write(fd, data.data(), data.size());
    REQUIRE(wrote > 0);
    data.remove_prefix(static_cast<std::size_t>(wrote));
  }
}

enum class Pace {
  free,        // write() as fast as the pipe takes it
  byte_by_byte // one byte per write, each after the reader emptied the pipe
};

// Writes `data` into a pipe from a thread, `chunk` bytes per write(), then
// closes the write end. With Pace::byte_by_byte every read() the reader makes
// returns exactly one byte.
class Feeder
{
public:
  Feeder(std::string data, std::size_t chunk, Pace pace = Pace::free)
      : m_data(std::move(data)), m_chunk(chunk), m_pace(pace),
        m_thread([this] { run(); })
  {
  }
  Feeder(const Feeder&) = delete;
  Feeder& operator=(const Feeder&) = delete;
  ~Feeder()
  {
    // A reader that stopped early: let the writer fail with EPIPE.
    m_stop = true;
    m_pipe.close_read();
    m_thread.join();
  }

  [[nodiscard]] int
  read_fd() const
  {
    return m_pipe.read_fd;
  }

private:
  void
  run()
  {
    // A write to a pipe whose reader is gone must not kill the test binary.
    sigset_t pipe_signal;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);

    std::string_view rest = m_data;
    while (!rest.empty() && !m_stop) {
      if (m_pace == Pace::byte_by_byte) {
        int queued = 1;
        while (!m_stop && ::ioctl(m_pipe.read_fd, FIONREAD, &queued) == 0 &&
               queued > 0) {
          std::this_thread::yield();
        }
      }
      const ssize_t wrote =
          ::write(m_pipe.write_fd, rest.data(), std::min(m_chunk, rest.size()));
      if (wrote < 0 && errno == EINTR) {
        continue;
      }
      if (wrote <= 0) {
        break;
      }
      rest.remove_prefix(static_cast<std::size_t>(wrote));
    }
    m_pipe.close_write();
  }

  std::string m_data;
  std::size_t m_chunk;
  Pace m_pace;
  std::atomic<bool> m_stop{false};
  PipeFds m_pipe;
  std::thread m_thread; // last: starts once everything else is set up
};

enum class Blocks {
  per_line, // take_block() after every line
  per_fill  // take_block() only before fill(), as the pump does
};

struct Collected
{
  std::vector<std::string> lines;
  std::vector<std::uint64_t> numbers;
  std::vector<std::string> blocks; // non-empty blocks, in order
  std::string all_blocks;          // their concatenation
  std::size_t fills = 0;           // fill() calls that returned bytes
  std::size_t max_capacity = 0;    // largest capacity() seen
  bool padded = true; // every line had >= SIMDJSON_PADDING spare bytes
  std::optional<tapline::Error> error;
};

// Drive `reader` to the end of its stream (or its first error).
Collected
read_all(LineReader& reader, Blocks blocks = Blocks::per_fill)
{
  Collected out;
  const auto take = [&] {
    const auto block = reader.take_block();
    if (!block.empty()) {
      out.blocks.emplace_back(block);
      out.all_blocks.append(block);
    }
  };
  bool eof = false;
  for (;;) {
    out.max_capacity = std::max(out.max_capacity, reader.capacity());
    auto next = reader.next_line();
    if (!next) {
      out.error = next.error();
      return out;
    }
    if (next->has_value()) {
      const auto& line = **next;
      out.lines.emplace_back(line.text);
      out.numbers.push_back(line.number);
      if (line.capacity < line.text.size() + simdjson::SIMDJSON_PADDING) {
        out.padded = false;
      } else {
        // The last promised byte must be readable (ASan would object).
        const volatile char last = line.text.data()[line.capacity - 1];
        (void)last;
      }
      if (blocks == Blocks::per_line) {
        take();
      }
      continue;
    }
    take();
    if (eof) {
      return out;
    }
    auto got = reader.fill();
    REQUIRE_MESSAGE(got.has_value(), error_text(got));
    if (*got == 0) {
      eof = true; // one more round for a final line without newline
    } else {
      ++out.fills;
    }
  }
}

Collected
read_through_pipe(std::string input,
                  std::size_t chunk,
                  Pace pace = Pace::free,
                  Blocks blocks = Blocks::per_fill,
                  std::size_t max_line_bytes = k_default_limit)
{
  Feeder feeder(std::move(input), chunk, pace);
  LineReader reader(feeder.read_fd(), max_line_bytes);
  auto collected = read_all(reader, blocks);
  if (!collected.error) {
    CHECK(reader.line_count() == collected.lines.size());
  }
  return collected;
}

// Lines of varied length (0 to ~3000 bytes, some empty) and varied content,
// the last one without newline. About `approx_bytes` in total.
std::string
varied_input(std::size_t approx_bytes, std::vector<std::string>& lines)
{
  std::string input;
  for (std::size_t index = 0; input.size() < approx_bytes; ++index) {
    const std::size_t length = (index * 7919) % 3001;
    std::string line;
    line.reserve(length);
    for (std::size_t pos = 0; pos < length; ++pos) {
      // Printable bytes, a NUL and a '\r' now and then, never '\n'.
      line.push_back(static_cast<char>(
          (pos * 31 + index) % 97 == 0 ? '\0' : ' ' + (pos + index) % 94));
    }
    if (index % 13 == 0) {
      line += '\r';
    }
    input += line;
    input += '\n';
    lines.push_back(std::move(line));
  }
  input += "last line without newline";
  lines.emplace_back("last line without newline");
  return input;
}

std::vector<std::uint64_t>
one_to(std::size_t count)
{
  std::vector<std::uint64_t> numbers(count);
  for (std::size_t index = 0; index < count; ++index) {
    numbers[index] = index + 1;
  }
  return numbers;
}

} // namespace

TEST_SUITE("singer::LineReader")
{
  TEST_CASE("next_line: lines are split correctly when every read is one byte")
  {
    const std::string input =
        "{\"a\":1}\n\nsecond line\r\n\n\nx\n{\"tail\":true}";
    const auto collected =
        read_through_pipe(input, 1, Pace::byte_by_byte, Blocks::per_line);

    REQUIRE_FALSE(collected.error.has_value());
    // Every read returned one byte, so lines were split at every boundary.
    CHECK(collected.fills == input.size());
    CHECK(
        collected.lines ==
        std::vector<std::string>{
            "{\"a\":1}", "", "second line\r", "", "", "x", "{\"tail\":true}"});
    CHECK(collected.numbers == one_to(7));
    CHECK(collected.blocks == std::vector<std::string>{"{\"a\":1}\n",
                                                       "\n",
                                                       "second line\r\n",
                                                       "\n",
                                                       "\n",
                                                       "x\n",
                                                       "{\"tail\":true}"});
    CHECK(collected.all_blocks == input);
    CHECK(collected.padded);
  }

  TEST_CASE("next_line: lines are split correctly across big reads")
  {
    std::vector<std::string> expected;
    const std::string input = varied_input(std::size_t{5} << 20, expected);
    std::size_t chunk = 0;
    SUBCASE("writes of 1 MiB") { chunk = std::size_t{1} << 20; }
    SUBCASE("writes of 4 MiB") { chunk = std::size_t{4} << 20; }
    SUBCASE("writes of 65537 bytes") { chunk = 65537; }
    SUBCASE("writes of 4093 bytes") { chunk = 4093; }
    SUBCASE("writes of 7 bytes") { chunk = 7; }
    CAPTURE(chunk);

    const auto collected = read_through_pipe(input, chunk);

    REQUIRE_FALSE(collected.error.has_value());
    REQUIRE(collected.lines.size() == expected.size());
    CHECK(collected.lines == expected);
    CHECK(collected.numbers == one_to(expected.size()));
    // Concatenating all blocks gives back the input byte for byte.
    CHECK(collected.all_blocks.size() == input.size());
    CHECK(collected.all_blocks == input);
    CHECK(collected.padded);
    // Lines up to ~3000 bytes never need more than the default buffer.
    CHECK(collected.max_capacity == LineReader::k_default_capacity);
  }

  TEST_CASE("next_line: the final line without newline is returned at end of "
            "stream")
  {
    std::string input;
    std::vector<std::string> expected;
    SUBCASE("a single line without newline")
    {
      input = "abc";
      expected = {"abc"};
    }
    SUBCASE("a complete line, then one without newline")
    {
      input = "a\nb";
      expected = {"a", "b"};
    }
    SUBCASE("a trailing newline adds no empty line")
    {
      input = "a\nb\n";
      expected = {"a", "b"};
    }
    SUBCASE("an empty stream has no lines")
    {
      input = "";
      expected = {};
    }
    SUBCASE("a final line of only whitespace is still a line")
    {
      input = "a\n  ";
      expected = {"a", "  "};
    }
    CAPTURE(input);

    PipeFds pipe;
    write_all(pipe.write_fd, input);
    pipe.close_write();
    LineReader reader(pipe.read_fd, k_default_limit);
    const auto collected = read_all(reader);

    REQUIRE_FALSE(collected.error.has_value());
    CHECK(collected.lines == expected);
    CHECK(collected.all_blocks == input);
    CHECK(reader.bytes_read() == input.size());
    CHECK(reader.line_count() == expected.size());
    CHECK(collected.padded);
    // At end of stream there is nothing more, however often one asks.
    const auto again = reader.next_line();
    REQUIRE(again.has_value());
    CHECK_FALSE(again->has_value());
    const auto refill = reader.fill();
    REQUIRE(refill.has_value());
    CHECK(*refill == 0);
  }

  TEST_CASE("next_line: empty lines are returned as empty text")
  {
    const std::string input = "\n\n\nx\n\n";
    PipeFds pipe;
    write_all(pipe.write_fd, input);
    pipe.close_write();
    LineReader reader(pipe.read_fd, k_default_limit);
    const auto collected = read_all(reader, Blocks::per_line);

    REQUIRE_FALSE(collected.error.has_value());
    CHECK(collected.lines == std::vector<std::string>{"", "", "", "x", ""});
    CHECK(collected.numbers == one_to(5));
    CHECK(collected.blocks ==
          std::vector<std::string>{"\n", "\n", "\n", "x\n", "\n"});
    CHECK(collected.padded);
  }

  TEST_CASE("next_line: a line is not handed out before its newline arrives")
  {
    PipeFds pipe;
    LineReader reader(pipe.read_fd, k_default_limit);
    write_all(pipe.write_fd, "partial");
    REQUIRE(reader.fill().value() == 7);
    auto next = reader.next_line();
    REQUIRE(next.has_value());
    CHECK_FALSE(next->has_value());
    CHECK(reader.take_block().empty());

    write_all(pipe.write_fd, " line\nnext");
    REQUIRE(reader.fill().value() == 10);
    next = reader.next_line();
    REQUIRE(next.has_value());
    REQUIRE(next->has_value());
    CHECK((*next)->text == "partial line");
    CHECK((*next)->number == 1);
    CHECK(reader.take_block() == "partial line\n");
    next = reader.next_line();
    REQUIRE(next.has_value());
    CHECK_FALSE(next->has_value()); // "next" is still open
    CHECK(reader.bytes_read() == 17);
  }

  TEST_CASE("take_block: the blocks reproduce the input byte for byte")
  {
    // NUL bytes, '\r\n', invalid UTF-8 and empty lines are passed through.
    using namespace std::string_literals;
    std::string input = "a\0b\r\n\n\xff\xfe\xc0\n{\"k\":\"\xe2\x82\xac\"}\n\r"s;
    input += std::string(3000, 'z') + "\n" + "end";
    Blocks blocks = Blocks::per_fill;
    SUBCASE("one block per fill") { blocks = Blocks::per_fill; }
    SUBCASE("one block per line") { blocks = Blocks::per_line; }
    Pace pace = Pace::free;
    std::size_t chunk = 1;
    SUBCASE("one byte per read")
    {
      pace = Pace::byte_by_byte;
      chunk = 1;
    }
    SUBCASE("one read for everything")
    {
      pace = Pace::free;
      chunk = input.size();
    }

    const auto collected = read_through_pipe(input, chunk, pace, blocks);

    REQUIRE_FALSE(collected.error.has_value());
    CHECK(collected.all_blocks == input);
    REQUIRE(collected.lines.size() == 6);
    CHECK(collected.lines[0] == "a\0b\r"s);
    CHECK(collected.lines[2] == "\xff\xfe\xc0");
    CHECK(collected.lines[4] == "\r" + std::string(3000, 'z'));
    CHECK(collected.lines[5] == "end");
    if (blocks == Blocks::per_line) {
      // Each block is exactly one line plus its newline.
      REQUIRE(collected.blocks.size() == collected.lines.size());
      for (std::size_t index = 0; index + 1 < collected.lines.size(); ++index) {
        CHECK(collected.blocks[index] == collected.lines[index] + "\n");
      }
      CHECK(collected.blocks.back() == "end");
    }
  }

  TEST_CASE("take_block: nothing handed out, nothing taken")
  {
    PipeFds pipe;
    write_all(pipe.write_fd, "one\ntwo\n");
    pipe.close_write();
    LineReader reader(pipe.read_fd, k_default_limit);
    CHECK(reader.take_block().empty());
    REQUIRE(reader.fill().value() == 8);
    CHECK(reader.take_block().empty()); // read but not handed out yet
    REQUIRE(reader.next_line().value().has_value());
    CHECK(reader.take_block() == "one\n");
    CHECK(reader.take_block().empty());
    REQUIRE(reader.next_line().value().has_value());
    CHECK(reader.take_block() == "two\n");
  }

  TEST_CASE("next_line: a 5 MB line passes with the default limit and the "
            "buffer shrinks back afterwards")
  {
    std::string big(std::size_t{5} * 1000 * 1000, 'x');
    for (std::size_t pos = 0; pos < big.size(); pos += 4099) {
      big[pos] = static_cast<char>('a' + pos % 26);
    }
    std::string input = "{\"before\":1}\n" + big + "\n";
    for (int index = 0; index < 2000; ++index) {
      input += "{\"after\":" + std::to_string(index) + "}\n";
    }
    std::size_t chunk = 0;
    SUBCASE("writes of 64 KiB") { chunk = std::size_t{64} << 10; }
    SUBCASE("one write for everything") { chunk = input.size(); }

    Feeder feeder(input, chunk);
    LineReader reader(feeder.read_fd(), k_default_limit);
    CHECK(reader.capacity() == LineReader::k_default_capacity);
    const auto collected = read_all(reader);

    REQUIRE_FALSE(collected.error.has_value());
    REQUIRE(collected.lines.size() == 2002);
    CHECK(collected.lines[0] == "{\"before\":1}");
    CHECK(collected.lines[1].size() == big.size());
    CHECK(collected.lines[1] == big);
    CHECK(collected.lines[2001] == "{\"after\":1999}");
    CHECK(collected.all_blocks == input);
    CHECK(collected.padded);
    // Grown to hold the line, then back to the default size.
    CHECK(collected.max_capacity > big.size());
    CHECK(reader.capacity() == LineReader::k_default_capacity);
    CHECK(reader.bytes_read() == input.size());
  }

  TEST_CASE("next_line: a line longer than max_line_bytes is rejected")
  {
    SUBCASE("the whole line is buffered, newline included")
    {
      PipeFds pipe;
      write_all(pipe.write_fd, "short\n" + std::string(11, 'a') + "\nnext\n");
      pipe.close_write();
      LineReader reader(pipe.read_fd, 10);
      const auto collected = read_all(reader);

      CHECK(collected.lines == std::vector<std::string>{"short"});
      REQUIRE(collected.error.has_value());
      CHECK(collected.error->code == ErrorCode::invalid_data);
      CHECK(collected.error->where == "tap stdout line 2");
      CHECK(collected.error->message ==
            "line is longer than max_line_bytes (10 bytes)");
    }
    SUBCASE("a partial line already exceeds the limit")
    {
      // The write end stays open: the reader cannot wait for the newline.
      PipeFds pipe;
      write_all(pipe.write_fd, "one\ntwo\n" + std::string(20, 'b'));
      LineReader reader(pipe.read_fd, 10);
      REQUIRE(reader.fill().value() == 28);
      REQUIRE(reader.next_line().value().has_value());
      REQUIRE(reader.next_line().value().has_value());
      const auto next = reader.next_line();

      REQUIRE_FALSE(next.has_value());
      CHECK(next.error().code == ErrorCode::invalid_data);
      CHECK(next.error().where == "tap stdout line 3");
      CHECK(next.error().message ==
            "line is longer than max_line_bytes (10 bytes)");
    }
    SUBCASE("the final line without newline exceeds the limit")
    {
      PipeFds pipe;
      write_all(pipe.write_fd, std::string(11, 'c'));
      pipe.close_write();
      LineReader reader(pipe.read_fd, 10);
      const auto collected = read_all(reader);

      CHECK(collected.lines.empty());
      REQUIRE(collected.error.has_value());
      CHECK(collected.error->code == ErrorCode::invalid_data);
      CHECK(collected.error->where == "tap stdout line 1");
      CHECK(collected.error->message ==
            "line is longer than max_line_bytes (10 bytes)");
    }
    SUBCASE("a line longer than the buffer and the limit stops the growth")
    {
      const std::size_t limit = std::size_t{2} << 20;
      std::string input = "ok\n" + std::string(std::size_t{6} << 20, 'd');
      input += "\nnever\n";
      const auto collected = read_through_pipe(
          input, 1 << 16, Pace::free, Blocks::per_fill, limit);

      CHECK(collected.lines == std::vector<std::string>{"ok"});
      REQUIRE(collected.error.has_value());
      CHECK(collected.error->code == ErrorCode::invalid_data);
      CHECK(collected.error->where == "tap stdout line 2");
      CHECK(collected.error->message ==
            "line is longer than max_line_bytes (2097152 bytes)");
      // Never grown far past the limit to find out.
      CHECK(collected.max_capacity <= 2 * limit);
    }
  }

  TEST_CASE("next_line: a line of exactly max_line_bytes passes")
  {
    PipeFds pipe;
    write_all(pipe.write_fd,
              std::string(10, 'a') + "\n" + std::string(10, 'b'));
    pipe.close_write();
    LineReader reader(pipe.read_fd, 10);
    const auto collected = read_all(reader);

    REQUIRE_FALSE(collected.error.has_value());
    CHECK(collected.lines ==
          std::vector<std::string>{std::string(10, 'a'), std::string(10, 'b')});
  }

  TEST_CASE("next_line: every line has SIMDJSON_PADDING readable bytes after "
            "its text")
  {
    // A line that ends exactly at the end of the default buffer is the
    // tightest case: its padding is the buffer's spare bytes.
    const std::size_t size = LineReader::k_default_capacity;
    const std::string input = std::string(size - 1, 'p') + "\n" + "q";
    const auto collected = read_through_pipe(input, size);

    REQUIRE_FALSE(collected.error.has_value());
    REQUIRE(collected.lines.size() == 2);
    CHECK(collected.lines[0].size() == size - 1);
    CHECK(collected.lines[1] == "q");
    CHECK(collected.padded);
  }
}
