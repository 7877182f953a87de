"""Scheduling: `run --due` (plans, skips, locks), pause/resume, reauth of a
scheduled integration, failure backoff, coalesced missed slots, `daemon`
(SIGHUP reload, SIGTERM halt), the metrics file, and `schedule next`.

Runs record their real start time, so tests that need "later" pass
`--now` with a time computed from the runs table (never a fixed date).
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import harness
from test_auth_halt import ApiTestCase, NAME, parse_iso

sys.path.insert(0, harness.HERE)
import prometheus_text_check  # noqa: E402

FETCH_PROMTOOL = os.path.join(harness.SOURCE_DIR, "scripts", "fetch-promtool")


def iso(unix):
    """ISO 8601 UTC text of a unix time (whole seconds)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(unix)))


def unix(text):
    """Whole seconds of an ISO 8601 UTC time (as SQLite's unixepoch())."""
    return int(parse_iso(text))


def plan_lines(stdout):
    """{name: (action, reason)} of `run --due --dry-run` text output."""
    out = {}
    for line in stdout.splitlines()[1:]:
        m = re.match(r"^(run|skip|wait) +(\S+) +(.*)$", line)
        if not m:
            raise AssertionError("not a plan line: %r\n%s" % (line, stdout))
        out[m.group(2)] = (m.group(1), m.group(3))
    return out


def log_lines(path):
    """(events, other_lines) of a daemon's --log-format json stderr."""
    events, other = [], []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            if isinstance(obj, dict) and "event" in obj:
                events.append(obj)
            elif line:
                other.append(line)
    return events, other


