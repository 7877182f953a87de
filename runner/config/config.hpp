// runner/config/config.hpp
#pragma once

// The in-memory form of tapline.yaml. Loading (YAML, ${VAR} interpolation,
// error positions) lives in loader.hpp; this header is plain data so that
// every other module can depend on it without pulling in yaml-cpp.

#include <runner/schedule/schedule.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tapline::config {

// Where a process's Singer config comes from: a file the user maintains, or
// an inline mapping in tapline.yaml (kept as compact JSON text).
struct ProcessConfig
{
  std::optional<std::filesystem::path> file;
  std::optional<std::string> inline_json;
};

// How the tap wants its catalog: `--catalog FILE` (current Singer) or
// `--properties FILE` (legacy taps).
enum class CatalogFlag { catalog, properties };

struct TapSpec
{
  std::vector<std::string> command; // argv, never run through a shell
  ProcessConfig config;
  std::optional<std::filesystem::path> catalog;
  CatalogFlag catalog_flag = CatalogFlag::catalog;
  std::map<std::string, std::string> env; // added to tapline's environment
};

enum class TargetKind {
  process, // a Singer target reading stdin
  jsonl,   // built-in sink: one .jsonl file of records per stream
  null,    // built-in sink: discards records (benchmarks, tap testing)
};

struct TargetSpec
{
  TargetKind kind = TargetKind::null;
  std::vector<std::string> command; // kind == process
  ProcessConfig config;             // kind == process
  std::map<std::string, std::string> env;
  std::filesystem::path dir; // kind == jsonl, absolute
};

// Which STATE messages become committed bookmarks.
enum class StateFrom {
  target,         // the STATE lines the target writes to its stdout
  tap_on_success, // the tap's last STATE, once the target exited 0
};

// How the auth watch treats this integration (see runner/auth/).
struct AuthSettings
{
  std::optional<std::filesystem::path> rules_file; // extra rules, YAML
  std::vector<std::string> disabled_rules;         // default rule ids
  bool pause_on_partial_permissions = false;       // else: run is degraded
  // Verifies new credentials in `tapline reauth`; empty: the tap's
  // --discover. Gets `--config FILE` appended, like the tap.
  std::vector<std::string> check_command;
};

// Retries of a run that failed for a transient reason (429, 5xx, network).
struct RetrySettings
{
  int attempts = 3; // runs in all, the first included
  std::chrono::seconds backoff{10};
  std::chrono::seconds max_backoff{300};
};

// How long a scheduled integration that keeps failing (not for auth: that
// pauses it) waits after its n-th failure in a row: backoff * 2^(n-1),
// capped at max_backoff, or until its next slot if that is later.
struct FailureBackoff
{
  std::chrono::seconds backoff{300};
  std::chrono::seconds max_backoff{6 * 3600};
};

struct Integration
{
  std::string name;
  TapSpec tap;
  TargetSpec target;
  StateFrom state_from = StateFrom::target;
  std::chrono::seconds timeout{0};      // whole run; 0 = none
  std::chrono::seconds idle_timeout{0}; // no tap output; 0 = none
  std::size_t max_line_bytes = std::size_t{64} << 20;
  std::size_t max_log_bytes = std::size_t{64} << 20; // per run log file
  AuthSettings auth;
  RetrySettings retry;
  // When `run --due` and the daemon run it; nullopt: only when named.
  std::optional<schedule::Schedule> schedule;
  FailureBackoff failure_backoff;
  std::string source; // "tapline.yaml:12:3"
};

struct WebhookAlert
{
  std::string url;
  std::chrono::seconds timeout{10};
  int retries = 3;
  std::map<std::string, std::string> headers;
};

// Where alerts go when an integration needs reauthorization or recovers.
struct AlertConfig
{
  std::optional<WebhookAlert> webhook;
  std::vector<std::string> command; // argv; empty: none
};

struct Config
{
  std::filesystem::path file;     // absolute path of tapline.yaml
  std::filesystem::path data_dir; // absolute; default: .tapline beside file
  std::vector<Integration> integrations; // in file order
  AlertConfig alerts;
  // Prometheus text metrics, rewritten after every run; nullopt: none.
  std::optional<std::filesystem::path> metrics_file;

  [[nodiscard]] const Integration* find(std::string_view name) const;
};

} // namespace tapline::config
