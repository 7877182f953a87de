#!/usr/bin/env python3
"""The API fixtures work on their own (no tapline involved):
tests/fixtures/api/oauth_api_server.py, tests/fixtures/api/webhook_receiver.py
and the two fixture taps tests/fixtures/taps/tap_api_singer.py (singer-python
style) and tap_api_sdk.py (Meltano SDK style).

Each test starts its own server on a free loopback port (--port 0 and a ready
file) and stops it at the end; the taps run as argv vectors, never through a
shell. Runs as `python3 tests/e2e/test_fixture_api.py` or under ctest (it
needs none of the binaries, so it never skips). Scratch directories go under
TAPLINE_TEST_TMP (or the system temp dir) and are kept when a test fails or
TAPLINE_E2E_KEEP=1.
"""

import collections
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("TAPLINE_SOURCE_DIR") or os.path.dirname(
    os.path.dirname(HERE))
FIXTURES = os.path.join(SOURCE_DIR, "tests", "fixtures")
SERVER = os.path.join(FIXTURES, "api", "oauth_api_server.py")
RECEIVER = os.path.join(FIXTURES, "api", "webhook_receiver.py")
TAPS = {"singer": os.path.join(FIXTURES, "taps", "tap_api_singer.py"),
        "sdk": os.path.join(FIXTURES, "taps", "tap_api_sdk.py")}
PYTHON = sys.executable or "python3"
TMP_ROOT = os.environ.get("TAPLINE_TEST_TMP") or tempfile.gettempdir()
KEEP = os.environ.get("TAPLINE_E2E_KEEP") == "1"

CLIENT_ID = "tapline-test"
CLIENT_SECRET = "s3cret-client"
START_DATE = "2023-12-31T00:00:00Z"
RECORDS = 25
PAGE_SIZE = 5
TAP_TIMEOUT = 30

INVALID_GRANT_BODY = ('{"error": "invalid_grant", "error_description": '
                      '"Token has been expired or revoked."}')
INVALID_GRANT_REPR = ("{'error': 'invalid_grant', 'error_description': "
                      "'Token has been expired or revoked.'}")
SCOPE_MESSAGE = "Missing the following required scopes: records:read"
SDK_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \| "
    r"(DEBUG   |INFO    |WARNING |ERROR   ) \| [\w.-]{1,20} *\| .*$")
SINGER_LINE = re.compile(r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL) \S.*$")
TRACEBACK_LINE = re.compile(
    r"^(Traceback \(most recent call last\):|  File \".*|    .*|"
    r"The above exception was the direct cause of the following exception:|"
    r"[\w.]+(Error|Exception): .*|)$")


