// runner/credentials/redactor.hpp
#pragma once

// Removes secrets from text before it reaches a run log, the terminal or an
// alert. It knows two kinds of secret:
//
// - values it was given: every value of the credential overrides, and every
//   string in the tap's config under a key that looks secret (see
//   `is_secret_key`), at any depth; each is also looked for in its
//   JSON-escaped form ("pa\"ss" for pa"ss), since taps log JSON;
// - credentials recognisable without being given: "Bearer <token>" and
//   "Basic <base64>" after an Authorization header or when the token looks
//   like one (see redactor.cpp), and the values of access_token=,
//   refresh_token=, id_token=, client_secret=, password=, api_key=, apikey=
//   (also as quoted JSON members: "access_token": "...").
//
// Each occurrence becomes "********"; overlapping matches become one mask.
// Values shorter than 4 bytes are not collected: masking every "abc" or
// "123" would mangle the text and hide little.
//
// Build it, then share it: `redact` may be called from several threads at
// once, also while another thread adds a secret (a refreshed token).

#include <runner/credentials/overrides.hpp>
#include <runner/credentials/secret.hpp>
#include <runner/util/result.hpp>

#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace tapline::credentials {

class Redactor
{
public:
  static constexpr std::size_t k_min_length = 4;

  Redactor() = default;
  Redactor(const Redactor&) = delete;
  Redactor& operator=(const Redactor&) = delete;

  // One secret value (ignored when shorter than k_min_length).
  void add(std::string_view value);
  void add(const Secret& secret);

  // Every string and number in every value of `overrides`, at any depth.
  void add(const Overrides& overrides);

  // Every string in `config_json` whose nearest key looks secret (array
  // items take the key of their array). Errors: `config` at `where`.
  [[nodiscard]] Result<void> add_config(std::string_view config_json,
                                        std::string_view where);

  // `text` with every secret masked.
  [[nodiscard]] std::string redact(std::string_view text) const;

  // Number of values collected (escaped forms included).
  [[nodiscard]] std::size_t size() const;

  // Whether a config key names a secret: ignoring case and the separators
  // _ - . and space, it contains password, passwd, secret, token, key,
  // credential, passphrase, private or auth (not as in "author"), and it
  // does not end in url, uri, endpoint, path, file, filename, type, method,
  // header, expiry, expiresat or expiresin (token_url and auth_type hold no
  // secret, and masking a URL everywhere would mangle logs), and it is not
  // a Singer key setting (replication_key, primary_key(s), key_properties,
  // sort_key, partition_key, foreign_key), whose values are column names.
  [[nodiscard]] static bool is_secret_key(std::string_view key);

private:
  void add_locked(std::string_view value);

  mutable std::shared_mutex m_mutex;
  std::vector<Secret> m_values; // unique, longest first
};

} // namespace tapline::credentials
