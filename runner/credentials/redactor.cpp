// runner/credentials/redactor.cpp
//
// Redaction works on spans: every match (given values, scheme tokens, named
// parameters) marks a byte range, overlapping or touching ranges are
// joined, and each joined range becomes one "********". That is what
// replacing the longest secret first aims at, without its failure mode: two
// secrets that overlap in the text ("abcd1234" and "1234wxyz" in
// "abcd1234wxyz") are both hidden entirely. Pattern matching runs on an
// ASCII-lowercased copy, which has the same length, so offsets carry over.

#include <runner/credentials/json_value.hpp>
#include <runner/credentials/redactor.hpp>
#include <runner/util/ascii.hpp>
#include <runner/util/json_string.hpp>

#include <algorithm>
#include <array>
#include <mutex>
#include <utility>

namespace tapline::credentials {

namespace {

using Span = std::pair<std::size_t, std::size_t>; // [begin, end)

bool
is_alnum(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

bool
is_space(char c)
{
  return c == ' ' || c == '\t';
}

bool
starts_with(std::string_view text, std::size_t at, std::string_view prefix)
{
  return text.substr(at, prefix.size()) == prefix;
}

// Bytes of a Bearer token or Basic credential: RFC 6750's b64token plus _.
bool
is_token_char(char c)
{
  return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
         c == '+' || c == '/' || c == '=';
}

// Whether the word after "Bearer"/"Basic" is a credential rather than
// prose ("Basic authentication failed", "Bearer realm=..."): long enough
// and with a digit, a symbol, or mixed case, or very long.
bool
looks_like_credential(std::string_view token)
{
  if (token.size() >= 32) {
    return true;
  }
  if (token.size() < 8) {
    return false;
  }
  int upper = 0;
  int lower_count = 0;
  for (const char c : token) {
    if ((c >= '0' && c <= '9') || !is_alnum(c)) {
      return true;
    }
    if (c >= 'A' && c <= 'Z') {
      ++upper;
    } else {
      ++lower_count;
    }
  }
  return upper >= 2 && lower_count >= 2;
}

// Whether the scheme at `at` follows an Authorization header name, as in
// "Authorization: Basic ..." or {"Authorization": "Bearer ..."}.
bool
after_authorization(std::string_view lowered, std::size_t at)
{
  std::size_t end = at;
  while (end > 0 && (is_space(lowered[end - 1]) || lowered[end - 1] == '"' ||
                     lowered[end - 1] == '\'' || lowered[end - 1] == ':' ||
                     lowered[end - 1] == '=' || lowered[end - 1] == '\\')) {
    --end;
  }
  constexpr std::string_view header = "authorization";
  return end >= header.size() &&
         lowered.substr(end - header.size(), header.size()) == header;
}

void
find_scheme_tokens(std::string_view text,
                   std::string_view lowered,
                   std::vector<Span>& spans)
{
  for (const std::string_view scheme : {"bearer", "basic"}) {
    for (std::size_t at = lowered.find(scheme); at != std::string_view::npos;
         at = lowered.find(scheme, at + 1)) {
      if (at > 0 && is_alnum(lowered[at - 1])) {
        continue;
      }
      std::size_t begin = at + scheme.size();
      if (begin >= text.size() || !is_space(text[begin])) {
        continue;
      }
      while (begin < text.size() && is_space(text[begin])) {
        ++begin;
      }
      std::size_t end = begin;
      while (end < text.size() && is_token_char(text[end])) {
        ++end;
      }
      const std::string_view token = text.substr(begin, end - begin);
      if (!token.empty() &&
          (after_authorization(lowered, at) || looks_like_credential(token))) {
        spans.emplace_back(begin, end);
      }
    }
  }
}

// Skip a quote, plain or JSON-escaped, at `at`.
std::size_t
skip_quote(std::string_view text, std::size_t at)
{
  if (starts_with(text, at, "\\\"")) {
    return at + 2;
  }
  if (at < text.size() && (text[at] == '"' || text[at] == '\'')) {
    return at + 1;
  }
  return at;
}

bool
ends_value(char c)
{
  static constexpr std::string_view terminators = " \t\r\n&\"',;}])\\<>";
  return terminators.find(c) != std::string_view::npos;
}

// name=value (query strings, form bodies, env dumps) and quoted members,
// "name": "value" (JSON, also JSON-escaped inside a JSON string).
void
find_named_values(std::string_view text,
                  std::string_view lowered,
                  std::vector<Span>& spans)
{
  static constexpr std::array<std::string_view, 7> names = {"access_token",
                                                            "refresh_token",
                                                            "id_token",
                                                            "client_secret",
                                                            "password",
                                                            "api_key",
                                                            "apikey"};
  for (const std::string_view name : names) {
    for (std::size_t at = lowered.find(name); at != std::string_view::npos;
         at = lowered.find(name, at + 1)) {
      std::size_t pos = at + name.size();
      const std::size_t after_name = skip_quote(text, pos);
      const bool quoted_name = after_name != pos;
      pos = after_name;
      while (pos < text.size() && is_space(text[pos])) {
        ++pos;
      }
      if (pos >= text.size() || (text[pos] != '=' && text[pos] != ':')) {
        continue;
      }
      const bool colon = text[pos] == ':';
      ++pos;
      while (pos < text.size() && is_space(text[pos])) {
        ++pos;
      }
      const std::size_t value_begin = skip_quote(text, pos);
      const bool quoted_value = value_begin != pos;
      // "password: incorrect" is prose; "password": "x" is a member.
      if (colon && !(quoted_name && quoted_value)) {
        continue;
      }
      std::size_t end = value_begin;
      while (end < text.size() && !ends_value(text[end])) {
        ++end;
      }
      if (end > value_begin) {
        spans.emplace_back(value_begin, end);
      }
    }
  }
}

std::string
normalize_key(std::string_view key)
{
  std::string out;
  out.reserve(key.size());
  for (const char c : key) {
    if (c != '_' && c != '-' && c != '.' && c != ' ') {
      out.push_back(util::ascii_lower(c));
    }
  }
  return out;
}

bool
ends_with(std::string_view text, std::string_view suffix)
{
  return text.size() >= suffix.size() &&
         text.substr(text.size() - suffix.size()) == suffix;
}

void
collect_leaves(const JsonValue& value, bool numbers, Redactor& redactor)
{
  switch (value.kind) {
  case JsonValue::Kind::string:
    redactor.add(value.text);
    return;
  case JsonValue::Kind::number:
    if (numbers) {
      redactor.add(value.text);
    }
    return;
  case JsonValue::Kind::array:
    for (const auto& item : value.items) {
      collect_leaves(item, numbers, redactor);
    }
    return;
  case JsonValue::Kind::object:
    for (const auto& field : value.fields) {
      collect_leaves(field.value, numbers, redactor);
    }
    return;
  case JsonValue::Kind::null:
  case JsonValue::Kind::boolean:
    return;
  }
}

// Strings whose nearest key looks secret; `secret` is that for `value`.
void
collect_config(const JsonValue& value, bool secret, Redactor& redactor)
{
  switch (value.kind) {
  case JsonValue::Kind::string:
    if (secret) {
      redactor.add(value.text);
    }
    return;
  case JsonValue::Kind::array:
    for (const auto& item : value.items) {
      collect_config(item, secret, redactor);
    }
    return;
  case JsonValue::Kind::object:
    for (const auto& field : value.fields) {
      collect_config(field.value, Redactor::is_secret_key(field.key), redactor);
    }
    return;
  case JsonValue::Kind::null:
  case JsonValue::Kind::boolean:
  case JsonValue::Kind::number:
    return;
  }
}

} // namespace

void
Redactor::add(std::string_view value)
{
  if (value.size() < k_min_length) {
    return;
  }
  const std::unique_lock lock(m_mutex);
  add_locked(value);
  // The same value as it appears inside a JSON string.
  std::string escaped = util::json_string(value);
  const Secret escaped_secret(std::move(escaped));
  const std::string_view inner =
      escaped_secret.reveal().substr(1, escaped_secret.size() - 2);
  if (inner != value) {
    add_locked(inner);
  }
}

void
Redactor::add(const Secret& secret)
{
  add(secret.reveal());
}

void
Redactor::add(const Overrides& overrides)
{
  for (const auto& field : overrides.fields()) {
    auto parsed = parse_json(field.value_json.reveal());
    if (parsed) {
      collect_leaves(*parsed, true, *this);
    } else {
      // Overrides hold valid JSON; mask the raw text if that ever breaks.
      add(field.value_json);
    }
  }
}

Result<void>
Redactor::add_config(std::string_view config_json, std::string_view where)
{
  auto parsed = parse_json(config_json);
  if (!parsed) {
    return fail(ErrorCode::config,
                "tap config is not valid JSON: " + parsed.error().message,
                std::string(where));
  }
  collect_config(*parsed, false, *this);
  return {};
}

std::string
Redactor::redact(std::string_view text) const
{
  const std::string lowered = util::ascii_lowercase(text);
  std::vector<Span> spans;
  {
    const std::shared_lock lock(m_mutex);
    for (const auto& secret : m_values) {
      const std::string_view value = secret.reveal();
      // Step by one byte: occurrences of one value may overlap ("aaaa").
      for (std::size_t at = text.find(value); at != std::string_view::npos;
           at = text.find(value, at + 1)) {
        spans.emplace_back(at, at + value.size());
      }
    }
  }
  find_scheme_tokens(text, lowered, spans);
  find_named_values(text, lowered, spans);
  if (spans.empty()) {
    return std::string(text);
  }
  std::sort(spans.begin(), spans.end());
  std::string out;
  out.reserve(text.size());
  std::size_t copied = 0; // text before this is in `out`
  std::size_t i = 0;
  while (i < spans.size()) {
    const std::size_t begin = spans[i].first;
    std::size_t end = spans[i].second;
    for (++i; i < spans.size() && spans[i].first <= end; ++i) {
      end = std::max(end, spans[i].second);
    }
    out.append(text.substr(copied, begin - copied));
    out.append(k_redacted);
    copied = end;
  }
  out.append(text.substr(copied));
  return out;
}

std::size_t
Redactor::size() const
{
  const std::shared_lock lock(m_mutex);
  return m_values.size();
}

bool
Redactor::is_secret_key(std::string_view key)
{
  const std::string name = normalize_key(key);
  static constexpr std::array<std::string_view, 7> column_settings = {
      "replicationkey",
      "primarykey",
      "primarykeys",
      "keyproperties",
      "sortkey",
      "partitionkey",
      "foreignkey"};
  if (std::find(column_settings.begin(), column_settings.end(), name) !=
      column_settings.end()) {
    return false;
  }
  static constexpr std::array<std::string_view, 13> plain_suffixes = {
      "url",
      "uri",
      "endpoint",
      "path",
      "file",
      "filename",
      "type",
      "method",
      "header",
      "expiry",
      "expiresat",
      "expiresin",
      "ttl"};
  for (const std::string_view suffix : plain_suffixes) {
    if (ends_with(name, suffix)) {
      return false;
    }
  }
  static constexpr std::array<std::string_view, 8> words = {"password",
                                                            "passwd",
                                                            "secret",
                                                            "token",
                                                            "key",
                                                            "credential",
                                                            "passphrase",
                                                            "private"};
  for (const std::string_view word : words) {
    if (name.find(word) != std::string::npos) {
      return true;
    }
  }
  // "auth", but not "author" (authorization and authority count).
  for (std::size_t at = name.find("auth"); at != std::string::npos;
       at = name.find("auth", at + 1)) {
    if (!starts_with(name, at, "author") || starts_with(name, at, "authori")) {
      return true;
    }
  }
  return false;
}

void
Redactor::add_locked(std::string_view value)
{
  const auto same = [value](const Secret& secret) {
    return secret.reveal() == value;
  };
  if (std::any_of(m_values.begin(), m_values.end(), same)) {
    return;
  }
  m_values.emplace_back(std::string(value));
  std::stable_sort(
      m_values.begin(), m_values.end(), [](const auto& a, const auto& b) {
        return a.size() > b.size();
      });
}

} // namespace tapline::credentials