def updated_at(i):
    return "2024-01-%02dT%02d:00:00Z" % (1 + i // 24, i % 24)


def wait_for_file(path, proc, what, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                try:
                    return json.load(f)
                except ValueError:
                    pass
        if proc.poll() is not None:
            raise RuntimeError("%s exited with %s before it was ready"
                               % (what, proc.returncode))
        time.sleep(0.02)
    raise RuntimeError("%s not ready after %.0f s" % (what, timeout))


def stop_process(proc):
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def http_json(method, url, body=None, form=None, headers=None):
    """(status, headers, parsed JSON body) without raising on 4xx/5xx."""
    headers = dict(headers or {})
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    elif body is not None:
        data = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(url, data=data, method=method,
                                 headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw, status, hdrs = resp.read(), resp.status, resp.headers
    except urllib.error.HTTPError as e:
        with e:
            raw, status, hdrs = e.read(), e.code, e.headers
    try:
        return status, hdrs, json.loads(raw) if raw else None
    except ValueError:
        return status, hdrs, raw.decode("utf-8", "replace")


class ApiServer:
    def __init__(self, workdir, records=RECORDS, page_size=PAGE_SIZE):
        self.workdir = workdir
        self.state_file = os.path.join(workdir, "api-state.json")
        self.records = records
        self.page_size = page_size
        self.proc = None
        self.starts = 0

    def start(self):
        self.starts += 1
        ready = os.path.join(self.workdir, "api-ready-%d.json" % self.starts)
        log = open(os.path.join(self.workdir, "api-server.log"), "a")
        with log:
            self.proc = subprocess.Popen(
                [PYTHON, SERVER, "--port", "0", "--state-file",
                 self.state_file, "--records", str(self.records),
                 "--page-size", str(self.page_size), "--ready-file", ready,
                 "--max-lifetime", "300"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        info = wait_for_file(ready, self.proc, "oauth_api_server")
        assert info["pid"] == self.proc.pid, info
        self.port = info["port"]
        self.url = "http://127.0.0.1:%d" % self.port
        return self

    def stop(self):
        stop_process(self.proc)

    def admin(self, action, **body):
        status, _, out = http_json("POST", self.url + "/admin/" + action,
                                   body=body)
        assert status == 200, (action, status, out)
        return out

    def stats(self):
        return http_json("GET", self.url + "/admin/stats")[2]

    def refresh(self, refresh_token, client_secret=CLIENT_SECRET):
        status, _, body = http_json("POST", self.url + "/oauth/token", form={
            "grant_type": "refresh_token", "client_id": CLIENT_ID,
            "client_secret": client_secret, "refresh_token": refresh_token})
        return status, body


TapResult = collections.namedtuple(
    "TapResult", "code messages stdout stderr lines elapsed")


class FixtureCase(unittest.TestCase):
    """Fresh scratch dir and a fresh API server per test."""

    def setUp(self):
        os.makedirs(TMP_ROOT, exist_ok=True)
        self.dir = tempfile.mkdtemp(prefix="fixture-api-", dir=TMP_ROOT)
        self.server = ApiServer(self.dir).start()
        self.addCleanup(self.server.stop)

    def tearDown(self):
        ok = getattr(self._outcome, "success", True)
        if ok and not KEEP:
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            print("\nkept %s" % self.dir, file=sys.stderr)

    def path(self, name):
        return os.path.join(self.dir, name)


class TapCase(FixtureCase):
    TAP = None  # "singer" or "sdk"

    # -- helpers --------------------------------------------------------
    def write_config(self, name="config.json", **extra):
        config = {"base_url": self.server.url, "client_id": CLIENT_ID,
                  "client_secret": CLIENT_SECRET,
                  "refresh_token": "rt-initial", "start_date": START_DATE}
        config.update(extra)
        path = self.path(name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(config, f)
        return path

    def read_config(self, path):
        with open(path) as f:
            return json.load(f)

    def write_state(self, bookmark, name="state.json"):
        path = self.path(name)
        with open(path, "w") as f:
            json.dump({"bookmarks": {"records": {"updated_at": bookmark}}}, f)
        return path

    def run_tap(self, config, state=None, discover=False):
        argv = [PYTHON, TAPS[self.TAP], "--config", config]
        if state:
            argv += ["--state", state]
        if discover:
            argv.append("--discover")
        started = time.monotonic()
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True,
                              timeout=TAP_TIMEOUT, cwd=self.dir)
        elapsed = time.monotonic() - started
        messages = []
        if not discover:
            for line in proc.stdout.splitlines():
                messages.append(json.loads(line))
        with open(self.path("tap-%s.stderr" % self.TAP), "a") as f:
            f.write(proc.stderr)
        return TapResult(proc.returncode, messages, proc.stdout, proc.stderr,
                         proc.stderr.splitlines(), elapsed)

    def ids(self, result):
        return [m["record"]["id"] for m in result.messages
                if m["type"] == "RECORD"]

    def states(self, result):
        return [m["value"]["bookmarks"]["records"]["updated_at"]
                for m in result.messages if m["type"] == "STATE"]

    def describe(self, result):
        return "exit %s\n--- stderr ---\n%s" % (result.code, result.stderr)

    def assertLogShape(self, result):
        """Every stderr line is a log line of the tap's style or part of a
        Python traceback; the SDK style never prints CRITICAL."""
        pattern = SDK_LINE if self.TAP == "sdk" else SINGER_LINE
        for line in result.lines:
            self.assertTrue(pattern.match(line) or TRACEBACK_LINE.match(line),
                            "unexpected stderr line %r\n%s"
                            % (line, self.describe(result)))
        if self.TAP == "sdk":
            self.assertNotIn("CRITICAL", result.stderr)

    def assertHasLine(self, result, level, message):
        if self.TAP == "sdk":
            found = any(SDK_LINE.match(l) and l.split(" | ", 1)[1]
                        .startswith(level.ljust(8) + " | ")
                        and l.split(" | ", 3)[3] == message
                        for l in result.lines)
        else:
            found = "%s %s" % (level, message) in result.lines
        self.assertTrue(found, "no %s line %r\n%s"
                        % (level, message, self.describe(result)))

    def assertSucceeded(self, result):
        self.assertEqual(result.code, 0, self.describe(result))
        self.assertNotIn("Traceback", result.stderr)
        self.assertLogShape(result)

    def assertFatal(self, result, last_line, critical=None):
        """Exit 1, a traceback with frame lines, ending in last_line; for
        the singer style each line of the message is also a CRITICAL line."""
        self.assertEqual(result.code, 1, self.describe(result))
        self.assertIn("Traceback (most recent call last):", result.lines,
                      self.describe(result))
        self.assertTrue(any(l.startswith('  File "') for l in result.lines),
                        self.describe(result))
        self.assertEqual(result.lines[-1], last_line, self.describe(result))
        if critical is not None:
            self.assertIn("CRITICAL " + critical, result.lines,
                          self.describe(result))
            first_tb = result.lines.index("Traceback (most recent call last):")
            self.assertEqual(result.lines[first_tb - 1], "CRITICAL " + critical)
        self.assertLogShape(result)

    def assertRevokedShape(self, result):
        if self.TAP == "singer":
            message = "HTTP-error-code: 400, Error: " + INVALID_GRANT_REPR
            self.assertFatal(result, "tap_api.client.InvalidGrantError: "
                             + message, critical=message)
        else:
            self.assertHasLine(result, "ERROR",
                               "Failed OAuth login with status code 400, "
                               "response was '%s'" % INVALID_GRANT_BODY)
            self.assertIn("requests.exceptions.HTTPError: 400 Client Error: "
                          "Bad Request for url: %s/oauth/token"
                          % self.server.url, result.lines)
            self.assertIn("The above exception was the direct cause of the "
                          "following exception:", result.lines)
            self.assertFatal(result, "singer_sdk.exceptions."
                             "AuthenticationError: Failed to update access "
                             "token (status=400)")

    def page_url(self, page):
        return "%s/v1/records?since=%s&page=%d" % (
            self.server.url, urllib.parse.quote(START_DATE, safe=""), page)

    # -- tests ----------------------------------------------------------
    def test_full_sync_gets_every_record_and_a_final_state(self):
        result = self.run_tap(self.write_config())
        self.assertSucceeded(result)
        self.assertEqual(result.messages[0]["type"], "SCHEMA")
        self.assertEqual(result.messages[0]["key_properties"], ["id"])
        self.assertEqual(self.ids(result), list(range(1, RECORDS + 1)))
        self.assertEqual(result.messages[-1]["type"], "STATE")
        self.assertEqual(self.states(result),
                         [updated_at(i) for i in (5, 10, 15, 20, 25)])
        self.assertEqual(self.states(result)[-1], updated_at(RECORDS))
        # a STATE follows each page's five records
        kinds = [m["type"] for m in result.messages[1:]]
        self.assertEqual(kinds, (["RECORD"] * 5 + ["STATE"]) * 5)
        if self.TAP == "singer":
            self.assertEqual(result.lines[0], "INFO Starting sync")
        stats = self.server.stats()
        self.assertEqual(stats["responses"].get("GET /v1/records 200"), 5)
        self.assertEqual(stats["tokens_issued"]["access"], 1)

    def test_rotated_refresh_token_is_written_back_and_old_one_rejected(self):
        config = self.write_config(extra_key="kept")
        before = os.stat(config)
        result = self.run_tap(config)
        self.assertSucceeded(result)
        after = os.stat(config)
        self.assertEqual(after.st_ino, before.st_ino, "not rewritten in place")
        self.assertEqual(stat.S_IMODE(after.st_mode), 0o600)
        written = self.read_config(config)
        self.assertNotEqual(written["refresh_token"], "rt-initial")
        self.assertEqual(written["extra_key"], "kept")
        self.assertEqual(written["client_secret"], CLIENT_SECRET)
        status, body = self.server.refresh("rt-initial")
        self.assertEqual((status, body), (400, {
            "error": "invalid_grant",
            "error_description": "Token has been expired or revoked."}))
        # the next run works with the token the tap wrote back
        again = self.run_tap(config)
        self.assertSucceeded(again)
        self.assertNotEqual(self.read_config(config)["refresh_token"],
                            written["refresh_token"])
        self.assertEqual(self.server.refresh(written["refresh_token"])[0], 400)

    def test_discover_refreshes_first_and_prints_a_catalog(self):
        config = self.write_config()
        result = self.run_tap(config, discover=True)
        self.assertSucceeded(result)
        catalog = json.loads(result.stdout)
        self.assertEqual([s["tap_stream_id"] for s in catalog["streams"]],
                         ["records"])
        self.assertNotEqual(self.read_config(config)["refresh_token"],
                            "rt-initial")
        self.assertEqual(self.server.stats()["responses"]
                         .get("POST /oauth/token 200"), 1)

    def test_revoked_refresh_token_at_start(self):
        self.server.admin("revoke")
        config = self.write_config()
        result = self.run_tap(config)
        self.assertRevokedShape(result)
        self.assertEqual(result.messages, [])
        self.assertEqual(self.read_config(config)["refresh_token"],
                         "rt-initial")
        discover = self.run_tap(config, discover=True)
        self.assertRevokedShape(discover)
        self.assertEqual(discover.stdout, "")

    def test_revoked_mid_run_after_page_3(self):
        self.server.admin("revoke", after_pages=3)
        result = self.run_tap(self.write_config())
        self.assertRevokedShape(result)
        self.assertEqual(self.ids(result), list(range(1, 16)))
        self.assertEqual(self.states(result),
                         [updated_at(5), updated_at(10), updated_at(15)])
        self.assertEqual(result.messages[-1]["type"], "STATE")
        responses = self.server.stats()["responses"]
        self.assertEqual(responses.get("GET /v1/records 401"), 1)
        self.assertEqual(responses.get("POST /oauth/token 400"), 1)

    def test_missing_scope_is_fatal(self):
        self.server.admin("drop_scope", after_pages=2)
        result = self.run_tap(self.write_config())
        if self.TAP == "singer":
            message = "HTTP-error-code: 403, Error: " + SCOPE_MESSAGE
            self.assertFatal(result, "tap_api.client.ForbiddenError: "
                             + message, critical=message)
        else:
            self.assertFatal(result, "singer_sdk.exceptions.FatalAPIError: "
                             "403 Client Error: Forbidden for path: "
                             "/v1/records")
        self.assertEqual(self.ids(result), list(range(1, 11)))
        self.assertEqual(self.states(result)[-1], updated_at(10))

    def test_missing_scope_skip_logs_error_and_exits_0(self):
        self.server.admin("drop_scope", after_pages=2)
        result = self.run_tap(self.write_config(fail_on_permission="skip"))
        self.assertSucceeded(result)
        if self.TAP == "singer":
            self.assertHasLine(result, "ERROR",
                               "HTTP-error-code: 403, Error: " + SCOPE_MESSAGE)
        else:
            self.assertHasLine(
                result, "ERROR", "Skipping stream 'records': 403 Client "
                "Error: Forbidden for path: /v1/records ({\"error\": "
                "\"insufficient_scope\", \"message\": \"%s\"})"
                % SCOPE_MESSAGE)
        self.assertEqual(self.ids(result), list(range(1, 11)))
        self.assertEqual(result.messages[-1]["type"], "STATE")

    def backoff_message(self, status, page, wait):
        if self.TAP == "singer":
            kind = "Client" if status < 500 else "Server"
            reason = {429: "Too Many Requests",
                      503: "Service Unavailable"}[status]
            exc = ("requests.exceptions.HTTPError: %d %s Error: %s for "
                   "url: %s" % (status, kind, reason, self.page_url(page)))
        else:
            kind = "Client" if status < 500 else "Server"
            reason = {429: "Too Many Requests",
                      503: "Service Unavailable"}[status]
            exc = ("singer_sdk.exceptions.RetriableAPIError: %d %s Error: %s "
                   "for path: /v1/records" % (status, kind, reason))
        return "Backing off _request(...) for %.1fs (%s)" % (wait, exc), exc

    def test_rate_limit_is_retried_and_completes(self):
        self.server.admin("rate_limit", after_pages=1, count=1)
        result = self.run_tap(self.write_config())
        self.assertSucceeded(result)
        self.assertEqual(self.ids(result), list(range(1, RECORDS + 1)))
        line, _ = self.backoff_message(429, 2, 1.0)
        self.assertHasLine(result, "INFO", line)
        self.assertEqual(sum("Backing off" in l for l in result.lines), 1)
        self.assertGreaterEqual(result.elapsed, 0.95, "Retry-After ignored")
        self.assertEqual(self.server.stats()["responses"]
                         .get("GET /v1/records 429"), 1)

    def test_rate_limit_gives_up_after_5_tries(self):
        self.server.admin("rate_limit", after_pages=1, count=10)
        result = self.run_tap(self.write_config())
        line, exc = self.backoff_message(429, 2, 1.0)
        self.assertHasLine(result, "ERROR",
                           "Giving up _request(...) after 5 tries (%s)" % exc)
        self.assertEqual(sum("Backing off" in l for l in result.lines), 4)
        self.assertFatal(result, exc, critical=(
            exc.split(": ", 1)[1] if self.TAP == "singer" else None))
        self.assertEqual(self.ids(result), list(range(1, 6)))

    def test_outage_is_retried_and_completes(self):
        self.server.admin("outage", after_pages=2, count=3)
        result = self.run_tap(self.write_config())
        self.assertSucceeded(result)
        self.assertEqual(self.ids(result), list(range(1, RECORDS + 1)))
        line, _ = self.backoff_message(503, 3, 0.2)
        self.assertHasLine(result, "INFO", line)
        self.assertEqual(sum("Backing off" in l for l in result.lines), 3)
        self.assertEqual(self.server.stats()["responses"]
                         .get("GET /v1/records 503"), 3)

    def test_outage_gives_up_after_5_tries(self):
        self.server.admin("outage", after_pages=2, count=10)
        result = self.run_tap(self.write_config())
        _, exc = self.backoff_message(503, 3, 0.2)
        self.assertHasLine(result, "ERROR",
                           "Giving up _request(...) after 5 tries (%s)" % exc)
        self.assertFatal(result, exc, critical=(
            exc.split(": ", 1)[1] if self.TAP == "singer" else None))
        self.assertEqual(self.ids(result), list(range(1, 11)))

    def test_expired_access_token_is_refreshed_once(self):
        self.server.admin("expire_access_token", after_pages=2)
        config = self.write_config()
        result = self.run_tap(config)
        self.assertSucceeded(result)
        self.assertEqual(self.ids(result), list(range(1, RECORDS + 1)))
        stats = self.server.stats()
        self.assertEqual(stats["tokens_issued"]["refresh"], 2)
        self.assertEqual(stats["responses"].get("GET /v1/records 401"), 1)
        # the config holds the second rotation, which is still valid
        self.assertEqual(self.server.refresh(
            self.read_config(config)["refresh_token"])[0], 200)

    def test_second_401_after_refresh_is_fatal(self):
        self.server.admin("unauthorized", after_pages=1, count=2)
        result = self.run_tap(self.write_config())
        if self.TAP == "singer":
            message = "HTTP-error-code: 401, Error: {'error': 'invalid_token'}"
            self.assertFatal(result, "tap_api.client.UnauthorizedError: "
                             + message, critical=message)
        else:
            self.assertFatal(result, "singer_sdk.exceptions.FatalAPIError: "
                             "401 Client Error: Unauthorized for path: "
                             "/v1/records")
        self.assertEqual(self.ids(result), list(range(1, 6)))
        self.assertEqual(self.server.stats()["tokens_issued"]["refresh"], 2)

    def test_bad_client_secret(self):
        result = self.run_tap(self.write_config(client_secret="wrong"))
        if self.TAP == "singer":
            message = "HTTP-error-code: 401, Error: {'error': 'invalid_client'}"
            self.assertFatal(result, "tap_api.client.InvalidClientError: "
                             + message, critical=message)
        else:
            self.assertHasLine(result, "ERROR",
                               "Failed OAuth login with status code 401, "
                               "response was '{\"error\": \"invalid_client\"}'")
            self.assertFatal(result, "singer_sdk.exceptions."
                             "AuthenticationError: Failed to update access "
                             "token (status=401)")
        self.assertEqual(result.messages, [])

    def test_resume_with_state_fetches_only_newer_records(self):
        config = self.write_config()
        result = self.run_tap(config, state=self.write_state(updated_at(20)))
        self.assertSucceeded(result)
        self.assertEqual(self.ids(result), [21, 22, 23, 24, 25])
        self.assertEqual(self.states(result), [updated_at(25)])
        # new data arrives; resuming from the last STATE gets only that
        self.server.admin("add_records", count=3)
        state = self.path("state2.json")
        with open(state, "w") as f:
            json.dump(result.messages[-1]["value"], f)
        again = self.run_tap(config, state=state)
        self.assertSucceeded(again)
        self.assertEqual(self.ids(again), [26, 27, 28])
        # nothing new: one empty page, and the bookmark stays put
        third = self.path("state3.json")
        with open(third, "w") as f:
            json.dump(again.messages[-1]["value"], f)
        last = self.run_tap(config, state=third)
        self.assertSucceeded(last)
        self.assertEqual(self.ids(last), [])
        self.assertEqual(self.states(last), [updated_at(28)])


class SingerTapTest(TapCase):
    TAP = "singer"


class SdkTapTest(TapCase):
    TAP = "sdk"


class ServerProtocolTest(FixtureCase):

    def test_token_endpoint_follows_rfc_6749(self):
        url = self.server.url + "/oauth/token"
        status, headers, body = http_json("POST", url, form={
            "grant_type": "refresh_token", "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET, "refresh_token": "rt-initial"})
        self.assertEqual(status, 200)
        self.assertEqual(headers["Cache-Control"], "no-store")
        self.assertEqual(body["token_type"], "Bearer")
        self.assertEqual(body["expires_in"], 3600)
        self.assertIn("records:read", body["scope"].split())
        rotated = body["refresh_token"]
        self.assertNotEqual(rotated, "rt-initial")
        # the old token is spent
        self.assertEqual(self.server.refresh("rt-initial")[1]["error"],
                         "invalid_grant")
        # HTTP Basic client authentication works too
        import base64
        basic = base64.b64encode(
            ("%s:%s" % (CLIENT_ID, CLIENT_SECRET)).encode()).decode()
        status, _, body = http_json("POST", url, form={
            "grant_type": "refresh_token", "refresh_token": rotated},
            headers={"Authorization": "Basic " + basic})
        self.assertEqual(status, 200, body)
        status, _, body = http_json("POST", url, form={
            "grant_type": "refresh_token", "client_id": CLIENT_ID,
            "client_secret": "nope", "refresh_token": body["refresh_token"]})
        self.assertEqual((status, body), (401, {"error": "invalid_client"}))
        status, _, body = http_json("POST", url, form={
            "grant_type": "authorization_code", "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET, "code": "x"})
        self.assertEqual((status, body["error"]),
                         (400, "unsupported_grant_type"))
        status, _, body = http_json("POST", url, body={
            "grant_type": "refresh_token"})
        self.assertEqual((status, body["error"]), (400, "invalid_request"))
        self.assertEqual(self.server.refresh("rt-unknown")[0], 400)

    def test_records_endpoint_errors(self):
        _, body = self.server.refresh("rt-initial")
        token = body["access_token"]
        auth = {"Authorization": "Bearer " + token}
        url = self.server.url + "/v1/records?since=2024-01-01T20:00:00Z&page=1"
        status, _, body = http_json("GET", url, headers=auth)
        self.assertEqual(status, 200)
        self.assertEqual([r["id"] for r in body["records"]],
                         [21, 22, 23, 24, 25])
        self.assertIsNone(body["next_page"])
        self.assertEqual(http_json("GET", url)[0], 401)
        self.server.admin("rate_limit", count=1)
        status, headers, body = http_json("GET", url, headers=auth)
        self.assertEqual((status, headers["Retry-After"], body),
                         (429, "1", {"message": "Too Many Requests"}))
        self.server.admin("outage", count=1)
        status, _, body = http_json("GET", url, headers=auth)
        self.assertEqual((status, body), (503, {"message":
                                                "Service Unavailable"}))
        self.server.admin("drop_scope")
        status, headers, body = http_json("GET", url, headers=auth)
        self.assertEqual(status, 403)
        self.assertTrue(headers["WWW-Authenticate"].startswith(
            'Bearer error="insufficient_scope"'))
        self.assertEqual(body, {"error": "insufficient_scope",
                                "message": SCOPE_MESSAGE})
        self.server.admin("restore_scope")
        self.assertEqual(http_json("GET", url, headers=auth)[0], 200)
        self.server.admin("expire_access_token")
        status, headers, body = http_json("GET", url, headers=auth)
        self.assertEqual((status, body), (401, {"error": "invalid_token"}))
        self.assertEqual(headers["WWW-Authenticate"],
                         'Bearer error="invalid_token", '
                         'error_description="The access token expired"')
        # re-authorization: a person gets a new refresh token
        self.server.admin("revoke")
        self.server.admin("issue", refresh_token="rt-reauthorized")
        self.assertEqual(self.server.refresh("rt-reauthorized")[0], 200)

    def test_state_survives_a_restart(self):
        _, body = self.server.refresh("rt-initial")
        rotated = body["refresh_token"]
        first_port = self.server.port
        self.server.stop()
        self.server.start()
        self.assertEqual(self.server.refresh("rt-initial")[1]["error"],
                         "invalid_grant")
        self.assertEqual(self.server.refresh(rotated)[0], 200)
        self.assertEqual(self.server.stats()["tokens_issued"]["refresh"], 2)
        self.assertIsInstance(first_port, int)


class WebhookReceiverTest(unittest.TestCase):

    def setUp(self):
        os.makedirs(TMP_ROOT, exist_ok=True)
        self.dir = tempfile.mkdtemp(prefix="fixture-hook-", dir=TMP_ROOT)
        self.addCleanup(shutil.rmtree, self.dir, True)

    def start(self, *extra):
        out = os.path.join(self.dir, "hooks-%d.jsonl" % len(extra))
        ready = os.path.join(self.dir, "ready-%d.json" % len(extra))
        proc = subprocess.Popen([PYTHON, RECEIVER, "--out", out,
                                 "--ready-file", ready, "--max-lifetime",
                                 "300"] + list(extra),
                                stdin=subprocess.DEVNULL)
        self.addCleanup(stop_process, proc)
        info = wait_for_file(ready, proc, "webhook_receiver")
        return "http://127.0.0.1:%d" % info["port"], out

    def read(self, out):
        with open(out) as f:
            return [json.loads(l) for l in f]

    def test_records_each_post_as_a_json_line(self):
        url, out = self.start()
        event = {"integration": "demo", "status": "needs_reauthorization"}
        status, _, body = http_json("POST", url + "/hook", body=event,
                                    headers={"User-Agent": "tapline/0.1",
                                             "X-Tapline-Event": "auth"})
        self.assertEqual((status, body), (200, {"ok": True}))
        self.assertEqual(http_json("POST", url + "/other", body={})[0], 404)
        lines = self.read(out)
        self.assertEqual(len(lines), 1)
        self.assertEqual(lines[0]["body"], event)
        self.assertEqual(lines[0]["headers"]["user-agent"], "tapline/0.1")
        self.assertEqual(lines[0]["headers"]["x-tapline-event"], "auth")
        self.assertEqual(lines[0]["headers"]["content-type"],
                         "application/json")

    def test_status_option(self):
        url, out = self.start("--status", "500")
        status, _, body = http_json("POST", url + "/hook", body={"n": 1})
        self.assertEqual((status, body), (500, {"ok": False}))
        self.assertEqual([l["body"] for l in self.read(out)], [{"n": 1}])


def load_tests(loader, tests, pattern):
    suite = unittest.TestSuite()
    for case in (SingerTapTest, SdkTapTest, ServerProtocolTest,
                 WebhookReceiverTest):
        suite.addTests(loader.loadTestsFromTestCase(case))
    return suite


if __name__ == "__main__":
    unittest.main(verbosity=2)
