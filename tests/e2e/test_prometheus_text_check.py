"""Self-test of prometheus_text_check: good samples pass, each bad sample is
rejected for the expected reason, and, when scripts/fetch-promtool yields a
promtool, Prometheus's own parser and linter agree on the good samples and
on the bad ones it is able to catch.

Needs no tapline binary. The promtool cases skip themselves when no promtool
can be had (offline, no apt); set TAPLINE_TOOLS_DIR to choose its cache."""

import os
import subprocess
import tempfile
import unittest

import harness
import prometheus_text_check
from prometheus_text_check import check

FETCH_PROMTOOL = os.path.join(harness.SOURCE_DIR, "scripts", "fetch-promtool")

# Valid text; promtool must accept each without a lint complaint too.
GOOD = {
    "tapline style": (
        "# HELP tapline_integration_status Current status: 1 for the one "
        "that applies.\n"
        "# TYPE tapline_integration_status gauge\n"
        'tapline_integration_status{integration="a",status="active"} 1\n'
        'tapline_integration_status{integration="a",status="paused"} 0\n'
        'tapline_integration_status{integration="we\\"ird\\\\na\\nme",'
        'status="active"} 0\n'
        "# HELP tapline_runs_total Runs over all recorded runs.\n"
        "# TYPE tapline_runs_total counter\n"
        'tapline_runs_total{integration="a"} 42\n'
        'tapline_runs_total{integration="we\\"ird\\\\na\\nme"} 0\n'),
    "values": (
        "# HELP v Values in every spelling.\n"
        "# TYPE v gauge\n"
        'v{k="int"} 42\n'
        'v{k="neg"} -7\n'
        'v{k="float"} 1764075600.25\n'
        'v{k="exp"} 1.5e+21\n'
        'v{k="EXP"} 2E-3\n'
        'v{k="dot"} .5\n'
        'v{k="trailing_dot"} 5.\n'
        'v{k="plus"} +3\n'
        'v{k="nan"} NaN\n'
        'v{k="inf"} +Inf\n'
        'v{k="-inf"} -Inf\n'
        'v{k="ts"} 1 1764075600000\n'
        'v{k="negative ts"} 1 -5\n'),
    "histogram and summary": (
        "# HELP h A histogram.\n"
        "# TYPE h histogram\n"
        'h_bucket{le="0.5"} 1\n'
        'h_bucket{le="+Inf"} 2\n'
        "h_sum 3.5\n"
        "h_count 2\n"
        "# HELP s A summary.\n"
        "# TYPE s summary\n"
        's{quantile="0.5"} 1\n'
        's{quantile="0.99"} 2\n'
        "s_sum 3\n"
        "s_count 2\n"),
    "comments, blanks and loose label syntax": (
        "# a comment\n"
        "\n"
        "#   HELP   g   Spaced out \\\\ with a \\n newline and a \"quote.\n"
        "# TYPE g gauge\n"
        '  g{ a = "1" , b="2",}\t3\n'
        "g{} 4\n"
        "# another comment\n"),
    "metadata without samples": (
        "# HELP m Nothing sampled yet.\n"
        "# TYPE m gauge\n"),
    "unicode label value": (
        "# HELP u Unicode.\n"
        "# TYPE u gauge\n"
        'u{name="caf\u00e9 \u2603"} 1\n'),
    "empty": "",
}

