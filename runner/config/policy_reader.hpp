// runner/config/policy_reader.hpp
#pragma once

// Reads the keys that say how tapline reacts to failures (private to
// config/): an integration's `auth`, `retry` and `failure_backoff`, and the
// top-level `alerts`.

#include <runner/config/config.hpp>
#include <runner/config/yaml_reader.hpp>
#include <runner/util/result.hpp>

#include <string>

namespace tapline::config {

[[nodiscard]] Result<AuthSettings> read_auth_settings(const YamlReader& reader,
                                                      const Entry& entry,
                                                      const std::string& path);

[[nodiscard]] Result<RetrySettings> read_retry(const YamlReader& reader,
                                               const Entry& entry,
                                               const std::string& path);

[[nodiscard]] Result<FailureBackoff> read_failure_backoff(
    const YamlReader& reader, const Entry& entry, const std::string& path);

[[nodiscard]] Result<AlertConfig> read_alerts(const YamlReader& reader,
                                              const Entry& entry,
                                              const std::string& path);

} // namespace tapline::config
