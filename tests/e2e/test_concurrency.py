"""One run per integration at a time, no processes outlive a run, and the
progress line appears on a terminal only."""

import os
import shutil
import time

import harness


class ConcurrencyTest(harness.TaplineTestCase):

    def slow_config(self, **settings):
        tap = self.tap(("users",), 600, state_every=50, rate=300, **settings)
        self.write_config({"demo": self.integration(
            tap, {"jsonl": {"dir": "out"}}, timeout=60)})

    def test_a_second_run_of_the_same_integration_is_refused(self):
        self.slow_config()
        first = self.start_tapline("run", "demo", "--config", self.config_path)
        harness.wait_for(lambda: self.runs() and
                         self.runs()[0]["outcome"] == "running",
                         timeout=20, what="the first run to start")
        second = self.run_integration(timeout=30)
        self.assertExit(second, harness.EX_TEMPFAIL)
        self.assertErrorLine(second, "demo",
                             r"already running \(pid %d on \S+ since "
                             r"\d{4}-\d\d-\d\dT[\d:.]+Z\); not started"
                             % first.pid)
        done = first.wait(60)
        self.assertExit(done, 0)
        ids = harness.ids_in(self.path("out", "users.jsonl"))
        self.assertEqual(ids, list(range(1, 601)),
                         "the refused run must not have written anything")
        self.assertEqual(len(self.runs()), 1, "the refused run is not recorded")

    def test_the_lock_of_a_killed_run_is_free(self):
        self.slow_config()
        first = self.start_tapline("run", "demo", "--config", self.config_path)
        self.wait_for_commit()
        os.kill(first.popen.pid, 9)
        first.wait(10)
        # The tap dies with tapline (parent-death signal). Its zombie is
        # reparented to this test (a subreaper), which stands in for init
        # and reaps it.
        def tap_gone():
            for pid, state, _ in harness.orphans():
                if state == "Z":
                    harness._reap(pid)
            return not harness.orphans()
        harness.wait_for(tap_gone, timeout=5, what="the tap to die with tapline")
        again = self.run_integration(timeout=60)
        self.assertExit(again, 0)
        statuses = [run["outcome"] for run in self.runs()]
        self.assertEqual(statuses, ["failed", "succeeded"],
                         "the killed run is closed as failed")
        self.assertNoLeftovers()

    def test_an_orphan_the_tap_leaves_behind_is_stopped(self):
        tap = self.wrapped_tap(("users",), 50, leave_orphan=True)
        self.write_config({"demo": self.integration(
            tap, {"jsonl": {"dir": "out"}})})
        result = self.run_integration(timeout=60)
        self.assertExit(result, 0)
        self.assertNoLeftovers()
        log = self.tapline("logs", "demo", "--config", self.config_path)
        self.assertIn("reaped 1 leftover process", log.stdout)

    def test_progress_line_only_on_a_terminal(self):
        script = shutil.which("script")
        if not script:
            self.skipTest("no `script` to provide a terminal")
        try:
            leader, follower = os.openpty()
            os.close(leader)
            os.close(follower)
        except OSError as error:
            self.skipTest("no pseudo-terminals here (%s)" % error)
        self.slow_config()
        # `script` gives tapline a pseudo-terminal as stdout and stderr.
        command = " ".join([self.tapline_bin, "run", "demo", "--config",
                            self.config_path])
        on_tty = self._start([script, "-qefc", command, "/dev/null"]).wait(60)
        self.assertExit(on_tty, 0)
        self.assertRegex(on_tty.stdout,
                         r"\r\x1b\[Kdemo: [\d,]+ records, [\d,]+/s, .* read; "
                         r"users [\d,]+")
        self.run_integration(timeout=60)  # nothing new to sync
        off_tty = self.tapline("state", "clear", "demo", "--config",
                               self.config_path)
        self.assertExit(off_tty, 0)
        piped = self.run_integration(timeout=60)
        self.assertExit(piped, 0)
        self.assertNotIn("\r", piped.stderr)
        self.assertNotIn("/s,", piped.stderr)


if __name__ == "__main__":
    harness.main()
