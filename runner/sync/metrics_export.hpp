// runner/sync/metrics_export.hpp
#pragma once

// Rewrites the configured `metrics_file` (Prometheus text format, for
// node_exporter's textfile collector) from the state store: every
// integration's health, last run and totals. Called after every run, by
// whichever tapline process ran it; each write replaces the whole file
// atomically, so concurrent runs cannot leave it half-written.

#include <runner/config/config.hpp>
#include <runner/state/state_store.hpp>
#include <runner/util/result.hpp>

namespace tapline::sync {

// Does nothing when the configuration has no metrics_file.
[[nodiscard]] Result<void> export_metrics(const config::Config& config,
                                          state::StateStore& store);

} // namespace tapline::sync
