// runner/sync/tap_credentials.hpp
#pragma once

// The tap's config for one run and the secrets in it: the configured config
// with the stored credential overrides (`tapline reauth`) merged over it, a
// Redactor that knows every secret value in it, and, after the run, the
// values the tap rewrote in its config file (Salesforce, QuickBooks, Xero
// and Zendesk rotate their refresh token into --config) persisted as
// overrides, so the next run does not fail with invalid_grant.
//
// A persisted value remembers a hash of the configured value it replaced:
// once a person edits that key in tapline.yaml or the tap's config file
// (a new refresh token after re-authorizing), the edit wins and the stale
// rotated value is dropped.

#include <runner/config/config.hpp>
#include <runner/credentials/credential_store.hpp>
#include <runner/credentials/redactor.hpp>
#include <runner/util/result.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tapline::sync {

class TapCredentials
{
public:
  [[nodiscard]] static Result<std::unique_ptr<TapCredentials>>
  load(const config::Config& config, const config::Integration& integration);

  // The JSON to write to the tap's 0600 --config file.
  [[nodiscard]] const std::string&
  config_json() const
  {
    return m_config_json;
  }

  [[nodiscard]] const credentials::Redactor&
  redactor() const
  {
    return m_redactor;
  }

  // The config with `values` (new credentials from `tapline reauth`)
  // merged over it, for verifying them before they are stored.
  [[nodiscard]] Result<std::string>
  with_values(const credentials::Overrides& values) const;

  // Store `values` as the integration's overrides (a person's explicit
  // choice: no base hashes, they win over the configured values).
  [[nodiscard]] Result<void> store_values(const credentials::Overrides& values);

  // Identifies the credentials in effect: a hash of the merged config and
  // the tap's environment. A paused integration whose fingerprint changed
  // has been edited by someone, and is worth verifying again.
  [[nodiscard]] Result<std::string> fingerprint() const;

  // Read the tap's config file back after the run and persist the values
  // the tap changed. Returns the changed keys (never their values).
  [[nodiscard]] Result<std::vector<std::string>>
  persist_changes(const std::filesystem::path& config_file);

  // Same, with the file's content already read (`read_back`), against the
  // config that was written (`written`, default: config_json()).
  [[nodiscard]] Result<std::vector<std::string>>
  persist_text(const std::string& read_back,
               const std::optional<std::string>& written = {});

private:
  std::string m_integration;
  std::string m_base_json; // the configured config, before overrides
  std::map<std::string, std::string> m_env; // the tap's configured env
  std::string m_config_json;
  std::unique_ptr<credentials::CredentialStore> m_store;
  credentials::Redactor m_redactor;
};

} // namespace tapline::sync
