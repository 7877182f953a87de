// runner/config/config_cache.cpp
//
// The cache file is one JSON object: the key (format, tapline version,
// config path, hashes, checked files) and then the body, every field of
// Config spelled out, defaults included, so a missing field is a corrupt
// cache rather than a silent default. Schedules are stored as written and
// parsed again on read, which also re-checks the time zone against today's
// tz database. Reading uses the simdjson DOM; every failure is a miss.
//
// Interpolated values end up in the body (an inline tap config holding
// ${TOKEN}), and the cache must not hold them in clear. So when the load
// read any set variable, the body is sealed (XSalsa20-Poly1305) under a key
// derived from a random salt and the values of the variables: only a
// process that has the same environment, which it needs anyway for the
// hit, can open it. A body without set variables holds nothing that is not
// already in tapline.yaml and stays plain JSON ("config").

#include <runner/config/config_cache.hpp>
#include <runner/util/atomic_file.hpp>
#include <runner/util/json_string.hpp>
#include <runner/util/unique_fd.hpp>

#include <simdjson.h>
#include <sodium.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <sys/stat.h>
#include <system_error>
#include <utility>

namespace tapline::config {

namespace {

namespace dom = simdjson::dom;

// Bump whenever the layout below changes, and whenever the loader starts
// reading something new (another input the key must record) or turns the
// same input into a different Config: TAPLINE_VERSION does not change on
// every build, this number is what keeps an old cache from outliving the
// code that wrote it.
constexpr std::int64_t k_format_version = 1;

// Under the user's cache directory, one file per configuration path.
constexpr std::string_view k_cache_dir = "tapline";

// Every field of these structs is written and read below. If one of these
// fires, a field was added or changed: cache it, then update the size and
// bump k_format_version. (Checked where the sizes are known: libstdc++ on
// 64-bit targets.)
#if defined(__GLIBCXX__) && __SIZEOF_POINTER__ == 8
static_assert(sizeof(ProcessConfig) == 88, "cache the new ProcessConfig field");
static_assert(sizeof(TapSpec) == 216, "cache the new TapSpec field");
static_assert(sizeof(TargetSpec) == 208, "cache the new TargetSpec field");
static_assert(sizeof(AuthSettings) == 104, "cache the new AuthSettings field");
static_assert(sizeof(RetrySettings) == 24, "cache the new RetrySettings field");
static_assert(sizeof(FailureBackoff) == 16,
              "cache the new FailureBackoff field");
static_assert(sizeof(Integration) == 832, "cache the new Integration field");
static_assert(sizeof(WebhookAlert) == 96, "cache the new WebhookAlert field");
static_assert(sizeof(AlertConfig) == 128, "cache the new AlertConfig field");
static_assert(sizeof(Config) == 280, "cache the new Config field");
#endif

// The variables a load looked up, in the order the key lists them.
using Variables =
    std::vector<std::pair<std::string, std::optional<std::string>>>;

using Hash = std::array<unsigned char, crypto_generichash_BYTES>;
using SealKey = std::array<unsigned char, crypto_secretbox_KEYBYTES>;
static_assert(sizeof(Hash) == sizeof(SealKey));

constexpr std::size_t k_salt_bytes = 16;

bool
sodium_ready()
{
  // sodium_init is thread-safe and idempotent; the static makes later
  // calls free.
  static const bool ready = sodium_init() >= 0;
  return ready;
}

std::string
to_hex(std::span<const unsigned char> bytes)
{
  std::string hex(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  hex.pop_back();
  return hex;
}

// BLAKE2b-256 of the file's bytes, in hex.
std::string
file_hash(std::string_view text)
{
  Hash hash{};
  crypto_generichash(hash.data(),
                     hash.size(),
                     reinterpret_cast<const unsigned char*>(text.data()),
                     text.size(),
                     nullptr,
                     0);
  return to_hex(hash);
}

// BLAKE2b-256 over a sequence of parts. Each part is prefixed with its
// length, so no two different sequences hash the same bytes; the first
// part names the purpose, so the stored env hash says nothing about the
// seal key computed from the same variables.
class Hasher
{
public:
  explicit Hasher(std::string_view purpose)
  {
    crypto_generichash_init(&m_state, nullptr, 0, crypto_generichash_BYTES);
    add(purpose);
  }

  void
  add(std::string_view part)
  {
    add(std::span(reinterpret_cast<const unsigned char*>(part.data()),
                  part.size()));
  }

  void
  add(std::span<const unsigned char> part)
  {
    std::array<unsigned char, 8> length{};
    auto size = static_cast<std::uint64_t>(part.size());
    for (auto& byte : length) {
      byte = static_cast<unsigned char>(size & 0xffU);
      size >>= 8U;
    }
    crypto_generichash_update(&m_state, length.data(), length.size());
    crypto_generichash_update(&m_state, part.data(), part.size());
  }

  // "set to ''" and "unset" hash differently.
  void
  add(const Variables& variables)
  {
    for (const auto& [name, value] : variables) {
      add(name);
      add(value ? "set" : "unset");
      if (value) {
        add(*value);
      }
    }
  }

  [[nodiscard]] Hash
  finish()
  {
    Hash hash{};
    crypto_generichash_final(&m_state, hash.data(), hash.size());
    return hash;
  }

private:
  crypto_generichash_state m_state{};
};

std::string
env_hash(const Variables& variables)
{
  Hasher hasher("tapline-config-env-v1");
  hasher.add(variables);
  return to_hex(hasher.finish());
}

SealKey
seal_key(std::span<const unsigned char> salt, const Variables& variables)
{
  Hasher hasher("tapline-config-seal-v1");
  hasher.add(salt);
  hasher.add(variables);
  return hasher.finish();
}

bool
any_set(const Variables& variables)
{
  return std::ranges::any_of(
      variables, [](const auto& item) { return item.second.has_value(); });
}

// What `existing_file` accepts: the path, symlinks followed, is a regular
// file.
bool
is_existing_file(const std::filesystem::path& path)
{
  struct stat info
  {
  };
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

// ---- base64 (libsodium's is constant-time, and ten times slower than
// this on a sealed body of several megabytes) ---------------------------

constexpr std::string_view k_base64_digits =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> k_base64_values = [] {
  std::array<std::int8_t, 256> values{};
  values.fill(-1);
  for (std::size_t i = 0; i < k_base64_digits.size(); ++i) {
    values[static_cast<unsigned char>(k_base64_digits[i])] =
        static_cast<std::int8_t>(i);
  }
  return values;
}();

std::string
base64_encode(std::span<const unsigned char> bytes)
{
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t group = std::uint32_t{bytes[i]} << 16U;
    if (n > 1) {
      group |= std::uint32_t{bytes[i + 1]} << 8U;
    }
    if (n > 2) {
      group |= bytes[i + 2];
    }
    for (std::size_t j = 0; j < 4; ++j) {
      out += j <= n ? k_base64_digits[(group >> (18 - 6 * j)) & 63U] : '=';
    }
  }
  return out;
}

// Strict: padded, no whitespace.
std::optional<std::vector<unsigned char>>
base64_decode(std::string_view text)
{
  if (text.size() % 4 != 0) {
    return std::nullopt;
  }
  const std::size_t padding =
      text.ends_with("==") ? 2 : (text.ends_with('=') ? 1 : 0);
  std::vector<unsigned char> out(text.size() / 4 * 3 - padding);
  std::size_t at = 0;
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const std::size_t digits = i + 4 == text.size() ? 4 - padding : 4;
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      std::int8_t value = 0;
      if (j < digits) {
        value = k_base64_values[static_cast<unsigned char>(text[i + j])];
        if (value < 0) {
          return std::nullopt;
        }
      }
      group = (group << 6U) | static_cast<std::uint32_t>(value);
    }
    for (std::size_t j = 0; j + 1 < digits; ++j) {
      out[at++] = static_cast<unsigned char>(group >> (16 - 8 * j));
    }
  }
  return out;
}

// ---- writing ---------------------------------------------------------------

// Just enough of a JSON writer for the cache: commas and key/value pairing.
class JsonWriter
{
public:
  // '{' or '['.
  void
  open(char bracket)
  {
    separate();
    m_out += bracket;
    m_first = true;
  }
  // '}' or ']'.
  void
  close(char bracket)
  {
    m_out += bracket;
    m_first = false;
  }
  void
  key(std::string_view name)
  {
    separate();
    util::append_json_string(m_out, name);
    m_out += ':';
    m_after_key = true;
  }
  void
  string(std::string_view text)
  {
    separate();
    util::append_json_string(m_out, text);
  }
  void
  number(std::int64_t value)
  {
    separate();
    m_out += std::to_string(value);
  }
  void
  boolean(bool value)
  {
    separate();
    m_out += value ? "true" : "false";
  }
  void
  null()
  {
    separate();
    m_out += "null";
  }
  // `json`: one complete JSON value.
  void
  raw(std::string_view json)
  {
    separate();
    m_out += json;
  }

