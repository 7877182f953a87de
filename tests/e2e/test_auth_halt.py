#!/usr/bin/env python3
"""Auth failures halt a run, pause the integration, alert once, and resume
from the confirmed bookmark once credentials are fixed.

The fixture OAuth2 API (tests/fixtures/api/oauth_api_server.py) and webhook
receiver (tests/fixtures/api/webhook_receiver.py) run on loopback ports for
each test; the fixture taps (tests/fixtures/taps/tap_api_singer.py and
tap_api_sdk.py) are started by tapline through symlinks in the test's temp
dir, so their argv carries the harness marker. Faults are scheduled through
the API's admin endpoints (POST /admin/revoke {"after_pages": 3}, ...).

The helpers at the top (ApiTestCase) are also used by test_auth_retry.py.
"""

import datetime
import json
import os
import re
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request

import harness

API_SERVER = os.path.join(harness.FIXTURES, "api", "oauth_api_server.py")
RECEIVER = os.path.join(harness.FIXTURES, "api", "webhook_receiver.py")
TAP_DIR = os.path.join(harness.FIXTURES, "taps")
TAP_SCRIPTS = {"singer": "tap_api_singer.py", "sdk": "tap_api_sdk.py"}
PYTHON = sys.executable or "python3"

CLIENT_ID = "tapline-test"
CLIENT_SECRET = "s3cret-client"
START_DATE = "2023-12-31T00:00:00Z"
NAME = "demo"
# Values that must never show up in a run log, status or an alert.
SECRETS = (CLIENT_SECRET, "rt-initial", "rt-new")


# ---------------------------------------------------------------- helpers

def updated_at(i):
    """updated_at of the API's record i (2024-01-01T00:00:00Z + i hours)."""
    t = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc) + \
        datetime.timedelta(hours=i)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def api_bookmark(i):
    return {"bookmarks": {"records": {"updated_at": updated_at(i)}}}


def parse_iso(text):
    """Seconds since the epoch of an ISO 8601 UTC time (fraction optional)."""
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]00:?00)?$",
                 text.strip())
    if not m:
        raise AssertionError("not an ISO 8601 UTC time: %r" % text)
    base = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    base = base.replace(tzinfo=datetime.timezone.utc)
    return base.timestamp() + (float(m.group(2)) if m.group(2) else 0.0)


def http_json(method, url, body=None, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.read().decode("utf-8", "replace")


class Helper:
    """A fixture server started with --port 0 and a ready file."""

    def __init__(self, argv, ready, log):
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=out)
        harness._tracked_pids.add(self.proc.pid)
        deadline = time.monotonic() + 15
        info = None
        while time.monotonic() < deadline:
            if os.path.exists(ready):
                try:
                    with open(ready) as f:
                        info = json.load(f)
                    break
                except ValueError:
                    pass
            if self.proc.poll() is not None:
                raise AssertionError("%s exited with %s before it was ready"
                                     % (argv[1], self.proc.returncode))
            time.sleep(0.02)
        if info is None:
            self.stop()
            raise AssertionError("%s not ready after 15 s" % argv[1])
        self.port = info["port"]
        self.url = "http://127.0.0.1:%d" % self.port

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


