// runner/config/integration_reader.cpp
//
// One integration: tap, target, state_from and limits. Every key is checked
// against the list of known keys so that a typo ("comand", "idle_timout")
// is an error with a suggestion, not a silently ignored setting.

#include <runner/config/inline_json.hpp>
#include <runner/config/integration_reader.hpp>
#include <runner/config/policy_reader.hpp>
#include <runner/config/schedule_reader.hpp>
#include <runner/config/value_readers.hpp>

#include <string>
#include <utility>

namespace tapline::config {

namespace {

// A Singer config: an inline mapping (kept as JSON) or a JSON file's path.
Result<ProcessConfig>
read_process_config(const YamlReader& reader,
                    const Entry& entry,
                    const std::string& path)
{
  ProcessConfig config;
  if (entry.value.IsMap()) {
    TRY_ASSIGN(config.inline_json, inline_json(reader, entry.value, path));
  } else if (entry.value.IsScalar()) {
    TRY_ASSIGN(config.file, reader.existing_file(entry, path));
  } else {
    return reader.expected(
        entry.at(), path, "a mapping or a path to a JSON file", entry.value);
  }
  return config;
}

Result<TapSpec>
read_tap(const YamlReader& reader, const Entry& entry, const std::string& path)
{
  TRY_ASSIGN(
      const Mapping mapping,
      reader.mapping(
          entry.value, entry.at(), path, "a mapping with key 'command'"));
  TRY(reader.check_keys(
      mapping, path, {"command", "config", "catalog", "catalog_flag", "env"}));
  TapSpec tap;
  TRY_ASSIGN(const Entry* command, reader.require(mapping, path, "command"));
  TRY_ASSIGN(tap.command,
             read_command(reader, *command, child_path(path, "command")));
  if (const Entry* config = mapping.find("config")) {
    TRY_ASSIGN(
        tap.config,
        read_process_config(reader, *config, child_path(path, "config")));
  }
  if (const Entry* catalog = mapping.find("catalog")) {
    TRY_ASSIGN(tap.catalog,
               reader.existing_file(*catalog, child_path(path, "catalog")));
  }
  if (const Entry* flag = mapping.find("catalog_flag")) {
    const std::string flag_path = child_path(path, "catalog_flag");
    TRY_ASSIGN(const std::string text,
               reader.scalar(flag->value, flag->at(), flag_path));
    if (text == "catalog") {
      tap.catalog_flag = CatalogFlag::catalog;
    } else if (text == "properties") {
      tap.catalog_flag = CatalogFlag::properties;
    } else {
      return reader.error(flag->at(),
                          flag_path,
                          "expected one of 'catalog', 'properties', got '" +
                              text + "'");
    }
  }
  if (const Entry* env = mapping.find("env")) {
    TRY_ASSIGN(tap.env, read_env(reader, *env, child_path(path, "env")));
  }
  return tap;
}

// `null: {}` and `null:` both select the null sink; anything else under it
// is a mistake worth reporting.
Result<void>
check_null_sink(const YamlReader& reader,
                const Entry& entry,
                const std::string& path)
{
  if (entry.value.IsNull()) {
    return {};
  }
  TRY_ASSIGN(const Mapping mapping,
             reader.mapping(entry.value, entry.at(), path, "an empty mapping"));
  return reader.check_keys(mapping, path, {});
}

Result<TargetSpec>
read_target(const YamlReader& reader,
            const Entry& entry,
            const std::string& path)
{
  TRY_ASSIGN(
      const Mapping mapping,
      reader.mapping(entry.value,
                     entry.at(),
                     path,
                     "a mapping with one of 'command', 'jsonl', 'null'"));
  TRY(reader.check_keys(
      mapping, path, {"command", "config", "env", "jsonl", "null"}));
  const Entry* command = mapping.find("command");
  const Entry* jsonl = mapping.find("jsonl");
  const Entry* null_sink = mapping.find("null");
  const int kinds =
      (command != nullptr) + (jsonl != nullptr) + (null_sink != nullptr);
  if (kinds != 1) {
    return reader.error(
        entry.at(), path, "expected exactly one of 'command', 'jsonl', 'null'");
  }

  TargetSpec target;
  if (command == nullptr) {
    for (const std::string_view key : {"config", "env"}) {
      if (const Entry* extra = mapping.find(key)) {
        return reader.error(extra->key_node,
                            child_path(path, key),
                            "only allowed with a target 'command'");
      }
    }
  }
  if (command != nullptr) {
    target.kind = TargetKind::process;
    TRY_ASSIGN(target.command,
               read_command(reader, *command, child_path(path, "command")));
    if (const Entry* config = mapping.find("config")) {
      TRY_ASSIGN(
          target.config,
          read_process_config(reader, *config, child_path(path, "config")));
    }
    if (const Entry* env = mapping.find("env")) {
      TRY_ASSIGN(target.env, read_env(reader, *env, child_path(path, "env")));
    }
  } else if (jsonl != nullptr) {
    target.kind = TargetKind::jsonl;
    const std::string jsonl_path = child_path(path, "jsonl");
    TRY_ASSIGN(
        const Mapping options,
        reader.mapping(
            jsonl->value, jsonl->at(), jsonl_path, "a mapping with key 'dir'"));
    TRY(reader.check_keys(options, jsonl_path, {"dir"}));
    TRY_ASSIGN(const Entry* dir, reader.require(options, jsonl_path, "dir"));
    TRY_ASSIGN(target.dir, reader.path(*dir, child_path(jsonl_path, "dir")));
  } else {
    target.kind = TargetKind::null;
    TRY(check_null_sink(reader, *null_sink, child_path(path, "null")));
  }
  return target;
}

} // namespace

bool
is_integration_name(std::string_view name)
{
  const auto alnum = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9');
  };
  if (name.empty() || !alnum(name.front())) {
    return false;
  }
  for (const char c : name) {
    if (!alnum(c) && c != '_' && c != '.' && c != '-') {
      return false;
    }
  }
  return true;
}