  [[nodiscard]] std::string&
  text()
  {
    return m_out;
  }

private:
  void
  separate()
  {
    if (m_after_key) {
      m_after_key = false;
      return;
    }
    if (!m_first) {
      m_out += ',';
    }
    m_first = false;
  }

  std::string m_out;
  bool m_first = true;
  bool m_after_key = false;
};

void
write_string(JsonWriter& out,
             std::string_view key,
             const std::optional<std::string>& text)
{
  out.key(key);
  if (text) {
    out.string(*text);
  } else {
    out.null();
  }
}

void
write_path(JsonWriter& out,
           std::string_view key,
           const std::optional<std::filesystem::path>& path)
{
  out.key(key);
  if (path) {
    out.string(path->native());
  } else {
    out.null();
  }
}

void
write_strings(JsonWriter& out,
              std::string_view key,
              const std::vector<std::string>& items)
{
  out.key(key);
  out.open('[');
  for (const std::string& item : items) {
    out.string(item);
  }
  out.close(']');
}

void
write_string_map(JsonWriter& out,
                 std::string_view key,
                 const std::map<std::string, std::string>& map)
{
  out.key(key);
  out.open('{');
  for (const auto& [name, value] : map) {
    out.key(name);
    out.string(value);
  }
  out.close('}');
}

void
write_seconds(JsonWriter& out, std::string_view key, std::chrono::seconds value)
{
  out.key(key);
  out.number(value.count());
}

void
write_process_config(JsonWriter& out,
                     std::string_view key,
                     const ProcessConfig& config)
{
  out.key(key);
  out.open('{');
  write_path(out, "file", config.file);
  write_string(out, "inline_json", config.inline_json);
  out.close('}');
}

std::string_view
target_kind_name(TargetKind kind)
{
  switch (kind) {
  case TargetKind::process:
    return "process";
  case TargetKind::jsonl:
    return "jsonl";
  case TargetKind::null:
    break;
  }
  return "null";
}

// `source` goes without its "GIVEN:" prefix, so the cache serves every
// spelling of the config path (`tapline.yaml`, `./tapline.yaml`, absolute).
Result<void>
write_integration(JsonWriter& out,
                  const Integration& integration,
                  std::string_view source_prefix)
{
  if (!integration.source.starts_with(source_prefix)) {
    return fail(ErrorCode::internal,
                "config cache: source '" + integration.source +
                    "' does not start with '" + std::string(source_prefix) +
                    "'");
  }
  out.open('{');
  out.key("name");
  out.string(integration.name);
  out.key("source");
  out.string(std::string_view(integration.source).substr(source_prefix.size()));

  const TapSpec& tap = integration.tap;
  out.key("tap");
  out.open('{');
  write_strings(out, "command", tap.command);
  write_process_config(out, "config", tap.config);
  write_path(out, "catalog", tap.catalog);
  out.key("catalog_flag");
  out.string(tap.catalog_flag == CatalogFlag::properties ? "properties"
                                                         : "catalog");
  write_string_map(out, "env", tap.env);
  out.close('}');

  const TargetSpec& target = integration.target;
  out.key("target");
  out.open('{');
  out.key("kind");
  out.string(target_kind_name(target.kind));
  write_strings(out, "command", target.command);
  write_process_config(out, "config", target.config);
  write_string_map(out, "env", target.env);
  out.key("dir");
  out.string(target.dir.native());
  out.close('}');

  out.key("state_from");
  out.string(integration.state_from == StateFrom::tap_on_success
                 ? "tap_on_success"
                 : "target");
  write_seconds(out, "timeout", integration.timeout);
  write_seconds(out, "idle_timeout", integration.idle_timeout);
  out.key("max_line_bytes");
  out.number(static_cast<std::int64_t>(integration.max_line_bytes));
  out.key("max_log_bytes");
  out.number(static_cast<std::int64_t>(integration.max_log_bytes));

  const AuthSettings& auth = integration.auth;
  out.key("auth");
  out.open('{');
  write_path(out, "rules_file", auth.rules_file);
  write_strings(out, "disabled_rules", auth.disabled_rules);
  out.key("pause_on_partial_permissions");
  out.boolean(auth.pause_on_partial_permissions);
  write_strings(out, "check_command", auth.check_command);
  out.close('}');

  out.key("retry");
  out.open('{');
  out.key("attempts");
  out.number(integration.retry.attempts);
  write_seconds(out, "backoff", integration.retry.backoff);
  write_seconds(out, "max_backoff", integration.retry.max_backoff);
  out.close('}');

  out.key("schedule");
  if (integration.schedule) {
    out.open('{');
    out.key("expression");
    out.string(integration.schedule->expression());
    out.key("timezone");
    out.string(integration.schedule->timezone_name());
    out.close('}');
  } else {
    out.null();
  }

  out.key("failure_backoff");
  out.open('{');
  write_seconds(out, "backoff", integration.failure_backoff.backoff);
  write_seconds(out, "max_backoff", integration.failure_backoff.max_backoff);
  out.close('}');
  out.close('}');
  return {};
}

// The body: everything in Config but `file`, which is the key's.
Result<std::string>
write_body(const Config& config, std::string_view source_prefix)
{
  JsonWriter out;
  out.open('{');
  out.key("data_dir");
  out.string(config.data_dir.native());
  write_path(out, "metrics_file", config.metrics_file);

  out.key("alerts");
  out.open('{');
  out.key("webhook");
  if (config.alerts.webhook) {
    const WebhookAlert& hook = *config.alerts.webhook;
    out.open('{');
    out.key("url");
    out.string(hook.url);
    write_seconds(out, "timeout", hook.timeout);
    out.key("retries");
    out.number(hook.retries);
    write_string_map(out, "headers", hook.headers);
    out.close('}');
  } else {
    out.null();
  }
  write_strings(out, "command", config.alerts.command);
  out.close('}');

  out.key("integrations");
  out.open('[');
  for (const Integration& integration : config.integrations) {
    TRY(write_integration(out, integration, source_prefix));
  }
  out.close(']');
  out.close('}');
  return std::move(out.text());
}

// {"salt": HEX, "box": BASE64(nonce + MAC + ciphertext)}
std::string
seal(std::string_view body, const Variables& variables)
{
  std::array<unsigned char, k_salt_bytes> salt{};
  randombytes_buf(salt.data(), salt.size());
  SealKey key = seal_key(salt, variables);
  std::vector<unsigned char> box(crypto_secretbox_NONCEBYTES +
                                 crypto_secretbox_MACBYTES + body.size());
  randombytes_buf(box.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(box.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(body.data()),
                        body.size(),
                        box.data(),
                        key.data());
  sodium_memzero(key.data(), key.size());
  JsonWriter out;
  out.open('{');
  out.key("salt");
  out.string(to_hex(salt));
  out.key("box");
  out.string(base64_encode(box));
  out.close('}');
  return std::move(out.text());
}

// ---- reading ---------------------------------------------------------------

// The messages never reach the user (a bad cache is a miss); they are for
// tests and debugging.
std::unexpected<Error>
bad_field(std::string_view key, simdjson::error_code error)
{
  return fail(ErrorCode::internal,
              "config cache: '" + std::string(key) +
                  "': " + simdjson::error_message(error));
}

std::unexpected<Error>
bad_value(std::string_view key, std::string_view value)
{
  return fail(ErrorCode::internal,
              "config cache: '" + std::string(key) + "': unexpected '" +
                  std::string(value) + "'");
}

Result<dom::element>
field(dom::object object, std::string_view key)
{
  dom::element value;
  if (auto error = object.at_key(key).get(value)) {
    return bad_field(key, error);
  }
  return value;
}

Result<dom::object>
as_object(dom::element value, std::string_view key)
{
  dom::object out;
  if (auto error = value.get_object().get(out)) {
    return bad_field(key, error);
  }
  return out;
}

Result<dom::object>
object_field(dom::object object, std::string_view key)
{
  TRY_ASSIGN(const dom::element value, field(object, key));
  return as_object(value, key);
}

Result<dom::array>
array_field(dom::object object, std::string_view key)
{
  TRY_ASSIGN(const dom::element value, field(object, key));
  dom::array out;
  if (auto error = value.get_array().get(out)) {
    return bad_field(key, error);
  }
  return out;
}

Result<std::string_view>
as_string(dom::element value, std::string_view key)
{
  std::string_view out;
  if (auto error = value.get_string().get(out)) {
    return bad_field(key, error);
  }
  return out;
}

Result<std::string_view>
string_field(dom::object object, std::string_view key)
{
  TRY_ASSIGN(const dom::element value, field(object, key));
  return as_string(value, key);
}

// A string or null.
Result<std::optional<std::string>>
optional_string_field(dom::object object, std::string_view key)
{
  TRY_ASSIGN(const dom::element value, field(object, key));
  if (value.is_null()) {
    return std::optional<std::string>{};
  }
  TRY_ASSIGN(const std::string_view text, as_string(value, key));
  return std::optional<std::string>(text);
}

Result<std::optional<std::filesystem::path>>
optional_path_field(dom::object object, std::string_view key)
{
  TRY_ASSIGN(auto text, optional_string_field(object, key));
  if (!text) {
    return std::optional<std::filesystem::path>{};
  }
  return std::optional<std::filesystem::path>(std::move(*text));
}

Result<std::int64_t>
int_field(dom::object object, std::string_view key)
{
  TRY_ASSIGN(const dom::element value, field(object, key));
  std::int64_t out = 0;
  if (auto error = value.get_int64().get(out)) {
    return bad_field(key, error);
  }
  return out;
}

Result<int>
small_int_field(dom::object object, std::string_view key)
{
  TRY_ASSIGN(const std::int64_t value, int_field(object, key));
  if (value < std::numeric_limits<int>::min() ||
      value > std::numeric_limits<int>::max()) {
    return bad_value(key, std::to_string(value));
  }
  return static_cast<int>(value);
}

Result<std::size_t>
size_field(dom::object object, std::string_view key)
{
  TRY_ASSIGN(const std::int64_t value, int_field(object, key));
  if (value < 0) {
    return bad_value(key, std::to_string(value));
  }
  return static_cast<std::size_t>(value);
}

Result<std::chrono::seconds>
seconds_field(dom::object object, std::string_view key)
{
  TRY_ASSIGN(const std::int64_t value, int_field(object, key));
  return std::chrono::seconds(value);
}

Result<bool>
bool_field(dom::object object, std::string_view key)
{
  TRY_ASSIGN(const dom::element value, field(object, key));
  bool out = false;
  if (auto error = value.get_bool().get(out)) {
    return bad_field(key, error);
  }
  return out;
}

Result<std::vector<std::string>>
strings_field(dom::object object, std::string_view key)
{
  TRY_ASSIGN(const dom::array items, array_field(object, key));
  std::vector<std::string> out;
  out.reserve(items.size());
  for (const dom::element item : items) {
    TRY_ASSIGN(const std::string_view text, as_string(item, key));
    out.emplace_back(text);
  }
  return out;
}

Result<std::map<std::string, std::string>>
string_map_field(dom::object object, std::string_view key)
{
  TRY_ASSIGN(const dom::object items, object_field(object, key));
  std::map<std::string, std::string> out;
  for (const dom::key_value_pair item : items) {
    TRY_ASSIGN(const std::string_view text, as_string(item.value, key));
    out.emplace(std::string(item.key), std::string(text));
  }
  return out;
}

Result<ProcessConfig>
process_config_field(dom::object object, std::string_view key)
{
  TRY_ASSIGN(const dom::object fields, object_field(object, key));
  ProcessConfig config;
  TRY_ASSIGN(config.file, optional_path_field(fields, "file"));
  TRY_ASSIGN(config.inline_json, optional_string_field(fields, "inline_json"));
  return config;
}

Result<TapSpec>
read_tap(dom::object object)
{
  TRY_ASSIGN(const dom::object fields, object_field(object, "tap"));
  TapSpec tap;
  TRY_ASSIGN(tap.command, strings_field(fields, "command"));
  TRY_ASSIGN(tap.config, process_config_field(fields, "config"));
  TRY_ASSIGN(tap.catalog, optional_path_field(fields, "catalog"));
  TRY_ASSIGN(const std::string_view flag, string_field(fields, "catalog_flag"));
  if (flag == "catalog") {
    tap.catalog_flag = CatalogFlag::catalog;
  } else if (flag == "properties") {
    tap.catalog_flag = CatalogFlag::properties;
  } else {
    return bad_value("catalog_flag", flag);
  }
  TRY_ASSIGN(tap.env, string_map_field(fields, "env"));
  return tap;
}

Result<TargetSpec>
read_target(dom::object object)
{
  TRY_ASSIGN(const dom::object fields, object_field(object, "target"));
  TargetSpec target;
  TRY_ASSIGN(const std::string_view kind, string_field(fields, "kind"));
  if (kind == "process") {
    target.kind = TargetKind::process;
  } else if (kind == "jsonl") {
    target.kind = TargetKind::jsonl;
  } else if (kind == "null") {
    target.kind = TargetKind::null;
  } else {
    return bad_value("kind", kind);
  }
  TRY_ASSIGN(target.command, strings_field(fields, "command"));
  TRY_ASSIGN(target.config, process_config_field(fields, "config"));
  TRY_ASSIGN(target.env, string_map_field(fields, "env"));
  TRY_ASSIGN(const std::string_view dir, string_field(fields, "dir"));
  target.dir = dir;
  return target;
}

Result<AuthSettings>
read_auth(dom::object object)
{
  TRY_ASSIGN(const dom::object fields, object_field(object, "auth"));
  AuthSettings auth;
  TRY_ASSIGN(auth.rules_file, optional_path_field(fields, "rules_file"));
  TRY_ASSIGN(auth.disabled_rules, strings_field(fields, "disabled_rules"));
  TRY_ASSIGN(auth.pause_on_partial_permissions,
             bool_field(fields, "pause_on_partial_permissions"));
  TRY_ASSIGN(auth.check_command, strings_field(fields, "check_command"));
  return auth;
}

Result<std::optional<schedule::Schedule>>
read_schedule(dom::object object)
{
  TRY_ASSIGN(const dom::element value, field(object, "schedule"));
  if (value.is_null()) {
    return std::optional<schedule::Schedule>{};
  }
  TRY_ASSIGN(const dom::object fields, as_object(value, "schedule"));
  TRY_ASSIGN(const std::string_view expression,
             string_field(fields, "expression"));
  TRY_ASSIGN(const std::string_view timezone, string_field(fields, "timezone"));
  // Fails only if the tz database lost the zone since the full load; the
  // full load then reports it.
  TRY_ASSIGN(schedule::Schedule parsed,
             schedule::Schedule::parse(expression, timezone));
  return std::optional<schedule::Schedule>(std::move(parsed));
}

Result<Integration>
read_integration(dom::element element, std::string_view source_prefix)
{
  TRY_ASSIGN(const dom::object object, as_object(element, "integrations[]"));
  Integration integration;
  TRY_ASSIGN(const std::string_view name, string_field(object, "name"));
  integration.name = name;
  TRY_ASSIGN(const std::string_view source, string_field(object, "source"));
  integration.source.reserve(source_prefix.size() + source.size());
  integration.source.append(source_prefix).append(source);
  TRY_ASSIGN(integration.tap, read_tap(object));
  TRY_ASSIGN(integration.target, read_target(object));
  TRY_ASSIGN(const std::string_view state_from,
             string_field(object, "state_from"));
  if (state_from == "target") {
    integration.state_from = StateFrom::target;
  } else if (state_from == "tap_on_success") {
    integration.state_from = StateFrom::tap_on_success;
  } else {
    return bad_value("state_from", state_from);
  }
  TRY_ASSIGN(integration.timeout, seconds_field(object, "timeout"));
  TRY_ASSIGN(integration.idle_timeout, seconds_field(object, "idle_timeout"));
  TRY_ASSIGN(integration.max_line_bytes, size_field(object, "max_line_bytes"));
  TRY_ASSIGN(integration.max_log_bytes, size_field(object, "max_log_bytes"));
  TRY_ASSIGN(integration.auth, read_auth(object));

  TRY_ASSIGN(const dom::object retry, object_field(object, "retry"));
  TRY_ASSIGN(integration.retry.attempts, small_int_field(retry, "attempts"));
  TRY_ASSIGN(integration.retry.backoff, seconds_field(retry, "backoff"));
  TRY_ASSIGN(integration.retry.max_backoff,
             seconds_field(retry, "max_backoff"));

  TRY_ASSIGN(integration.schedule, read_schedule(object));

  TRY_ASSIGN(const dom::object backoff,
             object_field(object, "failure_backoff"));
  TRY_ASSIGN(integration.failure_backoff.backoff,
             seconds_field(backoff, "backoff"));
  TRY_ASSIGN(integration.failure_backoff.max_backoff,
             seconds_field(backoff, "max_backoff"));
  return integration;
}

Result<AlertConfig>
read_alerts(dom::object object)
{
  TRY_ASSIGN(const dom::object fields, object_field(object, "alerts"));
  AlertConfig alerts;
  TRY_ASSIGN(const dom::element webhook, field(fields, "webhook"));
  if (!webhook.is_null()) {
    TRY_ASSIGN(const dom::object hook_fields, as_object(webhook, "webhook"));
    WebhookAlert hook;
    TRY_ASSIGN(const std::string_view url, string_field(hook_fields, "url"));
    hook.url = url;
    TRY_ASSIGN(hook.timeout, seconds_field(hook_fields, "timeout"));
    TRY_ASSIGN(hook.retries, small_int_field(hook_fields, "retries"));
    TRY_ASSIGN(hook.headers, string_map_field(hook_fields, "headers"));
    alerts.webhook = std::move(hook);
  }
  TRY_ASSIGN(alerts.command, strings_field(fields, "command"));
  return alerts;
}

Result<Config>
read_body(dom::object body,
          const std::filesystem::path& config_file,
          std::string_view given_file)
{
  Config config;
  config.file = config_file;
  TRY_ASSIGN(const std::string_view data_dir, string_field(body, "data_dir"));
  config.data_dir = data_dir;
  TRY_ASSIGN(config.metrics_file, optional_path_field(body, "metrics_file"));
  TRY_ASSIGN(config.alerts, read_alerts(body));
  TRY_ASSIGN(const dom::array integrations, array_field(body, "integrations"));
  const std::string source_prefix = std::string(given_file) + ":";
  config.integrations.reserve(integrations.size());
  for (const dom::element item : integrations) {
    TRY_ASSIGN(Integration integration, read_integration(item, source_prefix));
    config.integrations.push_back(std::move(integration));
  }
  return config;
}

// Whether the key in `root` matches this load; if so, the variables as
// they are now (which hash as they did then). Cheapest checks first.
Result<Variables>
check_key(dom::object root,
          const std::filesystem::path& config_file,
          std::string_view text,
          const EnvLookup& env)
{
  TRY_ASSIGN(const std::int64_t format, int_field(root, "format"));
  if (format != k_format_version) {
    return bad_value("format", std::to_string(format));
  }
  TRY_ASSIGN(const std::string_view version,
             string_field(root, "tapline_version"));
  if (version != TAPLINE_VERSION) {
    return bad_value("tapline_version", version);
  }
  TRY_ASSIGN(const std::string_view path, string_field(root, "config_file"));
  if (path != config_file.native()) {
    return bad_value("config_file", path);
  }
  TRY_ASSIGN(const std::string_view hash, string_field(root, "file_hash"));
  if (hash != file_hash(text)) {
    return bad_value("file_hash", hash);
  }

  TRY_ASSIGN(const dom::object env_fields, object_field(root, "env"));
  TRY_ASSIGN(const dom::array names, array_field(env_fields, "names"));
  Variables variables;
  variables.reserve(names.size());
  for (const dom::element item : names) {
    TRY_ASSIGN(const std::string_view name, as_string(item, "env.names"));
    std::string owned(name);
    std::optional<std::string> value = env(owned);
    variables.emplace_back(std::move(owned), std::move(value));
  }
  TRY_ASSIGN(const std::string_view stored_env_hash,
             string_field(env_fields, "hash"));
  if (stored_env_hash != env_hash(variables)) {
    return bad_value("env.hash", stored_env_hash);
  }

  TRY_ASSIGN(const dom::array files, array_field(root, "checked_files"));
  for (const dom::element item : files) {
    TRY_ASSIGN(const std::string_view file, as_string(item, "checked_files"));
    // Gone or replaced by a directory: the full load reports it.
    if (!is_existing_file(std::filesystem::path(file))) {
      return bad_value("checked_files", file);
    }
  }
  return variables;
}

// Decrypt the sealed body into `plain` (padded for simdjson).
Result<void>
open_sealed(dom::object root,
            const Variables& variables,
            simdjson::padded_string& plain)
{
  TRY_ASSIGN(const dom::object sealed, object_field(root, "sealed_config"));
  TRY_ASSIGN(const std::string_view salt_hex, string_field(sealed, "salt"));
  std::array<unsigned char, k_salt_bytes> salt{};
  std::size_t salt_size = 0;
  if (sodium_hex2bin(salt.data(),
                     salt.size(),
                     salt_hex.data(),
                     salt_hex.size(),
                     nullptr,
                     &salt_size,
                     nullptr) != 0 ||
      salt_size != salt.size()) {
    return bad_value("salt", salt_hex);
  }
  TRY_ASSIGN(const std::string_view box_text, string_field(sealed, "box"));
  const auto box = base64_decode(box_text);
  constexpr std::size_t k_overhead =
      crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
  if (!box || box->size() < k_overhead) {
    return bad_value("box", "(not a sealed box)");
  }
  SealKey key = seal_key(salt, variables);
  plain = simdjson::padded_string(box->size() - k_overhead);
  const int opened =
      crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 box->data() + crypto_secretbox_NONCEBYTES,
                                 box->size() - crypto_secretbox_NONCEBYTES,
                                 box->data(),
                                 key.data());
  sodium_memzero(key.data(), key.size());
  if (opened != 0) {
    return bad_value("box", "(does not open)");
  }
  return {};
}

// Read `path` into `out`, but only if it is a regular file that this user
// owns and nobody else can write: the cache decides which commands run, so
// a cache someone else planted (a config in a shared directory, where they
// could create `.tapline/` first) must not count.
Result<void>
read_own_file(const std::filesystem::path& path, simdjson::padded_string& out)
{
  const util::UniqueFd fd(
      ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  struct stat info
  {
  };
  if (!fd.valid() || ::fstat(fd.get(), &info) != 0) {
    return fail(ErrorCode::io, "config cache: cannot open", path.string());
  }
  if (!S_ISREG(info.st_mode) || info.st_uid != ::geteuid() ||
      (info.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return fail(
        ErrorCode::io, "config cache: not a private file", path.string());
  }
  out = simdjson::padded_string(static_cast<std::size_t>(info.st_size));
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::read(fd.get(), out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      // Shrunk while reading, or a read error: a miss either way.
      return fail(ErrorCode::io, "config cache: short read", path.string());
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Result<Config>
read_cache(const std::filesystem::path& cache_file,
           const std::filesystem::path& config_file,
           std::string_view given_file,
           std::string_view text,
           const EnvLookup& env)
{
  simdjson::padded_string json;
  TRY(read_own_file(cache_file, json));
  dom::parser parser;
  dom::element document;
  if (auto error = parser.parse(json).get(document)) {
    return bad_field("(document)", error);
  }
  TRY_ASSIGN(const dom::object root, as_object(document, "(document)"));
  TRY_ASSIGN(const Variables variables,
             check_key(root, config_file, text, env));
  if (!any_set(variables)) {
    TRY_ASSIGN(const dom::object body, object_field(root, "config"));
    return read_body(body, config_file, given_file);
  }
  simdjson::padded_string plain;
  TRY(open_sealed(root, variables, plain));
  dom::parser body_parser;
  dom::element body_document;
  auto error = body_parser.parse(plain).get(body_document);
  // The parser copied every string it needs.
  sodium_memzero(plain.data(), plain.size());
  if (error) {
    return bad_field("(sealed body)", error);
  }
  TRY_ASSIGN(const dom::object body, as_object(body_document, "(sealed body)"));
  return read_body(body, config_file, given_file);
}

} // namespace

EnvLookup
recording_env(const EnvLookup& env, LoadInputs& inputs)
{
  return [&env, &inputs](const std::string& name) {
    std::optional<std::string> value = env(name);
    inputs.env.insert_or_assign(name, value);
    return value;
  };
}

bool
config_cache_enabled(const EnvLookup& env)
{
  const std::optional<std::string> off = env("TAPLINE_NO_CONFIG_CACHE");
  return !off || off->empty() || *off == "0";
}

std::optional<std::filesystem::path>
config_cache_path(const std::filesystem::path& config_file,
                  const EnvLookup& env)
{
  // The XDG base directory convention: $XDG_CACHE_HOME, else ~/.cache.
  // Relative values are ignored, as the specification says.
  std::filesystem::path home;
  if (const auto xdg = env("XDG_CACHE_HOME");
      xdg && !xdg->empty() && xdg->front() == '/') {
    home = *xdg;
  } else if (const auto user_home = env("HOME");
             user_home && !user_home->empty() && user_home->front() == '/') {
    home = std::filesystem::path(*user_home) / ".cache";
  } else {
    return std::nullopt;
  }
  if (!sodium_ready()) {
    return std::nullopt;
  }
  const std::string path = config_file.string();
  return home / k_cache_dir /
         ("config-" + file_hash(path).substr(0, 32) + ".json");
}

std::optional<Config>
read_config_cache(const std::filesystem::path& cache_file,
                  const std::filesystem::path& config_file,
                  std::string_view given_file,
                  std::string_view text,
                  const EnvLookup& env)
{
  if (!sodium_ready()) {
    return std::nullopt;
  }
  auto config = read_cache(cache_file, config_file, given_file, text, env);
  if (!config) {
    return std::nullopt;
  }
  return std::move(*config);
}

Result<void>
write_config_cache(const std::filesystem::path& cache_file,
                   const Config& config,
                   std::string_view given_file,
                   std::string_view text,
                   const LoadInputs& inputs)
{
  if (!sodium_ready()) {
    return fail(ErrorCode::internal, "cannot initialise libsodium");
  }
  const Variables variables(inputs.env.begin(), inputs.env.end());
  JsonWriter out;
  out.open('{');
  out.key("format");
  out.number(k_format_version);
  out.key("tapline_version");
  out.string(TAPLINE_VERSION);
  out.key("config_file");
  out.string(config.file.native());
  out.key("file_hash");
  out.string(file_hash(text));

  // Names only, and one hash over names and values: values may be secrets.
  out.key("env");
  out.open('{');
  out.key("names");
  out.open('[');
  for (const auto& variable : variables) {
    out.string(variable.first);
  }
  out.close(']');
  out.key("hash");
  out.string(env_hash(variables));
  out.close('}');

  // Sorted and without repeats: many integrations may share one catalog.
  std::vector<std::string_view> checked;
  checked.reserve(inputs.checked_files.size());
  for (const std::filesystem::path& file : inputs.checked_files) {
    checked.emplace_back(file.native());
  }
  std::ranges::sort(checked);
  const auto repeats = std::ranges::unique(checked);
  checked.erase(repeats.begin(), repeats.end());
  out.key("checked_files");
  out.open('[');
  for (const std::string_view file : checked) {
    out.string(file);
  }
  out.close(']');

  TRY_ASSIGN(std::string body,
             write_body(config, std::string(given_file) + ":"));
  if (any_set(variables)) {
    out.key("sealed_config");
    out.raw(seal(body, variables));
    sodium_memzero(body.data(), body.size());
  } else {
    out.key("config");
    out.raw(body);
  }
  out.close('}');

  // 0700: the cache is the user's own (~/.cache may not exist yet either).
  const std::filesystem::path dir = cache_file.parent_path();
  for (const auto& level : {dir.parent_path(), dir}) {
    if (::mkdir(level.c_str(), 0700) != 0 && errno != EEXIST) {
      const int saved = errno;
      return fail(ErrorCode::io,
                  "cannot create cache directory: " +
                      std::generic_category().message(saved),
                  level.string());
    }
  }
  return util::write_file_atomically(cache_file,
                                     out.text(),
                                     std::filesystem::perms::owner_read |
                                         std::filesystem::perms::owner_write);
}

} // namespace tapline::config
