// tests/unit/util/file_lock_test.cpp
//
// FileLock against real files: the owner record it writes, a busy lock and
// who holds it, the empty file a clean release leaves, taking over from a
// holder that died, and the errors of an unusable lock path.

#include <runner/util/file_lock.hpp>
#include <runner/util/time.hpp>

#include <doctest/doctest.h>

#include <unistd.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <tests/unit/temp_dir.hpp>
#include <tests/unit/test_support.hpp>
#include <utility>
#include <vector>

namespace fs = std::filesystem;
using tapline::ErrorCode;
using tapline::test::error_text;
using tapline::test::TempDir;
using tapline::util::FileLock;
using tapline::util::host_name;
using tapline::util::LockOwner;

namespace {

std::string
read_text(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

TEST_SUITE("util::FileLock")
{
  TEST_CASE("try_acquire: records pid, host and since")
  {
    const TempDir dir;
    const fs::path path = dir.path() / "locks" / "demo.lock";
    const auto before = tapline::util::Clock::now();
    auto attempt = FileLock::try_acquire(path);
    const auto after = tapline::util::Clock::now();
    REQUIRE_MESSAGE(attempt.has_value(), error_text(attempt));
    REQUIRE(attempt->lock.has_value());
    CHECK_FALSE(attempt->holder.has_value());
    CHECK_FALSE(attempt->taken_over.has_value());

    // One line "PID HOST SINCE".
    const std::string text = read_text(path);
    const std::string prefix =
        std::to_string(::getpid()) + " " + host_name() + " ";
    CHECK(text.starts_with(prefix));
    CHECK(text.size() == prefix.size() + 25);
    CHECK(text.ends_with("Z\n"));

    const auto owner = FileLock::recorded_owner(path);
    REQUIRE_MESSAGE(owner.has_value(), error_text(owner));
    REQUIRE(owner->has_value());
    CHECK((*owner)->pid == ::getpid());
    CHECK((*owner)->host == host_name());
    CHECK(text == prefix + (*owner)->since + "\n");
    const auto since = tapline::util::parse_iso8601((*owner)->since);
    REQUIRE(since.has_value());
    // Written at millisecond precision, truncated.
    CHECK(*since <= after);
    CHECK(*since >= before - std::chrono::milliseconds{1});
  }

  TEST_CASE("try_acquire: a second open of a held lock is busy")
  {
    const TempDir dir;
    const fs::path path = dir.path() / "demo.lock";
    auto first = FileLock::try_acquire(path);
    REQUIRE_MESSAGE(first.has_value(), error_text(first));
    REQUIRE(first->lock.has_value());
    const std::string record = read_text(path);

    // flock belongs to the open file description, so a second open in the
    // same process conflicts just like another process would.
    const auto second = FileLock::try_acquire(path);
    REQUIRE_MESSAGE(second.has_value(), error_text(second));
    CHECK_FALSE(second->lock.has_value());
    CHECK_FALSE(second->taken_over.has_value());
    REQUIRE(second->holder.has_value());
    CHECK(second->holder->pid == ::getpid());
    CHECK(second->holder->host == host_name());
    CHECK(record == std::to_string(::getpid()) + " " + host_name() + " " +
                        second->holder->since + "\n");
    // Being refused leaves the holder's record alone.
    CHECK(read_text(path) == record);
  }

  TEST_CASE("~FileLock: a clean release empties the file")
  {
    const TempDir dir;
    const fs::path path = dir.path() / "demo.lock";
    {
      auto attempt = FileLock::try_acquire(path);
      REQUIRE_MESSAGE(attempt.has_value(), error_text(attempt));
      REQUIRE(attempt->lock.has_value());
      // Moving the lock keeps it held and releases it only once.
      std::optional<FileLock> moved = std::move(attempt->lock);
      attempt->lock.reset();
      CHECK_FALSE(read_text(path).empty());
    }
    CHECK(fs::exists(path));
    CHECK(fs::file_size(path) == 0);
    const auto owner = FileLock::recorded_owner(path);
    REQUIRE_MESSAGE(owner.has_value(), error_text(owner));
    CHECK_FALSE(owner->has_value());

    // Free again, and nobody to take over from.
    const auto again = FileLock::try_acquire(path);
    REQUIRE_MESSAGE(again.has_value(), error_text(again));
    CHECK(again->lock.has_value());
    CHECK_FALSE(again->taken_over.has_value());
    CHECK_FALSE(again->holder.has_value());
  }

  TEST_CASE("operator=: assigning over a held lock releases it cleanly")
  {
    const TempDir dir;
    const fs::path first_path = dir.path() / "first.lock";
    const fs::path second_path = dir.path() / "second.lock";
    auto first = FileLock::try_acquire(first_path);
    auto second = FileLock::try_acquire(second_path);
    REQUIRE_MESSAGE(first.has_value(), error_text(first));
    REQUIRE_MESSAGE(second.has_value(), error_text(second));
    REQUIRE(first->lock.has_value());
    REQUIRE(second->lock.has_value());
    *first->lock = std::move(*second->lock);
    // The first lock was released the clean way: no record, so nobody
    // "takes it over" from this live process.
    CHECK(fs::file_size(first_path) == 0);
    const auto again = FileLock::try_acquire(first_path);
    REQUIRE_MESSAGE(again.has_value(), error_text(again));
    CHECK(again->lock.has_value());
    CHECK_FALSE(again->taken_over.has_value());
    // The second one is still held through the assigned object.
    CHECK_FALSE(read_text(second_path).empty());
    const auto busy = FileLock::try_acquire(second_path);
    REQUIRE_MESSAGE(busy.has_value(), error_text(busy));
    CHECK_FALSE(busy->lock.has_value());
  }

  TEST_CASE("try_acquire: a record left by a dead holder is taken over")
  {
    const TempDir dir;
    const fs::path path = dir.path() / "demo.lock";
    std::ofstream(path) << "999999 otherhost 2026-01-01T00:00:00.000Z\n";

    auto attempt = FileLock::try_acquire(path);
    REQUIRE_MESSAGE(attempt.has_value(), error_text(attempt));
    REQUIRE(attempt->lock.has_value());
    CHECK_FALSE(attempt->holder.has_value());
    REQUIRE(attempt->taken_over.has_value());
    CHECK(attempt->taken_over->pid == 999999);
    CHECK(attempt->taken_over->host == "otherhost");
    CHECK(attempt->taken_over->since == "2026-01-01T00:00:00.000Z");
    CHECK(attempt->taken_over->describe() ==
          "pid 999999 on otherhost since 2026-01-01T00:00:00.000Z");

    // The old record is replaced, not appended to.
    const auto owner = FileLock::recorded_owner(path);
    REQUIRE_MESSAGE(owner.has_value(), error_text(owner));
    REQUIRE(owner->has_value());
    CHECK((*owner)->pid == ::getpid());
    CHECK(read_text(path) == std::to_string(::getpid()) + " " + host_name() +
                                 " " + (*owner)->since + "\n");
  }

  TEST_CASE("recorded_owner: partial and unreadable records")
  {
    const TempDir dir;
    const fs::path path = dir.path() / "demo.lock";
    struct Row
    {
      std::string text;
      std::optional<std::string> described; // nullopt: no owner
    };
    const std::vector<Row> rows = {
        {"", std::nullopt},
        {"\n", std::nullopt},
        {"42\n", "pid 42"},
        {"42 host-a\n", "pid 42 on host-a"},
        {"42 host-a 2026-01-01T00:00:00.000Z", // no newline
         "pid 42 on host-a since 2026-01-01T00:00:00.000Z"},
        {"0 host-a 2026-01-01T00:00:00.000Z\n", std::nullopt},
        {"-5 host-a 2026-01-01T00:00:00.000Z\n", std::nullopt},
        {"pid host-a\n", std::nullopt},
    };
    for (const auto& row : rows) {
      CAPTURE(row.text);
      std::ofstream(path, std::ios::trunc) << row.text;
      const auto owner = FileLock::recorded_owner(path);
      REQUIRE_MESSAGE(owner.has_value(), error_text(owner));
      REQUIRE(owner->has_value() == row.described.has_value());
      if (row.described) {
        CHECK((*owner)->describe() == *row.described);
      }
    }
  }

  TEST_CASE("recorded_owner: a missing file has no owner")
  {
    const TempDir dir;
    const auto owner = FileLock::recorded_owner(dir.path() / "none.lock");
    REQUIRE_MESSAGE(owner.has_value(), error_text(owner));
    CHECK_FALSE(owner->has_value());
    CHECK_FALSE(fs::exists(dir.path() / "none.lock"));
  }

  TEST_CASE("describe: as much as is known")
  {
    CHECK(LockOwner{12, "h", "T"}.describe() == "pid 12 on h since T");
    CHECK(LockOwner{12, "h", ""}.describe() == "pid 12 on h");
    CHECK(LockOwner{12, "", "T"}.describe() == "pid 12 since T");
    CHECK(LockOwner{12, "", ""}.describe() == "pid 12");
  }

  TEST_CASE("try_acquire: a lock directory that cannot be created")
  {
    // Not a read-only directory: the tests may run as root.
    const TempDir dir;
    std::ofstream(dir.path() / "file") << "x";
    const fs::path path = dir.path() / "file" / "locks" / "demo.lock";
    const auto attempt = FileLock::try_acquire(path);
    REQUIRE_FALSE(attempt.has_value());
    CHECK(attempt.error().code == ErrorCode::io);
    CHECK(attempt.error().to_string() ==
          (dir.path() / "file" / "locks").string() +
              ": cannot create lock directory: Not a directory");
  }

  TEST_CASE("try_acquire: a lock path that cannot be opened")
  {
    const TempDir dir;
    const fs::path path = dir.path() / "demo.lock";
    fs::create_directory(path);
    const auto attempt = FileLock::try_acquire(path);
    REQUIRE_FALSE(attempt.has_value());
    CHECK(attempt.error().code == ErrorCode::io);
    CHECK(attempt.error().to_string() ==
          path.string() + ": cannot open lock file: Is a directory");
  }

  TEST_CASE("host_name: this machine's name")
  {
    std::array<char, 256> name{};
    REQUIRE(::gethostname(name.data(), name.size() - 1) == 0);
    const std::string expected = name[0] == '\0' ? "unknown" : name.data();
    CHECK(host_name() == expected);
  }
}
