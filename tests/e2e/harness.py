"""Shared helpers for tapline's end-to-end tests (Python 3 standard library).

Every test_*.py is run by ctest as `python3 FILE` with these variables set:
  TAPLINE             path of the tapline binary
  TAP_SYNTHETIC       path of tap-synthetic
  TAPLINE_SOURCE_DIR  repository root
  TAPLINE_TEST_TMP    scratch directory
Exit code 125 means "skipped" (every test in the file skipped itself).
Set TAPLINE_E2E_KEEP=1 to keep the temp dirs of passing tests too.

Each test case gets a fresh directory under TAPLINE_TEST_TMP whose name holds
a unique marker. The tap is started through a symlink inside that directory
and the fixture target gets `--tag MARKER`, so every process a test starts
carries the marker in its argv and leftovers can be found through /proc.
This process is also made a child subreaper: anything tapline leaves behind
when it exits (running or unreaped) is re-parented to us and shows up in
`orphans()`. The directory is deleted when the test passed and kept (its path
printed) when it failed.
"""

import ctypes
import dataclasses
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import unittest
import uuid

SKIP_EXIT_CODE = 125

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("TAPLINE_SOURCE_DIR") or os.path.dirname(
    os.path.dirname(HERE))
FIXTURES = os.path.join(SOURCE_DIR, "tests", "fixtures")
FIXTURE_TARGET = os.path.join(FIXTURES, "targets", "target_fixture.py")
TAP_WRAPPER = os.path.join(FIXTURES, "taps", "tap_wrapper.py")
TEST_TMP = os.environ.get("TAPLINE_TEST_TMP") or os.path.join(
    "/tmp", "tapline-e2e-%d" % os.getuid())

# sysexits, as documented in the design brief.
EX_OK = 0
EX_USAGE = 64
EX_DATAERR = 65
EX_UNAVAILABLE = 69
EX_SOFTWARE = 70
EX_TEMPFAIL = 75
EX_NOPERM = 77
EX_CONFIG = 78

_PR_SET_CHILD_SUBREAPER = 36


def _become_subreaper():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


IS_SUBREAPER = _become_subreaper()


def binary(name):
    """Path of a binary from the environment; exits 125 if not configured."""
    path = os.environ.get(name)
    if not path:
        print("%s is not set; run through ctest (skipping)" % name,
              file=sys.stderr)
        sys.exit(SKIP_EXIT_CODE)
    if not os.access(path, os.X_OK):
        print("%s=%s is not an executable file" % (name, path), file=sys.stderr)
        sys.exit(1)
    return os.path.abspath(path)


def skip_file(reason):
    """Skip the whole test file (ctest reports it as skipped)."""
    print("SKIP: " + reason, file=sys.stderr)
    sys.exit(SKIP_EXIT_CODE)


def main():
    """unittest.main() that exits 125 when every test skipped itself."""
    prog = unittest.main(exit=False, verbosity=2)
    result = prog.result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.testsRun and len(result.skipped) == result.testsRun:
        sys.exit(SKIP_EXIT_CODE)
    sys.exit(0)


# ---------------------------------------------------------------- processes

