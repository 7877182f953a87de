// runner/process/subreaper.hpp
#pragma once

// Orphans of a tap (a worker it started and then abandoned, a daemonised
// helper, a sanitizer's tracer) would otherwise be reparented to init and
// outlive the run. As a child subreaper, tapline inherits them instead, so
// at the end of a run it can stop and reap every one: no run leaves
// processes or zombies behind.

namespace tapline::process {

// Make this process a child subreaper (Linux prctl). Best effort.
void become_subreaper();

// Kill (SIGKILL) and reap every child of this process. Call only when all
// children tapline started itself have been reaped: whatever is left is an
// orphan inherited as subreaper. Returns how many were found.
int reap_strays();

} // namespace tapline::process
