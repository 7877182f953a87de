// tests/unit/credentials/credential_store_test.cpp
//
// The SQLite CredentialStore on real files: round trips across reopening,
// merge and clear, the wrong-key error, what the table really holds (read
// with raw SQLite, as an attacker with the file would), and sharing
// state.db with the state store.

#include <runner/credentials/credential_store.hpp>
#include <runner/state/schema.hpp>
#include <runner/state/state_store.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <string>
#include <tests/unit/temp_dir.hpp>
#include <tests/unit/test_support.hpp>
#include <thread>
#include <vector>

namespace {

using tapline::ErrorCode;
using tapline::credentials::CredentialStore;
using tapline::credentials::MasterKey;
using tapline::credentials::Overrides;

MasterKey
key_of(unsigned char fill)
{
  MasterKey::Bytes bytes{};
  bytes.fill(fill);
  return MasterKey(bytes);
}

std::unique_ptr<CredentialStore>
open_store(const std::filesystem::path& path, unsigned char fill = 1)
{
  auto store =
      tapline::credentials::open_credential_store(path.string(), key_of(fill));
  REQUIRE_MESSAGE(store.has_value(), tapline::test::error_text(store));
  return std::move(*store);
}

Overrides
parse(std::string_view json)
{
  auto overrides = Overrides::parse(json, "test");
  REQUIRE_MESSAGE(overrides.has_value(), tapline::test::error_text(overrides));
  return std::move(*overrides);
}

std::string
stored_json(CredentialStore& store, const std::string& integration)
{
  auto got = store.get(integration);
  REQUIRE_MESSAGE(got.has_value(), tapline::test::error_text(got));
  REQUIRE(got->has_value());
  return std::string((*got)->to_json().reveal());
}

// One row of the credentials table, read without tapline.
struct RawRow
{
  std::string nonce_type;
  std::string ciphertext_type;
  std::string nonce;
  std::string ciphertext;
  std::string updated_at;
};

class RawDb
{
public:
  explicit RawDb(const std::filesystem::path& path)
  {
    REQUIRE(
        sqlite3_open_v2(path.c_str(), &m_db, SQLITE_OPEN_READWRITE, nullptr) ==
        SQLITE_OK);
  }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  ~RawDb() { sqlite3_close(m_db); }

  RawRow
  row(const std::string& integration)
  {
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(m_db,
                               "SELECT typeof(nonce), typeof(ciphertext), "
                               "nonce, ciphertext, updated_at FROM "
                               "credentials WHERE integration = ?1",
                               -1,
                               &stmt,
                               nullptr) == SQLITE_OK);
    sqlite3_bind_text(stmt, 1, integration.c_str(), -1, SQLITE_TRANSIENT);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    RawRow row;
    row.nonce_type = column_text(stmt, 0);
    row.ciphertext_type = column_text(stmt, 1);
    row.nonce = column_blob(stmt, 2);
    row.ciphertext = column_blob(stmt, 3);
    row.updated_at = column_text(stmt, 4);
    sqlite3_finalize(stmt);
    return row;
  }

  void
  exec(const std::string& sql)
  {
    REQUIRE(sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, nullptr) ==
            SQLITE_OK);
  }

  std::string
  text(const std::string& sql)
  {
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(m_db, sql.c_str(), -1, &stmt, nullptr) ==
            SQLITE_OK);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    std::string value = column_text(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
  }

private:
  static std::string
  column_text(sqlite3_stmt* stmt, int column)
  {
    const auto* data = sqlite3_column_text(stmt, column);
    return data ? std::string(reinterpret_cast<const char*>(data)) : "";
  }

  static std::string
  column_blob(sqlite3_stmt* stmt, int column)
  {
    const void* data = sqlite3_column_blob(stmt, column);
    const int size = sqlite3_column_bytes(stmt, column);
    return std::string(static_cast<const char*>(data),
                       static_cast<std::size_t>(size));
  }

  sqlite3* m_db = nullptr;
};

