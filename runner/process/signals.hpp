// runner/process/signals.hpp
#pragma once

// SIGINT and SIGTERM arrive at tapline, not at its children (they run in
// their own process groups), so a run can halt cleanly: stop the tap, let
// the target flush and confirm, commit, and only then exit. The handler only
// records the signal and writes a byte to a pipe that the run's watchdog
// polls. SIGPIPE is ignored so a dead target surfaces as EPIPE on write.

namespace tapline::process {

// Install the handlers (once per process). Returns the read end of the
// self-pipe, readable once a stop signal arrived.
int install_stop_signal_handlers();

// SIGHUP asks a long-running tapline (the daemon) to reload its
// configuration. Returns the read end of a self-pipe, readable once SIGHUP
// arrived.
int install_reload_signal_handler();

// Whether SIGHUP arrived since the last call; empties the self-pipe.
bool take_reload_request();

// The stop signal received last, or 0.
int stop_signal();

// How many stop signals arrived; a second one means "stop now".
int stop_signal_count();

} // namespace tapline::process
