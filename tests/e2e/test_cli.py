"""The command line: help, version, usage errors, config discovery, state
get/set/clear/history, logs, status --json, and state_from: tap_on_success."""

import json
import os
import re
import time

import harness

HELP_COMMANDS = [
    [], ["run"], ["status"], ["state"], ["state", "get"], ["state", "set"],
    ["state", "clear"], ["state", "history"], ["logs"],
]


def project_version():
    with open(os.path.join(harness.SOURCE_DIR, "CMakeLists.txt")) as f:
        return re.search(r"project\(\s*tapline\s+VERSION\s+([0-9.]+)",
                         f.read()).group(1)


def history_entries(doc):
    """The list of entries in `state history --json` output."""
    if isinstance(doc, list):
        return doc
    for value in doc.values():
        if isinstance(value, list):
            return value
    raise AssertionError("no list in state history --json: %r" % doc)


class CliTest(harness.TaplineTestCase):

    def demo_config(self, records=20, **tap_settings):
        tap = self.tap(("users",), records, **tap_settings)
        return self.write_config({"demo": self.integration(
            tap, {"jsonl": {"dir": "out"}})})

    def tap_state(self, records, every, at_id):
        """A STATE value tap-synthetic itself emits at users id == at_id."""
        ref, path = self.tap_output({"state_every": every}, records=records)
        self.assertExit(ref, 0)
        with open(path) as f:
            for line in f:
                msg = json.loads(line)
                if msg["type"] == "STATE" and \
                        harness.bookmark_ids(msg["value"]) == {"users": at_id}:
                    return msg["value"]
        self.fail("tap-synthetic emitted no STATE at users=%d" % at_id)

    def state(self, *args, stdin=None):
        return self.tapline("state", *args, "--config", self.config_path,
                            stdin=stdin)

    def status_json(self):
        result = self.tapline("status", "--json", "--config", self.config_path)
        self.assertExit(result, 0)
        doc = json.loads(result.stdout)
        return {i["name"]: i for i in doc["integrations"]}, doc

    # ------------------------------------------------------------ basics

    def test_help_of_every_command(self):
        # No tapline.yaml anywhere: help must not need one.
        for words in HELP_COMMANDS:
            with self.subTest(command=" ".join(words) or "(none)"):
                result = self.tapline(*words, "--help", cwd=self.tmp)
                self.assertExit(result, 0)
                self.assertRegex(result.stdout, re.compile(r"usage", re.I))
                if words:
                    self.assertIn(words[-1], result.stdout)
        top = self.tapline("--help")
        for command in ("run", "status", "state", "logs"):
            self.assertIn(command, top.stdout)

    def test_version(self):
        result = self.tapline("--version")
        self.assertExit(result, 0)
        self.assertEqual(result.stdout.strip().splitlines()[0],
                         "tapline " + project_version())

    def test_usage_errors(self):
        self.demo_config()
        cases = [
            [],
            ["frobnicate"],
            ["run", "demo", "--no-such-option"],
            ["state", "get"],
            ["state", "frobnicate", "demo"],
            ["logs", "demo", "--run", "not-a-number"],
        ]
        for words in cases:
            with self.subTest(command=" ".join(words) or "(none)"):
                result = self.tapline(*words, "--config", self.config_path) \
                    if words else self.tapline(cwd=self.tmp)
                self.assertExit(result, harness.EX_USAGE)
                self.assertTrue(result.stderr.strip(), "no message")
        self.assertFalse(os.path.exists(self.path("out")))

    def test_unknown_integration(self):
        self.demo_config()
        result = self.run_integration("nosuch")
        self.assertExit(result, harness.EX_USAGE)
        self.assertIn("nosuch", result.stderr)
        self.assertFalse(os.path.exists(self.path("out")))
        self.assertEqual(self.runs("nosuch"), [])
        result = self.state("get", "nosuch")
        self.assertExit(result, harness.EX_USAGE)

    def test_config_discovery(self):
        config = self.demo_config()
        elsewhere = self.path("elsewhere")
        os.makedirs(elsewhere)
        ways = {
            "--config before the command":
                (["--config", config, "status"], None, elsewhere),
            "--config after the command":
                (["status", "--config", config], None, elsewhere),
            "TAPLINE_CONFIG":
                (["status"], {"TAPLINE_CONFIG": config}, elsewhere),
            "./tapline.yaml": (["status"], None, self.tmp),
        }
        for way, (args, extra, cwd) in ways.items():
            with self.subTest(way=way):
                result = self.tapline(*args, env=self.env(extra), cwd=cwd)
                self.assertExit(result, 0)
                self.assertIn("demo", result.stdout)
        # --config wins over TAPLINE_CONFIG.
        other = self.write_config({"other": self.integration(
            self.tap(), {"null": {}})}, name="other.yaml")
        result = self.tapline("status", "--config", other,
                              env=self.env({"TAPLINE_CONFIG": config}))
        self.assertExit(result, 0)
        self.assertIn("other", result.stdout)
        self.assertNotIn("demo", result.stdout)

    # ------------------------------------------------------------ state

    def test_state_round_trip(self):
        self.demo_config(records=20)
        empty = self.state("get", "demo")
        self.assertExit(empty, 0)
        self.assertEqual(empty.stdout.strip(), "")

        at10 = self.tap_state(20, 5, 10)
        at15 = self.tap_state(20, 5, 15)
        result = self.state("set", "demo", self.write_json("s10.json", at10))
        self.assertExit(result, 0)
        got = self.state("get", "demo")
        self.assertExit(got, 0)
        self.assertEqual(json.loads(got.stdout), at10)
        row = self.state_rows()[-1]
        self.assertEqual(row["source"], "user")
        self.assertIsNone(row["run_id"])

        result = self.state("set", "demo", "-", stdin=json.dumps(at15))
        self.assertExit(result, 0)
        self.assertEqual(json.loads(self.state("get", "demo").stdout), at15)

        for bad in ('{"bookmarks":', "[1, 2]", "42"):
            with self.subTest(bad=bad):
                result = self.state("set", "demo", "-", stdin=bad)
                self.assertIn(result.returncode,
                              (harness.EX_USAGE, harness.EX_DATAERR),
                              result.describe())
        result = self.state("set", "demo", self.path("missing.json"))
        self.assertNotEqual(result.returncode, 0)
        self.assertEqual(self.bookmark(), at15)
        self.assertEqual(len(self.state_rows()), 2)

        # The tap continues after the bookmark that was set by hand.
        run = self.run_integration()
        self.assertExit(run, 0)
        self.assertEqual(harness.ids_in(self.path("out", "users.jsonl")),
                         [16, 17, 18, 19, 20])
        self.assertEqual(harness.bookmark_ids(self.bookmark()),
                         {"users": 20})

        history = self.state("history", "demo", "--json")
        self.assertExit(history, 0)
        entries = history_entries(json.loads(history.stdout))
        values = [e.get("value") for e in entries]
        self.assertIn(at10, values)
        self.assertIn(at15, values)
        self.assertLess(values.index(at15), values.index(at10),
                        "history must be newest first")
        self.assertEqual(len(entries), len(self.state_rows()))
        text = self.state("history", "demo")
        self.assertExit(text, 0)
        self.assertTrue(text.stdout.strip())

        cleared = self.state("clear", "demo")
        self.assertExit(cleared, 0)
        empty = self.state("get", "demo")
        self.assertExit(empty, 0)
        self.assertEqual(empty.stdout.strip(), "")
        self.assertIsNone(self.state_rows()[-1]["value_json"])
        self.assertIsNone(self.bookmark())

        # After clear, a full resync.
        os.remove(self.path("out", "users.jsonl"))
        run = self.run_integration()
        self.assertExit(run, 0)
        self.assertEqual(harness.ids_in(self.path("out", "users.jsonl")),
                         list(range(1, 21)))

    def test_tap_gets_private_config_and_the_committed_state(self):
        record = self.path("starts.jsonl")

        def configure(records):
            tap = self.wrapped_tap(("users",), records, record=record,
                                   state_every=5)
            self.write_config({"demo": self.integration(
                tap, {"jsonl": {"dir": "out"}})})
            return tap["config"]

        inline = configure(10)
        self.assertExit(self.run_integration(), 0)
        first = self.tap_starts(record)[0]
        config = first["files"].get("config")
        self.assertIsNotNone(config, "tap started without --config: %s" %
                             first["argv"])
        self.assertEqual(json.loads(config["content"]), inline)
        self.assertEqual(config["mode"] & 0o077, 0,
                         "inline tap config readable by others: %o" %
                         config["mode"])
        self.assertFalse(os.path.exists(config["path"]),
                         "inline tap config file not removed after the run")
        committed = self.bookmark()
        self.assertEqual(harness.bookmark_ids(committed), {"users": 10})

        configure(15)
        self.assertExit(self.run_integration(), 0)
        second = self.tap_starts(record)[1]
        state = second["files"].get("state")
        self.assertIsNotNone(state, "tap started without --state: %s" %
                             second["argv"])
        self.assertEqual(json.loads(state["content"]), committed)
        self.assertFalse(os.path.exists(state["path"]),
                         "state file not removed after the run")
        self.assertEqual(harness.ids_in(self.path("out", "users.jsonl")),
                         list(range(1, 16)))

    def test_tap_config_file_and_data_dir(self):
        # tap.config as a path relative to tapline.yaml; data_dir set.
        conf_dir = self.path("conf")
        os.makedirs(conf_dir)
        with open(os.path.join(conf_dir, "tap.json"), "w") as f:
            json.dump({"streams": ["users", "orders"], "records": 7}, f)
        spec = {"command": self.tap_command(), "config": "tap.json"}
        self.write_config({"demo": self.integration(
            spec, {"jsonl": {"dir": "out"}})}, data_dir="var/state",
            directory=conf_dir)
        result = self.run_integration(cwd=self.tmp)
        self.assertExit(result, 0)
        self.assertTrue(os.path.isfile(
            os.path.join(conf_dir, "var", "state", "state.db")))
        self.assertFalse(os.path.exists(os.path.join(conf_dir, ".tapline")))
        for stream in ("users", "orders"):
            self.assertEqual(harness.ids_in(
                os.path.join(conf_dir, "out", stream + ".jsonl")),
                list(range(1, 8)))
        self.assertEqual(harness.bookmark_ids(self.bookmark()),
                         {"users": 7, "orders": 7})

    def test_target_receives_tap_stdout_unchanged(self):
        out_dir = self.path("dest")
        settings = {"state_every": 50, "record_padding": 10}
        tap = self.tap(("users", "orders", "events"), 300, **settings)
        self.write_config({"demo": self.integration(
            tap, self.fixture_target(out_dir, raw_copy=True))})
        self.assertExit(self.run_integration(), 0)
        ref, ref_path = self.tap_output(
            settings, streams=("users", "orders", "events"), records=300)
        with open(ref_path, "rb") as f:
            expected = f.read()
        with open(os.path.join(out_dir, "_stdin.raw"), "rb") as f:
            got = f.read()
        self.assertEqual(len(got), len(expected))
        self.assertTrue(got == expected,
                        "the target did not get the tap's stdout unchanged")
        self.assertEqual(self.last_run()["bytes"], len(expected))

    # ------------------------------------------------------------ logs

    def test_logs(self):
        out_dir = self.path("dest")

        def configure(word, records):
            tap = self.tap(("users",), records, stderr_every=4,
                           stderr_line="synthetic says %s" % word)
            target = self.fixture_target(out_dir, stderr_lines=[
                "fixture target says %s" % word])
            self.write_config({"demo": self.integration(tap, target)})

        configure("first", 12)
        self.assertExit(self.run_integration(), 0)
        configure("second", 24)  # ids 13..24 are new
        self.assertExit(self.run_integration(), 0)
        first, second = self.runs()

        for run in (first, second):
            expected = os.path.join(self.data_dir, "logs", "demo",
                                    "run-%d.log" % run["id"])
            self.assertTrue(os.path.isfile(expected), expected)
            self.assertEqual(os.path.realpath(run["log_path"]),
                             os.path.realpath(expected))

        latest = self.tapline("logs", "demo", "--config", self.config_path)
        self.assertExit(latest, 0)
        with open(second["log_path"]) as f:
            self.assertEqual(latest.stdout, f.read())
        line_re = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S* %s \| %s$"
        self.assertRegex(latest.stdout, re.compile(
            line_re % ("tap", "synthetic says second"), re.M))
        self.assertRegex(latest.stdout, re.compile(
            line_re % ("target", "fixture target says second"), re.M))
        self.assertRegex(latest.stdout, re.compile(
            line_re % ("tapline", ".+"), re.M))
        self.assertNotIn("says first", latest.stdout)

        older = self.tapline("logs", "demo", "--run", first["id"],
                             "--config", self.config_path)
        self.assertExit(older, 0)
        self.assertIn("synthetic says first", older.stdout)
        self.assertNotIn("says second", older.stdout)

        missing = self.tapline("logs", "demo", "--run", 99999,
                               "--config", self.config_path)
        self.assertNotEqual(missing.returncode, 0)

    # ------------------------------------------------------------ status

    def test_status_json(self):
        self.write_config({
            "alpha": self.integration(self.tap(("users",), 30, state_every=10),
                                      {"jsonl": {"dir": "out-alpha"}}),
            "beta": self.integration(
                self.tap(("users",), 30, fail_after=5, fail_exit=1),
                {"jsonl": {"dir": "out-beta"}}),
            "gamma": self.integration(self.tap(), {"null": {}}),
        })
        names, _ = self.status_json()
        self.assertEqual(list(names), ["alpha", "beta", "gamma"])
        for item in names.values():
            self.assertEqual(item["status"], "active")
            self.assertIsNone(item["last_run"])
            self.assertIsNone(item["bookmark"])

        result = self.run_integration("alpha", "beta")
        self.assertExit(result, harness.EX_UNAVAILABLE,
                        "the most severe exit code wins")
        self.assertSummary(result, "alpha", "succeeded")
        self.assertSummary(result, "beta", "failed")
        self.assertErrorLine(result, "beta", r".")

        names, _ = self.status_json()
        alpha = names["alpha"]
        self.assertEqual(alpha["status"], "active")
        db_run = self.last_run("alpha")
        ref, ref_path = self.tap_output({"state_every": 10}, records=30)
        last = alpha["last_run"]
        self.assertEqual(last["id"], db_run["id"])
        self.assertEqual(last["outcome"], "succeeded")
        self.assertEqual(last["exit_code"], 0)
        self.assertEqual(last["records"], 30)
        self.assertEqual(last["bytes"], os.path.getsize(ref_path))
        self.assertEqual(last["started_at"], db_run["started_at"])
        self.assertEqual(last["ended_at"], db_run["ended_at"])
        self.assertLessEqual(last["started_at"], last["ended_at"])
        db_state = self.state_rows("alpha")[-1]
        self.assertEqual(alpha["bookmark"]["committed_at"],
                         db_state["committed_at"])
        self.assertEqual(alpha["bookmark"]["value"],
                         json.loads(db_state["value_json"]))
        self.assertEqual(harness.bookmark_ids(alpha["bookmark"]["value"]),
                         {"users": 30})
        self.assertEqual(json.loads(db_run["records_json"]), {"users": 30})
        self.assertEqual(db_run["bytes"], os.path.getsize(ref_path))

        beta = names["beta"]
        self.assertEqual(beta["status"], "failing")
        self.assertEqual(beta["consecutive_failures"], 1)
        self.assertEqual(beta["last_run"]["outcome"], "failed")
        self.assertEqual(beta["last_run"]["exit_code"],
                         harness.EX_UNAVAILABLE)
        self.assertEqual(names["gamma"]["status"], "active")
        self.assertIsNone(names["gamma"]["last_run"])

        text = self.tapline("status", "--config", self.config_path)
        self.assertExit(text, 0)
        for name in ("alpha", "beta", "gamma"):
            self.assertIn(name, text.stdout)

    def test_status_while_running(self):
        self.write_config({"demo": self.integration(
            self.tap(("users",), 60, rate=20), {"null": {}})})
        run = self.start_tapline("run", "demo", "--config", self.config_path)
        harness.wait_for(lambda: self.runs(), 10, 0.05, "the runs row")
        names, _ = self.status_json()
        self.assertIsNone(run.poll(), "run ended too early for this test")
        self.assertEqual(names["demo"]["status"], "running")
        self.assertEqual(self.runs()[-1]["outcome"], "running")
        self.assertEqual(self.runs()[-1]["pid"], run.pid)
        self.assertExit(run.wait(30), 0)
        names, _ = self.status_json()
        self.assertEqual(names["demo"]["status"], "active")

    # ------------------------------------------------------------ state_from

    def tap_on_success(self, **target_settings):
        out_dir = self.path("dest")
        tap = self.tap(("users", "orders"), 200, state_every=50)
        target = self.fixture_target(out_dir, echo_state=False,
                                     **target_settings)
        self.write_config({"demo": self.integration(
            tap, target, state_from="tap_on_success")})
        return out_dir

    def test_tap_on_success_commits_after_success(self):
        out_dir = self.tap_on_success()
        result = self.run_integration()
        self.assertExit(result, 0)
        self.assertSummary(result, "demo", "succeeded")
        rows = self.state_rows()
        self.assertEqual(len(rows), 1, "exactly one commit, at the end")
        self.assertEqual(rows[0]["source"], "tap")
        self.assertEqual(rows[0]["run_id"], self.last_run()["id"])
        self.assertEqual(harness.bookmark_ids(self.bookmark()),
                         {"users": 200, "orders": 200})
        self.assertFalse(os.path.exists(
            os.path.join(out_dir, "_echoed_states.jsonl")))
        for stream in ("users", "orders"):
            self.assertEqual(
                harness.ids_in(os.path.join(out_dir, stream + ".jsonl")),
                list(range(1, 201)))

    def test_tap_on_success_commits_nothing_when_target_fails(self):
        for settings in ({"exit_code": 1}, {"crash_after_records": 120}):
            with self.subTest(**settings):
                self.tap_on_success(**settings)
                result = self.run_integration()
                self.assertExit(result, harness.EX_UNAVAILABLE)
                self.assertSummary(result, "demo", "failed")
                self.assertNoLeftovers()
                self.assertEqual(self.state_rows(), [])

    def test_state_from_target_with_a_silent_target_commits_nothing(self):
        out_dir = self.path("dest")
        tap = self.tap(("users",), 100, state_every=10)
        self.write_config({"demo": self.integration(
            tap, self.fixture_target(out_dir, echo_state=False))})
        result = self.run_integration()
        self.assertExit(result, 0)
        self.assertEqual(self.state_rows(), [])
        self.assertEqual(harness.ids_in(os.path.join(out_dir, "users.jsonl")),
                         list(range(1, 101)))


if __name__ == "__main__":
    harness.main()