def metric_samples(text):
    """{(name, frozenset(labels.items())): float} of a metrics text."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$', line)
        if not m:
            raise AssertionError("cannot read sample line %r" % line)
        labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"',
                                 m.group(2) or ""))
        samples[(m.group(1), frozenset(labels.items()))] = float(m.group(3))
    return samples


class ScheduleTest(harness.TaplineTestCase):

    # -- helpers

    def due(self, *args, timeout=60):
        return self.tapline("--config", self.config_path, "run", "--due",
                            *args, timeout=timeout)

    def start_due(self, *args):
        return self.start_tapline("--config", self.config_path, "run",
                                  "--due", *args)

    def cli(self, *args, timeout=30):
        return self.tapline("--config", self.config_path, *args,
                            timeout=timeout)

    def status_of(self, name, *args):
        done = self.cli("status", "--json", *args)
        self.assertExit(done, 0)
        rows = [r for r in json.loads(done.stdout)["integrations"]
                if r["name"] == name]
        self.assertEqual(len(rows), 1, done.stdout)
        return rows[0]

    def quick(self, records=10, **settings):
        return self.tap(("users",), records, **settings)

    def lock_file(self, name):
        return os.path.join(self.data_dir, "locks", name + ".lock")

    def lock_record(self, name):
        try:
            with open(self.lock_file(name)) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def reap_orphans(self):
        """Reap zombies re-parented to us (taps of a SIGKILLed run)."""
        def gone():
            for pid, state, _ in harness.orphans():
                if state == "Z":
                    harness._reap(pid)
            return not harness.orphans()
        harness.wait_for(gone, timeout=10, what="orphaned processes to die")

    # -- 1. two schedulers at once

    def test_two_schedulers_at_once_run_each_integration_once(self):
        names = ("alpha", "beta", "gamma")
        self.write_config({n: self.integration(
            self.tap(("users",), 30, state_every=5, rate=20),  # about 1.5 s
            {"jsonl": {"dir": "out-" + n}}, schedule="@daily")
            for n in names})
        first = self.start_due("--jobs", "3")
        second = self.start_due("--jobs", "3")
        results = [first.wait(60), second.wait(60)]
        for done in results:
            self.assertExit(done, 0)
        for name in names:
            rows = self.runs(name)
            self.assertEqual([r["outcome"] for r in rows], ["succeeded"],
                             "%s must run exactly once" % name)
            ids = harness.ids_in(self.path("out-" + name, "users.jsonl"))
            self.assertEqual(ids, list(range(1, 31)), name)
            said = [l for done in results for l in done.stdout.splitlines()
                    if l.startswith(name + ": ")]
            ran = [l for l in said if l.startswith(name + ": succeeded")]
            self.assertEqual(len(ran), 1, "\n".join(said))
            for line in said:
                if line not in ran:
                    # "already running" alone: the winner has its flock
                    # but has not written its owner record yet.
                    self.assertRegex(line, r"^%s: skipped: (already running"
                                     r"( \(pid \d+ on \S+ since \S+\))?$|"
                                     r"not due any more: )" % name)
        self.assertNoLeftovers()

    # -- 2. kill -9 of a scheduled run

    def test_a_killed_scheduled_run_leaves_its_lock_to_be_taken_over(self):
        self.write_config({"slow": self.integration(
            self.tap(("users",), 120, state_every=10, rate=40),  # about 3 s
            {"jsonl": {"dir": "out"}}, schedule="* * * * *")})
        started = time.time()
        scheduler = self.start_due()

        def in_flight():
            rows = self.runs("slow")
            return (rows and rows[-1]["outcome"] == "running" and
                    self.lock_record("slow") and self.state_rows("slow")
                    and rows[-1])
        run = harness.wait_for(in_flight, 20, what="the run to commit")
        record = self.lock_record("slow")
        m = re.match(r"^(\d+) (\S+) (\S+)\n$", record)
        self.assertTrue(m, "lock file record: %r" % record)
        pid = int(m.group(1))
        self.assertEqual(m.group(2), socket.gethostname())
        self.assertEqual(run["pid"], pid)
        self.assertNotEqual(pid, scheduler.pid,
                            "the run is a child process of the scheduler")
        self.assertRegex(harness.proc_cmdline(pid) or "",
                         r"\brun slow --scheduled\b")

        status = self.status_of("slow")
        self.assertEqual(status["status"], "running")
        self.assertEqual(status["running"]["pid"], pid)
        self.assertEqual(status["running"]["since"], m.group(3))
        self.assertEqual(status["last_run"]["outcome"], "running")

        os.kill(pid, signal.SIGKILL)  # a hard crash of the run
        crashed = scheduler.wait(30)
        self.assertNotEqual(crashed.returncode, 0, crashed.describe())
        self.reap_orphans()
        self.assertEqual(self.lock_record("slow"), record,
                         "the dead owner's record stays in the lock file")
        self.assertEqual(self.runs("slow")[-1]["outcome"], "running")

        again = self.due("--now", iso(started + 120))
        self.assertExit(again, 0)
        self.assertRegex(again.stderr,
                         r"tapline: slow: warning: took over the lock left by "
                         r"pid %d on \S+ since %s, which is gone" %
                         (pid, re.escape(m.group(3))))
        self.assertSummary(again, "slow", "succeeded")
        rows = self.runs("slow")
        self.assertEqual([r["outcome"] for r in rows],
                         ["failed", "succeeded"])
        self.assertIsNotNone(rows[0]["ended_at"])
        self.assertIn("did not finish", rows[0]["error"])
        listed = self.cli("runs", "slow", "--json")
        self.assertExit(listed, 0)
        self.assertEqual([(r["id"], r["outcome"]) for r in
                          json.loads(listed.stdout)["runs"]],
                         [(rows[1]["id"], "succeeded"),
                          (rows[0]["id"], "failed")])
        self.assertEqual(self.lock_record("slow"), "",
                         "a finished run empties its lock record")
        ids = harness.ids_in(self.path("out", "users.jsonl"))
        self.assertEqual(sorted(set(ids)), list(range(1, 121)))
        self.assertEqual(self.status_of("slow")["status"], "active")
        self.assertNoLeftovers()

    # -- 3a. pause and resume

    def test_a_paused_integration_is_skipped_until_resumed(self):
        self.write_config({"held": self.integration(
            self.quick(), {"null": {}}, schedule="* * * * *")})
        started = time.time()
        self.assertExit(self.due(), 0)
        self.assertEqual(len(self.runs("held")), 1)

        paused = self.cli("pause", "held", "--reason", "vendor maintenance")
        self.assertExit(paused, 0)
        self.assertIn("held: paused", paused.stdout)
        self.assertIn("held: already paused",
                      self.cli("pause", "held").stdout)

        later = iso(started + 120)
        plan = self.due("--dry-run", "--now", later)
        self.assertExit(plan, 0)
        self.assertEqual(plan.stdout.splitlines()[0],
                         "plan at %s: 0 to run, 1 skipped, 0 waiting" % later)
        action, reason = plan_lines(plan.stdout)["held"]
        self.assertEqual(action, "skip")
        self.assertRegex(reason, r"^paused by hand since \S+ \(vendor "
                         r"maintenance\); `tapline resume held` releases it$")
        skipped = self.due("--now", later)
        self.assertExit(skipped, 0)
        self.assertEqual(skipped.stdout, "held: skipped: %s\n" % reason)
        self.assertEqual(len(self.runs("held")), 1, "a paused one ran")
        status = self.status_of("held", "--now", later)
        self.assertEqual(status["status"], "paused")
        self.assertEqual(status["paused"]["reason"], "vendor maintenance")

        resumed = self.cli("resume", "held")
        self.assertExit(resumed, 0)
        self.assertIn("held: resumed", resumed.stdout)
        ran = self.due("--now", later)
        self.assertExit(ran, 0)
        self.assertSummary(ran, "held", "succeeded")
        self.assertEqual([r["outcome"] for r in self.runs("held")],
                         ["succeeded", "succeeded"])
        self.assertEqual(self.status_of("held")["status"], "active")

    # -- 5. backoff after failures

    def test_failures_back_off_exponentially_up_to_the_cap(self):
        failing = dict(self.quick(20, fail_after=3))
        self.write_config({
            "flaky": self.integration(
                failing, {"null": {}}, schedule="* * * * *",
                failure_backoff={"backoff": "10m", "max_backoff": "6h"}),
            "capped": self.integration(
                failing, {"null": {}}, schedule="* * * * *",
                failure_backoff={"backoff": "10m", "max_backoff": "25m"}),
        })

        def ended(name):
            return unix(self.last_run(name)["ended_at"])

        first = self.due()
        self.assertExit(first, harness.EX_UNAVAILABLE)
        e1 = {n: ended(n) for n in ("flaky", "capped")}

        # One second before the backoff runs out: skipped, saying when.
        early = e1["flaky"] + 599
        plan = plan_lines(self.due("--dry-run", "--now", iso(early)).stdout)
        self.assertEqual(plan["flaky"], (
            "skip", "backing off after 1 failure; next try at %s" %
            iso(e1["flaky"] + 600)))

        second = self.due("--now", iso(max(e1.values()) + 600))
        self.assertExit(second, harness.EX_UNAVAILABLE)
        e2 = {n: ended(n) for n in ("flaky", "capped")}
        third = self.due("--now", iso(max(e2.values()) + 1200))
        self.assertExit(third, harness.EX_UNAVAILABLE)
        e3 = {n: ended(n) for n in ("flaky", "capped")}
        for name in ("flaky", "capped"):
            rows = self.runs(name)
            self.assertEqual([(r["outcome"], r["exit_code"]) for r in rows],
                             [("failed", 69)] * 3, name)

        # A minute later the slot has come, but the backoff has not run out:
        # 10m * 2^2 = 40m after the third failure (25m when capped).
        at = max(e3.values()) + 120
        dry = self.due("--dry-run", "--now", iso(at))
        self.assertExit(dry, 0)
        self.assertEqual(dry.stdout.splitlines()[0],
                         "plan at %s: 0 to run, 2 skipped, 0 waiting" % iso(at))
        plan = plan_lines(dry.stdout)
        self.assertEqual(plan["flaky"], (
            "skip", "backing off after 3 failures; next try at %s" %
            iso(e3["flaky"] + 4 * 600)))
        self.assertEqual(plan["capped"], (
            "skip", "backing off after 3 failures; next try at %s" %
            iso(e3["capped"] + 25 * 60)))
        as_json = json.loads(self.due("--dry-run", "--json", "--now",
                                      iso(at)).stdout)
        self.assertEqual(as_json["now"], iso(at))
        by_name = {i["name"]: i for i in as_json["integrations"]}
        self.assertEqual(by_name["flaky"]["action"], "skip")
        self.assertEqual(by_name["flaky"]["next_due"],
                         iso(e3["flaky"] + 2400))
        status = self.status_of("flaky", "--now", iso(at))
        self.assertEqual(status["status"], "failing")
        self.assertEqual(status["consecutive_failures"], 3)
        self.assertEqual(status["next_due"], iso(e3["flaky"] + 2400))

        # The real thing one second before flaky's time: flaky is skipped;
        # capped (25m cap, long past) runs and fails a fourth time.
        before = self.due("--now", iso(e3["flaky"] + 2399))
        self.assertExit(before, harness.EX_UNAVAILABLE)
        self.assertIn("flaky: skipped: backing off after 3 failures; next "
                      "try at %s\n" % iso(e3["flaky"] + 2400), before.stdout)
        self.assertSummary(before, "capped", "failed")
        self.assertEqual(len(self.runs("flaky")), 3)
        self.assertEqual(len(self.runs("capped")), 4)

    # -- 6. missed slots coalesce

    def test_missed_slots_coalesce_into_one_run(self):
        self.write_config({
            "five": self.integration(self.quick(), {"null": {}},
                                     schedule="*/5 * * * *"),
            # 06:00 in India (+05:30 all year) is 00:30 UTC.
            "ist": self.integration(self.quick(), {"null": {}},
                                    schedule="0 6 * * *",
                                    timezone="Asia/Kolkata"),
        })
        self.assertExit(self.due(), 0)
        start = unix(self.last_run("five")["started_at"])
        first_missed = (start // 300 + 1) * 300
        day_later = iso(start + 86400)
        ist_start = unix(self.last_run("ist")["started_at"])
        ist_next = ((ist_start - 1800) // 86400 + 1) * 86400 + 1800

        waiting = plan_lines(self.due("--dry-run", "--now",
                                      iso(first_missed - 1)).stdout)
        self.assertEqual(waiting["five"],
                         ("wait", "next due at %s" % iso(first_missed)))
        waiting = plan_lines(self.due("--dry-run", "--now",
                                      iso(ist_start)).stdout)
        self.assertEqual(waiting["ist"],
                         ("wait", "next due at %s" % iso(ist_next)))
        plan = plan_lines(self.due("--dry-run", "--now", day_later).stdout)
        self.assertEqual(plan["five"],
                         ("run", "due since %s" % iso(first_missed)))
        self.assertEqual(plan["ist"], ("run", "due since %s" % iso(ist_next)))

        done = self.due("--json", "--now", day_later)
        self.assertExit(done, 0)
        summary = json.loads(done.stdout)
        self.assertEqual(summary["exit_code"], 0)
        entries = {e["name"]: e for e in summary["integrations"]}
        self.assertEqual(sorted(entries), ["five", "ist"])
        for name, entry in entries.items():
            self.assertEqual((entry["action"], entry["exit_code"]),
                             ("run", 0), name)
            self.assertEqual([r["outcome"] for r in entry["runs"]],
                             ["succeeded"], name)
            rows = self.runs(name)
            self.assertEqual(len(rows), 2, "%s: the missed slots make one "
                             "run" % name)
            self.assertEqual(entry["runs"][0]["id"], rows[-1]["id"])
            self.assertEqual(entry["runs"][0]["records"], rows[-1]["records"])

    # -- 7. the metrics file

    def test_metrics_file_is_valid_and_matches_the_runs(self):
        self.write_config({})
        with open(self.config_path, "w") as f:
            f.write("metrics_file: tapline.prom\n" + harness.to_yaml({
                "integrations": {
                    "good": self.integration(self.quick(), {"null": {}},
                                             schedule="* * * * *"),
                    "bad": self.integration(self.quick(fail_after=2),
                                            {"null": {}},
                                            schedule="* * * * *"),
                    "held": self.integration(self.quick(), {"null": {}},
                                             schedule="* * * * *"),
                }}) + "\n")
        metrics = self.path("tapline.prom")
        self.assertExit(self.due(), harness.EX_UNAVAILABLE)
        self.assertTrue(os.path.exists(metrics), "no metrics file")
        self.assertExit(self.cli("pause", "held"), 0)
        self.assertExit(self.cli("run", "good"), 0)

        with open(metrics, "rb") as f:
            raw = f.read()
        self.assertEqual(prometheus_text_check.check(
            raw, textfile_collector=True, require_metadata=True), [],
            raw.decode("utf-8", "replace"))
        samples = metric_samples(raw.decode())
        expected_status = {"good": "active", "bad": "failing",
                           "held": "paused"}
        for name, status in expected_status.items():
            rows = self.runs(name)
            self.assertEqual(
                samples[("tapline_runs_total",
                         frozenset({"integration": name}.items()))],
                len(rows), name)
            self.assertEqual(
                samples[("tapline_records_synced_total",
                         frozenset({"integration": name}.items()))],
                sum(r["records"] for r in rows), name)
            hot = {dict(labels)["status"]: value
                   for (metric, labels), value in samples.items()
                   if metric == "tapline_integration_status"
                   and dict(labels)["integration"] == name}
            self.assertEqual(hot.get(status), 1, (name, hot))
            self.assertEqual(sum(hot.values()), 1, (name, hot))
        self.assertEqual(samples[("tapline_consecutive_failures",
                                  frozenset({"integration": "bad"}.items()))],
                         1)
        self.assertEqual(samples[("tapline_last_run_exit_code",
                                  frozenset({"integration": "bad"}.items()))],
                         69)

        try:
            fetched = subprocess.run([FETCH_PROMTOOL], capture_output=True,
                                     text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as e:
            fetched = None
            print("\nSKIP promtool check: fetch-promtool did not run: %s" % e,
                  file=sys.stderr)
        if fetched is not None and fetched.returncode != 0:
            print("\nSKIP promtool check: %s" % fetched.stderr.strip(),
                  file=sys.stderr)
        elif fetched is not None:
            with open(metrics, "rb") as f:
                checked = subprocess.run(
                    [fetched.stdout.strip(), "check", "metrics"], stdin=f,
                    capture_output=True, timeout=60)
            self.assertEqual(checked.returncode, 0,
                             (checked.stdout + checked.stderr).decode())

    # -- 8. schedule next

    def test_schedule_next(self):
        done = self.tapline("schedule", "next", "0 0 29 2 *", "--from",
                            "2025-01-01T00:00:00Z", "--count", "2")
        self.assertExit(done, 0)
        self.assertEqual([l.split()[0] for l in done.stdout.splitlines()],
                         ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"])
        # Cron fields read in a zone: 06:00 Berlin is 05:00Z in winter and
        # 04:00Z in summer.
        berlin = self.tapline("schedule", "next", "0 6 * * *", "--timezone",
                              "Europe/Berlin", "--from",
                              "2025-03-29T12:00:00Z", "--count", "2")
        self.assertExit(berlin, 0)
        self.assertEqual([l.split()[0] for l in berlin.stdout.splitlines()],
                         ["2025-03-30T04:00:00Z", "2025-03-31T04:00:00Z"])
        every = self.tapline("schedule", "next", "every 30m", "--from",
                             "2025-01-01T00:10:00Z", "--count", "1")
        self.assertExit(every, 0)
        self.assertTrue(every.stdout.startswith("2025-01-01T00:40:00Z"),
                        every.stdout)
        for bad in ("61 * * * *", "* * *", "every 0s"):
            with self.subTest(expression=bad):
                wrong = self.tapline("schedule", "next", bad)
                self.assertExit(wrong, harness.EX_CONFIG)
                self.assertEqual(wrong.stdout, "")
                self.assertRegex(wrong.stderr, r"^tapline: .+\n$")


class DaemonTest(harness.TaplineTestCase):

    def start_daemon(self, *args):
        return self.start_tapline("--config", self.config_path, "daemon",
                                  "--log-format", "json", *args)

    def events(self, daemon, kind=None, **fields):
        found, _ = log_lines(daemon.stderr_path)
        return [e for e in found if (kind is None or e["event"] == kind) and
                all(e.get(k) == v for k, v in fields.items())]

    def wait_event(self, daemon, kind, timeout=20, **fields):
        def seen():
            if daemon.poll() is not None:
                raise AssertionError("the daemon exited\n%s" %
                                     daemon.completed(daemon.poll()).describe())
            return self.events(daemon, kind, **fields)
        return harness.wait_for(seen, timeout, 0.05, "a %s event" % kind)

    def write_atomically(self, text):
        tmp = self.config_path + ".new"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.config_path)

    # -- 4. SIGHUP reloads, SIGTERM halts runs cleanly

    def test_daemon_reloads_on_sighup_and_halts_cleanly_on_sigterm(self):
        out_dir = self.path("dest")
        slow = self.integration(
            self.tap(("users",), 5000, state_every=20, rate=250),  # 20 s
            self.fixture_target(out_dir, echo_seq=True),
            schedule="every 1s")
        self.write_config({"slow": slow})
        daemon = self.start_daemon("--jobs", "2")
        [started] = self.wait_event(daemon, "started")
        self.assertEqual((started["integrations"], started["scheduled"],
                          started["jobs"]), (1, 1, 2))
        [run_started] = self.wait_event(daemon, "run_started",
                                        integration="slow")
        self.assertEqual(run_started["reason"], "due: never ran")
        self.wait_for_commit("slow")

        # A broken file: reported, the old configuration kept.
        self.write_atomically("integrations: [\n")
        os.kill(daemon.pid, signal.SIGHUP)
        [failed] = self.wait_event(daemon, "reload_failed")
        self.assertIn("tapline.yaml", failed["error"])
        self.assertEqual(failed["level"], "error")

        # A fixed one with a second integration: reloaded and used.
        self.write_config({"slow": slow, "quick": self.integration(
            self.tap(("users",), 5), {"null": {}}, schedule="every 1s")})
        os.kill(daemon.pid, signal.SIGHUP)
        [reloaded] = self.wait_event(daemon, "reloaded")
        self.assertEqual((reloaded["integrations"], reloaded["scheduled"]),
                         (2, 2))
        finished = self.wait_event(daemon, "run_finished",
                                   integration="quick")
        self.assertEqual(finished[0]["outcome"], "succeeded")
        self.assertIsNone(daemon.poll())
        rows = self.runs("slow")
        self.assertEqual([r["outcome"] for r in rows], ["running"],
                         "the slow run goes on through both reloads")
        self.assertEqual(self.events(daemon, "run_started",
                                     integration="slow"), [run_started])

        os.kill(daemon.pid, signal.SIGTERM)
        sent = time.monotonic()
        result = daemon.wait(30)
        self.assertLess(time.monotonic() - sent, 10,
                        "the daemon took too long to stop")
        self.assertExit(result, 0)
        self.assertNoLeftovers(grace=2)

        kinds = [e["event"] for e in self.events(daemon)]
        self.assertEqual(kinds[-1], "stopped", kinds)
        stopping = kinds.index("stopping")
        [ended] = [e for e in self.events(daemon, "run_finished",
                                          integration="slow")]
        self.assertGreater(self.events(daemon).index(ended), stopping)
        self.assertEqual((ended["outcome"], ended["exit_code"]),
                         ("interrupted", harness.EX_TEMPFAIL))
        self.assertNotIn("run_started", kinds[stopping:])

        [run] = self.runs("slow")
        self.assertEqual((run["outcome"], run["exit_code"]),
                         ("interrupted", harness.EX_TEMPFAIL))
        self.assertEqual(ended["run_id"], run["id"])

        # The bookmark is the last state the target confirmed.
        echoed, printed = self.echoed_states(out_dir)
        committed = self.bookmark("slow")
        self.assertIsNotNone(committed)
        self.assertIn("_echo_seq", committed,
                      "the bookmark came from the target's stdout")
        for row in self.state_rows("slow"):
            self.assertIn(json.loads(row["value_json"]), echoed)
        self.assertIn(committed, printed[-1:] + echoed[-1:],
                      "bookmark is not the last state the target confirmed")
        mark = harness.bookmark_ids(committed)["users"]
        self.assertLess(mark, 5000, "the run was not stopped mid-stream")
        ids = harness.ids_in(os.path.join(out_dir, "users.jsonl"))
        self.assertEqual(ids[:mark], list(range(1, mark + 1)))

    def test_daemon_json_log_has_only_json_lines(self):
        # --log-format json is for log shippers: every stderr line must be
        # one JSON object, including what the runs it starts have to say.
        self.write_config({"quick": self.integration(
            self.tap(("users",), 5), {"null": {}}, schedule="every 1s")})
        daemon = self.start_daemon()
        self.wait_event(daemon, "run_finished", integration="quick")
        os.kill(daemon.pid, signal.SIGTERM)
        self.assertExit(daemon.wait(30), 0)
        _, other = log_lines(daemon.stderr_path)
        self.assertEqual(other, [], "lines on the daemon's stderr that are "
                         "not JSON log objects")


class ScheduleAuthTest(ApiTestCase):

    # -- 3b. needs_reauth is skipped until reauth

    def test_needs_reauth_is_skipped_until_reauthorized(self):
        self.start_api()
        out_dir = self.path("out")
        self.write_tapline({NAME: self.integration(
            self.api_tap("singer"), self.fixture_target(out_dir),
            schedule="* * * * *")}, alerts=False)
        self.admin("revoke", after_pages=3)
        started = time.time()
        first = self.tapline("--config", self.config_path, "run", "--due",
                             timeout=90)
        self.assertExit(first, harness.EX_NOPERM)
        self.assertEqual(self.integration_status()["status"], "needs_reauth")

        later = iso(started + 120)
        skipped = self.tapline("--config", self.config_path, "run", "--due",
                               "--now", later, timeout=90)
        self.assertExit(skipped, 0)
        self.assertRegex(skipped.stdout,
                         r"^%s: skipped: needs reauthorization since \S+ "
                         r"\(token_revoked\): run `tapline reauth %s`\n$" %
                         (NAME, NAME))
        self.assertEqual(len(self.runs(NAME)), 1)
        row, _ = self.status_json()
        self.assertEqual(row["status"], "needs_reauth")

        self.admin("issue", refresh_token="rt-fresh")
        fixed = self.tapline("--config", self.config_path, "reauth", NAME,
                             "--set", "refresh_token=rt-fresh", timeout=90)
        self.assertExit(fixed, 0)
        again = self.tapline("--config", self.config_path, "run", "--due",
                             "--now", later, timeout=90)
        self.assertExit(again, 0)
        self.assertSummary(again, NAME, "succeeded")
        self.assertEqual([r["outcome"] for r in self.runs(NAME)],
                         ["failed", "succeeded"])
        self.assertEqual(sorted(set(self.destination_ids(out_dir))),
                         list(range(1, self.RECORDS + 1)))
        row, _ = self.status_json()
        self.assertEqual(row["status"], "active")


if __name__ == "__main__":
    harness.main()
