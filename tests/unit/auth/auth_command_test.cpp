// tests/unit/auth/auth_command_test.cpp
//
// `tapline auth classify` (cli::auth_classify_command) on saved excerpts:
// the text and JSON it prints and its exit codes. stdout is captured by
// pointing fd 1 at a temporary file for the duration of the call.

#include <runner/cli/auth_command.hpp>

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <tests/unit/temp_dir.hpp>

namespace {

struct Captured
{
  int exit_code = 0;
  std::string out;
};

template<typename F>
Captured
capture_stdout(F&& run)
{
  std::fflush(stdout);
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  const int saved = ::dup(1);
  ::dup2(::fileno(file), 1);
  Captured captured;
  captured.exit_code = run();
  std::fflush(stdout);
  ::dup2(saved, 1);
  ::close(saved);
  std::rewind(file);
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) {
    captured.out.append(buffer, n);
  }
  std::fclose(file);
  return captured;
}

std::string
write(const tapline::test::TempDir& dir,
      const std::string& name,
      const std::string& text)
{
  const auto path = dir.path() / name;
  std::ofstream(path) << text;
  return path.string();
}

const std::string k_rules = TAPLINE_SOURCE_DIR "/config/auth-rules.yaml";

const std::string k_excerpt =
    "INFO METRIC: {\"type\": \"counter\"}\n"
    "CRITICAL HTTP-error-code: 400, Error: invalid_grant\n"
    "Traceback (most recent call last):\n"
    "  File \"tap_xero/client.py\", line 1, in refresh\n"
    "tap_xero.client.XeroBadRequestError: HTTP-error-code: 400, Error: "
    "invalid_grant\n";

} // namespace

TEST_SUITE("cli::auth_classify_command")
{
  TEST_CASE("text: class, action, rule, explanation and the record")
  {
    tapline::test::TempDir dir;
    const std::string file = write(dir, "stderr.log", k_excerpt);
    const Captured captured = capture_stdout([&] {
      return tapline::cli::auth_classify_command(file, 1, false, k_rules);
    });
    CHECK(captured.exit_code == 0);
    CHECK(captured.out ==
          "class: refresh_token_expired\n"
          "action: pause_reauth\n"
          "rule: oauth.invalid_grant_bare\n"
          "explanation: The token endpoint rejected the refresh token "
          "(expired or already used) — reconnect and re-authorize\n"
          "halt: yes\n"
          "record:\n"
          "  CRITICAL HTTP-error-code: 400, Error: invalid_grant\n"
          "  Traceback (most recent call last):\n"
          "  tap_xero.client.XeroBadRequestError: HTTP-error-code: 400, "
          "Error: invalid_grant\n");
  }

  TEST_CASE("json: one object; not_auth still exits 0")
  {
    tapline::test::TempDir dir;
    const std::string file =
        write(dir, "stderr.log", "INFO \"quoted\"\nERROR boom\n");
    Captured captured = capture_stdout([&] {
      return tapline::cli::auth_classify_command(file, 2, true, k_rules);
    });
    CHECK(captured.exit_code == 0);
    CHECK(captured.out ==
          "{\"class\":\"not_auth\",\"action\":\"fail\",\"rule\":"
          "\"exit.nonzero\",\"explanation\":\"The tap failed (exit 2) with no "
          "sign of an authentication failure\",\"halt\":false,\"record\":"
          "\"ERROR boom\"}\n");

    // Without an exit code: the verdict so far.
    captured = capture_stdout([&] {
      return tapline::cli::auth_classify_command(
          file, std::nullopt, true, k_rules);
    });
    CHECK(captured.exit_code == 0);
    CHECK(captured.out ==
          "{\"class\":\"not_auth\",\"action\":\"none\",\"rule\":\"\","
          "\"explanation\":\"Not an authentication failure\",\"halt\":false,"
          "\"record\":\"\"}\n");
  }

  TEST_CASE("errors: unreadable excerpt is a usage error, bad rules a "
            "config error")
  {
    tapline::test::TempDir dir;
    Captured captured = capture_stdout([&] {
      return tapline::cli::auth_classify_command(
          (dir.path() / "missing.log").string(), 1, false, k_rules);
    });
    CHECK(captured.exit_code == 64);
    CHECK(captured.out.empty());

    const std::string file = write(dir, "stderr.log", k_excerpt);
    const std::string rules = write(dir, "rules.yaml", "rules: [\n");
    captured = capture_stdout([&] {
      return tapline::cli::auth_classify_command(file, 1, false, rules);
    });
    CHECK(captured.exit_code == 78);
    CHECK(captured.out.empty());
  }
}
