"""kill -9 of tapline mid-run loses nothing and repeats only unconfirmed data.

A rate-limited tap feeds the fixture target (or the jsonl sink); tapline is
SIGKILLed about a second in, once a state is committed; a second run goes to
completion. Then: every id of every stream is in the destination, ids are
duplicated only above the bookmark committed before the kill, and no
committed bookmark is ahead of what the destination had durably written.
"""

import json
import os
import signal
import time

import harness

STREAMS = ("users", "orders", "events")
RECORDS = 4000
RATE = 6000


class ResumeAfterKillTest(harness.TaplineTestCase):

    def configure(self, target):
        tap = self.tap(STREAMS, RECORDS, seed=7, rate=RATE, state_every=200)
        self.write_config({"demo": self.integration(tap, target,
                                                    timeout=120)})

    def kill_midway(self):
        """Start run 1, SIGKILL tapline after >= 1 s and a committed state."""
        first = self.start_tapline("run", "demo", "--config",
                                   self.config_path)
        self.wait_for_commit(timeout=20)
        remaining = 1.0 - (time.monotonic() - first.started)
        if remaining > 0:
            time.sleep(remaining)
        self.assertIsNone(first.poll(),
                          "run 1 ended before it could be killed; the tap is "
                          "too fast for this test\n" +
                          first.completed(first.poll()).describe())
        os.kill(first.pid, signal.SIGKILL)
        done = first.wait(10)
        self.assertEqual(done.returncode, -signal.SIGKILL)
        # The tap and the target lose their pipes and should go away by
        # themselves (EPIPE / EOF); give them time, then make sure.
        harness.wait_for(
            lambda: not [p for p in harness.processes_with_marker(self.marker)
                         if p[1] != "Z"],
            15, 0.05, "the orphaned tap and target to exit")
        harness.kill_leftovers(self.marker)
        return self.bookmark()

    def check_destination_covers(self, out_dir, states, when):
        """Every id up to each committed bookmark is in the destination.

        A torn last line is tolerated here (SIGKILL may interrupt a write);
        after the next run every line must be whole (finish_and_check)."""
        ids = {s: set(harness.ids_in(os.path.join(out_dir, s + ".jsonl"),
                                     allow_torn_tail=True))
               for s in STREAMS}
        for value in states:
            for stream, mark in harness.bookmark_ids(value).items():
                missing = set(range(1, mark + 1)) - ids[stream]
                self.assertFalse(
                    missing, "%s: bookmark %s=%d committed but ids %s... "
                    "were not written by the destination (%s)" % (
                        when, stream, mark, sorted(missing)[:10], value))

    def finish_and_check(self, out_dir, before_kill):
        """Run 2 to completion; check completeness and duplicates."""
        marks = harness.bookmark_ids(before_kill)
        second = self.run_integration(timeout=120)
        self.assertExit(second, 0)
        self.assertSummary(second, "demo", "succeeded")
        self.assertNoLeftovers()

        run2 = self.last_run()
        self.assertEqual(run2["outcome"], "succeeded")
        per_stream = json.loads(run2["records_json"])
        for stream in STREAMS:
            self.assertEqual(
                per_stream.get(stream, 0), RECORDS - marks.get(stream, 0),
                "%s: run 2 must start right after the committed bookmark "
                "%s" % (stream, before_kill))

        for stream in STREAMS:
            ids = harness.ids_in(os.path.join(out_dir, stream + ".jsonl"))
            self.assertEqual(set(ids), set(range(1, RECORDS + 1)),
                             "%s: every id delivered" % stream)
            bad = sorted(i for i in harness.duplicates(ids)
                         if i <= marks.get(stream, 0))
            self.assertFalse(bad, "%s: ids at or below the bookmark %d "
                             "delivered twice: %s" %
                             (stream, marks.get(stream, 0), bad[:20]))
        final = harness.bookmark_ids(self.bookmark())
        self.assertEqual(final, {s: RECORDS for s in STREAMS})

    def test_fixture_target(self):
        out_dir = self.path("dest")
        self.configure(self.fixture_target(out_dir, echo_seq=True))
        before_kill = self.kill_midway()
        self.assertIsNotNone(before_kill)
        self.assertTrue(any(m < RECORDS for m in
                            harness.bookmark_ids(before_kill).values()),
                        "run 1 was not interrupted mid-stream: %s" %
                        before_kill)
        committed = [json.loads(r["value_json"]) for r in self.state_rows()]

        # Only states the target confirmed were committed ...
        echoed, _ = self.echoed_states(out_dir)
        for value in committed:
            self.assertIn(value, echoed,
                          "committed state was never echoed by the target")
        # ... and the target had really written the records before them.
        self.check_destination_covers(out_dir, committed, "before the kill")

        run1 = self.runs()[0]
        self.assertNotEqual(run1["outcome"], "succeeded")

        self.finish_and_check(out_dir, before_kill)
        echoed, _ = self.echoed_states(out_dir)
        for row in self.state_rows():
            self.assertIn(json.loads(row["value_json"]), echoed)

    def test_jsonl_sink(self):
        out_dir = self.path("out")
        self.configure({"jsonl": {"dir": "out"}})
        before_kill = self.kill_midway()
        self.assertIsNotNone(before_kill)
        self.assertTrue(any(m < RECORDS for m in
                            harness.bookmark_ids(before_kill).values()),
                        "run 1 was not interrupted mid-stream: %s" %
                        before_kill)
        committed = [json.loads(r["value_json"]) for r in self.state_rows()]
        self.check_destination_covers(out_dir, committed, "before the kill")
        self.finish_and_check(out_dir, before_kill)

    def test_status_after_kill(self):
        """A SIGKILLed run is not reported as running forever."""
        self.configure({"null": {}})
        self.kill_midway()
        self.assertEqual(self.runs()[-1]["outcome"], "running")  # as left
        st = self.tapline("status", "--json", "--config", self.config_path)
        self.assertExit(st, 0)
        demo = json.loads(st.stdout)["integrations"][0]
        self.assertNotEqual(
            demo["status"], "running",
            "status says running, but the run's pid %s is gone" %
            self.runs()[-1]["pid"])
        self.assertEqual(demo["last_run"]["id"], self.runs()[-1]["id"])
        self.assertExit(self.run_integration(timeout=120), 0)
        killed = self.runs()[0]
        self.assertNotIn(killed["outcome"], ("running", "succeeded"),
                         "the killed run is still open after the next run")
        self.assertIsNotNone(killed["ended_at"])


if __name__ == "__main__":
    harness.main()
