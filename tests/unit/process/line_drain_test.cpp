// tests/unit/process/line_drain_test.cpp
//
// LineDrain over a real pipe. The test writes the data itself and, where the
// read boundaries matter, waits until the drain has read everything written
// so far (FIONREAD on a duplicate of the read end) before writing more, so a
// line is split across two reads exactly where the test says.

#include <runner/process/child.hpp>
#include <runner/process/line_drain.hpp>

#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <sys/ioctl.h>
#include <tests/unit/test_support.hpp>
#include <thread>
#include <vector>

namespace {

using tapline::test::error_text;

using tapline::process::LineDrain;
using namespace std::chrono_literals;

class Harness
{
public:
  explicit Harness(std::size_t max_line)
  {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    m_write_fd = fds[1];
    m_watch_fd = ::dup(fds[0]);
    REQUIRE(m_watch_fd >= 0);
    m_drain = std::make_unique<LineDrain>(
        fds[0], max_line, [this](std::string_view line) {
          const std::lock_guard lock(m_mutex);
          m_lines.emplace_back(line);
        });
  }
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;
  ~Harness()
  {
    close_write();
    m_drain.reset();
    ::close(m_watch_fd);
  }

  // Write `data` and return once the drain has read all of it, so that the
  // next write() starts a new read. The drain reads while we write, so
  // `data` may exceed the pipe buffer.
  void
  write(std::string_view data)
  {
    while (!data.empty()) {
      const ssize_t wrote = ::write(m_write_fd, data.data(), data.size());
      REQUIRE(wrote > 0);
      data.remove_prefix(static_cast<std::size_t>(wrote));
    }
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    int queued = 1;
    while (::ioctl(m_watch_fd, FIONREAD, &queued) == 0 && queued > 0) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(1ms);
    }
  }

  // Close the write end, wait for the drain and return every line.
  std::vector<std::string>
  finish()
  {
    close_write();
    m_drain->join();
    const std::lock_guard lock(m_mutex);
    return m_lines;
  }

private:
  void
  close_write()
  {
    if (m_write_fd >= 0) {
      ::close(m_write_fd);
      m_write_fd = -1;
    }
  }

  int m_write_fd = -1;
  int m_watch_fd = -1;
  std::mutex m_mutex;
  std::vector<std::string> m_lines;
  std::unique_ptr<LineDrain> m_drain;
};

} // namespace

TEST_SUITE("process::LineDrain")
{
  TEST_CASE("lines are delivered in order")
  {
    Harness harness(100);
    harness.write("first\r\n\nthird\n  \nlast without newline");
    CHECK(harness.finish() ==
          std::vector<std::string>{
              "first", "", "third", "  ", "last without newline"});
  }

  TEST_CASE("a line split across reads is joined")
  {
    Harness harness(100);
    harness.write("abc");
    harness.write("def\r");
    harness.write("\nghi\n");
    CHECK(harness.finish() == std::vector<std::string>{"abcdef", "ghi"});
  }

  TEST_CASE("nothing written, nothing delivered")
  {
    Harness harness(100);
    CHECK(harness.finish().empty());
  }

  TEST_CASE("a line longer than max_line is cut and the following lines "
            "still arrive")
  {
    Harness harness(10);
    std::vector<std::string> expected;
    SUBCASE("the whole line in one read")
    {
      harness.write("short\n" + std::string(25, 'a') + "\nafter\n");
      expected = {"short", std::string(10, 'a'), "after"};
    }
    SUBCASE("the rest of the line arrives in a later read")
    {
      harness.write("short\n" + std::string(15, 'a'));
      harness.write("bbbbbbbbbbbbbbbbbbbb");
      harness.write("cccc\nafter\n");
      expected = {"short", std::string(10, 'a'), "after"};
    }
    SUBCASE("the line is cut at a read boundary")
    {
      harness.write("short\n" + std::string(7, 'a'));
      harness.write(std::string(7, 'b') + "\nafter\n");
      expected = {"short", "aaaaaaabbb", "after"};
    }
    SUBCASE("a line of exactly max_line bytes, its newline in the next read")
    {
      harness.write(std::string(10, 'a'));
      harness.write("\nafter\n");
      expected = {std::string(10, 'a'), "after"};
    }
    SUBCASE("a line of exactly max_line bytes with its newline")
    {
      harness.write(std::string(10, 'a') + "\nafter\n");
      expected = {std::string(10, 'a'), "after"};
    }
    SUBCASE("a cut line at the end of the stream")
    {
      harness.write("short\n" + std::string(25, 'a'));
      expected = {"short", std::string(10, 'a')};
    }
    SUBCASE("two long lines in a row")
    {
      harness.write(std::string(12, 'a') + "\n" + std::string(12, 'b') +
                    "\n\nafter\n");
      expected = {std::string(10, 'a'), std::string(10, 'b'), "", "after"};
    }
    CHECK(harness.finish() == expected);
  }

  TEST_CASE("a line far longer than one read is cut once")
  {
    // 300 KB spans several 64 KiB reads; only its first max_line bytes are
    // delivered, once.
    Harness harness(1000);
    std::string long_line(300'000, 'x');
    long_line[0] = 'S';
    harness.write("before\n" + long_line + "\nafter\n" + long_line);
    const auto lines = harness.finish();
    REQUIRE(lines.size() == 4);
    CHECK(lines[0] == "before");
    CHECK(lines[1] == long_line.substr(0, 1000));
    CHECK(lines[2] == "after");
    CHECK(lines[3] == long_line.substr(0, 1000));
  }

  TEST_CASE("a child's output larger than the pipe buffer arrives complete")
  {
    auto pipe = tapline::process::make_pipe();
    REQUIRE(pipe.has_value());
    tapline::process::SpawnSpec spec;
    spec.argv = {"seq", "1", "100000"};
    spec.stdout_fd = pipe->write_fd;
    auto child = tapline::process::spawn(spec);
    ::close(pipe->write_fd);
    REQUIRE_MESSAGE(child.has_value(), error_text(child));

    std::size_t count = 0;
    std::string last;
    bool in_order = true;
    {
      LineDrain drain(pipe->read_fd, 100, [&](std::string_view line) {
        ++count;
        in_order = in_order && line == std::to_string(count);
        last = line;
      });
      CHECK(child->wait().success());
    } // the destructor joins
    CHECK(count == 100000);
    CHECK(in_order);
    CHECK(last == "100000");
  }
}
