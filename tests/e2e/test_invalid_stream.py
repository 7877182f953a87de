"""Invalid Singer data fails the run with 65 naming the tap's stdout line;
very long lines pass intact unless they exceed max_line_bytes; a failed run
never moves the bookmark.

Expected line numbers come from running tap-synthetic on its own with the
same config and state (it is deterministic)."""

import json
import re

import harness

BIG = 100_000_000


class InvalidStreamTest(harness.TaplineTestCase):

    def baseline(self):
        """A successful first run: 50 users, bookmark users=50."""
        self.write_config({"demo": self.integration(
            self.tap(("users",), 50, state_every=10),
            {"jsonl": {"dir": "out"}})})
        result = self.run_integration()
        self.assertExit(result, 0)
        self.good_bookmark = self.bookmark()
        self.assertEqual(harness.bookmark_ids(self.good_bookmark),
                         {"users": 50})
        self.good_rows = len(self.state_rows())

    def line_number_of(self, path, predicate):
        """1-based number of the first line of a file matching predicate."""
        with open(path, "rb") as f:
            for number, line in enumerate(f, 1):
                if predicate(line.rstrip(b"\n")):
                    return number
        self.fail("no such line in tap-synthetic's own output %s" % path)

    def check_rejected(self, inject_line, what):
        self.baseline()
        # No STATE before the bad line: the bookmark must not move at all.
        settings = {"state_every": 1000, "inject_after": 10,
                    "inject_line": inject_line}
        self.write_config({"demo": self.integration(
            self.tap(("users",), 100, **settings),
            {"jsonl": {"dir": "out"}})})
        ref, ref_path = self.tap_output(settings, state=self.good_bookmark,
                                        records=100)
        self.assertExit(ref, 0, "tap-synthetic on its own")
        line = self.line_number_of(
            ref_path, lambda l: l == inject_line.encode())
        self.assertGreater(line, 10)

        result = self.run_integration()
        self.assertExit(result, harness.EX_DATAERR, what)
        self.assertSummary(result, "demo", "failed")
        self.assertErrorLine(result, "demo", r"\bline %d\b" % line)
        self.assertNoLeftovers()
        self.assertEqual(self.bookmark(), self.good_bookmark)
        self.assertEqual(len(self.state_rows()), self.good_rows)
        run = self.last_run()
        self.assertEqual(run["outcome"], "failed")
        self.assertEqual(run["exit_code"], harness.EX_DATAERR)
        return result

    def test_malformed_json(self):
        self.check_rejected('{"type": "RECORD", "stream": "users", '
                            '"record": {"id": 77, ', "malformed JSON")

    def test_record_before_schema(self):
        result = self.check_rejected(
            '{"type": "RECORD", "stream": "ghost", "record": {"id": 1}}',
            "RECORD for a stream without SCHEMA")
        self.assertErrorLine(result, "demo", r"ghost|schema")

    def test_missing_required_field(self):
        self.check_rejected('{"type": "RECORD", "record": {"id": 1}}',
                            "RECORD without stream")

    def test_state_without_value(self):
        self.check_rejected('{"type": "STATE"}', "STATE without value")

    def big_record_reference(self):
        settings = {"big_record_at": 5, "big_record_bytes": BIG,
                    "state_every": 1000}
        ref, ref_path = self.tap_output(settings, records=10)
        self.assertExit(ref, 0, "tap-synthetic on its own")
        line = self.line_number_of(ref_path, lambda l: len(l) > BIG)
        return settings, ref_path, line

    def test_100MB_record_passes_intact(self):
        settings, ref_path, line = self.big_record_reference()
        self.write_config({"demo": self.integration(
            self.tap(("users",), 10, **settings),
            {"jsonl": {"dir": "out"}}, max_line_bytes="128MiB")})
        result = self.run_integration(timeout=120)
        self.assertExit(result, 0)
        self.assertSummary(result, "demo", "succeeded")

        raw = expected = None
        with open(ref_path, "rb") as f:
            for number, raw in enumerate(f, 1):
                if number == line:
                    expected = json.loads(raw)["record"]
                    break
        del raw
        found = None
        count = 0
        with open(self.path("out", "users.jsonl"), "rb") as f:
            for raw in f:
                count += 1
                self.assertTrue(raw.endswith(b"\n"))
                if len(raw) > BIG:
                    found = json.loads(raw)
        del raw
        self.assertEqual(count, 10)
        self.assertIsNotNone(found, "the big record is not in the sink")
        self.assertEqual(found["id"], expected["id"])
        self.assertEqual(len(found["padding"]), len(expected["padding"]))
        self.assertTrue(found == expected, "the big record was altered")
        self.assertEqual(harness.bookmark_ids(self.bookmark()),
                         {"users": 10})
        self.assertGreater(self.last_run()["bytes"], BIG)

    def test_max_line_bytes_boundary(self):
        """A line of exactly max_line_bytes (newline not counted) passes;
        one byte less fails on that line."""
        settings = {"big_record_at": 3, "big_record_bytes": 2_000_000,
                    "state_every": 1000}
        ref, ref_path = self.tap_output(settings, records=5)
        self.assertExit(ref, 0)
        with open(ref_path, "rb") as f:
            lengths = [len(l.rstrip(b"\n")) for l in f]
        longest = max(lengths)
        line = lengths.index(longest) + 1
        for limit, code in ((longest, 0), (longest - 1, harness.EX_DATAERR)):
            with self.subTest(max_line_bytes=limit):
                self.write_config({"demo": self.integration(
                    self.tap(("users",), 5, **settings),
                    {"null": {}}, max_line_bytes=limit)},
                    data_dir="state-%d" % limit)  # each from scratch
                result = self.run_integration()
                self.assertExit(result, code)
                if code:
                    self.assertErrorLine(result, "demo", r"\bline %d\b" % line)

    def test_line_over_max_line_bytes(self):
        settings, _, line = self.big_record_reference()
        self.write_config({"demo": self.integration(
            self.tap(("users",), 10, **settings),
            {"jsonl": {"dir": "out"}}, max_line_bytes="1MiB")})
        result = self.run_integration(timeout=120)
        self.assertExit(result, harness.EX_DATAERR)
        self.assertSummary(result, "demo", "failed")
        self.assertErrorLine(result, "demo", r"\bline %d\b" % line)
        self.assertErrorLine(result, "demo",
                             r"max_line_bytes|limit|too long|exceed|1 ?MiB|"
                             r"1048576")
        self.assertNoLeftovers()
        self.assertIsNone(self.bookmark())
        ids = harness.ids_in(self.path("out", "users.jsonl"))
        self.assertLess(len(ids), 10)
        self.assertEqual(self.last_run()["exit_code"], harness.EX_DATAERR)


if __name__ == "__main__":
    harness.main()