# (name, text, expected problem (substring), what promtool says or None).
# None: promtool 2.42 accepts it (its parser is looser), so only this
# checker catches it; the promtool cross-check then asserts nothing.
BAD = [
    ("metric name", "1abc 1\n", "line 1: invalid metric name",
     "invalid metric name"),
    ("label name", "# HELP a x\n# TYPE a gauge\na{1x=\"v\"} 1\n",
     "line 3: invalid label name", "invalid label name"),
    ("reserved label name", "# HELP a x\n# TYPE a gauge\na{__x=\"v\"} 1\n",
     "line 3: label name __x in a is reserved", None),
    ("label escape", "# HELP a x\n# TYPE a gauge\na{x=\"\\t\"} 1\n",
     "line 3: invalid escape sequence '\\\\t' in the value of label x",
     "invalid escape sequence"),
    ("unterminated label value", "# HELP a x\n# TYPE a gauge\na{x=\"v} 1\n",
     "line 3: unterminated value of label x", "text format parsing error"),
    ("label without '='", "a{x \"v\"} 1\n", "line 1: expected '=' after label",
     "text format parsing error"),
    ("duplicate label name",
     "# HELP a x\n# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n",
     "line 3: duplicate label name x", "duplicate label names"),
    ("invalid UTF-8",
     b"# HELP a x\n# TYPE a gauge\na{x=\"\xff\"} 1\n",
     "line 3: invalid UTF-8", "invalid label value"),
    ("HELP escape", "# HELP a x\\z\n# TYPE a gauge\na 1\n",
     "line 1: invalid escape sequence '\\\\z' in HELP text",
     "invalid escape sequence"),
    ("HELP name", "# HELP 1a x\n", "line 1: invalid metric name in HELP",
     "invalid metric name in comment"),
    ("second HELP", "# HELP a x\n# HELP a y\n# TYPE a gauge\na 1\n",
     "line 2: second HELP line for a", "second HELP line"),
    ("second TYPE", "# HELP a x\n# TYPE a gauge\n# TYPE a gauge\na 1\n",
     "line 3: second TYPE line for a", "second TYPE line"),
    ("TYPE after samples", "# HELP a x\na 1\n# TYPE a gauge\n",
     "line 3: TYPE for a after its samples", "TYPE reported after samples"),
    ("HELP after samples", "# TYPE a gauge\na 1\n# HELP a x\n",
     "line 3: HELP for a after its samples", None),
    ("unknown type", "# HELP a x\n# TYPE a foo\na 1\n",
     "line 2: unknown metric type 'foo'", "unknown metric type"),
    ("#HELP without blank", "#HELP a x\n# TYPE a gauge\na 1\n",
     "line 1: '#HELP' needs a blank", None),
    ("samples not contiguous",
     "# HELP a x\n# TYPE a gauge\na{k=\"1\"} 1\n"
     "# HELP b y\n# TYPE b gauge\nb 1\na{k=\"2\"} 2\n",
     "line 7: samples of a are not contiguous", None),
    ("duplicate series",
     "# HELP a x\n# TYPE a gauge\na{k=\"1\"} 1\na{k=\"1\"} 2\n",
     "line 4: duplicate series a{k=\"1\"} (first on line 3)", None),
    ("duplicate series, labels reordered",
     "# HELP a x\n# TYPE a gauge\na{k=\"1\",j=\"2\"} 1\na{j=\"2\",k=\"1\"} 2\n",
     "line 4: duplicate series", None),
    ("bad float", "# HELP a x\n# TYPE a gauge\na 1.2.3\n",
     "line 3: invalid value '1.2.3'", "expected float as value"),
    ("lowercase nan", "# HELP a x\n# TYPE a gauge\na nan\n",
     "line 3: invalid value 'nan'", None),
    ("Infinity", "# HELP a x\n# TYPE a gauge\na Infinity\n",
     "line 3: invalid value 'Infinity'", None),
    ("no value", "# HELP a x\n# TYPE a gauge\na\n",
     "line 3: sample a has no value", "expected float as value"),
    ("float timestamp", "# HELP a x\n# TYPE a gauge\na 1 1.5\n",
     "line 3: invalid timestamp '1.5'", "expected integer as timestamp"),
    ("text after timestamp", "# HELP a x\n# TYPE a gauge\na 1 2 3\n",
     "line 3: unexpected text after the timestamp", "spurious string"),
    ("carriage return", "# HELP a x\n# TYPE a gauge\na 1\r\n",
     "line 3: carriage return", "expected float as value"),
    ("trailing blank after value", "# HELP a x\n# TYPE a gauge\na 1 \n",
     "line 3: trailing blank after a sample", "expected integer as timestamp"),
    ("trailing blank after timestamp",
     "# HELP a x\n# TYPE a gauge\na 1 5\t\n",
     "line 3: trailing blank after a sample", "spurious string after timestamp"),
    ("trailing blank after TYPE", "# HELP a x\n# TYPE a gauge \na 1\n",
     "line 2: trailing blank after a TYPE line", "unknown metric type"),
    ("blank before labels", "# HELP a x\n# TYPE a gauge\na {k=\"1\"} 1\n",
     "line 3: blank between metric name a and '{'", None),
    ("no final newline", "# HELP a x\n# TYPE a gauge\na 1",
     "line 3: the last line does not end with a newline",
     "unexpected end of input stream"),
    ("counter without _total", "# HELP a x\n# TYPE a counter\na 1\n",
     "line 2: counter a does not end in _total",
     'counter metrics should have "_total" suffix'),
    ("gauge with _total", "# HELP a_total x\n# TYPE a_total gauge\na_total 1\n",
     "line 2: gauge a_total ends in _total",
     'non-counter metrics should not have "_total" suffix'),
    ("histogram without +Inf",
     "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\n"
     "h_count 1\n", "histogram h has no le=\"+Inf\" bucket", None),
    ("histogram bucket without le",
     "# HELP h x\n# TYPE h histogram\nh_bucket 1\nh_bucket{le=\"+Inf\"} 1\n"
     "h_sum 1\nh_count 1\n",
     "line 3: histogram bucket h_bucket has no le label", None),
    ("summary without quantile",
     "# HELP s x\n# TYPE s summary\ns 1\ns_sum 1\ns_count 1\n",
     "line 3: summary sample s has no quantile label", None),
]


