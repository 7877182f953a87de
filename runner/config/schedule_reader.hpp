// runner/config/schedule_reader.hpp
#pragma once

// Reads an integration's `schedule` (cron expression or interval) and its
// `timezone` (private to config/). The expression is parsed here, so a bad
// one is a configuration error with its line and column, not a surprise at
// the first scheduler tick.

#include <runner/config/yaml_reader.hpp>
#include <runner/schedule/schedule.hpp>
#include <runner/util/result.hpp>

#include <optional>
#include <string>

namespace tapline::config {

// nullopt when the integration has no `schedule` (it runs only when named).
[[nodiscard]] Result<std::optional<schedule::Schedule>>
read_schedule(const YamlReader& reader,
              const Mapping& integration,
              const std::string& path);

} // namespace tapline::config
