#!/usr/bin/env python3
"""`tapline wrap -- TAP ARGS... | TARGET`: tapline as a drop-in tap in a real
shell pipeline. The stream reaches the target byte for byte; an auth failure
halts the pipeline with exit 77 (75 transient, 65 invalid data, 69 a failed
tap or a target that went away) and exactly one `tapline: ...` line on
stderr; nothing the tap started is left running.

Pipelines run as `bash -o pipefail -c "..."` (the test uses a shell; tapline
never does). Taps are started through symlinks in the test's temp dir and
the fixture target gets `--tag MARKER`, so leftovers are found by the
harness; the fixture API and taps are the ones of test_auth_halt.py.
"""

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time

import harness
from test_auth_halt import PYTHON, ApiTestCase

SUMMARY_PREFIX = "tapline: "
BAD_LINE = '{"type":"RECORD","stream":"users","record":{"id":1,}}'


class WrapTest(ApiTestCase):

    # -- helpers

    def wrap_argv(self, tap_argv, *options):
        return [self.tapline_bin, "wrap", *options, "--", *tap_argv]

    def synthetic_tap(self, **config):
        """argv of tap-synthetic (through the marker symlink) with a config
        file holding `config`."""
        self._counter += 1
        cfg = self.write_json("synthetic%02d.json" % self._counter, config)
        return self.tap_command() + ["--config", cfg]

    def api_tap_argv(self, kind="singer", **extra):
        cfg = self.write_json("api-tap-config.json",
                              self.api_tap_config(**extra))
        return self.api_tap_command(kind) + ["--config", cfg]

    def target_argv(self, out_dir, **settings):
        settings["out_dir"] = str(out_dir)
        cfg = self.write_json("target-config.json", settings)
        return [PYTHON, harness.FIXTURE_TARGET, "--tag", self.marker,
                "--config", cfg]

    def pipeline(self, *commands, timeout=60):
        """Run `c1 | c2 | ...` under bash -o pipefail; returns Completed."""
        text = " | ".join(shlex.join(c) for c in commands)
        return self._start(["bash", "-o", "pipefail", "-c", text]).wait(
            timeout)

    def summaries(self, completed):
        return [line for line in completed.stderr.splitlines()
                if line.startswith(SUMMARY_PREFIX)]

    def assertOneSummary(self, completed, regex):
        lines = self.summaries(completed)
        self.assertEqual(len(lines), 1, "expected one summary line\n" +
                         completed.describe())
        self.assertRegex(lines[0], regex, completed.describe())
        return lines[0]

    def read_bytes(self, path):
        with open(path, "rb") as f:
            return f.read()

    # -- auth and transient failures (fixture API, singer-style tap)

    def test_revoked_token_mid_run_halts_the_pipeline_with_77(self):
        self.assertRevokedTokenHalts("singer", r"^CRITICAL ")

    def test_revoked_token_sdk_style_tap_halts_with_77(self):
        self.assertRevokedTokenHalts("sdk", r"^\S+ \S+ \| ERROR +\| ")

    def assertRevokedTokenHalts(self, kind, error_line):
        self.start_api()
        self.admin("revoke", after_pages=3)
        out_dir = self.path("out")
        done = self.pipeline(self.wrap_argv(self.api_tap_argv(kind)),
                             self.target_argv(out_dir))
        self.assertExit(done, harness.EX_NOPERM)
        self.assertNoLeftovers()
        # every record before the failure (3 pages of 5), none after
        self.assertEqual(self.destination_ids(out_dir), list(range(1, 16)))
        self.assertOneSummary(
            done, r"^tapline: auth failure: token_revoked: .+ "
            r"\(rule oauth\.revoked_or_inactive\)$")
        # the tap's stderr passed through, before the summary
        lines = done.stderr.splitlines()
        critical = [i for i, l in enumerate(lines)
                    if re.match(error_line, l) and "invalid_grant" in l]
        summary = [i for i, l in enumerate(lines)
                   if l.startswith(SUMMARY_PREFIX)]
        self.assertTrue(critical, done.describe())
        self.assertGreater(summary[0], critical[-1], done.describe())
        self.assertNotIn("s3cret-client", done.stdout)

    def test_rate_limit_ridden_out_by_the_tap_exits_0(self):
        self.start_api()
        self.admin("rate_limit", after_pages=2, count=1)
        out_dir = self.path("out")
        done = self.pipeline(self.wrap_argv(self.api_tap_argv()),
                             self.target_argv(out_dir))
        self.assertExit(done, 0)
        self.assertNoLeftovers()
        self.assertEqual(self.destination_ids(out_dir),
                         list(range(1, self.RECORDS + 1)))
        self.assertIn("Backing off", done.stderr)
        self.assertEqual(self.summaries(done), [], done.describe())
        self.assertEqual(self.api_stats()["responses"]
                         .get("GET /v1/records 429"), 1)

    def test_outage_the_tap_gives_up_on_is_transient_75(self):
        self.start_api()
        self.admin("outage", after_pages=2, count=50)
        out_dir = self.path("out")
        done = self.pipeline(self.wrap_argv(self.api_tap_argv()),
                             self.target_argv(out_dir))
        self.assertExit(done, harness.EX_TEMPFAIL)
        self.assertNoLeftovers()
        self.assertEqual(self.destination_ids(out_dir), list(range(1, 11)))
        self.assertOneSummary(done, r"^tapline: transient failure: \w+: .+ "
                              r"\(rule [\w.]+\)$")

    # -- the Singer stream

    def test_clean_run_is_byte_identical_to_the_tap(self):
        config = {"streams": ["users", "orders", "events"], "records": 20000,
                  "seed": 7, "state_every": 500, "record_padding": 300}
        direct, reference = self.tap_output(
            {"state_every": 500, "record_padding": 300},
            streams=config["streams"], records=config["records"], seed=7)
        self.assertExit(direct, 0)
        out_dir = self.path("out")
        done = self.pipeline(self.wrap_argv(self.synthetic_tap(**config)),
                             self.target_argv(out_dir, raw_copy=True))
        self.assertExit(done, 0)
        self.assertNoLeftovers()
        self.assertEqual(self.summaries(done), [], done.describe())
        expected = self.read_bytes(reference)
        got = self.read_bytes(os.path.join(out_dir, "_stdin.raw"))
        self.assertEqual(len(got), len(expected))
        self.assertTrue(got == expected, "stream differs from the tap's")
        # and straight to a file, without a target
        done = self._start(["bash", "-c", shlex.join(self.wrap_argv(
            self.synthetic_tap(**config))) + " > out.jsonl"]).wait(60)
        self.assertExit(done, 0)
        self.assertTrue(self.read_bytes(self.path("out.jsonl")) == expected)

    def test_malformed_line_exits_65_naming_the_line(self):
        config = {"streams": ["users"], "records": 10, "seed": 1,
                  "inject_after": 4, "inject_line": BAD_LINE}
        _, reference = self.tap_output({"inject_after": 4,
                                        "inject_line": BAD_LINE}, records=10)
        out_dir = self.path("out")
        done = self.pipeline(self.wrap_argv(self.synthetic_tap(**config)),
                             self.target_argv(out_dir, raw_copy=True))
        self.assertExit(done, harness.EX_DATAERR)
        self.assertNoLeftovers()
        # SCHEMA, 4 records, then the injected line 6
        self.assertOneSummary(done, r"^tapline: invalid Singer data: tap "
                              r"stdout line 6: malformed JSON")
        lines = self.read_bytes(reference).splitlines(keepends=True)
        self.assertEqual(lines[5].rstrip(b"\n").decode(), BAD_LINE)
        self.assertEqual(self.read_bytes(os.path.join(out_dir, "_stdin.raw")),
                         b"".join(lines[:5]))
        self.assertEqual(self.destination_ids(out_dir, "users"),
                         [1, 2, 3, 4])

    def test_record_before_its_schema_exits_65(self):
        line = '{"type":"RECORD","stream":"ghost","record":{"id":1}}'
        out_dir = self.path("out")
        done = self.pipeline(self.wrap_argv(self.synthetic_tap(
            streams=["users"], records=10, inject_after=2, inject_line=line)),
            self.target_argv(out_dir))
        self.assertExit(done, harness.EX_DATAERR)
        self.assertOneSummary(done, r"^tapline: invalid Singer data: tap "
                              r"stdout line 4: RECORD for stream 'ghost' "
                              r"before its SCHEMA")
        self.assertEqual(self.destination_ids(out_dir, "users"), [1, 2])

    def test_failing_tap_exits_69(self):
        done = self.pipeline(self.wrap_argv(self.synthetic_tap(
            streams=["users"], records=10, fail_after=3,
            fail_stderr=["something else broke"], fail_exit=3)), ["cat"])
        self.assertExit(done, harness.EX_UNAVAILABLE)
        self.assertOneSummary(done, r"^tapline: tap exited with code 3$")
        self.assertIn("something else broke", done.stderr)
        self.assertEqual(done.stdout.count('"type":"RECORD"'), 3)

    # -- the target and tapline itself going away

    def start_wrap_into_target(self, tap_config, **target_settings):
        """tapline wrap (stdout a pipe) -> fixture target, both tracked."""
        out_dir = self.path("out")
        with open(self.path("wrap.stderr"), "wb") as err:
            wrap = subprocess.Popen(
                self.wrap_argv(self.synthetic_tap(**tap_config)),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                start_new_session=True)
        harness._tracked_pids.add(wrap.pid)
        target = subprocess.Popen(
            self.target_argv(out_dir, **target_settings), stdin=wrap.stdout,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        harness._tracked_pids.add(target.pid)
        wrap.stdout.close()  # only the target reads the pipe now
        self.addCleanup(lambda: [p.kill() for p in (wrap, target)
                                 if p.poll() is None])
        return wrap, target, out_dir

    def assertWrapStopsWhenTargetDies(self, tap_config, **target_settings):
        wrap, target, out_dir = self.start_wrap_into_target(
            tap_config, **target_settings)
        harness.wait_for(
            lambda: harness.ids_in(os.path.join(out_dir, "users.jsonl"),
                                   allow_torn_tail=True),
            20, what="records at the target")
        os.kill(target.pid, signal.SIGKILL)
        target.wait(10)
        killed = time.monotonic()
        try:
            code = wrap.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.fail("tapline wrap still running 10 s after the target died")
        elapsed = time.monotonic() - killed
        with open(self.path("wrap.stderr"), encoding="utf-8") as f:
            stderr = f.read()
        self.assertEqual(code, harness.EX_UNAVAILABLE, stderr)
        self.assertLess(elapsed, 2.0, "exited %.2fs after the target died"
                        % elapsed)
        lines = [l for l in stderr.splitlines()
                 if l.startswith(SUMMARY_PREFIX)]
        self.assertEqual(lines, ["tapline: the target stopped reading"])
        self.assertNoLeftovers()

    def test_target_killed_while_tap_streams_fast(self):
        # the target reads slowly: tapline is blocked writing when it dies
        self.assertWrapStopsWhenTargetDies(
            {"streams": ["users"], "records": 5_000_000, "state_every": 1000},
            read_delay_ms=20)

    def test_target_killed_while_tap_is_slow(self):
        # tapline is waiting for the tap when the target dies
        self.assertWrapStopsWhenTargetDies(
            {"streams": ["users"], "records": 1_000_000, "rate": 20,
             "state_every": 1})

    def test_sigterm_to_tapline_stops_the_tap_and_exits_75(self):
        wrap, target, out_dir = self.start_wrap_into_target(
            {"streams": ["users"], "records": 1_000_000, "rate": 200,
             "state_every": 10})
        harness.wait_for(
            lambda: harness.ids_in(os.path.join(out_dir, "users.jsonl"),
                                   allow_torn_tail=True),
            20, what="records at the target")
        os.kill(wrap.pid, signal.SIGTERM)
        code = wrap.wait(timeout=10)
        self.assertEqual(target.wait(timeout=10), 0)
        with open(self.path("wrap.stderr"), encoding="utf-8") as f:
            stderr = f.read()
        self.assertEqual(code, harness.EX_TEMPFAIL, stderr)
        self.assertEqual([l for l in stderr.splitlines()
                          if l.startswith(SUMMARY_PREFIX)],
                         ["tapline: interrupted by SIGTERM; the tap was "
                          "stopped"])
        self.assertNoLeftovers()

    # -- the command line

    def test_no_command_is_a_usage_error(self):
        for args in (["wrap"], ["wrap", "--"]):
            done = self.tapline(*args, timeout=30)
            self.assertExit(done, harness.EX_USAGE)
            self.assertIn("usage", done.stderr.lower())
            self.assertEqual(done.stdout, "")

    def test_missing_tap_program_exits_69(self):
        done = self.tapline("wrap", "--", self.path("no-such-tap"),
                            timeout=30)
        self.assertExit(done, harness.EX_UNAVAILABLE)
        self.assertIn("cannot start tap", done.stderr)


if __name__ == "__main__":
    harness.main()
