// tests/unit/auth/record_test.cpp
//
// Grouping stderr lines into records: the level prefixes real taps print,
// tracebacks up to their final exception line, and the limits on size.

#include <runner/auth/record.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using tapline::auth::classify_line;
using tapline::auth::Level;
using tapline::auth::LineKind;
using tapline::auth::Record;
using tapline::auth::RecordBuilder;

namespace {

std::vector<Record>
group(const std::vector<std::string>& lines)
{
  RecordBuilder builder;
  std::vector<Record> records;
  for (const auto& line : lines) {
    if (auto record = builder.add_line(line)) {
      records.push_back(std::move(*record));
    }
  }
  if (auto record = builder.flush()) {
    records.push_back(std::move(*record));
  }
  return records;
}

} // namespace

TEST_SUITE("auth::RecordBuilder")
{
  TEST_CASE("classify_line: level prefixes of real taps")
  {
    // singer-python, current and older format
    CHECK(classify_line("CRITICAL HTTP-error-code: 401").level ==
          Level::critical);
    CHECK(classify_line("INFO tap_github 2019-01-01 10:00:00,000 x").level ==
          Level::info);
    CHECK(classify_line("WARNING").level == Level::warning);
    // python logging defaults
    CHECK(classify_line("ERROR:root:boom").level == Level::error);
    CHECK(
        classify_line("2024-05-02 10:15:01,123 - tap_x - ERROR - boom").level ==
        Level::error);
    // Meltano SDK
    CHECK(classify_line("2026-03-02 10:14:58,310 | WARNING  | tap_github | x")
              .level == Level::warning);
    // JSON and logfmt
    CHECK(classify_line(R"({"level": "error", "message": "x"})").level ==
          Level::error);
    CHECK(classify_line("time=2024-05-02T10:15:01Z level=fatal msg=x").level ==
          Level::critical);
    // meltano run wraps the tap's line; the inner prefix counts
    CHECK(classify_line("2024-05-02T10:15:01.123456Z [info     ] CRITICAL "
                        "boom cmd_type=elb name=tap-x stdio=stderr")
              .level == Level::critical);

    CHECK(classify_line("INFO METRIC: {\"type\": \"counter\"}").kind ==
          LineKind::metric);
    CHECK(classify_line("2024-05-02 10:15:01,123 | INFO | singer_sdk.metrics "
                        "| METRIC: {\"type\": \"timer\"}")
              .kind == LineKind::metric);
    CHECK(classify_line("Traceback (most recent call last):").kind ==
          LineKind::traceback);
    CHECK(classify_line("Exception in thread Thread-3:").kind ==
          LineKind::thread_exception);

    // Not prefixes: lowercase words, words glued to text, a bare date.
    CHECK(classify_line("info: nothing").kind == LineKind::plain);
    CHECK(classify_line("ERRORS were found").kind == LineKind::plain);
    CHECK(classify_line("  File \"x.py\", line 3").kind == LineKind::plain);
    CHECK(classify_line("2024-05-02 10:15:01 synced 3 streams").kind ==
          LineKind::plain);
  }

  TEST_CASE("group: CRITICAL lines, traceback and final exception are one "
            "record; frames are left out")
  {
    const auto records = group({
        "INFO METRIC: {\"type\": \"counter\", \"value\": 1}",
        "CRITICAL HTTP-error-code: 401, Error: Bad credentials",
        "CRITICAL second line of the message",
        "Traceback (most recent call last):",
        "  File \"<venv>/tap_github/client.py\", line 120, in authed_get",
        "    raise BadCredentialsException(\"invalid_grant\")",
        "tap_github.client.BadCredentialsException: Bad credentials",
    });
    REQUIRE(records.size() == 1);
    CHECK(records[0].level == Level::critical);
    CHECK(records[0].text ==
          "CRITICAL HTTP-error-code: 401, Error: Bad credentials\n"
          "CRITICAL second line of the message\n"
          "Traceback (most recent call last):\n"
          "tap_github.client.BadCredentialsException: Bad credentials");
    CHECK(records[0].traceback_at ==
          records[0].text.find("Traceback (most recent"));
  }

  TEST_CASE("group: a record ends at the next prefixed line; unprefixed "
            "lines continue it")
  {
    const auto records = group({
        "INFO Backing off f(...) for 2s (ShopifyError: HTTPError",
        "Unauthorized access - token may have expired)",
        "ERROR Giving up f(...) after 2 tries",
        "2026-03-02 10:14:58,611 | INFO     | tap | next",
    });
    REQUIRE(records.size() == 3);
    CHECK(records[0].level == Level::info);
    CHECK(records[0].text ==
          "INFO Backing off f(...) for 2s (ShopifyError: HTTPError\n"
          "Unauthorized access - token may have expired)");
    CHECK(!records[0].has_traceback());
    CHECK(records[1].level == Level::error);
    CHECK(records[2].level == Level::info);
  }

  TEST_CASE("group: a traceback after INFO joins it; with no record open it "
            "starts one without a level")
  {
    auto records = group({
        "2024-05-02 10:15:01,123 | INFO | tap-x | Beginning sync of 'users'",
        "Traceback (most recent call last):",
        "  ...",
        "singer_sdk.exceptions.FatalAPIError: 401 Client Error",
    });
    REQUIRE(records.size() == 1);
    CHECK(records[0].level == Level::info);
    CHECK(records[0].has_traceback());
    CHECK(records[0].text.substr(records[0].traceback_at) ==
          "Traceback (most recent call last):\n"
          "singer_sdk.exceptions.FatalAPIError: 401 Client Error");

    records = group({"RuntimeError: All GitHub tokens have hit their rate "
                     "limit. Stopping here."});
    REQUIRE(records.size() == 1);
    CHECK(records[0].level == Level::none);
    CHECK(!records[0].has_traceback());

    records = group({"INFO METRIC: {}",
                     "Traceback (most recent call last):",
                     "  ...",
                     "KeyError: 'x'"});
    REQUIRE(records.size() == 1);
    CHECK(records[0].level == Level::none);
    CHECK(records[0].traceback_at == 0);
  }

  TEST_CASE("group: an uncaught thread exception is its own record")
  {
    const auto records = group({
        "INFO Making GET request",
        "Exception in thread Thread-4:",
        "Traceback (most recent call last):",
        "  ...",
        "requests.exceptions.HTTPError: 400 Client Error: Bad Request",
        "INFO Making GET request",
    });
    REQUIRE(records.size() == 3);
    CHECK(records[1].level == Level::none);
    CHECK(records[1].traceback_at == 0);
    CHECK(records[1].text ==
          "Exception in thread Thread-4:\n"
          "Traceback (most recent call last):\n"
          "requests.exceptions.HTTPError: 400 Client Error: Bad Request");
  }

  TEST_CASE("group: the message after the final exception line is kept, "
            "indented or not")
  {
    const auto records = group({
        "Traceback (most recent call last):",
        "  ...",
        "facebook_business.exceptions.FacebookRequestError: ",
        "  Message: Call was not successful",
        "  Response:",
        "    {\"error\": {\"code\": 190}}",
        "\tat com.example.Tap.main(Tap.java:12)",
    });
    REQUIRE(records.size() == 1);
    CHECK(records[0].text ==
          "Traceback (most recent call last):\n"
          "facebook_business.exceptions.FacebookRequestError: \n"
          "  Message: Call was not successful\n"
          "  Response:\n"
          "    {\"error\": {\"code\": 190}}");
  }

  TEST_CASE("limits: long lines keep head and tail, long records keep their "
            "last line")
  {
    const std::string huge =
        "CRITICAL start " + std::string(200'000, 'x') + " the end";
    auto records = group({huge});
    REQUIRE(records.size() == 1);
    CHECK(records[0].text.size() < tapline::auth::k_max_line_bytes + 16);
    CHECK(records[0].text.starts_with("CRITICAL start xxx"));
    CHECK(records[0].text.ends_with("xxx the end"));
    CHECK(records[0].text.find(" [...] ") != std::string::npos);

    std::vector<std::string> lines{"ERROR many lines"};
    for (int i = 0; i < 20'000; ++i) {
      lines.push_back("continuation line number " + std::to_string(i));
    }
    lines.push_back("final.Error: the cause");
    records = group(lines);
    REQUIRE(records.size() == 1);
    CHECK(records[0].text.size() <= tapline::auth::k_max_record_bytes + 64);
    CHECK(records[0].text.ends_with("\n[...]\nfinal.Error: the cause"));
  }

  TEST_CASE("limits: a traceback after the record is full still counts")
  {
    std::vector<std::string> lines{"INFO long"};
    for (int i = 0; i < 20'000; ++i) {
      lines.push_back("continuation line number " + std::to_string(i));
    }
    lines.push_back("Traceback (most recent call last):");
    lines.push_back("  ...");
    lines.push_back("final.Error: the cause");
    const auto records = group(lines);
    REQUIRE(records.size() == 1);
    REQUIRE(records[0].has_traceback());
    REQUIRE(records[0].traceback_at <= records[0].text.size());
    CHECK(records[0].text.substr(records[0].traceback_at) ==
          "\n[...]\nfinal.Error: the cause");
  }

  TEST_CASE("flush: completes the open record once")
  {
    RecordBuilder builder;
    CHECK(!builder.add_line("ERROR one"));
    CHECK(builder.has_open_record());
    auto record = builder.flush();
    REQUIRE(record);
    CHECK(record->text == "ERROR one");
    CHECK(!builder.flush());
    CHECK(!builder.add_line("line\r"));
    CHECK(builder.flush()->text == "line");
  }
}
