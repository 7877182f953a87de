// taps/synthetic/sync_run.hpp
#pragma once

// One sync: SCHEMA messages, then RECORDs round-robin across the streams,
// STATE every `state_every` records and at the end, with the configured
// faults (failure, hang, injected line, stderr noise) and pacing. Writes to
// stdout and stderr; the record content itself comes from record_format.

#include <string>
#include <vector>

#include "run_inputs.hpp"
#include "tap_config.hpp"

namespace tapline::synthetic {

// Run the sync for `streams` (in this order), resuming each after its
// bookmark in `state`. Returns the process exit code.
[[nodiscard]] int run_sync(const TapConfig& config,
                           const std::vector<std::string>& streams,
                           const std::vector<InputBookmark>& state);

// Print the catalog of `streams`, all selected, for `--discover`.
void write_catalog(const std::vector<std::string>& streams);

} // namespace tapline::synthetic
