"""SIGTERM / SIGINT to tapline mid-run: exit 75 within 10 s, a message that
says which signal, no process left, the bookmark is the last confirmed one,
the run is recorded as `interrupted`, and the next run resumes from it."""

import json
import os
import signal
import time

import harness

STREAMS = ("users", "orders")
RECORDS = 10000


class SignalsTest(harness.TaplineTestCase):

    def configure(self, out_dir, rate):
        tap = self.tap(STREAMS, RECORDS, seed=5, rate=rate, state_every=100)
        self.write_config({"demo": self.integration(
            tap, self.fixture_target(out_dir, echo_seq=True),
            timeout=120)})

    def interrupt(self, sig, message_regex, whole_group=False,
                  configure=None, min_wait=1.0):
        out_dir = self.path("dest")
        if configure:
            configure(out_dir)
        else:
            self.configure(out_dir, rate=2000)  # about 10 s for everything
        run = self.start_tapline("run", "demo", "--config", self.config_path)
        self.wait_for_commit(timeout=20)
        remaining = min_wait - (time.monotonic() - run.started)
        if remaining > 0:
            time.sleep(remaining)
        self.assertIsNone(run.poll(), "the run ended before the signal")
        if whole_group:
            os.killpg(run.pid, sig)  # like Ctrl-C in a terminal
        else:
            os.kill(run.pid, sig)
        sent = time.monotonic()
        result = run.wait(30)
        self.assertLess(time.monotonic() - sent, 10,
                        "tapline took too long to stop")
        self.assertExit(result, harness.EX_TEMPFAIL)
        # The contract says `failed`; tapline says `interrupted`, which
        # matches runs.outcome. Either is a not-succeeded summary.
        self.assertSummary(result, "demo", "failed|interrupted")
        self.assertErrorLine(result, "demo", message_regex)
        self.assertNoLeftovers()

        echoed, printed = self.echoed_states(out_dir)
        committed = self.bookmark()
        self.assertIsNotNone(committed)
        for row in self.state_rows():
            self.assertIn(json.loads(row["value_json"]), echoed,
                          "committed a state the target never confirmed")
        candidates = [s for s in (printed[-1:] + echoed[-1:])]
        self.assertIn(committed, candidates,
                      "bookmark is not the last state the target confirmed")
        marks = harness.bookmark_ids(committed)
        self.assertTrue(any(m < RECORDS for m in marks.values()),
                        "the run was not interrupted mid-stream")

        last = self.last_run()
        self.assertEqual(last["outcome"], "interrupted")
        self.assertEqual(last["exit_code"], harness.EX_TEMPFAIL)
        self.assertIsNotNone(last["ended_at"])
        return out_dir, committed

    def resume(self, out_dir, committed):
        marks = harness.bookmark_ids(committed)
        self.configure(out_dir, rate=0)
        result = self.run_integration(timeout=60)
        self.assertExit(result, 0)
        per_stream = json.loads(self.last_run()["records_json"])
        for stream in STREAMS:
            self.assertEqual(per_stream.get(stream, 0),
                             RECORDS - marks.get(stream, 0), stream)
            ids = harness.ids_in(os.path.join(out_dir, stream + ".jsonl"))
            self.assertEqual(set(ids), set(range(1, RECORDS + 1)), stream)
            again = [i for i in harness.duplicates(ids)
                     if i <= marks.get(stream, 0)]
            self.assertFalse(again, "%s: repeated below the bookmark" %
                             stream)

    def test_sigterm(self):
        out_dir, committed = self.interrupt(
            signal.SIGTERM, r"SIGTERM|signal 15\b")
        self.resume(out_dir, committed)

    def test_sigint(self):
        self.interrupt(signal.SIGINT, r"SIGINT|signal 2\b")

    def test_sigint_to_the_process_group(self):
        # Tap and target get SIGINT too and die of it; that is still an
        # interruption (75), not a failed target (69).
        self.interrupt(signal.SIGINT, r"SIGINT|signal 2\b",
                       whole_group=True)

    def test_sigterm_stops_a_multi_integration_run(self):
        out_dir = self.path("dest")
        tap = self.tap(STREAMS, RECORDS, seed=5, rate=2000, state_every=100)
        self.write_config({
            "first": self.integration(tap, self.fixture_target(out_dir)),
            "second": self.integration(self.tap(), {"null": {}}),
        })
        run = self.start_tapline("run", "first", "second", "--config",
                                 self.config_path)
        self.wait_for_commit("first", timeout=20)
        os.kill(run.pid, signal.SIGTERM)
        result = run.wait(30)
        self.assertExit(result, harness.EX_TEMPFAIL)
        self.assertLess(result.elapsed, 15)
        self.assertNoLeftovers()
        self.assertEqual(self.last_run("first")["outcome"], "interrupted")
        self.assertEqual(self.runs("second"), [],
                         "the second integration ran after SIGTERM")

    def test_sigterm_with_a_stubborn_slow_target(self):
        # The target ignores SIGTERM/SIGINT and reads 64 KiB per 0.5 s, so
        # draining what is buffered for it takes far longer than 10 s:
        # tapline has to give up on it and kill it.
        def configure(out_dir):
            tap = self.tap(STREAMS, RECORDS, seed=5, state_every=100)
            target = self.fixture_target(out_dir, ignore_signals=True,
                                         read_delay_ms=500)
            self.write_config({"demo": self.integration(tap, target,
                                                        timeout=120)})
        self.interrupt(signal.SIGTERM, r"SIGTERM|signal 15\b",
                       configure=configure, min_wait=0)

    def test_sigterm_with_a_tap_that_ignores_it(self):
        def configure(out_dir):
            tap = self.wrapped_tap(STREAMS, RECORDS, seed=5, rate=2000,
                                   state_every=100, ignore_signals=True)
            self.write_config({"demo": self.integration(
                tap, self.fixture_target(out_dir), timeout=120)})
        self.interrupt(signal.SIGTERM, r"SIGTERM|signal 15\b",
                       configure=configure, min_wait=0)


if __name__ == "__main__":
    harness.main()
