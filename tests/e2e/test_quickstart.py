"""The quickstart in examples/quickstart runs out of the box.

Copies the example to a temp dir, points TAPLINE_BIN_DIR at the build, runs
it twice and checks the output files, the bookmark and `status`.
"""

import glob
import json
import os
import re
import shutil

import harness

EXAMPLE = os.path.join(harness.SOURCE_DIR, "examples", "quickstart")


class QuickstartTest(harness.TaplineTestCase):

    def setUp(self):
        if not os.path.exists(os.path.join(EXAMPLE, "tapline.yaml")):
            self.skipTest("examples/quickstart/tapline.yaml does not exist yet")
        self.copy = self.path("quickstart")
        shutil.copytree(EXAMPLE, self.copy,
                        ignore=shutil.ignore_patterns(".tapline", "out"))
        self.config = os.path.join(self.copy, "tapline.yaml")
        self.env_vars = self.env({
            "TAPLINE_BIN_DIR": os.path.dirname(self.tap_bin)})
        self.data_dir = os.path.join(self.copy, ".tapline")

    def expected_records(self):
        """`records: N` from the example's tap config, if it states one."""
        texts = []
        for p in [self.config] + glob.glob(os.path.join(self.copy, "*.json")):
            with open(p) as f:
                texts.append(f.read())
        found = set()
        for text in texts:
            found |= {int(n) for n in
                      re.findall(r'"?records"?\s*:\s*(\d+)', text)}
        return found.pop() if len(found) == 1 else None

    def output_files(self):
        """{stream: path} of the jsonl files the run wrote in the copy."""
        files = {}
        for p in glob.glob(os.path.join(self.copy, "**", "*.jsonl"),
                           recursive=True):
            if os.sep + ".tapline" + os.sep in p:
                continue
            files[os.path.basename(p)[:-len(".jsonl")]] = p
        return files

    def status(self):
        st = self.tapline("status", "--json", "--config", self.config,
                          env=self.env_vars)
        self.assertExit(st, 0)
        doc = json.loads(st.stdout)
        by_name = {i["name"]: i for i in doc["integrations"]}
        self.assertIn("demo", by_name, st.stdout)
        return by_name["demo"]

    def test_runs_out_of_the_box_and_resumes(self):
        # Run from an unrelated directory: paths resolve against the file.
        first = self.tapline("run", "demo", "--config", self.config,
                             env=self.env_vars, cwd=self.tmp, timeout=120)
        self.assertExit(first, 0)
        self.assertSummary(first, "demo", "succeeded")
        self.assertTrue(os.path.exists(os.path.join(self.data_dir,
                                                    "state.db")),
                        "default data_dir .tapline beside tapline.yaml")

        run = self.last_run()
        self.assertEqual(run["outcome"], "succeeded")
        self.assertEqual(run["exit_code"], 0)
        per_stream = json.loads(run["records_json"])
        self.assertTrue(per_stream, "records_json is empty")
        self.assertEqual(run["records"], sum(per_stream.values()))

        files = self.output_files()
        self.assertEqual(sorted(files), sorted(per_stream),
                         "one jsonl file per stream")
        expected = self.expected_records()
        line_counts = {}
        for stream, count in per_stream.items():
            ids = harness.ids_in(files[stream])
            line_counts[stream] = len(ids)
            if expected is not None:
                self.assertEqual(count, expected, stream)
            self.assertGreater(count, 0, stream)
            self.assertEqual(sorted(ids), list(range(1, count + 1)),
                             "%s: every record exactly once" % stream)

        # The bookmark covers every stream up to its last record.
        marks = harness.bookmark_ids(self.bookmark())
        self.assertEqual(marks, per_stream)

        demo = self.status()
        self.assertEqual(demo["status"], "active")
        self.assertEqual(demo["last_run"]["outcome"], "succeeded")
        self.assertEqual(demo["last_run"]["records"], run["records"])
        self.assertEqual(harness.bookmark_ids(demo["bookmark"]["value"]),
                         per_stream)

        text = self.tapline("status", "--config", self.config,
                            env=self.env_vars)
        self.assertExit(text, 0)
        self.assertIn("demo", text.stdout)

        # Second run: nothing new.
        second = self.tapline("run", "demo", "--config", self.config,
                              env=self.env_vars, cwd=self.copy, timeout=120)
        self.assertExit(second, 0)
        self.assertSummary(second, "demo", "succeeded")
        run2 = self.last_run()
        self.assertNotEqual(run2["id"], run["id"])
        self.assertEqual(run2["records"], 0, run2)
        for stream, path in files.items():
            self.assertEqual(len(harness.ids_in(path)), line_counts[stream],
                             "%s: second run added records" % stream)
        self.assertEqual(harness.bookmark_ids(self.bookmark()), per_stream)
        self.assertNoLeftovers()


if __name__ == "__main__":
    harness.main()