class ApiTestCase(harness.TaplineTestCase):
    """TaplineTestCase plus the fixture API, webhook receiver and taps."""

    RECORDS = 50
    PAGE_SIZE = 5

    def helper_pids(self):
        return {h.proc.pid for h in (getattr(self, "api", None),
                                     getattr(self, "receiver", None)) if h}

    def assertNoLeftovers(self, grace=0.0):
        """harness's check, except for our own fixture servers (their argv
        holds the temp dir, so the marker)."""
        mine = self.helper_pids()

        def leftovers():
            alive = [p for p in harness.processes_with_marker(self.marker)
                     if p[1] != "Z" and p[0] not in mine]
            return alive + [p for p in harness.orphans() if p not in alive]
        found = leftovers()
        deadline = time.monotonic() + grace
        while found and time.monotonic() < deadline:
            time.sleep(0.05)
            found = leftovers()
        if found:
            self.fail("processes left behind after tapline exited "
                      "(pid, state, argv):\n" +
                      "\n".join("  %d %s %s" % p for p in found))

    # -- fixture servers

    def start_api(self, records=None, page_size=None):
        self.api = Helper(
            [PYTHON, API_SERVER, "--port", "0",
             "--state-file", self.path("api-state.json"),
             "--records", str(records or self.RECORDS),
             "--page-size", str(page_size or self.PAGE_SIZE),
             "--ready-file", self.path("api-ready.json"),
             "--max-lifetime", "300"],
            self.path("api-ready.json"), self.path("api-server.log"))
        self.addCleanup(self.api.stop)
        return self.api

    def admin(self, action, **body):
        status, out = http_json("POST", self.api.url + "/admin/" + action,
                                body)
        self.assertEqual(status, 200, (action, out))
        return out

    def api_stats(self):
        status, out = http_json("GET", self.api.url + "/admin/stats")
        self.assertEqual(status, 200, out)
        return out

    def start_receiver(self):
        self.hook_out = self.path("hooks.jsonl")
        self.receiver = Helper(
            [PYTHON, RECEIVER, "--out", self.hook_out, "--port", "0",
             "--ready-file", self.path("hook-ready.json"),
             "--max-lifetime", "300"],
            self.path("hook-ready.json"), self.path("hook-server.log"))
        self.addCleanup(self.receiver.stop)
        return self.receiver

    def hooks(self):
        """Every request the webhook receiver got, oldest first."""
        if not os.path.exists(self.hook_out):
            return []
        return harness.read_jsonl(self.hook_out)

    def hook_bodies(self, status=None):
        bodies = [h["body"] for h in self.hooks()]
        if status is not None:
            bodies = [b for b in bodies
                      if isinstance(b, dict) and b.get("status") == status]
        return bodies

    # -- the tap and tapline.yaml

    def api_tap_command(self, kind):
        """argv of a fixture tap, through symlinks in the temp dir (so its
        argv holds the marker); tap_api_common.py is linked beside it."""
        bindir = self.path("bin")
        os.makedirs(bindir, exist_ok=True)
        for name in (TAP_SCRIPTS[kind], "tap_api_common.py"):
            link = os.path.join(bindir, name)
            if not os.path.exists(link):
                os.symlink(os.path.join(TAP_DIR, name), link)
        return [PYTHON, os.path.join(bindir, TAP_SCRIPTS[kind])]

    def api_tap_config(self, refresh_token="rt-initial", **extra):
        config = {"base_url": self.api.url, "client_id": CLIENT_ID,
                  "client_secret": CLIENT_SECRET,
                  "refresh_token": refresh_token, "start_date": START_DATE}
        config.update(extra)
        return config

    def api_tap(self, kind="singer", refresh_token="rt-initial", **extra):
        return {"command": self.api_tap_command(kind),
                "config": self.api_tap_config(refresh_token, **extra)}

    def write_tapline(self, integrations, alerts=True):
        """tapline.yaml with the given integrations and, if alerts, a
        webhook alert to the receiver (started if needed)."""
        doc = {}
        if alerts:
            if not hasattr(self, "receiver"):
                self.start_receiver()
            doc["alerts"] = {"webhook": {"url": self.receiver.url + "/hook",
                                         "timeout": "5s", "retries": 1}}
        doc["integrations"] = integrations
        path = self.path("tapline.yaml")
        with open(path, "w") as f:
            f.write(harness.to_yaml(doc) + "\n")
        self.config_path = path
        self.data_dir = self.path(".tapline")
        return path

    # -- tapline's records

    def run_log(self, run_id, name=NAME):
        path = os.path.join(self.data_dir, "logs", name, "run-%d.log" % run_id)
        self.assertTrue(os.path.exists(path), "no run log %s" % path)
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def tap_log_lines(self, run_id, name=NAME):
        """(unix time, text) of each `tap |` line of a run log."""
        out = []
        for line in self.run_log(run_id, name).splitlines():
            m = re.match(r"^(\S+) tap \| (.*)$", line)
            if m:
                out.append((parse_iso(m.group(1)), m.group(2)))
        return out

    def status_json(self, name=NAME):
        done = self.tapline("status", "--json", "--config", self.config_path,
                            timeout=30)
        self.assertExit(done, 0)
        doc = json.loads(done.stdout)
        rows = [r for r in doc["integrations"] if r["name"] == name]
        self.assertEqual(len(rows), 1, done.stdout)
        return rows[0], done.stdout

    def status_text(self):
        done = self.tapline("status", "--config", self.config_path,
                            timeout=30)
        self.assertExit(done, 0)
        return done.stdout

    def integration_status(self, name=NAME):
        rows = self.query("SELECT * FROM integration_status WHERE "
                          "integration = ?", (name,))
        return rows[0] if rows else None

    def events(self, name=NAME, kind=None):
        rows = self.query("SELECT * FROM events WHERE integration = ? "
                          "ORDER BY id", (name,))
        return [r for r in rows if kind is None or r["kind"] == kind]

    def destination_ids(self, out_dir, stream="records"):
        return harness.ids_in(os.path.join(out_dir, stream + ".jsonl"))

    def assertNotPaused(self, name=NAME):
        status = self.integration_status(name)
        self.assertTrue(status is None or status["status"] != "needs_reauth",
                        "integration is paused: %r" % (status,))
        self.assertEqual(self.hook_bodies("needs_reauth") if
                         hasattr(self, "hook_out") else [], [])

    def assertAllIds(self, ids, total, bookmark_id):
        """Every id 1..total present; duplicates only above the bookmark."""
        self.assertEqual(sorted(set(ids)), list(range(1, total + 1)),
                         "missing or extra ids")
        dups = harness.duplicates(ids)
        self.assertFalse({d for d in dups if d <= bookmark_id},
                         "ids at or below the bookmark (%d) duplicated: %s"
                         % (bookmark_id, sorted(dups)))