@dataclasses.dataclass
class Completed:
    argv: list
    returncode: int
    stdout: str
    stderr: str
    elapsed: float

    def describe(self, limit=4000):
        def cut(text):
            if len(text) <= limit:
                return text
            return text[:limit // 2] + "\n[...]\n" + text[-limit // 2:]
        return ("command: %s\nexit code: %s (%.2fs)\n--- stdout ---\n%s\n"
                "--- stderr ---\n%s" % (
                    " ".join(self.argv), self.returncode, self.elapsed,
                    cut(self.stdout), cut(self.stderr)))


class Running:
    """A process started in the background; output goes to files."""

    def __init__(self, argv, popen, stdout_path, stderr_path):
        self.argv = argv
        self.popen = popen
        self.pid = popen.pid
        self.stdout_path = stdout_path
        self.stderr_path = stderr_path
        self.started = time.monotonic()

    def poll(self):
        return self.popen.poll()

    def wait(self, timeout):
        """Wait for exit; on timeout kill it and fail."""
        try:
            code = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            raise AssertionError(
                "timed out after %.0fs; killed\n%s" %
                (timeout, self.completed(None).describe()))
        return self.completed(code)

    def completed(self, code):
        return Completed(self.argv, code, _read_text(self.stdout_path),
                         _read_text(self.stderr_path),
                         time.monotonic() - self.started)


def _read_text(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", errors="replace")


def proc_stat(pid):
    """(state, ppid) of a process, or None if it is gone."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            data = f.read().decode("ascii", errors="replace")
    except OSError:
        return None
    rest = data[data.rfind(")") + 2:].split()
    return rest[0], int(rest[1])


def proc_cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return None


def _pids():
    for name in os.listdir("/proc"):
        if name.isdigit():
            yield int(name)


def processes_with_marker(marker):
    """Processes (pid, state, cmdline) whose argv contains `marker`.

    Zombies have an empty cmdline, so they are found by orphans() instead."""
    found = []
    me = os.getpid()
    needle = marker
    for pid in _pids():
        if pid == me:
            continue
        cmd = proc_cmdline(pid)
        if cmd and needle in cmd:
            st = proc_stat(pid)
            if st:
                found.append((pid, st[0], cmd.strip()))
    return found


_tracked_pids = set()  # our own Popen children (tapline, tap-synthetic)


def orphans():
    """Children of this process we did not start: leftovers of tapline."""
    me = os.getpid()
    found = []
    for pid in _pids():
        if pid in _tracked_pids:
            continue
        st = proc_stat(pid)
        if st and st[1] == me:
            found.append((pid, st[0], proc_cmdline(pid) or "<zombie>"))
    return found


def _reap(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def kill_leftovers(marker):
    """SIGKILL everything carrying the marker and every orphan; reap them."""
    victims = {p[0] for p in processes_with_marker(marker)}
    victims |= {p[0] for p in orphans()}
    for pid in victims:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for pid, _, _ in orphans():
            _reap(pid)
        if not processes_with_marker(marker) and not orphans():
            break
        time.sleep(0.02)
    return victims


def wait_for(predicate, timeout, interval=0.02, what="condition"):
    """Poll predicate() until it returns a truthy value; return it."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.1fs waiting for %s" %
                                 (timeout, what))
        time.sleep(interval)


class RssMonitor:
    """Samples VmRSS (KiB) of a pid every `interval` seconds in a thread."""

    def __init__(self, pid, interval=0.02):
        self.pid = pid
        self.interval = interval
        self.peak_kib = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        path = "/proc/%d/status" % self.pid
        while not self._stop.is_set():
            try:
                with open(path) as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            kib = int(line.split()[1])
                            self.peak_kib = max(self.peak_kib, kib)
                            self.samples += 1
                            break
            except (OSError, ValueError):
                pass
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


# ---------------------------------------------------------------- YAML

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _yaml_scalar(value):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value)  # JSON is valid YAML flow style
    return json.dumps(str(value))  # JSON strings are YAML double-quoted


def to_yaml(obj, indent=0):
    """Block-style YAML for nested dicts; lists and leaves in flow style."""
    pad = "  " * indent
    lines = []
    for key, value in obj.items():
        key_text = key if _PLAIN_KEY.match(key) else json.dumps(key)
        if isinstance(value, dict) and value:
            lines.append("%s%s:" % (pad, key_text))
            lines.append(to_yaml(value, indent + 1))
        else:
            lines.append("%s%s: %s" % (pad, key_text, _yaml_scalar(value)))
    return "\n".join(lines)


# ---------------------------------------------------------------- JSON lines