def fetch_promtool():
    """(path, None) of a promtool, or (None, reason)."""
    try:
        done = subprocess.run([FETCH_PROMTOOL], capture_output=True,
                              text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "fetch-promtool did not run: %s" % e
    if done.returncode != 0:
        return None, done.stderr.strip() or "fetch-promtool failed"
    return done.stdout.strip(), None


class CheckTest(unittest.TestCase):

    def test_good_samples_pass(self):
        for name, text in GOOD.items():
            with self.subTest(name):
                self.assertEqual(check(text), [])
                self.assertEqual(check(text.encode()), [])

    def test_bad_samples_are_rejected_for_the_reason(self):
        for name, text, expected, _ in BAD:
            with self.subTest(name):
                # One mistake per sample, so exactly one problem.
                problems = check(text)
                self.assertEqual(len(problems), 1, problems)
                self.assertIn(expected, problems[0])

    def test_each_problem_is_reported_once(self):
        # A good sample plus one mistake gives exactly one problem.
        text = GOOD["tapline style"] + "# TYPE tapline_runs_total counter\n"
        self.assertEqual(check(text), [
            "line 10: second TYPE line for tapline_runs_total (first on "
            "line 7)"])

    def test_textfile_collector_rejects_timestamps(self):
        text = "# HELP a x\n# TYPE a gauge\na 1 1764075600000\n"
        self.assertEqual(check(text), [])
        self.assertEqual(check(text, textfile_collector=True), [
            "line 3: sample a has a timestamp, which the textfile collector "
            "does not support"])

    def test_require_metadata(self):
        text = "# TYPE a gauge\na 1\nb 2\n"
        self.assertEqual(check(text), [])
        self.assertEqual(check(text, require_metadata=True), [
            "line 2: a has no HELP line",
            "line 3: b has no HELP line",
            "line 3: b has no TYPE line"])
        for name, good in GOOD.items():
            with self.subTest(name):
                self.assertEqual(check(good, require_metadata=True), [])

    def test_command_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            good = os.path.join(tmp, "good.prom")
            bad = os.path.join(tmp, "bad.prom")
            with open(good, "w") as f:
                f.write(GOOD["tapline style"])
            with open(bad, "w") as f:
                f.write("# TYPE a counter\na 1\na 2\n")
            script = prometheus_text_check.__file__
            ok = subprocess.run(["python3", script, good],
                                capture_output=True, text=True)
            self.assertEqual((ok.returncode, ok.stdout), (0, ""))
            failed = subprocess.run(["python3", script, bad],
                                    capture_output=True, text=True)
            self.assertEqual(failed.returncode, 1)
            self.assertEqual(failed.stdout.splitlines(), [
                bad + ":1: counter a does not end in _total",
                bad + ':3: duplicate series a (first on line 2)'])


class PromtoolAgreesTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.promtool, cls.reason = fetch_promtool()

    def setUp(self):
        if not self.promtool:
            self.skipTest("no promtool: " + self.reason)

    def promtool_check(self, text):
        """(exit code, stdout + stderr) of `promtool check metrics < file`."""
        data = text if isinstance(text, bytes) else text.encode()
        with tempfile.TemporaryFile() as f:
            f.write(data)
            f.seek(0)
            done = subprocess.run([self.promtool, "check", "metrics"],
                                  stdin=f, capture_output=True, timeout=60)
        return done.returncode, (done.stdout + done.stderr).decode(
            "utf-8", "replace")

    def test_promtool_accepts_the_good_samples(self):
        for name, text in GOOD.items():
            with self.subTest(name):
                self.assertEqual(self.promtool_check(text), (0, ""))

    def test_promtool_rejects_what_it_can_catch(self):
        for name, text, _, promtool_says in BAD:
            if promtool_says is None:
                continue
            with self.subTest(name):
                code, output = self.promtool_check(text)
                self.assertNotEqual(code, 0, "promtool accepted it")
                self.assertIn(promtool_says, output)


if __name__ == "__main__":
    harness.main()
