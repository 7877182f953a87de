"""A target or tap that fails makes the run fail with 69, keeping only
confirmed bookmarks and leaving no process behind."""

import os
import re

import harness


class TargetCrashTest(harness.TaplineTestCase):

    def test_target_crash_mid_run(self):
        out_dir = self.path("dest")
        # Far more data than the pipes hold: the tap is still writing when
        # the target dies, so tapline has to stop it.
        tap = self.tap(("users", "orders"), 20000, state_every=100)
        self.write_config({"demo": self.integration(
            tap, self.fixture_target(out_dir, crash_after_records=1050,
                                echo_seq=True),
            timeout=60)})

        result = self.run_integration()
        self.assertExit(result, harness.EX_UNAVAILABLE)
        self.assertSummary(result, "demo", "failed")
        self.assertErrorLine(result, "demo", r"target")
        self.assertNoLeftovers()

        echoed, printed = self.echoed_states(out_dir)
        self.assertTrue(printed, "the target confirmed no state")
        self.assertEqual(echoed, printed)
        committed = self.bookmark()
        self.assertEqual(committed, printed[-1],
                         "bookmark must be the last state the target echoed")
        # STATE every 100 records in total, crash at record 1050.
        self.assertEqual(sum(harness.bookmark_ids(committed).values()), 1000)
        for row in self.state_rows():
            self.assertEqual(row["source"], "target")

        run = self.last_run()
        self.assertEqual(run["outcome"], "failed")
        self.assertEqual(run["exit_code"], harness.EX_UNAVAILABLE)
        self.assertTrue(run["error"], "runs.error is empty")
        self.assertIsNotNone(run["ended_at"])
        with open(run["log_path"]) as f:
            log = f.read()
        self.assertRegex(log, re.compile(
            r"^\S+ target \| RuntimeError: target_fixture: simulated crash "
            r"after 1050 records$", re.M))

    def test_target_exit_code_after_reading_everything(self):
        out_dir = self.path("dest")
        tap = self.tap(("users",), 500, state_every=100)
        self.write_config({"demo": self.integration(
            tap, self.fixture_target(out_dir, exit_code=5))})
        result = self.run_integration()
        self.assertExit(result, harness.EX_UNAVAILABLE)
        self.assertSummary(result, "demo", "failed")
        self.assertErrorLine(result, "demo", r"target")
        self.assertNoLeftovers()
        _, printed = self.echoed_states(out_dir)
        # States the target confirmed before failing stay committed.
        self.assertEqual(self.bookmark(), printed[-1])
        self.assertEqual(harness.bookmark_ids(self.bookmark()),
                         {"users": 500})
        self.assertEqual(self.last_run()["outcome"], "failed")

    def test_target_command_not_found(self):
        tap = self.tap(("users",), 50)
        target = {"command": [self.path("bin", "no-such-target")]}
        self.write_config({"demo": self.integration(tap, target)})
        result = self.run_integration()
        self.assertExit(result, harness.EX_UNAVAILABLE)
        self.assertErrorLine(result, "demo", r"no-such-target|not found|"
                             r"no such file")
        self.assertNoLeftovers()
        self.assertIsNone(self.bookmark())

    def test_tap_exits_non_zero(self):
        tap = self.tap(("users",), 1000, state_every=100, fail_after=350,
                       fail_stderr=["tap-synthetic: simulated failure in "
                                    "stream users"],
                       fail_exit=2)
        self.write_config({"demo": self.integration(
            tap, {"jsonl": {"dir": "out"}})})
        result = self.run_integration()
        self.assertExit(result, harness.EX_UNAVAILABLE)
        self.assertSummary(result, "demo", "failed")
        self.assertErrorLine(result, "demo", r"tap")
        self.assertNoLeftovers()

        # The sink confirmed the states before the failure (at 100, 200,
        # 300 records); nothing past record 350 can be committed.
        self.assertEqual(harness.bookmark_ids(self.bookmark()),
                         {"users": 300})
        ids = harness.ids_in(self.path("out", "users.jsonl"))
        self.assertEqual(ids[:300], list(range(1, 301)))
        self.assertLessEqual(len(ids), 350)

        run = self.last_run()
        self.assertEqual(run["outcome"], "failed")
        self.assertEqual(run["exit_code"], harness.EX_UNAVAILABLE)
        with open(run["log_path"]) as f:
            self.assertRegex(f.read(), re.compile(
                r"^\S+ tap \| tap-synthetic: simulated failure in stream "
                r"users$", re.M))

    def test_tap_command_not_found(self):
        tap = {"command": [self.path("bin", "no-such-tap")],
               "config": {"streams": ["users"]}}
        self.write_config({"demo": self.integration(
            tap, {"jsonl": {"dir": "out"}})})
        result = self.run_integration()
        self.assertExit(result, harness.EX_UNAVAILABLE)
        self.assertSummary(result, "demo", "failed")
        self.assertErrorLine(result, "demo", r"no-such-tap|not found|"
                             r"no such file")
        self.assertNoLeftovers()
        self.assertIsNone(self.bookmark())
        self.assertEqual(self.last_run()["outcome"], "failed")


if __name__ == "__main__":
    harness.main()
