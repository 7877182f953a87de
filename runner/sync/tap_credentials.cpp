// runner/sync/tap_credentials.cpp
#include <runner/credentials/master_key.hpp>
#include <runner/credentials/tap_config.hpp>
#include <runner/sync/tap_credentials.hpp>
#include <runner/util/fs.hpp>

#include <optional>

namespace tapline::sync {

namespace {

// Holds, per rotated key, the hash of the configured value it replaced.
constexpr std::string_view k_base_key = "__tapline_base__";

// A short hash of `key`'s value in `base` ("absent" when it has none).
Result<std::string>
base_hash(const credentials::Overrides& base, const std::string& key)
{
  const auto* value = base.find(key);
  if (value == nullptr) {
    return std::string("absent");
  }
  return credentials::fingerprint(
      std::string("{\"v\":") + std::string(value->reveal()) + "}", {});
}

} // namespace

Result<std::unique_ptr<TapCredentials>>
TapCredentials::load(const config::Config& config,
                     const config::Integration& integration)
{
  auto loaded = std::make_unique<TapCredentials>();
  loaded->m_integration = integration.name;
  const auto& tap = integration.tap;
  std::string base = "{}";
  std::string where = "tapline.yaml";
  if (tap.config.inline_json) {
    base = *tap.config.inline_json;
  } else if (tap.config.file) {
    TRY_ASSIGN(base, util::read_file(*tap.config.file));
    where = tap.config.file->string();
  }
  TRY_ASSIGN(auto key, credentials::load_master_key(config.data_dir));
  TRY_ASSIGN(loaded->m_store,
             credentials::open_credential_store(
                 (config.data_dir / "state.db").string(), std::move(key)));
  loaded->m_base_json = base;
  loaded->m_env = integration.tap.env;
  TRY_ASSIGN(const auto stored, loaded->m_store->get(integration.name));
  if (!stored) {
    loaded->m_config_json = base;
  } else {
    TRY_ASSIGN(const auto base_fields,
               credentials::Overrides::parse(base, where));
    std::optional<credentials::Overrides> hashes;
    if (const auto* meta = stored->find(k_base_key)) {
      TRY_ASSIGN(
          hashes,
          credentials::Overrides::parse(meta->reveal(), "stored credentials"));
    }
    credentials::Overrides effective;
    bool stale = false;
    for (const auto& field : stored->fields()) {
      if (field.key == k_base_key) {
        continue;
      }
      if (const auto* expected = hashes ? hashes->find(field.key) : nullptr) {
        TRY_ASSIGN(const auto current, base_hash(base_fields, field.key));
        if (expected->reveal() != "\"" + current + "\"") {
          stale = true; // a person edited this key since: the edit wins
          continue;
        }
      }
      TRY(effective.set_json(field.key, field.value_json.reveal()));
    }
    if (stale) {
      TRY(loaded->m_store->set(integration.name, effective));
    }
    TRY_ASSIGN(loaded->m_config_json,
               credentials::merge_config(base, effective, where));
    loaded->m_redactor.add(*stored);
  }
  TRY(loaded->m_redactor.add_config(loaded->m_config_json, where));
  if (integration.target.config.inline_json) {
    TRY(loaded->m_redactor.add_config(*integration.target.config.inline_json,
                                      "target config"));
  }
  return loaded;
}

Result<std::string>
TapCredentials::with_values(const credentials::Overrides& values) const
{
  return credentials::merge_config(m_config_json, values, "new credentials");
}

Result<void>
TapCredentials::store_values(const credentials::Overrides& values)
{
  TRY(m_store->merge(m_integration, values));
  TRY_ASSIGN(m_config_json, with_values(values));
  return {};
}

Result<std::string>
TapCredentials::fingerprint() const
{
  return credentials::fingerprint(m_config_json, m_env);
}

Result<std::vector<std::string>>
TapCredentials::persist_changes(const std::filesystem::path& config_file)
{
  auto read_back = util::read_file(config_file);
  if (!read_back) {
    // The tap removed or could not keep its config: nothing to learn.
    return std::vector<std::string>{};
  }
  return persist_text(*read_back);
}

Result<std::vector<std::string>>
TapCredentials::persist_text(const std::string& read_back,
                             const std::optional<std::string>& written)
{
  TRY_ASSIGN(
      auto changed,
      credentials::changed_values(written.value_or(m_config_json), read_back));
  auto keys = changed.keys();
  if (keys.empty()) {
    return keys;
  }
  // What the tap wrote is now the config in effect (and what the
  // fingerprint of a pause must describe).
  TRY_ASSIGN(m_config_json,
             credentials::merge_config(m_config_json, changed, "tap config"));
  // Remember what each rotated value replaced, so an edit of the configured
  // value later is recognised (see the header).
  TRY_ASSIGN(const auto base_fields,
             credentials::Overrides::parse(m_base_json, "tap config"));
  TRY_ASSIGN(const auto stored, m_store->get(m_integration));
  credentials::Overrides hashes;
  if (stored) {
    if (const auto* meta = stored->find(k_base_key)) {
      TRY_ASSIGN(
          hashes,
          credentials::Overrides::parse(meta->reveal(), "stored credentials"));
    }
  }
  for (const auto& key : keys) {
    TRY_ASSIGN(const auto hash, base_hash(base_fields, key));
    hashes.set_string(key, hash);
  }
  TRY(changed.set_json(std::string(k_base_key), hashes.to_json().reveal()));
  TRY(m_store->merge(m_integration, changed));
  return keys;
}

} // namespace tapline::sync