# ---------------------------------------------------------------- tests

class RevokedTokenMixin:
    """Token revoked after page 3 of 10: halt, pause, alert, refuse, force,
    recover. TAP is "singer" or "sdk"."""

    TAP = None
    REVOKE_AFTER = 3

    def first_error_line(self, lines):
        """The tap's line that reports the failure: CRITICAL for the
        singer-python style, the first ERROR for the SDK style."""
        for t, text in lines:
            if self.TAP == "singer" and text.startswith("CRITICAL "):
                return t, text
            if self.TAP == "sdk" and re.match(
                    r"^\S+ \S+ \| ERROR +\| ", text):
                return t, text
        self.fail("no error line from the tap in the run log:\n%s" %
                  "\n".join(text for _, text in lines))

    def test_revoked_token_halts_pauses_alerts_and_recovers(self):
        self.start_api()
        out_dir = self.path("out")
        target = self.fixture_target(out_dir)
        self.write_tapline({NAME: self.integration(
            self.api_tap(self.TAP), target,
            retry={"attempts": 3, "backoff": "1s", "max_backoff": "2s"})})
        self.admin("revoke", after_pages=self.REVOKE_AFTER)

        first = self.run_integration(NAME)
        exited_at = time.time()
        self.assertExit(first, harness.EX_NOPERM)
        self.assertNoLeftovers()
        self.assertErrorLine(
            first, NAME, r"^tapline: %s: authentication failure, integration "
            r"paused: token_revoked: .+ \(rule oauth\.revoked_or_inactive\)$"
            % NAME)
        self.assertSummary(first, NAME, "failed")
        self.assertIn("%s: failed (exit 77) — " % NAME, first.stdout)

        # runs row
        run = self.last_run(NAME)
        self.assertEqual((run["outcome"], run["exit_code"]), ("failed", 77))
        self.assertEqual(len(self.runs(NAME)), 1, "an auth failure is not "
                         "retried")

        # stopped within 2 s of the tap's error line
        err_time, err_line = self.first_error_line(self.tap_log_lines(1))
        self.assertIn("invalid_grant", err_line)
        self.assertLessEqual(parse_iso(run["ended_at"]) - err_time, 2.0,
                             "run ended %s, tap error line at %.3f" %
                             (run["ended_at"], err_time))
        self.assertLessEqual(exited_at - err_time, 2.5,
                             "tapline exited %.2fs after the tap's error "
                             "line" % (exited_at - err_time))

        # integration_status and events; the rules say token_revoked
        # (oauth.revoked_or_inactive: "Token has been expired or revoked")
        status = self.integration_status()
        self.assertIsNotNone(status, "no integration_status row")
        self.assertEqual(status["status"], "needs_reauth")
        self.assertEqual(status["auth_class"], "token_revoked")
        self.assertEqual(status["rule_id"], "oauth.revoked_or_inactive")
        self.assertEqual(status["run_id"], run["id"])
        self.assertIn("invalid_grant", status["evidence"])
        self.assertTrue(status["explanation"])
        self.assertEqual(len(self.events(kind="paused")), 1)

        # the bookmark is the last state the destination confirmed: page 3
        last_record = self.REVOKE_AFTER * self.PAGE_SIZE
        echoed, printed = self.echoed_states(out_dir)
        confirmed = (printed or echoed)[-1]
        self.assertEqual(confirmed, api_bookmark(last_record))
        self.assertEqual(self.bookmark(NAME), confirmed)
        self.assertEqual(self.destination_ids(out_dir),
                         list(range(1, last_record + 1)))

        # status, text and JSON
        text = self.status_text()
        self.assertRegex(text, r"(?m)^%s +NEEDS REAUTH " % NAME)
        self.assertIn("token_revoked: %s" % status["explanation"], text)
        self.assertIn("since %s" % status["since"], text)
        self.assertIn("rule oauth.revoked_or_inactive", text)
        self.assertIn("evidence: " + status["evidence"].split("\n")[0][:100],
                      text)
        self.assertIn("tapline reauth %s" % NAME, text)
        row, status_raw = self.status_json()
        self.assertEqual(row["status"], "needs_reauth")
        self.assertEqual(row["reauth"]["class"], "token_revoked")
        self.assertEqual(row["reauth"]["rule"], "oauth.revoked_or_inactive")
        self.assertEqual(row["reauth"]["since"], status["since"])
        self.assertEqual(row["reauth"]["run_id"], run["id"])
        self.assertEqual(row["reauth"]["explanation"], status["explanation"])
        self.assertIn("invalid_grant", row["reauth"]["evidence"])

        # exactly one needs_reauth alert, with every field
        alerts = self.hook_bodies()
        self.assertEqual(len(alerts), 1, alerts)
        alert = alerts[0]
        for key in ("integration", "status", "class", "explanation",
                    "run_id", "time", "evidence", "text"):
            self.assertIn(key, alert)
        self.assertEqual(alert["integration"], NAME)
        self.assertEqual(alert["status"], "needs_reauth")
        self.assertEqual(alert["class"], "token_revoked")
        self.assertEqual(alert["run_id"], run["id"])
        self.assertIn("invalid_grant", alert["evidence"])
        self.assertNotIn("\n", alert["text"])
        self.assertIn(NAME, alert["text"])
        parse_iso(alert["time"])

        # no secret anywhere a person or a webhook sees
        for where, text in (("run log", self.run_log(1)),
                            ("status --json", status_raw),
                            ("alert", json.dumps(self.hooks())),
                            ("stderr", first.stderr),
                            ("stdout", first.stdout)):
            for secret in SECRETS:
                self.assertNotIn(secret, text, "%s leaked in the %s" %
                                 (secret, where))

        # a plain run refuses without starting the tap
        pages = self.api_stats()["pages_served"]
        again = self.run_integration(NAME)
        self.assertExit(again, harness.EX_NOPERM)
        self.assertErrorLine(
            again, NAME, r"paused: needs reauthorization since .*run "
            r"`tapline reauth %s`, or run with --force" % NAME)
        self.assertEqual(len(self.runs(NAME)), 1)
        self.assertEqual(self.api_stats()["pages_served"], pages)
        self.assertEqual(len(self.hook_bodies()), 1, "alerted again")

        # a person re-authorizes; the config gets the new token
        self.admin("issue", refresh_token="rt-new")
        self.write_tapline({NAME: self.integration(
            self.api_tap(self.TAP, refresh_token="rt-new"), target,
            retry={"attempts": 3, "backoff": "1s", "max_backoff": "2s"})})
        forced = self.tapline("run", NAME, "--force", "--config",
                              self.config_path, timeout=60)
        self.assertExit(forced, 0)
        self.assertNoLeftovers()
        self.assertSummary(forced, NAME, "succeeded")
        self.assertIn("resuming from bookmark", self.run_log(2))
        self.assertAllIds(self.destination_ids(out_dir), self.RECORDS,
                          last_record)
        self.assertEqual(self.bookmark(NAME), api_bookmark(self.RECORDS))

        # active again, one recovered alert
        status = self.integration_status()
        self.assertEqual(status["status"], "active")
        self.assertEqual(len(self.events(kind="resumed")), 1)
        row, status_raw = self.status_json()
        self.assertEqual(row["status"], "active")
        self.assertIsNone(row["reauth"])
        self.assertRegex(self.status_text(), r"(?m)^%s +ACTIVE " % NAME)
        self.assertEqual(len(self.hook_bodies("needs_reauth")), 1)
        recovered = self.hook_bodies("recovered")
        self.assertEqual(len(recovered), 1, self.hooks())
        self.assertEqual(recovered[0]["integration"], NAME)
        self.assertEqual(recovered[0]["run_id"], self.last_run(NAME)["id"])
        for where, text in (("run log", self.run_log(2)),
                            ("status --json", status_raw),
                            ("alert", json.dumps(self.hooks()))):
            for secret in SECRETS:
                self.assertNotIn(secret, text, "%s leaked in the %s" %
                                 (secret, where))