Result<Integration>
read_integration(const YamlReader& reader, const Entry& entry)
{
  const std::string path = child_path("integrations", entry.key);
  if (!is_integration_name(entry.key)) {
    return reader.error(entry.key_node,
                        path,
                        "expected a name of letters, digits, '_', '.' and '-' "
                        "that starts with a letter or digit, got '" +
                            entry.key + "'");
  }
  TRY_ASSIGN(const Mapping mapping,
             reader.mapping(entry.value,
                            entry.at(),
                            path,
                            "a mapping with keys 'tap' and 'target'"));
  TRY(reader.check_keys(mapping,
                        path,
                        {"tap",
                         "target",
                         "state_from",
                         "timeout",
                         "idle_timeout",
                         "max_line_bytes",
                         "max_log_bytes",
                         "auth",
                         "retry",
                         "schedule",
                         "timezone",
                         "failure_backoff"}));

  Integration integration;
  integration.name = entry.key;
  integration.source = reader.where(entry.key_node);
  TRY_ASSIGN(const Entry* tap, reader.require(mapping, path, "tap"));
  TRY_ASSIGN(integration.tap, read_tap(reader, *tap, child_path(path, "tap")));
  TRY_ASSIGN(const Entry* target, reader.require(mapping, path, "target"));
  TRY_ASSIGN(integration.target,
             read_target(reader, *target, child_path(path, "target")));

  if (const Entry* state_from = mapping.find("state_from")) {
    const std::string key_path = child_path(path, "state_from");
    TRY_ASSIGN(const std::string text,
               reader.scalar(state_from->value, state_from->at(), key_path));
    if (text == "target") {
      integration.state_from = StateFrom::target;
    } else if (text == "tap_on_success") {
      integration.state_from = StateFrom::tap_on_success;
    } else {
      return reader.error(state_from->at(),
                          key_path,
                          "expected one of 'target', 'tap_on_success', got '" +
                              text + "'");
    }
  }
  if (const Entry* timeout = mapping.find("timeout")) {
    TRY_ASSIGN(integration.timeout,
               read_duration(reader, *timeout, child_path(path, "timeout")));
  }
  if (const Entry* idle = mapping.find("idle_timeout")) {
    TRY_ASSIGN(integration.idle_timeout,
               read_duration(reader, *idle, child_path(path, "idle_timeout")));
  }
  if (const Entry* line = mapping.find("max_line_bytes")) {
    TRY_ASSIGN(integration.max_line_bytes,
               read_size(reader, *line, child_path(path, "max_line_bytes")));
  }
  if (const Entry* log = mapping.find("max_log_bytes")) {
    TRY_ASSIGN(integration.max_log_bytes,
               read_size(reader, *log, child_path(path, "max_log_bytes")));
  }
  if (const Entry* auth = mapping.find("auth")) {
    TRY_ASSIGN(integration.auth,
               read_auth_settings(reader, *auth, child_path(path, "auth")));
  }
  if (const Entry* retry = mapping.find("retry")) {
    TRY_ASSIGN(integration.retry,
               read_retry(reader, *retry, child_path(path, "retry")));
  }
  TRY_ASSIGN(integration.schedule, read_schedule(reader, mapping, path));
  if (const Entry* backoff = mapping.find("failure_backoff")) {
    TRY_ASSIGN(integration.failure_backoff,
               read_failure_backoff(
                   reader, *backoff, child_path(path, "failure_backoff")));
  }
  return integration;
}

} // namespace tapline::config