def read_jsonl(path, allow_torn_tail=False):
    """Parsed objects of a .jsonl file; fails naming the first bad line.

    allow_torn_tail: ignore a last line without newline (a write cut short
    by SIGKILL)."""
    out = []
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            if not line.endswith(b"\n"):
                if allow_torn_tail:
                    break
                raise AssertionError("%s:%d: last line has no newline: %r" %
                                     (path, number, line[:200]))
            try:
                out.append(json.loads(line))
            except ValueError as e:
                raise AssertionError("%s:%d: not JSON (%s): %r" %
                                     (path, number, e, line[:200]))
    return out


def ids_in(path, allow_torn_tail=False):
    """The `id` of every record in a jsonl file, in file order."""
    if not os.path.exists(path):
        return []
    return [record["id"] for record in read_jsonl(path, allow_torn_tail)]


def duplicates(ids):
    seen, dups = set(), set()
    for i in ids:
        if i in seen:
            dups.add(i)
        seen.add(i)
    return dups


def bookmark_ids(value):
    """{stream: id} of a tap-synthetic state value (None -> {})."""
    if not value:
        return {}
    return {stream: mark["id"]
            for stream, mark in value.get("bookmarks", {}).items()}


# ---------------------------------------------------------------- test case

class TaplineTestCase(unittest.TestCase):
    """Base class: temp dir, marker, tapline runner, state DB readers."""

    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        cls.tapline_bin = binary("TAPLINE")
        cls.tap_bin = binary("TAP_SYNTHETIC")

    # -- lifecycle

    def run(self, result=None):
        if result is None:
            result = self.defaultTestResult()
        self.marker = "tle2e" + uuid.uuid4().hex[:12]
        os.makedirs(TEST_TMP, exist_ok=True)
        self.tmp = os.path.join(TEST_TMP, "%s-%s" % (
            self._testMethodName, self.marker))
        os.makedirs(self.tmp)
        self._counter = 0
        bad_before = len(result.failures) + len(result.errors)
        try:
            return super().run(result)
        finally:
            killed = kill_leftovers(self.marker)
            failed = len(result.failures) + len(result.errors) > bad_before
            if killed:
                print("\n[%s] killed leftover processes %s" %
                      (self._testMethodName, sorted(killed)), file=sys.stderr)
            if failed or os.environ.get("TAPLINE_E2E_KEEP"):
                print("\n[%s] kept temp dir: %s" %
                      (self._testMethodName, self.tmp), file=sys.stderr)
            else:
                shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    # -- running things

    def env(self, extra=None):
        env = dict(os.environ)
        env.pop("TAPLINE_CONFIG", None)
        env.update(extra or {})
        return env

    def _start(self, argv, env=None, cwd=None, stdin=None,
               new_session=True):
        self._counter += 1
        base = self.path("cmd%02d" % self._counter)
        with open(base + ".argv", "w") as f:
            json.dump(argv, f)
        out = open(base + ".stdout", "wb")
        err = open(base + ".stderr", "wb")
        stdin_file = None
        if stdin is not None:
            stdin_file = open(base + ".stdin", "w+b")
            stdin_file.write(stdin if isinstance(stdin, bytes)
                             else stdin.encode())
            stdin_file.seek(0)
        try:
            popen = subprocess.Popen(
                argv, stdin=stdin_file if stdin_file else subprocess.DEVNULL,
                stdout=out, stderr=err, cwd=cwd or self.tmp,
                env=env if env is not None else self.env(),
                start_new_session=new_session)
        finally:
            out.close()
            err.close()
            if stdin_file:
                stdin_file.close()
        _tracked_pids.add(popen.pid)
        return Running(argv, popen, base + ".stdout", base + ".stderr")

    def start_tapline(self, *args, env=None, cwd=None, stdin=None):
        """Start tapline in the background (its own session)."""
        return self._start([self.tapline_bin] + [str(a) for a in args],
                           env=env, cwd=cwd, stdin=stdin)

    def tapline(self, *args, timeout=60, env=None, cwd=None, stdin=None):
        """Run tapline to completion (argv, no shell) and return Completed."""
        return self.start_tapline(*args, env=env, cwd=cwd,
                                  stdin=stdin).wait(timeout)

    def run_integration(self, *names, config=None, timeout=60, env=None,
                        cwd=None):
        config = config or self.config_path
        names = names or ("demo",)
        return self.tapline("run", *names, "--config", config,
                            timeout=timeout, env=env, cwd=cwd)

    # -- assertions about a completed command

    def assertExit(self, completed, code, msg=None):
        if completed.returncode != code:
            self.fail("expected exit code %d%s\n%s\ntemp dir: %s" % (
                code, " (" + msg + ")" if msg else "", completed.describe(),
                self.tmp))

    def assertSummary(self, completed, name, word):
        """stdout has a line starting with `NAME: word` (word: a regex)."""
        pattern = re.compile(r"^%s: (?:%s)\b" % (re.escape(name), word),
                             re.M)
        self.assertRegex(completed.stdout, pattern,
                         "no '%s: %s' summary line\n%s" %
                         (name, word, completed.describe()))

    def assertErrorLine(self, completed, name, regex):
        """stderr has `tapline: NAME: <message>` and the message matches."""
        lines = [l for l in completed.stderr.splitlines()
                 if l.startswith("tapline: %s: " % name)]
        self.assertTrue(lines, "no 'tapline: %s: ' line on stderr\n%s" %
                        (name, completed.describe()))
        text = "\n".join(lines)
        self.assertRegex(text, re.compile(regex, re.I),
                         "error message does not match %r\n%s" %
                         (regex, completed.describe()))

    def assertNoLeftovers(self, grace=0.0):
        """Nothing of this test is still running or left unreaped.

        Without grace this is checked right after tapline exited: tapline
        must have waited for its tap and target before exiting."""
        def leftovers():
            alive = [p for p in processes_with_marker(self.marker)
                     if p[1] != "Z"]
            return alive + [p for p in orphans() if p not in alive]
        found = leftovers()
        if found and grace:
            deadline = time.monotonic() + grace
            while found and time.monotonic() < deadline:
                time.sleep(0.05)
                found = leftovers()
        if found:
            kill_leftovers(self.marker)
            self.fail("processes left behind after tapline exited "
                      "(pid, state, argv):\n" +
                      "\n".join("  %d %s %s" % p for p in found))

    # -- configuration

    def tap_command(self):
        """argv[0] of the tap: a symlink in the temp dir (holds the marker)."""
        link = self.path("bin", "tap-synthetic")
        if not os.path.exists(link):
            os.makedirs(os.path.dirname(link), exist_ok=True)
            os.symlink(self.tap_bin, link)
        return [link]

    def tap(self, streams=("users",), records=100, seed=1, **settings):
        cfg = {"streams": list(streams), "records": records, "seed": seed}
        cfg.update(settings)
        return {"command": self.tap_command(), "config": cfg}

    def wrapped_tap(self, streams=("users",), records=100, seed=1,
                    record=None, ignore_signals=False, leave_orphan=False,
                    **settings):
        """Like tap(), started through tests/fixtures/taps/tap_wrapper.py
        (which execs the tap: same pid). record: file that gets the tap's
        argv and its --config/--state files (path, mode, content)."""
        spec = self.tap(streams, records, seed, **settings)
        wrapper = [sys.executable, TAP_WRAPPER, "--tag", self.marker]
        if record:
            wrapper += ["--record", str(record)]
        if ignore_signals:
            wrapper.append("--ignore-signals")
        if leave_orphan:
            wrapper.append("--leave-orphan")
        spec["command"] = wrapper + ["--exec"] + spec["command"]
        return spec

    @staticmethod
    def tap_starts(record):
        """What tap_wrapper.py recorded, one entry per start."""
        return read_jsonl(record) if os.path.exists(record) else []

    def fixture_target(self, out_dir, **settings):
        cfg = {"out_dir": str(out_dir)}
        cfg.update(settings)
        return {"command": [sys.executable, FIXTURE_TARGET, "--tag",
                            self.marker],
                "config": cfg}

    def integration(self, tap, target, **settings):
        spec = {"tap": tap, "target": target}
        spec.update(settings)
        return spec

    def write_config(self, integrations, data_dir=None, name="tapline.yaml",
                     directory=None):
        doc = {}
        if data_dir is not None:
            doc["data_dir"] = str(data_dir)
        doc["integrations"] = integrations
        directory = directory or self.tmp
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, name)
        with open(path, "w") as f:
            f.write(to_yaml(doc) + "\n")
        self.config_path = path
        if data_dir is None:
            self.data_dir = os.path.join(directory, ".tapline")
        else:
            self.data_dir = os.path.join(directory, str(data_dir))
        return path

    def write_json(self, name, value):
        path = self.path(name)
        with open(path, "w") as f:
            json.dump(value, f)
        return path

    # -- tap-synthetic on its own (deterministic reference output)

    def tap_output(self, settings, state=None, streams=("users",),
                   records=100, seed=1):
        """Run tap-synthetic directly; returns the path of its stdout."""
        cfg = {"streams": list(streams), "records": records, "seed": seed}
        cfg.update(settings)
        self._counter += 1
        cfg_path = self.write_json("tapcfg%02d.json" % self._counter, cfg)
        argv = [self.tap_bin, "--config", cfg_path]
        if state is not None:
            argv += ["--state", self.write_json(
                "tapstate%02d.json" % self._counter, state)]
        running = self._start(argv, env=self.env())
        return running.wait(60), running.stdout_path

    # -- the state database

    def db_file(self, data_dir=None):
        return os.path.join(data_dir or self.data_dir, "state.db")

    def query(self, sql, params=(), data_dir=None):
        path = self.db_file(data_dir)
        if not os.path.exists(path):
            return []
        con = sqlite3.connect(path, timeout=10)
        try:
            con.row_factory = sqlite3.Row
            return [dict(r) for r in con.execute(sql, params).fetchall()]
        except sqlite3.OperationalError as e:
            if "no such table" in str(e):
                return []  # created, schema not migrated yet
            raise
        finally:
            con.close()

    def state_rows(self, name="demo", data_dir=None):
        """state_history rows of an integration, oldest first."""
        return self.query("SELECT * FROM state_history WHERE integration = ?"
                          " ORDER BY id", (name,), data_dir)

    def bookmark(self, name="demo", data_dir=None):
        """The committed bookmark (parsed), or None if none/cleared."""
        rows = self.state_rows(name, data_dir)
        if not rows or rows[-1]["value_json"] is None:
            return None
        return json.loads(rows[-1]["value_json"])

    def runs(self, name="demo", data_dir=None):
        """runs rows of an integration, oldest first."""
        return self.query("SELECT * FROM runs WHERE integration = ? "
                          "ORDER BY id", (name,), data_dir)

    def last_run(self, name="demo", data_dir=None):
        rows = self.runs(name, data_dir)
        self.assertTrue(rows, "no runs row for %s in %s" %
                        (name, self.db_file(data_dir)))
        return rows[-1]

    def wait_for_commit(self, name="demo", timeout=20, count=1):
        """Wait until `count` state rows exist; returns the rows."""
        return wait_for(lambda: (len(self.state_rows(name)) >= count
                                 and self.state_rows(name)),
                        timeout, 0.02, "a committed state of " + name)

    # -- the fixture target's bookkeeping

    def echoed_states(self, out_dir):
        """States the fixture target echoed, oldest first: (echoed, printed).

        `echoed` is written before the state goes to stdout, `printed` after
        it was flushed; so committed states must be in `echoed`, and the last
        committed one is the last of `printed` or of `echoed`."""
        def load(name):
            p = os.path.join(out_dir, name)
            return read_jsonl(p) if os.path.exists(p) else []
        return load("_echoed_states.jsonl"), load("_printed_states.jsonl")
