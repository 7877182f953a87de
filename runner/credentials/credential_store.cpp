// runner/credentials/credential_store.cpp
//
// The SQLite CredentialStore: its own connection to state.db behind a
// mutex. A row holds the 24-byte nonce and the sealed compact JSON of the
// overrides; the associated data is "tapline-credentials-v1:" plus the
// integration's name, which ties the row to its integration and leaves room
// for a new format. SqliteDb binds text only, so nonce and ciphertext are
// bound as text and stored with CAST(... AS BLOB), which keeps the bytes.

#include <runner/credentials/credential_store.hpp>
#include <runner/state/schema.hpp>
#include <runner/state/sqlite_db.hpp>
#include <runner/util/time.hpp>

#include <fmt/format.h>
#include <sodium.h>

#include <chrono>
#include <mutex>
#include <string_view>
#include <utility>

namespace tapline::credentials {

namespace {

// As the state store: long enough to ride out another tapline's commit.
constexpr std::chrono::milliseconds k_busy_timeout{10'000};

constexpr std::string_view k_aad_prefix = "tapline-credentials-v1:";

constexpr std::size_t k_nonce_bytes =
    crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t k_tag_bytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;

static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == MasterKey::k_size);

struct Sealed
{
  std::string nonce;
  std::string ciphertext;
};

std::string
associated_data(const std::string& integration)
{
  return std::string(k_aad_prefix) + integration;
}

const unsigned char*
bytes(std::string_view text)
{
  return reinterpret_cast<const unsigned char*>(text.data());
}

class SqliteCredentialStore final : public CredentialStore
{
public:
  SqliteCredentialStore(state::SqliteDb db, MasterKey key)
      : m_db(std::move(db)), m_key(std::move(key))
  {
  }

  Result<std::optional<Overrides>>
  get(const std::string& integration) override
  {
    const std::scoped_lock lock(m_mutex);
    return read(integration);
  }

  Result<void>
  set(const std::string& integration, const Overrides& overrides) override
  {
    const std::scoped_lock lock(m_mutex);
    // No read first: `set` is how new credentials replace a row sealed
    // under a key that is gone.
    return write(integration, overrides);
  }

  Result<Overrides>
  merge(const std::string& integration, const Overrides& overrides) override
  {
    const std::scoped_lock lock(m_mutex);
    TRY_ASSIGN(auto transaction,
               state::Transaction::begin(m_db, "cannot store credentials"));
    TRY_ASSIGN(auto stored, read(integration));
    Overrides merged = stored ? std::move(*stored) : Overrides();
    merged.merge(overrides);
    TRY(write(integration, merged));
    TRY(transaction.commit());
    return merged;
  }

  Result<bool>
  clear(const std::string& integration) override
  {
    const std::scoped_lock lock(m_mutex);
    TRY_ASSIGN(auto statement,
               m_db.prepare("DELETE FROM credentials WHERE integration = ?1",
                            "cannot clear credentials"));
    statement.bind_text(1, integration);
    TRY(statement.run());
    return m_db.changes() > 0;
  }

private:
  // Callers hold `m_mutex`.
  Result<std::optional<Overrides>>
  read(const std::string& integration)
  {
    TRY_ASSIGN(auto select,
               m_db.prepare("SELECT nonce, ciphertext FROM credentials "
                            "WHERE integration = ?1",
                            "cannot read credentials"));
    select.bind_text(1, integration);
    TRY_ASSIGN(const bool has_row, select.step());
    if (!has_row) {
      return std::nullopt;
    }
    const std::string nonce = select.text(0);
    const std::string ciphertext = select.text(1);
    if (nonce.size() != k_nonce_bytes || ciphertext.size() < k_tag_bytes) {
      return fail(ErrorCode::internal,
                  fmt::format("credentials of '{}' are damaged: nonce or "
                              "ciphertext too short; set them again",
                              integration),
                  m_db.path());
    }
    std::string plaintext(ciphertext.size() - k_tag_bytes, '\0');
    unsigned long long length = 0;
    const std::string aad = associated_data(integration);
    const int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
        reinterpret_cast<unsigned char*>(plaintext.data()),
        &length,
        nullptr,
        bytes(ciphertext),
        ciphertext.size(),
        bytes(aad),
        aad.size(),
        bytes(nonce),
        m_key.reveal().data());
    // Wiped when it goes away, whatever happens below.
    const Secret opened(std::move(plaintext));
    if (rc != 0) {
      return fail(ErrorCode::config,
                  fmt::format("cannot decrypt credentials for '{}': wrong "
                              "master key (TAPLINE_MASTER_KEY or "
                              ".tapline/master.key changed?)",
                              integration),
                  m_db.path());
    }
    auto overrides =
        Overrides::parse(opened.reveal().substr(0, length), m_db.path());
    if (!overrides) {
      return fail(ErrorCode::internal,
                  fmt::format("credentials of '{}' decrypt to something that "
                              "is not a JSON object; set them again",
                              integration),
                  m_db.path());
    }
    return std::optional<Overrides>(std::move(*overrides));
  }

  // Callers hold `m_mutex`.
  Result<void>
  write(const std::string& integration, const Overrides& overrides)
  {
    const Secret plaintext = overrides.to_json();
    const Sealed sealed = seal(integration, plaintext.reveal());
    TRY_ASSIGN(
        auto upsert,
        m_db.prepare("INSERT INTO credentials (integration, nonce, "
                     "ciphertext, updated_at) VALUES (?1, CAST(?2 AS BLOB), "
                     "CAST(?3 AS BLOB), ?4) ON CONFLICT (integration) DO "
                     "UPDATE SET nonce = excluded.nonce, ciphertext = "
                     "excluded.ciphertext, updated_at = excluded.updated_at",
                     "cannot store credentials"));
    upsert.bind_text(1, integration)
        .bind_text(2, sealed.nonce)
        .bind_text(3, sealed.ciphertext)
        .bind_text(4, util::now_iso8601());
    return upsert.run();
  }

  Sealed
  seal(const std::string& integration, std::string_view plaintext) const
  {
    Sealed sealed;
    sealed.nonce.assign(k_nonce_bytes, '\0');
    randombytes_buf(sealed.nonce.data(), sealed.nonce.size());
    sealed.ciphertext.assign(plaintext.size() + k_tag_bytes, '\0');
    unsigned long long length = 0;
    const std::string aad = associated_data(integration);
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        reinterpret_cast<unsigned char*>(sealed.ciphertext.data()),
        &length,
        bytes(plaintext),
        plaintext.size(),
        bytes(aad),
        aad.size(),
        nullptr,
        bytes(sealed.nonce),
        m_key.reveal().data());
    sealed.ciphertext.resize(length);
    return sealed;
  }

  std::mutex m_mutex; // guards `m_db`, including sqlite3_errmsg after a call
  state::SqliteDb m_db;
  MasterKey m_key;
};

} // namespace

Result<std::unique_ptr<CredentialStore>>
open_credential_store(const std::string& db_path, MasterKey key)
{
  TRY(init_sodium());
  TRY_ASSIGN(auto db, state::SqliteDb::open(db_path, k_busy_timeout));
  constexpr std::string_view context = "cannot open state database";
  // The same settings as the state store's connection (see
  // open_sqlite_store): WAL so readers never block the writer, FULL so a
  // stored credential survives power loss.
  TRY(db.exec("PRAGMA journal_mode = WAL", context));
  TRY(db.exec("PRAGMA synchronous = FULL", context));
  TRY(state::migrate(db));
  return std::make_unique<SqliteCredentialStore>(std::move(db), std::move(key));
}

} // namespace tapline::credentials