class SingerRevokedTest(RevokedTokenMixin, ApiTestCase):
    TAP = "singer"


class SdkRevokedTest(RevokedTokenMixin, ApiTestCase):
    TAP = "sdk"


LEAKY_WRAPPER = r'''
import json, subprocess, sys
# Like a tap that puts its token request in the error message: runs the
# real tap and writes the client credentials into its first CRITICAL line.
args = sys.argv[2:]
secret = json.load(open(args[args.index("--config") + 1]))["client_secret"]
p = subprocess.Popen([sys.executable, sys.argv[1]] + args,
                     stderr=subprocess.PIPE)
done = False
for raw in p.stderr:
    line = raw.decode("utf-8", "replace")
    if not done and line.startswith("CRITICAL "):
        line = ("CRITICAL token request client_id=tapline-test&"
                "client_secret=%s failed: %s" % (secret, line[9:]))
        done = True
    sys.stderr.write(line)
    sys.stderr.flush()
sys.exit(p.wait())
'''


class AuthHaltTest(ApiTestCase):

    def test_secret_in_tap_stderr_is_redacted(self):
        """A tap that prints its client_secret in the deciding CRITICAL
        line: run log, evidence, status and alert show it masked."""
        self.start_api()
        wrapper = self.path("bin", "leaky_tap.py")
        command = self.api_tap_command("singer")
        with open(wrapper, "w") as f:
            f.write(LEAKY_WRAPPER)
        tap = {"command": [PYTHON, wrapper, command[1]],
               "config": self.api_tap_config()}
        self.write_tapline({NAME: self.integration(
            tap, {"jsonl": {"dir": "out"}})})
        self.admin("revoke", after_pages=2)
        done = self.run_integration(NAME)
        self.assertExit(done, harness.EX_NOPERM)
        status = self.integration_status()
        self.assertEqual(status["auth_class"], "token_revoked")
        self.assertIn("invalid_grant", status["evidence"])
        self.assertIn("client_id=tapline-test", self.run_log(1))
        self.assertIn("client_id=tapline-test", status["evidence"])
        _, status_raw = self.status_json()
        self.assertEqual(len(self.hook_bodies("needs_reauth")), 1)
        for where, text in (("run log", self.run_log(1)),
                            ("status --json", status_raw),
                            ("status", self.status_text()),
                            ("alert", json.dumps(self.hooks())),
                            ("stderr", done.stderr)):
            self.assertNotIn(CLIENT_SECRET, text, "client_secret leaked in "
                             "the " + where)

    def test_scope_dropped_mid_run_pauses_insufficient_permissions(self):
        self.start_api()
        self.write_tapline({NAME: self.integration(
            self.api_tap("singer"), {"jsonl": {"dir": "out"}},
            retry={"attempts": 3, "backoff": "1s", "max_backoff": "2s"})})
        self.admin("drop_scope", after_pages=2)
        done = self.run_integration(NAME)
        self.assertExit(done, harness.EX_NOPERM)
        self.assertNoLeftovers()
        self.assertErrorLine(done, NAME, r"authentication failure, "
                             r"integration paused: insufficient_permissions:")
        run = self.last_run(NAME)
        self.assertEqual((run["outcome"], run["exit_code"]), ("failed", 77))
        self.assertEqual(len(self.runs(NAME)), 1)
        status = self.integration_status()
        self.assertEqual(status["status"], "needs_reauth")
        self.assertEqual(status["auth_class"], "insufficient_permissions")
        self.assertIn("Missing the following required scopes",
                      status["evidence"])
        self.assertEqual(self.bookmark(NAME), api_bookmark(2 * self.PAGE_SIZE))
        self.assertEqual(self.destination_ids(self.path("out")),
                         list(range(1, 2 * self.PAGE_SIZE + 1)))
        alerts = self.hook_bodies("needs_reauth")
        self.assertEqual(len(alerts), 1, self.hooks())
        self.assertEqual(alerts[0]["class"], "insufficient_permissions")
        row, _ = self.status_json()
        self.assertEqual(row["status"], "needs_reauth")
        self.assertEqual(row["reauth"]["class"], "insufficient_permissions")

    def skipped_scope(self, **integration):
        self.start_api()
        self.write_tapline({NAME: self.integration(
            self.api_tap("singer", fail_on_permission="skip"),
            {"jsonl": {"dir": "out"}}, **integration)})
        self.admin("drop_scope", after_pages=2)
        return self.run_integration(NAME)

    def test_skipped_stream_is_degraded_not_paused(self):
        done = self.skipped_scope()
        self.assertExit(done, 0)
        self.assertNoLeftovers()
        self.assertSummary(done, NAME, "degraded")
        self.assertIn("insufficient_permissions", done.stderr)
        run = self.last_run(NAME)
        self.assertEqual((run["outcome"], run["exit_code"]), ("degraded", 0))
        self.assertNotPaused()
        self.assertEqual(self.hooks(), [])
        row, _ = self.status_json()
        self.assertEqual(row["status"], "degraded")
        self.assertIsNone(row["reauth"])
        self.assertRegex(self.status_text(), r"(?m)^%s +DEGRADED " % NAME)
        self.assertEqual(self.bookmark(NAME), api_bookmark(2 * self.PAGE_SIZE))

    def test_skipped_stream_pauses_with_pause_on_partial_permissions(self):
        done = self.skipped_scope(auth={"pause_on_partial_permissions": True})
        self.assertExit(done, harness.EX_NOPERM)
        self.assertNoLeftovers()
        self.assertErrorLine(done, NAME, r"authentication failure, "
                             r"integration paused: insufficient_permissions:")
        run = self.last_run(NAME)
        self.assertEqual((run["outcome"], run["exit_code"]), ("failed", 77))
        status = self.integration_status()
        self.assertEqual(status["status"], "needs_reauth")
        self.assertEqual(status["auth_class"], "insufficient_permissions")
        self.assertEqual(len(self.hook_bodies("needs_reauth")), 1,
                         self.hooks())
        row, _ = self.status_json()
        self.assertEqual(row["status"], "needs_reauth")
        # the data the tap did deliver is kept
        self.assertEqual(self.bookmark(NAME), api_bookmark(2 * self.PAGE_SIZE))

    def test_auth_words_in_record_data_are_not_an_auth_failure(self):
        record = {"type": "RECORD", "stream": "users", "record": {
            "id": 1000, "updated_at": "2024-01-02T00:00:00Z",
            "note": "HTTP-error-code: 401 Unauthorized invalid_grant: Token "
                    "has been expired or revoked."}}
        tap = self.tap(("users",), 20, inject_after=5,
                       inject_line=json.dumps(record), state_every=5,
                       stderr_every=5, stderr_line="INFO synced a batch")
        self.write_tapline({NAME: self.integration(
            tap, {"jsonl": {"dir": "out"}})})
        done = self.run_integration(NAME)
        self.assertExit(done, 0)
        self.assertSummary(done, NAME, "succeeded")
        self.assertNotIn("warning", done.stderr)
        run = self.last_run(NAME)
        self.assertEqual((run["outcome"], run["exit_code"]), ("succeeded", 0))
        self.assertNotPaused()
        self.assertEqual(self.hooks(), [])
        ids = self.destination_ids(self.path("out"), "users")
        self.assertIn(1000, ids)
        self.assertEqual(sorted(i for i in ids if i != 1000),
                         list(range(1, 21)))


def load_tests(loader, tests, pattern):
    suite = unittest.TestSuite()
    for case in (SingerRevokedTest, SdkRevokedTest, AuthHaltTest):
        suite.addTests(loader.loadTestsFromTestCase(case))
    return suite


if __name__ == "__main__":
    harness.main()
