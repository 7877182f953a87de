// runner/sync/verify_credentials.hpp
#pragma once

// Checks credentials before an integration is resumed: runs the tap with
// `--discover` (or the integration's `auth.check` command) on a 0600 copy
// of the config, under the same auth watch as a run and a time limit.
// Credentials pass when it exits 0 and the watch found nothing that pauses.

#include <runner/auth/watch.hpp>
#include <runner/config/config.hpp>
#include <runner/util/result.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace tapline::sync {

struct Verification
{
  bool ok = false;
  std::string method; // "tap --discover" or the check's argv[0]
  std::optional<auth::Decision> decision; // why it failed, when the watch knows
  std::string detail;                     // "exited with code 1: <last line>"
  // The config file as the check left it: taps rotate refresh tokens even
  // in --discover, and the rotated value is the one that works next.
  std::string config_after;
};

[[nodiscard]] Result<Verification>
verify_credentials(const config::Config& config,
                   const config::Integration& integration,
                   const std::string& config_json,
                   std::chrono::seconds timeout,
                   const std::function<std::string(std::string_view)>& redact);

} // namespace tapline::sync