constexpr std::string_view k_token = "1//0gRefreshTokenValue-hunter2";

} // namespace

TEST_SUITE("credentials::CredentialStore")
{
  TEST_CASE("set and get: round trip across reopening")
  {
    const tapline::test::TempDir dir;
    const auto path = dir.path() / "state.db";
    const std::string json = fmt::format(
        R"({{"refresh_token":"{}","port":5432,"oauth":{{"scopes":["a","b"]}}}})",
        k_token);
    {
      auto store = open_store(path);
      auto missing = store->get("github");
      REQUIRE(missing.has_value());
      CHECK_FALSE(missing->has_value());
      REQUIRE(store->set("github", parse(json)).has_value());
      CHECK(stored_json(*store, "github") == json);
    }
    auto reopened = open_store(path);
    CHECK(stored_json(*reopened, "github") == json);
    auto other = reopened->get("gitlab");
    REQUIRE(other.has_value());
    CHECK_FALSE(other->has_value());
  }

  TEST_CASE("set replaces, merge updates some keys, clear forgets")
  {
    const tapline::test::TempDir dir;
    auto store = open_store(dir.path() / "state.db");
    REQUIRE(store->set("crm", parse(R"({"user":"ann","password":"p1"})"))
                .has_value());
    REQUIRE(store->set("crm", parse(R"({"api_key":"k1"})")).has_value());
    CHECK(stored_json(*store, "crm") == R"({"api_key":"k1"})");

    auto merged =
        store->merge("crm", parse(R"({"api_key":"k2","region":"eu"})"));
    REQUIRE_MESSAGE(merged.has_value(), tapline::test::error_text(merged));
    CHECK(merged->to_json().reveal() == R"({"api_key":"k2","region":"eu"})");
    CHECK(stored_json(*store, "crm") == R"({"api_key":"k2","region":"eu"})");

    // merge on an integration with nothing stored creates the row.
    REQUIRE(store->merge("new", parse(R"({"a":"b"})")).has_value());
    CHECK(stored_json(*store, "new") == R"({"a":"b"})");

    auto cleared = store->clear("crm");
    REQUIRE(cleared.has_value());
    CHECK(*cleared);
    auto again = store->clear("crm");
    REQUIRE(again.has_value());
    CHECK_FALSE(*again);
    CHECK_FALSE(store->get("crm")->has_value());
    CHECK(stored_json(*store, "new") == R"({"a":"b"})");
  }

  TEST_CASE("get: a wrong master key is a config error with this exact text")
  {
    const tapline::test::TempDir dir;
    const auto path = dir.path() / "state.db";
    REQUIRE(
        open_store(path, 1)->set("github", parse(R"({"a":"b"})")).has_value());

    auto store = open_store(path, 2);
    auto got = store->get("github");
    REQUIRE_FALSE(got.has_value());
    CHECK(got.error().code == ErrorCode::config);
    CHECK(got.error().message ==
          "cannot decrypt credentials for 'github': wrong master key "
          "(TAPLINE_MASTER_KEY or .tapline/master.key changed?)");
    CHECK(got.error().where == path.string());

    // merge must not overwrite what it cannot read; set may.
    CHECK_FALSE(store->merge("github", parse(R"({"c":"d"})")).has_value());
    REQUIRE(store->set("github", parse(R"({"c":"d"})")).has_value());
    CHECK(stored_json(*store, "github") == R"({"c":"d"})");
  }

  TEST_CASE("the table holds ciphertext only, with a new nonce per write")
  {
    const tapline::test::TempDir dir;
    const auto path = dir.path() / "state.db";
    auto store = open_store(path);
    const std::string json =
        fmt::format(R"({{"refresh_token":"{}"}})", k_token);
    REQUIRE(store->set("github", parse(json)).has_value());

    RawDb raw(path);
    const RawRow first = raw.row("github");
    CHECK(first.nonce_type == "blob");
    CHECK(first.ciphertext_type == "blob");
    CHECK(first.nonce.size() == 24);
    CHECK(first.ciphertext.size() == json.size() + 16);
    CHECK(first.ciphertext.find(k_token) == std::string::npos);
    CHECK(first.ciphertext.find("hunter2") == std::string::npos);
    CHECK(first.ciphertext.find("refresh_token") == std::string::npos);
    CHECK(first.updated_at.size() == 24); // ISO 8601 UTC, milliseconds

    // The same value written again is sealed differently.
    REQUIRE(store->set("github", parse(json)).has_value());
    const RawRow second = raw.row("github");
    CHECK(second.nonce != first.nonce);
    CHECK(second.ciphertext != first.ciphertext);

    // A row copied to another integration does not decrypt: the name is
    // bound in as associated data.
    raw.exec("INSERT INTO credentials SELECT 'gitlab', nonce, ciphertext, "
             "updated_at FROM credentials WHERE integration = 'github'");
    auto copied = store->get("gitlab");
    REQUIRE_FALSE(copied.has_value());
    CHECK(copied.error().message ==
          "cannot decrypt credentials for 'gitlab': wrong master key "
          "(TAPLINE_MASTER_KEY or .tapline/master.key changed?)");

    // A damaged row is reported, not decrypted into garbage.
    raw.exec("UPDATE credentials SET nonce = X'00' WHERE integration = "
             "'gitlab'");
    auto damaged = store->get("gitlab");
    REQUIRE_FALSE(damaged.has_value());
    CHECK(damaged.error().message ==
          "credentials of 'gitlab' are damaged: nonce or ciphertext too "
          "short; set them again");
  }

  TEST_CASE("shares state.db with the state store, both in WAL mode")
  {
    const tapline::test::TempDir dir;
    const auto path = dir.path() / "state.db";
    auto state = tapline::state::open_sqlite_store(path.string());
    REQUIRE_MESSAGE(state.has_value(), tapline::test::error_text(state));
    auto credentials = open_store(path);

    REQUIRE(
        (*state)->commit_state("github", R"({"a":1})", {}, "user").has_value());
    REQUIRE(credentials->set("github", parse(R"({"k":"v"})")).has_value());
    auto current = (*state)->current_state("github");
    REQUIRE(current.has_value());
    REQUIRE(current->has_value());
    CHECK((*current)->value_json == R"({"a":1})");
    CHECK(stored_json(*credentials, "github") == R"({"k":"v"})");

    RawDb raw(path);
    CHECK(raw.text("PRAGMA journal_mode") == "wal");
    CHECK(raw.text("PRAGMA user_version") ==
          std::to_string(tapline::state::schema_version()));
    CHECK(raw.text("SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                   "AND name = 'credentials'") == "1");
  }

  TEST_CASE("merge: concurrent writers through separate connections")
  {
    const tapline::test::TempDir dir;
    const auto path = dir.path() / "state.db";
    constexpr int k_writers = 4;
    constexpr int k_keys = 10;
    std::vector<std::unique_ptr<CredentialStore>> stores;
    for (int i = 0; i < k_writers; ++i) {
      stores.push_back(open_store(path));
    }
    std::vector<std::string> errors(k_writers);
    std::vector<std::thread> threads;
    for (int i = 0; i < k_writers; ++i) {
      threads.emplace_back([&, i] {
        for (int k = 0; k < k_keys; ++k) {
          Overrides one;
          one.set_string(fmt::format("w{}k{}", i, k), "value");
          auto merged =
              stores[static_cast<std::size_t>(i)]->merge("shared", one);
          if (!merged) {
            errors[static_cast<std::size_t>(i)] = merged.error().to_string();
            return;
          }
        }
      });
    }
    for (auto& thread : threads) {
      thread.join();
    }
    for (const auto& error : errors) {
      CHECK(error == "");
    }
    auto got = stores[0]->get("shared");
    REQUIRE(got.has_value());
    REQUIRE(got->has_value());
    CHECK((*got)->size() == static_cast<std::size_t>(k_writers * k_keys));
  }
}
