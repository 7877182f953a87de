"""Configuration errors exit 78 and name tapline.yaml:LINE:COL and the key.

Each case writes a small tapline.yaml whose offending token is located in
the text, so the expected line and column are computed, not hard-coded.
"""

import os
import re

import harness

UNSET = "TAPLINE_E2E_SURELY_UNSET_VAR"


class ConfigErrorsTest(harness.TaplineTestCase):

    def base_lines(self, tap_command=None):
        cmd = tap_command or '["%s"]' % self.tap_command()[0]
        return [
            "integrations:",
            "  demo:",
            "    tap:",
            "      command: %s" % cmd,
            "      config: {streams: [users], records: 5}",
            "    target:",
            "      jsonl: {dir: out}",
            "    timeout: 60",
        ]

    def write_lines(self, lines):
        path = self.path("tapline.yaml")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.config_path = path
        self.data_dir = self.path(".tapline")
        return path

    @staticmethod
    def position(lines, token, occurrence_line=None):
        """1-based (line, column) of the first occurrence of token."""
        for number, text in enumerate(lines, 1):
            if occurrence_line and number != occurrence_line:
                continue
            col = text.find(token)
            if col >= 0:
                return number, col + 1
        raise AssertionError("token %r not in config" % token)

    def run_bad(self, lines, *, line, columns, key, args=None):
        """Run with a bad config; expect 78, FILE:LINE:COL and the key."""
        path = self.write_lines(lines)
        args = args or ["run", "demo"]
        result = self.tapline(*args, "--config", path)
        self.assertExit(result, harness.EX_CONFIG)
        found = re.findall(r"tapline\.yaml:(\d+):(\d+)", result.stderr)
        self.assertTrue(found, "no tapline.yaml:LINE:COL in stderr\n" +
                        result.describe())
        got_line, got_col = int(found[0][0]), int(found[0][1])
        self.assertEqual(got_line, line, "line\n" + result.describe())
        self.assertIn(got_col, columns, "column\n" + result.describe())
        if key:
            self.assertIn(key, result.stderr)
        self.assertNotRegex(result.stdout, r"succeeded")
        self.assertFalse(os.path.exists(self.path("out")),
                         "a run started despite the config error")
        return result

    def test_yaml_syntax_error(self):
        lines = self.base_lines()
        lines[7] = "    timeout: 60: 70"
        # yaml-cpp reports the second ':' ("illegal map value").
        line, col = self.position(lines, ": 70")
        self.run_bad(lines, line=line, columns={col}, key=None)

    def test_unknown_key(self):
        lines = self.base_lines()
        lines[7] = "    tiemout: 60"
        line, col = self.position(lines, "tiemout:")
        self.run_bad(lines, line=line, columns={col}, key="tiemout")

    def test_unknown_key_reported_by_status_too(self):
        lines = ["data_dir: state", "bogus_top_level: 1"] + self.base_lines()
        line, col = self.position(lines, "bogus_top_level:")
        self.run_bad(lines, line=line, columns={col}, key="bogus_top_level",
                     args=["status"])

    def test_bad_type_duration(self):
        lines = self.base_lines()
        lines[7] = "    timeout: soon"
        line, key_col = self.position(lines, "timeout:")
        _, value_col = self.position(lines, "soon")
        self.run_bad(lines, line=line, columns={key_col, value_col},
                     key="timeout")

    def test_bad_type_command_is_a_string(self):
        lines = self.base_lines(tap_command='"%s"' % self.tap_command()[0])
        line, key_col = self.position(lines, "command:")
        value_col = lines[line - 1].index('"') + 1
        self.run_bad(lines, line=line, columns={key_col, value_col},
                     key="command")

    def test_bad_size(self):
        lines = self.base_lines() + ["    max_line_bytes: 12XB"]
        line, key_col = self.position(lines, "max_line_bytes:")
        _, value_col = self.position(lines, "12XB")
        self.run_bad(lines, line=line, columns={key_col, value_col},
                     key="max_line_bytes")

    def test_bad_state_from(self):
        lines = self.base_lines() + ["    state_from: sometimes"]
        line, key_col = self.position(lines, "state_from:")
        _, value_col = self.position(lines, "sometimes")
        self.run_bad(lines, line=line, columns={key_col, value_col},
                     key="state_from")

    def test_unset_variable(self):
        text = '["${%s}/tap-synthetic"]' % UNSET
        lines = self.base_lines(tap_command=text)
        line, key_col = self.position(lines, "command:")
        _, seq_col = self.position(lines, "[")
        _, scalar_col = self.position(lines, '"${')
        self.run_bad(lines, line=line,
                     columns={key_col, seq_col, scalar_col}, key=UNSET)

    def test_variable_default_is_used_when_unset(self):
        # The positive control for the case above.
        bin_dir = os.path.dirname(self.tap_command()[0])
        text = '["${%s:-%s}/tap-synthetic"]' % (UNSET, bin_dir)
        self.write_lines(self.base_lines(tap_command=text))
        result = self.run_integration()
        self.assertExit(result, 0)
        self.assertEqual(harness.ids_in(self.path("out", "users.jsonl")),
                         [1, 2, 3, 4, 5])

    def test_variable_is_interpolated(self):
        bin_dir = os.path.dirname(self.tap_command()[0])
        text = '["${%s}/tap-synthetic"]' % UNSET
        self.write_lines(self.base_lines(tap_command=text))
        result = self.run_integration(env=self.env({UNSET: bin_dir}))
        self.assertExit(result, 0)
        self.assertEqual(harness.ids_in(self.path("out", "users.jsonl")),
                         [1, 2, 3, 4, 5])

    def test_missing_config_file(self):
        missing = self.path("nowhere", "tapline.yaml")
        result = self.tapline("run", "demo", "--config", missing)
        self.assertExit(result, harness.EX_CONFIG)
        self.assertIn(missing, result.stderr)

    def test_missing_default_config_file(self):
        # No --config, no TAPLINE_CONFIG, no ./tapline.yaml.
        result = self.tapline("status", cwd=self.tmp)
        self.assertExit(result, harness.EX_CONFIG)
        self.assertIn("tapline.yaml", result.stderr)


if __name__ == "__main__":
    harness.main()
