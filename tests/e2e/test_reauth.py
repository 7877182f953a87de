"""`tapline reauth` verifies new credentials before it clears a pause, and a
paused integration whose credentials were edited is verified and resumed on
its next run. Uses the loopback OAuth2 API and the fixture tap."""

import json
import os

import harness
from test_auth_halt import ApiTestCase, NAME


class ReauthTest(ApiTestCase):

    def paused_by_revocation(self):
        self.start_api()
        self.out_dir = self.path("out")
        self.write_tapline({NAME: self.integration(
            self.api_tap("singer"), self.fixture_target(self.out_dir))})
        self.admin("revoke", after_pages=3)
        first = self.run_integration(NAME)
        self.assertExit(first, harness.EX_NOPERM)
        self.assertEqual(self.integration_status()["status"], "needs_reauth")
        return first

    def reauth(self, *args, stdin=None):
        return self.tapline("--config", self.config_path, "reauth", NAME,
                            *args, stdin=stdin, timeout=90)

    def test_a_bad_token_stays_paused_a_good_one_resumes(self):
        self.paused_by_revocation()
        bookmark = self.bookmark(NAME)

        rejected = self.reauth("--set", "refresh_token=rt-still-bad")
        self.assertExit(rejected, harness.EX_NOPERM)
        self.assertRegex(rejected.stderr,
                         r"tapline: %s: new credentials rejected by tap "
                         r"--discover: token_revoked: .*; the integration "
                         r"stays paused" % NAME)
        self.assertEqual(self.integration_status()["status"], "needs_reauth")
        self.assertNotIn("rt-still-bad", rejected.stderr + rejected.stdout)

        self.admin("issue", refresh_token="rt-fresh")
        accepted = self.reauth("--set", "refresh_token=rt-fresh")
        self.assertExit(accepted, 0)
        self.assertIn("credentials verified with tap --discover", accepted.stdout)
        self.assertNotIn("rt-fresh", accepted.stderr + accepted.stdout)
        self.assertEqual(self.integration_status()["status"], "active")
        kinds = [e["kind"] for e in self.events()]
        self.assertIn("reauthorized", kinds)
        self.assertEqual(len(self.hook_bodies("recovered")), 1)
        self.assertEqual(self.bookmark(NAME), bookmark,
                         "reauth alone does not move the bookmark")

        # The stored credentials are encrypted: not in the database as text.
        with open(self.db_file(), "rb") as db:
            self.assertNotIn(b"rt-fresh", db.read())

        resumed = self.run_integration(NAME)
        self.assertExit(resumed, 0)
        ids = self.destination_ids(self.out_dir)
        self.assertEqual(sorted(set(ids)), list(range(1, self.RECORDS + 1)))

    def test_new_values_from_a_json_file_and_run(self):
        self.paused_by_revocation()
        self.admin("issue", refresh_token="rt-from-file")
        values = self.path("new.json")
        with open(values, "w") as f:
            json.dump({"refresh_token": "rt-from-file"}, f)
        done = self.reauth("--config", values, "--run")
        self.assertExit(done, 0)
        self.assertIn("%s: succeeded" % NAME, done.stdout)
        self.assertEqual(self.integration_status()["status"], "active")

    def test_editing_the_config_resumes_on_the_next_run(self):
        self.paused_by_revocation()
        refused = self.run_integration(NAME)
        self.assertExit(refused, harness.EX_NOPERM)
        self.assertIn("paused: needs reauthorization", refused.stderr)

        # A person re-authorizes and pastes the new token into tapline.yaml.
        self.admin("issue", refresh_token="rt-pasted")
        self.write_tapline({NAME: self.integration(
            self.api_tap("singer", refresh_token="rt-pasted"),
            self.fixture_target(self.out_dir))})
        resumed = self.run_integration(NAME)
        self.assertExit(resumed, 0)
        self.assertEqual(self.integration_status()["status"], "active")
        self.assertIn("resumed", [e["kind"] for e in self.events()])

    def test_a_rotated_refresh_token_survives_to_the_next_run(self):
        self.start_api()
        self.write_tapline({NAME: self.integration(
            self.api_tap("singer"), {"jsonl": {"dir": "out"}})}, alerts=False)
        self.assertExit(self.run_integration(NAME), 0)
        # rt-initial was rotated (and so revoked) during the first run; the
        # second run works only with the rotated token tapline kept.
        again = self.run_integration(NAME)
        self.assertExit(again, 0)
        log = self.run_log(2)
        self.assertNotIn("invalid_grant", log)


if __name__ == "__main__":
    harness.main()
