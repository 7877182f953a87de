// runner/credentials/credential_store.hpp
#pragma once

// Per-integration credential overrides, encrypted at rest in the state
// database's `credentials` table (one row per integration). Each write
// seals the overrides with XChaCha20-Poly1305 under the master key, a fresh
// random nonce, and the integration's name as associated data, so a row
// copied to another integration does not decrypt. Implementations are safe
// to call from several threads.

#include <runner/credentials/master_key.hpp>
#include <runner/credentials/overrides.hpp>
#include <runner/util/result.hpp>

#include <memory>
#include <optional>
#include <string>

namespace tapline::credentials {

class CredentialStore
{
public:
  virtual ~CredentialStore() = default;

  // The overrides of `integration`; nullopt when none are stored. A row
  // that does not decrypt is a `config` error: "cannot decrypt credentials
  // for 'NAME': wrong master key (TAPLINE_MASTER_KEY or .tapline/master.key
  // changed?)".
  [[nodiscard]] virtual Result<std::optional<Overrides>>
  get(const std::string& integration) = 0;

  // Replace the overrides of `integration` with `overrides`.
  [[nodiscard]] virtual Result<void> set(const std::string& integration,
                                         const Overrides& overrides) = 0;

  // Add or replace the keys of `overrides`, keeping the other stored keys,
  // in one transaction. Returns the overrides now stored.
  [[nodiscard]] virtual Result<Overrides> merge(const std::string& integration,
                                                const Overrides& overrides) = 0;

  // Forget the overrides of `integration`; true when there were some.
  [[nodiscard]] virtual Result<bool> clear(const std::string& integration) = 0;
};

// Open the SQLite store at `db_path` (the state store's state.db; the two
// share the file: WAL mode, busy timeout, same migrations). Errors have the
// path in `where`.
[[nodiscard]] Result<std::unique_ptr<CredentialStore>>
open_credential_store(const std::string& db_path, MasterKey key);

} // namespace tapline::credentials
