"""Everything in examples/ runs: the auth-failure walkthrough, in a copy of
examples/reauth so the source tree stays clean."""

import os
import shutil
import subprocess

import harness


class ExamplesTest(harness.TaplineTestCase):

    def test_reauth_walkthrough(self):
        bash = shutil.which("bash")
        if not bash:
            self.skipTest("no bash")
        source = os.environ.get("TAPLINE_SOURCE_DIR") or os.path.dirname(
            os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        copy = self.path("reauth")
        shutil.copytree(os.path.join(source, "examples", "reauth"), copy,
                        ignore=shutil.ignore_patterns(".tapline", "out", "api-*"))
        env = self.env({"TAPLINE": self.tapline_bin, "TAPLINE_SOURCE_DIR": source})
        done = subprocess.run([bash, os.path.join(copy, "walkthrough")],
                              env=env, capture_output=True, text=True,
                              timeout=180)
        output = done.stdout + done.stderr
        self.assertEqual(done.returncode, 0, output)
        self.assertIn("authentication failure, integration paused: token_revoked", output)
        with open(os.path.join(copy, ".tapline", "logs", "crm", "run-1.log")) as log:
            self.assertIn("ALERT: tapline: integration 'crm' needs reauthorization", log.read())
        self.assertIn("new credentials rejected by tap --discover", output)
        self.assertIn("credentials verified with tap --discover", output)
        ids = harness.ids_in(os.path.join(copy, "out", "records.jsonl"))
        self.assertEqual(sorted(set(ids)), list(range(1, 41)))


if __name__ == "__main__":
    harness.main()
