// tests/unit/credentials/master_key_test.cpp
//
// Where the master key comes from: TAPLINE_MASTER_KEY (hex or base64, and
// the errors for anything else) or the key file, created 0600 on first use
// and refused when group or others can read it.

#include <runner/credentials/master_key.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sodium.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <tests/unit/temp_dir.hpp>
#include <tests/unit/test_support.hpp>
#include <thread>
#include <vector>

namespace {

using tapline::ErrorCode;
using tapline::credentials::load_master_key;
using tapline::credentials::MasterKey;
using tapline::credentials::parse_master_key;

constexpr std::string_view k_hex =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

MasterKey::Bytes
counting_bytes()
{
  MasterKey::Bytes bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<unsigned char>(i);
  }
  return bytes;
}

std::string
base64(const MasterKey::Bytes& bytes, int variant)
{
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(
      out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.resize(out.size() - 1); // the NUL
  return out;
}

unsigned
file_mode(const std::filesystem::path& path)
{
  struct stat info
  {
  };
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 0777U;
}

std::string
read_text(const std::filesystem::path& path)
{
  std::ifstream in(path);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

constexpr std::string_view k_expected =
    "expected 64 hex digits or the base64 of 32 bytes (make one with "
    "`openssl rand -hex 32`)";

} // namespace

TEST_SUITE("credentials::MasterKey")
{
  TEST_CASE("parse_master_key: 64 hex digits, either case, with whitespace")
  {
    auto key = parse_master_key(k_hex, "TAPLINE_MASTER_KEY");
    REQUIRE_MESSAGE(key.has_value(), tapline::test::error_text(key));
    CHECK(key->reveal() == counting_bytes());

    std::string upper(k_hex);
    for (auto& c : upper) {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    auto upper_key = parse_master_key("  " + upper + "\n", "x");
    REQUIRE(upper_key.has_value());
    CHECK(upper_key->reveal() == counting_bytes());
  }

  TEST_CASE("parse_master_key: base64 of 32 bytes in any variant")
  {
    for (const int variant : {sodium_base64_VARIANT_ORIGINAL,
                              sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                              sodium_base64_VARIANT_URLSAFE,
                              sodium_base64_VARIANT_URLSAFE_NO_PADDING}) {
      const std::string text = base64(counting_bytes(), variant);
      CAPTURE(text);
      auto key = parse_master_key(text, "TAPLINE_MASTER_KEY");
      REQUIRE_MESSAGE(key.has_value(), tapline::test::error_text(key));
      CHECK(key->reveal() == counting_bytes());
    }
  }

  TEST_CASE("parse_master_key: anything else is a config error that does "
            "not quote the value")
  {
    struct Case
    {
      std::string text;
      std::string expected;
    };
    const std::string short_base64 =
        base64(counting_bytes(), sodium_base64_VARIANT_ORIGINAL).substr(0, 24);
    const std::vector<Case> cases = {
        {"hunter2!",
         fmt::format("{}, got 8 characters that are neither", k_expected)},
        {std::string(k_hex.substr(0, 62)) + "zz",
         fmt::format("{}, got 64 characters that are not all hex digits",
                     k_expected)},
        {short_base64,
         fmt::format("{}, got the base64 of 18 bytes", k_expected)},
        {"", fmt::format("{}, got nothing", k_expected)},
        {" \n", fmt::format("{}, got nothing", k_expected)},
    };
    for (const auto& c : cases) {
      CAPTURE(c.text);
      auto key = parse_master_key(c.text, "TAPLINE_MASTER_KEY");
      REQUIRE_FALSE(key.has_value());
      CHECK(key.error().code == ErrorCode::config);
      CHECK(key.error().where == "TAPLINE_MASTER_KEY");
      CHECK(key.error().message == c.expected);
      if (c.text.size() > 2) {
        CHECK(key.error().to_string().find(c.text) == std::string::npos);
      }
    }
  }

  TEST_CASE("load_master_key: the environment wins and no file is made")
  {
    const tapline::test::TempDir dir;
    auto key = load_master_key(dir.path(), k_hex);
    REQUIRE_MESSAGE(key.has_value(), tapline::test::error_text(key));
    CHECK(key->reveal() == counting_bytes());
    CHECK_FALSE(std::filesystem::exists(dir.path() / "master.key"));

    auto empty = load_master_key(dir.path(), std::string_view());
    REQUIRE_FALSE(empty.has_value());
    CHECK(empty.error().to_string() ==
          fmt::format("TAPLINE_MASTER_KEY: {}, got nothing", k_expected));
  }

  TEST_CASE("load_master_key: the key file is created 0600 and reused")
  {
    const tapline::test::TempDir dir;
    const auto data_dir = dir.path() / "data";
    auto first = load_master_key(data_dir, std::nullopt);
    REQUIRE_MESSAGE(first.has_value(), tapline::test::error_text(first));
    const auto path = data_dir / "master.key";
    CHECK(file_mode(path) == 0600U);
    const std::string content = read_text(path);
    CHECK(content.size() == 65);
    CHECK(content.back() == '\n');
    CHECK(first->reveal() != MasterKey::Bytes{});
    // Nothing but the key file is left behind.
    CHECK(std::distance(std::filesystem::directory_iterator(data_dir),
                        std::filesystem::directory_iterator()) == 1);

    auto second = load_master_key(data_dir, std::nullopt);
    REQUIRE(second.has_value());
    CHECK(second->reveal() == first->reveal());

    // The file's text works as TAPLINE_MASTER_KEY.
    auto from_env = load_master_key(dir.path() / "elsewhere", content);
    REQUIRE(from_env.has_value());
    CHECK(from_env->reveal() == first->reveal());
  }

  TEST_CASE("load_master_key: a key file readable by others is refused")
  {
    const tapline::test::TempDir dir;
    REQUIRE(load_master_key(dir.path(), std::nullopt).has_value());
    const auto path = dir.path() / "master.key";
    for (const auto mode : {0644U, 0640U, 0604U, 0620U}) {
      CAPTURE(mode);
      REQUIRE(::chmod(path.c_str(), mode) == 0);
      auto key = load_master_key(dir.path(), std::nullopt);
      REQUIRE_FALSE(key.has_value());
      CHECK(key.error().code == ErrorCode::config);
      CHECK(key.error().where == path.string());
      CHECK(key.error().message ==
            fmt::format("master key file may be read or changed by group or "
                        "others (mode {:04o}); run `chmod 600` on it",
                        mode));
    }
    REQUIRE(::chmod(path.c_str(), 0400) == 0);
    CHECK(load_master_key(dir.path(), std::nullopt).has_value());
  }

  TEST_CASE("load_master_key: a key file that holds no key is an error")
  {
    const tapline::test::TempDir dir;
    const auto path = dir.path() / "master.key";
    {
      std::ofstream out(path);
      out << "not a key\n";
    }
    REQUIRE(::chmod(path.c_str(), 0600) == 0);
    auto key = load_master_key(dir.path(), std::nullopt);
    REQUIRE_FALSE(key.has_value());
    CHECK(key.error().code == ErrorCode::config);
    CHECK(key.error().to_string() ==
          fmt::format("{}: {}, got 9 characters that are neither",
                      path.string(),
                      k_expected));
  }

  TEST_CASE("load_master_key: concurrent first uses agree on one key")
  {
    const tapline::test::TempDir dir;
    constexpr int k_threads = 8;
    std::vector<MasterKey::Bytes> keys(k_threads);
    std::vector<std::string> errors(k_threads);
    std::vector<std::thread> threads;
    for (int i = 0; i < k_threads; ++i) {
      threads.emplace_back([&, i] {
        auto key = load_master_key(dir.path(), std::nullopt);
        if (key) {
          keys[static_cast<std::size_t>(i)] = key->reveal();
        } else {
          errors[static_cast<std::size_t>(i)] = key.error().to_string();
        }
      });
    }
    for (auto& thread : threads) {
      thread.join();
    }
    for (int i = 0; i < k_threads; ++i) {
      CHECK(errors[static_cast<std::size_t>(i)] == "");
      CHECK(keys[static_cast<std::size_t>(i)] == keys[0]);
    }
  }

  TEST_CASE("format: a MasterKey prints ********")
  {
    const MasterKey key(counting_bytes());
    CHECK(fmt::format("{}", key) == "********");
    std::ostringstream out;
    out << key;
    CHECK(out.str() == "********");
  }
}
