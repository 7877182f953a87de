// tests/unit/credentials/secret_test.cpp
//
// Secret never shows its value: not through fmt, not through a stream, not
// by converting to a string by accident.

#include <runner/credentials/secret.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace {

using tapline::credentials::Secret;

// No implicit way in or out: a Secret must be made and revealed on purpose.
static_assert(!std::is_convertible_v<Secret, std::string>);
static_assert(!std::is_convertible_v<Secret, std::string_view>);
static_assert(!std::is_convertible_v<std::string, Secret>);
static_assert(!std::is_convertible_v<const char*, Secret>);

} // namespace

TEST_SUITE("credentials::Secret")
{
  TEST_CASE("format: fmt prints ******** whatever the spec")
  {
    const Secret secret(std::string("hunter2-token"));
    CHECK(fmt::format("{}", secret) == "********");
    CHECK(fmt::format("token={}!", secret) == "token=********!");
    CHECK(fmt::format("{:>10}", secret) == "  ********");
    CHECK(fmt::format("{}", Secret()) == "********");
  }

  TEST_CASE("format: operator<< prints ********")
  {
    const Secret secret(std::string("hunter2-token"));
    std::ostringstream out;
    out << "password=" << secret;
    CHECK(out.str() == "password=********");
  }

  TEST_CASE("reveal: returns the bytes, embedded NUL included")
  {
    const std::string value("a\0b-long-enough-to-be-on-the-heap", 34);
    const Secret secret(value);
    CHECK(secret.reveal() == value);
    CHECK(secret.size() == value.size());
    CHECK_FALSE(secret.empty());
  }

  TEST_CASE("move: the moved-from Secret is empty")
  {
    SUBCASE("short value")
    {
      Secret from(std::string("abc"));
      const Secret to(std::move(from));
      CHECK(to.reveal() == "abc");
      CHECK(from.empty()); // NOLINT(bugprone-use-after-move): the point
    }
    SUBCASE("long value, assignment")
    {
      Secret from(std::string(100, 'x'));
      Secret to(std::string("old"));
      to = std::move(from);
      CHECK(to.reveal() == std::string(100, 'x'));
      CHECK(from.empty()); // NOLINT(bugprone-use-after-move): the point
    }
  }

  TEST_CASE("copy and compare")
  {
    const Secret a(std::string("same-value"));
    Secret b(std::string("other"));
    CHECK_FALSE(a == b);
    b = a;
    CHECK(a == b);
    CHECK(b.reveal() == "same-value");
    CHECK_FALSE(Secret(std::string("same-valuE")) == a);
    CHECK(Secret() == Secret(std::string()));
  }
}
