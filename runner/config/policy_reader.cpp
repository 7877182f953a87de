// runner/config/policy_reader.cpp
#include <runner/config/policy_reader.hpp>
#include <runner/config/value_readers.hpp>

namespace tapline::config {

Result<AuthSettings>
read_auth_settings(const YamlReader& reader,
                   const Entry& entry,
                   const std::string& path)
{
  TRY_ASSIGN(const Mapping mapping,
             reader.mapping(entry.value, entry.at(), path));
  TRY(reader.check_keys(
      mapping,
      path,
      {"rules", "disable", "pause_on_partial_permissions", "check"}));
  AuthSettings settings;
  if (const Entry* rules = mapping.find("rules")) {
    TRY_ASSIGN(settings.rules_file,
               reader.existing_file(*rules, child_path(path, "rules")));
  }
  if (const Entry* disable = mapping.find("disable")) {
    TRY_ASSIGN(settings.disabled_rules,
               read_strings(reader, *disable, child_path(path, "disable")));
  }
  if (const Entry* pause = mapping.find("pause_on_partial_permissions")) {
    TRY_ASSIGN(settings.pause_on_partial_permissions,
               read_bool(reader,
                         *pause,
                         child_path(path, "pause_on_partial_permissions")));
  }
  if (const Entry* check = mapping.find("check")) {
    TRY_ASSIGN(settings.check_command,
               read_command(reader, *check, child_path(path, "check")));
  }
  return settings;
}

Result<RetrySettings>
read_retry(const YamlReader& reader,
           const Entry& entry,
           const std::string& path)
{
  TRY_ASSIGN(const Mapping mapping,
             reader.mapping(entry.value, entry.at(), path));
  TRY(reader.check_keys(mapping, path, {"attempts", "backoff", "max_backoff"}));
  RetrySettings retry;
  if (const Entry* attempts = mapping.find("attempts")) {
    TRY_ASSIGN(
        retry.attempts,
        read_int(reader, *attempts, child_path(path, "attempts"), 1, 100));
  }
  if (const Entry* backoff = mapping.find("backoff")) {
    TRY_ASSIGN(retry.backoff,
               read_duration(reader, *backoff, child_path(path, "backoff")));
  }
  if (const Entry* max_backoff = mapping.find("max_backoff")) {
    TRY_ASSIGN(
        retry.max_backoff,
        read_duration(reader, *max_backoff, child_path(path, "max_backoff")));
  }
  return retry;
}

Result<FailureBackoff>
read_failure_backoff(const YamlReader& reader,
                     const Entry& entry,
                     const std::string& path)
{
  TRY_ASSIGN(const Mapping mapping,
             reader.mapping(entry.value, entry.at(), path));
  TRY(reader.check_keys(mapping, path, {"backoff", "max_backoff"}));
  FailureBackoff backoff;
  if (const Entry* initial = mapping.find("backoff")) {
    TRY_ASSIGN(backoff.backoff,
               read_duration(reader, *initial, child_path(path, "backoff")));
  }
  if (const Entry* max_backoff = mapping.find("max_backoff")) {
    TRY_ASSIGN(
        backoff.max_backoff,
        read_duration(reader, *max_backoff, child_path(path, "max_backoff")));
  }
  return backoff;
}

Result<AlertConfig>
read_alerts(const YamlReader& reader,
            const Entry& entry,
            const std::string& path)
{
  TRY_ASSIGN(const Mapping mapping,
             reader.mapping(entry.value, entry.at(), path));
  TRY(reader.check_keys(mapping, path, {"webhook", "command"}));
  AlertConfig alerts;
  if (const Entry* webhook = mapping.find("webhook")) {
    const std::string webhook_path = child_path(path, "webhook");
    TRY_ASSIGN(const Mapping options,
               reader.mapping(webhook->value,
                              webhook->at(),
                              webhook_path,
                              "a mapping with key 'url'"));
    TRY(reader.check_keys(
        options, webhook_path, {"url", "timeout", "retries", "headers"}));
    WebhookAlert hook;
    TRY_ASSIGN(const Entry* url, reader.require(options, webhook_path, "url"));
    TRY_ASSIGN(
        hook.url,
        reader.scalar(url->value, url->at(), child_path(webhook_path, "url")));
    if (!hook.url.starts_with("http://") && !hook.url.starts_with("https://")) {
      return reader.error(url->at(),
                          child_path(webhook_path, "url"),
                          "expected an http:// or https:// URL, got '" +
                              hook.url + "'");
    }
    if (const Entry* timeout = options.find("timeout")) {
      TRY_ASSIGN(
          hook.timeout,
          read_duration(reader, *timeout, child_path(webhook_path, "timeout")));
    }
    if (const Entry* retries = options.find("retries")) {
      TRY_ASSIGN(
          hook.retries,
          read_int(
              reader, *retries, child_path(webhook_path, "retries"), 0, 20));
    }
    if (const Entry* headers = options.find("headers")) {
      TRY_ASSIGN(
          hook.headers,
          read_env(reader, *headers, child_path(webhook_path, "headers")));
    }
    alerts.webhook = std::move(hook);
  }
  if (const Entry* command = mapping.find("command")) {
    TRY_ASSIGN(alerts.command,
               read_command(reader, *command, child_path(path, "command")));
  }
  return alerts;
}

} // namespace tapline::config
