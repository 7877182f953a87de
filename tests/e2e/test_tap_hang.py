"""A tap that hangs or is too slow is killed at idle_timeout / timeout:
exit 75, a message that says which limit, and no process left behind."""

import os
import re

import harness


class TapHangTest(harness.TaplineTestCase):

    def check_killed(self, result, limit_seconds):
        self.assertExit(result, harness.EX_TEMPFAIL)
        self.assertSummary(result, "demo", "failed")
        self.assertGreaterEqual(result.elapsed, limit_seconds - 0.5,
                                "killed before the limit")
        self.assertLess(result.elapsed, limit_seconds + 6,
                        "not killed promptly at the limit")
        self.assertNoLeftovers()
        run = self.last_run()
        self.assertEqual(run["exit_code"], harness.EX_TEMPFAIL)
        self.assertNotIn(run["outcome"], ("running", "succeeded"))
        self.assertIsNotNone(run["ended_at"])

    def test_idle_timeout_kills_a_silent_tap(self):
        tap = self.tap(("users",), 1000, state_every=50, hang_after=120)
        self.write_config({"demo": self.integration(
            tap, {"jsonl": {"dir": "out"}}, idle_timeout=2, timeout=60)})
        result = self.run_integration(timeout=30)
        self.check_killed(result, 2)
        self.assertErrorLine(result, "demo", r"idle.?timeout")
        # What came before the hang is confirmed; the bookmark is not past it.
        marks = harness.bookmark_ids(self.bookmark())
        self.assertIn(marks.get("users"), (50, 100))
        ids = harness.ids_in(self.path("out", "users.jsonl"))
        self.assertEqual(ids[:marks["users"]],
                         list(range(1, marks["users"] + 1)))

    def test_idle_timeout_kills_a_tap_that_ignores_sigterm(self):
        tap = self.wrapped_tap(("users",), 1000, state_every=50,
                               hang_after=120, ignore_signals=True)
        self.write_config({"demo": self.integration(
            tap, {"jsonl": {"dir": "out"}}, idle_timeout=1)})
        result = self.run_integration(timeout=60)
        self.assertExit(result, harness.EX_TEMPFAIL)
        self.assertErrorLine(result, "demo", r"idle.?timeout")
        self.assertLess(result.elapsed, 15,
                        "no SIGKILL for a tap that ignores SIGTERM")
        self.assertNoLeftovers()

    def test_timeout_kills_a_slow_tap(self):
        # 1000 records at 50/s would take 20 s; the whole run may take 2 s.
        tap = self.tap(("users",), 1000, state_every=10, rate=50)
        self.write_config({"demo": self.integration(
            tap, {"jsonl": {"dir": "out"}}, timeout="2s", idle_timeout=30)})
        result = self.run_integration(timeout=30)
        self.check_killed(result, 2)
        self.assertErrorLine(result, "demo", r"time.?out")
        lines = [l for l in result.stderr.splitlines()
                 if l.startswith("tapline: demo: ")]
        self.assertFalse(any(re.search(r"idle", l, re.I) for l in lines),
                         "the message must say it was the run timeout, not "
                         "the idle timeout:\n" + result.describe())
        marks = harness.bookmark_ids(self.bookmark())
        self.assertLess(marks.get("users", 0), 1000)

    def test_timeout_kills_a_stuck_target(self):
        # The target ignores SIGTERM and reads one chunk a minute: the tap
        # blocks on a full pipe and the run can only end by the timeout.
        out_dir = self.path("dest")
        tap = self.tap(("users",), 50000, record_padding=100)
        target = self.fixture_target(out_dir, ignore_signals=True,
                                     read_delay_ms=60000)
        self.write_config({"demo": self.integration(tap, target,
                                                    timeout=2)})
        result = self.run_integration(timeout=60)
        self.check_killed(result, 2)
        self.assertErrorLine(result, "demo", r"time.?out")

    def test_idle_timeout_ignores_backpressure_from_a_slow_target(self):
        # 6 MB, more than the pipes hold, for a target that reads nothing
        # for 3 s: the tap is blocked on a full pipe for longer than
        # idle_timeout, but it is not idle -- tapline is the one not
        # reading.
        out_dir = self.path("dest")
        tap = self.tap(("users",), 6000, record_padding=1000,
                       state_every=500)
        target = self.fixture_target(out_dir, start_delay_ms=3000)
        self.write_config({"demo": self.integration(tap, target,
                                                    idle_timeout=1)})
        result = self.run_integration(timeout=60)
        self.assertExit(result, 0)
        self.assertGreater(result.elapsed, 3, "the target was not slow")
        self.assertEqual(harness.ids_in(os.path.join(out_dir, "users.jsonl")),
                         list(range(1, 6001)))

    def test_idle_timeout_does_not_fire_on_a_steady_slow_tap(self):
        # A record every 50 ms for 1.5 s with a 1 s idle timeout.
        tap = self.tap(("users",), 30, rate=20, state_every=10)
        self.write_config({"demo": self.integration(
            tap, {"jsonl": {"dir": "out"}}, idle_timeout=1)})
        result = self.run_integration(timeout=30)
        self.assertExit(result, 0)
        self.assertSummary(result, "demo", "succeeded")
        self.assertGreater(result.elapsed, 1.2, "the tap was not rate-limited")
        self.assertEqual(harness.ids_in(self.path("out", "users.jsonl")),
                         list(range(1, 31)))
        self.assertEqual(harness.bookmark_ids(self.bookmark()),
                         {"users": 30})


if __name__ == "__main__":
    harness.main()
