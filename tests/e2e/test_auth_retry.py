#!/usr/bin/env python3
"""Transient failures (429, 503) are never an auth failure: a tap that rides
them out completes (exit 0); a tap that gives up is retried from the last
committed bookmark up to `retry.attempts` runs, which succeed once the
outage is over or end with exit 75; the integration is never paused.

Uses the fixture API, webhook receiver and singer-style tap through the
helpers in test_auth_halt.py.
"""

import re

import harness
from test_auth_halt import (NAME, ApiTestCase, api_bookmark)

RETRY = {"attempts": 3, "backoff": "1s", "max_backoff": "2s"}
# The fixture taps try a request 5 times before they give up.
TAP_TRIES = 5


class AuthRetryTest(ApiTestCase):

    def configure(self, kind="singer"):
        self.out_dir = self.path("out")
        self.write_tapline({NAME: self.integration(
            self.api_tap(kind), {"jsonl": {"dir": "out"}}, retry=RETRY)})

    def assertCompleteRun(self, done):
        self.assertExit(done, 0)
        self.assertNoLeftovers()
        self.assertSummary(done, NAME, "succeeded")
        self.assertEqual(self.destination_ids(self.out_dir),
                         list(range(1, self.RECORDS + 1)))
        self.assertEqual(self.bookmark(NAME), api_bookmark(self.RECORDS))
        self.assertNotPaused()
        self.assertEqual(self.hooks(), [])

    def test_rate_limit_mid_run_ridden_out_by_the_tap(self):
        self.start_api()
        self.configure()
        self.admin("rate_limit", after_pages=2, count=1)
        done = self.run_integration(NAME)
        self.assertCompleteRun(done)
        self.assertEqual(len(self.runs(NAME)), 1)
        self.assertIn("Backing off", self.run_log(1))
        self.assertEqual(self.api_stats()["responses"]
                         .get("GET /v1/records 429"), 1)

    def test_outage_mid_run_ridden_out_by_the_tap(self):
        self.start_api()
        self.configure()
        self.admin("outage", after_pages=3, count=3)
        done = self.run_integration(NAME)
        self.assertCompleteRun(done)
        self.assertEqual(len(self.runs(NAME)), 1)
        self.assertEqual(self.api_stats()["responses"]
                         .get("GET /v1/records 503"), 3)

    def test_sdk_tap_rides_out_rate_limit(self):
        self.start_api()
        self.configure("sdk")
        self.admin("rate_limit", after_pages=2, count=2)
        done = self.run_integration(NAME)
        self.assertCompleteRun(done)
        self.assertEqual(len(self.runs(NAME)), 1)

    def retry_lines(self, done):
        return re.findall(
            r"(?m)^tapline: %s: run (\d+) failed \(.*\); retrying from the "
            r"bookmark in (\d+)s$" % NAME, done.stderr)

    def test_long_outage_retried_from_bookmark_until_it_ends(self):
        self.start_api()
        self.configure()
        # runs 1 and 2 use up 5 tries each; run 3 gets through
        self.admin("outage", after_pages=2, count=2 * TAP_TRIES)
        done = self.run_integration(NAME, timeout=60)
        self.assertExit(done, 0)
        self.assertNoLeftovers()
        self.assertSummary(done, NAME, "succeeded")
        self.assertEqual(self.retry_lines(done), [("1", "1"), ("2", "2")],
                         done.describe())
        runs = self.runs(NAME)
        self.assertEqual([(r["outcome"], r["exit_code"]) for r in runs],
                         [("failed", 75), ("failed", 75), ("succeeded", 0)])
        for run_id in (2, 3):
            self.assertIn("resuming from bookmark", self.run_log(run_id))
        bookmark_id = 2 * self.PAGE_SIZE
        self.assertAllIds(self.destination_ids(self.out_dir), self.RECORDS,
                          bookmark_id)
        self.assertEqual(self.bookmark(NAME), api_bookmark(self.RECORDS))
        # each retry started from the bookmark, not from start_date
        self.assertEqual(self.destination_ids(self.out_dir).count(1), 1)
        self.assertNotPaused()
        self.assertEqual(self.hooks(), [])

    def test_next_run_after_a_transient_failure_resumes(self):
        """No automatic retry (attempts 1): the next cron tick resumes from
        the bookmark. The API rotates refresh tokens and the tap writes the
        new one into its config file, so tapline must keep it: rt-initial is
        spent after the first run."""
        self.start_api()
        self.out_dir = self.path("out")
        self.write_tapline({NAME: self.integration(
            self.api_tap("singer"), {"jsonl": {"dir": "out"}},
            retry={"attempts": 1})})
        self.admin("outage", after_pages=2, count=TAP_TRIES)
        first = self.run_integration(NAME)
        self.assertExit(first, harness.EX_TEMPFAIL)
        self.assertEqual(self.bookmark(NAME), api_bookmark(2 * self.PAGE_SIZE))
        self.assertNotPaused()
        second = self.run_integration(NAME)
        self.assertExit(second, 0)
        self.assertNoLeftovers()
        self.assertIn("resuming from bookmark", self.run_log(2))
        self.assertAllIds(self.destination_ids(self.out_dir), self.RECORDS,
                          2 * self.PAGE_SIZE)
        self.assertEqual(self.bookmark(NAME), api_bookmark(self.RECORDS))
        self.assertNotPaused()
        self.assertEqual(self.hooks(), [])

    def test_outage_that_never_ends_exits_75_never_paused(self):
        self.start_api()
        self.configure()
        self.admin("outage", after_pages=2, count=1000)
        done = self.run_integration(NAME, timeout=60)
        self.assertExit(done, harness.EX_TEMPFAIL)
        self.assertNoLeftovers()
        self.assertEqual(self.retry_lines(done), [("1", "1"), ("2", "2")],
                         done.describe())
        self.assertErrorLine(done, NAME, r"transient")
        runs = self.runs(NAME)
        self.assertEqual([(r["outcome"], r["exit_code"]) for r in runs],
                         [("failed", 75)] * 3)
        self.assertEqual(self.bookmark(NAME), api_bookmark(2 * self.PAGE_SIZE))
        self.assertEqual(self.destination_ids(self.out_dir),
                         list(range(1, 2 * self.PAGE_SIZE + 1)))
        self.assertNotPaused()
        self.assertEqual(self.hooks(), [])
        row, _ = self.status_json()
        self.assertEqual(row["status"], "failing")
        self.assertIsNone(row["reauth"])


if __name__ == "__main__":
    harness.main()
