// tests/unit/singer/message_reader_test.cpp
//
// MessageReader::read on hand-built lines (each in a buffer with
// SIMDJSON_PADDING spare bytes, as LineReader promises): every Singer message
// type, the raw text of record/value/schema, every error with its full text,
// and JSON validity against an outside reference (Python's json module,
// recorded in tests/fixtures/singer/json_validity.txt).

#include <runner/singer/line_reader.hpp>
#include <runner/singer/message.hpp>
#include <runner/singer/message_reader.hpp>

#include <doctest/doctest.h>
#include <simdjson.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <tests/unit/test_support.hpp>
#include <vector>

namespace {

using tapline::ErrorCode;
using tapline::singer::Line;
using tapline::singer::MessageReader;
using tapline::singer::MessageType;
using tapline::test::error_text;

// A copy of `text` followed by SIMDJSON_PADDING bytes, as a Line.
class PaddedLine
{
public:
  explicit PaddedLine(std::string_view text, std::uint64_t number = 1)
      : m_buffer(text.size() + simdjson::SIMDJSON_PADDING, '\0'),
        m_size(text.size()), m_number(number)
  {
    m_buffer.replace(0, text.size(), text);
  }

  [[nodiscard]] Line
  line() const
  {
    return Line{
        std::string_view(m_buffer.data(), m_size), m_buffer.size(), m_number};
  }

private:
  std::string m_buffer;
  std::size_t m_size;
  std::uint64_t m_number;
};

// The full error text ("where: message") of reading `text` as line `number`.
std::string
error_of(std::string_view text, std::uint64_t number = 1)
{
  MessageReader reader;
  const PaddedLine padded(text, number);
  const auto message = reader.read(padded.line());
  REQUIRE_FALSE(message.has_value());
  CHECK(message.error().code == ErrorCode::invalid_data);
  CHECK(message.error().where == "tap stdout line " + std::to_string(number));
  return message.error().to_string();
}

std::string
record_line(std::string_view value_json)
{
  return std::string(R"({"type":"RECORD","stream":"s","record":{"v":)") +
         std::string(value_json) + "}}";
}

std::vector<std::string>
read_lines(const std::filesystem::path& path)
{
  std::ifstream file(path, std::ios::binary);
  REQUIRE_MESSAGE(file.good(), path.string());
  const std::string content{std::istreambuf_iterator<char>(file),
                            std::istreambuf_iterator<char>()};
  std::vector<std::string> lines;
  std::size_t begin = 0;
  while (begin < content.size()) {
    const auto end = content.find('\n', begin);
    REQUIRE(end != std::string::npos);
    lines.push_back(content.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

struct FixtureEntry
{
  bool ok = false;
  std::string json;
  std::uint64_t number = 0; // line in the fixture file
};

// tests/fixtures/singer/json_validity.txt: "ok<TAB>json" or "bad<TAB>json"
// per line, verdicts from Python's json.loads; lines starting with '#' are
// comments.
std::vector<FixtureEntry>
validity_fixture()
{
  const auto path = std::filesystem::path(TAPLINE_SOURCE_DIR) / "tests" /
                    "fixtures" / "singer" / "json_validity.txt";
  std::vector<FixtureEntry> entries;
  std::uint64_t number = 0;
  for (const auto& text : read_lines(path)) {
    ++number;
    if (text.starts_with('#')) {
      continue;
    }
    const auto tab = text.find('\t');
    REQUIRE(tab != std::string::npos);
    const auto verdict = text.substr(0, tab);
    REQUIRE((verdict == "ok" || verdict == "bad"));
    entries.push_back({verdict == "ok", text.substr(tab + 1), number});
  }
  REQUIRE(entries.size() >= 40);
  return entries;
}

bool
is_known_divergence(std::string_view json)
{
  return json == "123456789012345678901234567890" || json == "1e400" ||
         json == R"("\ud800")";
}

} // namespace

TEST_SUITE("singer::MessageReader")
{
  TEST_CASE("read: each Singer message type decodes type and stream")
  {
    MessageReader reader;

    SUBCASE("SCHEMA")
    {
      const PaddedLine line(
          R"({"type":"SCHEMA","stream":"users","schema":{"type":"object"},"key_properties":["id"]})");
      const auto message = reader.read(line.line());
      REQUIRE_MESSAGE(message.has_value(), error_text(message));
      CHECK(message->type == MessageType::schema);
      CHECK(message->type_name == "SCHEMA");
      CHECK(message->stream == "users");
      CHECK(message->schema == R"({"type":"object"})");
    }
    SUBCASE("SCHEMA with a boolean schema")
    {
      const PaddedLine line(
          R"({"type":"SCHEMA","stream":"any","schema":true,"key_properties":[]})");
      const auto message = reader.read(line.line());
      REQUIRE_MESSAGE(message.has_value(), error_text(message));
      CHECK(message->type == MessageType::schema);
      CHECK(message->schema == "true");
    }
    SUBCASE("RECORD")
    {
      const PaddedLine line(
          R"({"type":"RECORD","stream":"users","record":{"id":1,"name":"Ann"},"time_extracted":"2024-01-01T00:00:00Z"})");
      const auto message = reader.read(line.line());
      REQUIRE_MESSAGE(message.has_value(), error_text(message));
      CHECK(message->type == MessageType::record);
      CHECK(message->type_name == "RECORD");
      CHECK(message->stream == "users");
      CHECK(message->record == R"({"id":1,"name":"Ann"})");
    }
    SUBCASE("STATE")
    {
      const PaddedLine line(
          R"({"type":"STATE","value":{"bookmarks":{"users":{"since":"2024-01-01"}}}})");
      const auto message = reader.read(line.line());
      REQUIRE_MESSAGE(message.has_value(), error_text(message));
      CHECK(message->type == MessageType::state);
      CHECK(message->type_name == "STATE");
      CHECK(message->stream.empty());
      CHECK(message->value ==
            R"({"bookmarks":{"users":{"since":"2024-01-01"}}})");
    }
    SUBCASE("STATE with a value that is not an object")
    {
      const PaddedLine line(R"({"type":"STATE","value":null})");
      const auto message = reader.read(line.line());
      REQUIRE_MESSAGE(message.has_value(), error_text(message));
      CHECK(message->type == MessageType::state);
      CHECK(message->value == "null");
    }
    SUBCASE("ACTIVATE_VERSION")
    {
      const PaddedLine line(
          R"({"type":"ACTIVATE_VERSION","stream":"users","version":1700000000000})");
      const auto message = reader.read(line.line());
      REQUIRE_MESSAGE(message.has_value(), error_text(message));
      CHECK(message->type == MessageType::activate_version);
      CHECK(message->type_name == "ACTIVATE_VERSION");
      CHECK(message->stream == "users");
    }
    SUBCASE("BATCH")
    {
      const PaddedLine line(
          R"({"type":"BATCH","stream":"users","encoding":{"format":"jsonl"},"manifest":["file:///tmp/a.jsonl"]})");
      const auto message = reader.read(line.line());
      REQUIRE_MESSAGE(message.has_value(), error_text(message));
      CHECK(message->type == MessageType::batch);
      CHECK(message->type_name == "BATCH");
      CHECK(message->stream == "users");
    }
    SUBCASE("an unknown type without stream")
    {
      const PaddedLine line(R"({"type":"METRIC","value":{"n":1}})");
      const auto message = reader.read(line.line());
      REQUIRE_MESSAGE(message.has_value(), error_text(message));
      CHECK(message->type == MessageType::unknown);
      CHECK(message->type_name == "METRIC");
      CHECK(message->stream.empty());
    }
    SUBCASE("an unknown type with a stream")
    {
      const PaddedLine line(R"({"type":"FUTURE","stream":"orders"})");
      const auto message = reader.read(line.line());
      REQUIRE_MESSAGE(message.has_value(), error_text(message));
      CHECK(message->type == MessageType::unknown);
      CHECK(message->type_name == "FUTURE");
      CHECK(message->stream == "orders");
    }
    SUBCASE("type names are case-sensitive")
    {
      const PaddedLine line(R"({"type":"record","stream":"s"})");
      const auto message = reader.read(line.line());
      REQUIRE_MESSAGE(message.has_value(), error_text(message));
      CHECK(message->type == MessageType::unknown);
      CHECK(message->type_name == "record");
    }
  }

  TEST_CASE("read: stream and type are unescaped")
  {
    MessageReader reader;
    const PaddedLine line(
        R"({"stream":"a\"b\u00e9\/c","type":"R\u0045CORD","record":{}})");
    const auto message = reader.read(line.line());
    REQUIRE_MESSAGE(message.has_value(), error_text(message));
    CHECK(message->type == MessageType::record);
    CHECK(message->type_name == "RECORD");
    CHECK(message->stream == "a\"b\xc3\xa9/c");
  }

  TEST_CASE("read: surrounding whitespace and member order do not matter")
  {
    MessageReader reader;
    const PaddedLine line(" \t{ \"record\" : { } , \"stream\" : \"s\" , "
                          "\"type\" : \"RECORD\" }\r ");
    const auto message = reader.read(line.line());
    REQUIRE_MESSAGE(message.has_value(), error_text(message));
    CHECK(message->type == MessageType::record);
    CHECK(message->stream == "s");
    CHECK(message->record == "{ }");
  }

  TEST_CASE("read: one reader parses line after line")
  {
    MessageReader reader;
    for (int index = 1; index <= 100; ++index) {
      const std::string text = R"({"type":"RECORD","stream":"s)" +
                               std::to_string(index) + R"(","record":{"n":)" +
                               std::to_string(index) + "}}";
      const PaddedLine line(text, static_cast<std::uint64_t>(index));
      const auto message = reader.read(line.line());
      REQUIRE_MESSAGE(message.has_value(), error_text(message));
      CHECK(message->stream == "s" + std::to_string(index));
      CHECK(message->record == R"({"n":)" + std::to_string(index) + "}");
    }
  }

  TEST_CASE("read: record, value and schema are the raw text as written")
  {
    MessageReader reader;
    SUBCASE("record: inner whitespace and number spelling are kept")
    {
      const PaddedLine line(
          "{\"type\":\"RECORD\",\"stream\":\"s\",\"record\": { \"name\" : "
          "\"caf\\u00e9 \\\"q\\\"\" ,\n \"n\" : [ 1.10 , -0 , 1E2 ] } \t "
          ",\"version\":1}");
      const auto message = reader.read(line.line());
      REQUIRE_MESSAGE(message.has_value(), error_text(message));
      CHECK(message->record ==
            "{ \"name\" : \"caf\\u00e9 \\\"q\\\"\" ,\n \"n\" : [ 1.10 , -0 , "
            "1E2 ] }");
    }
    SUBCASE("record: the last member, before the closing brace")
    {
      const PaddedLine line(
          R"({"type":"RECORD","stream":"s","record":{"a":[{}]}  })");
      const auto message = reader.read(line.line());
      REQUIRE_MESSAGE(message.has_value(), error_text(message));
      CHECK(message->record == R"({"a":[{}]})");
    }
    SUBCASE("record: the first member")
    {
      const PaddedLine line(
          R"({"record":{"k":"v"},"stream":"s","type":"RECORD"})");
      const auto message = reader.read(line.line());
      REQUIRE_MESSAGE(message.has_value(), error_text(message));
      CHECK(message->record == R"({"k":"v"})");
    }
    SUBCASE("value: a literal")
    {
      const PaddedLine line(R"({"type":"STATE","value":  true })");
      const auto message = reader.read(line.line());
      REQUIRE_MESSAGE(message.has_value(), error_text(message));
      CHECK(message->value == "true");
    }
    SUBCASE("value: a string")
    {
      const PaddedLine line(R"({"type":"STATE","value":"a,b}"})");
      const auto message = reader.read(line.line());
      REQUIRE_MESSAGE(message.has_value(), error_text(message));
      CHECK(message->value == R"("a,b}")");
    }
    SUBCASE("schema: nested objects")
    {
      const PaddedLine line(
          R"({"type":"SCHEMA","stream":"s","schema":{"properties":{"id":{"type":["integer","null"]}}},"key_properties":[]})");
      const auto message = reader.read(line.line());
      REQUIRE_MESSAGE(message.has_value(), error_text(message));
      CHECK(message->schema ==
            R"({"properties":{"id":{"type":["integer","null"]}}})");
    }
  }

  // A scalar member of the root object is one token: its raw text is the
  // token (regression: it used to come out empty for numbers).
  TEST_CASE("read: a number as a top-level value has its raw text")
  {
    MessageReader reader;
    SUBCASE("STATE value")
    {
      const PaddedLine line(R"({"type":"STATE","value":  12.50 })");
      const auto message = reader.read(line.line());
      REQUIRE_MESSAGE(message.has_value(), error_text(message));
      CHECK(message->value == "12.50");
    }
    SUBCASE("STATE value, not the last member")
    {
      const PaddedLine line(R"({"value":0,"type":"STATE"})");
      const auto message = reader.read(line.line());
      REQUIRE_MESSAGE(message.has_value(), error_text(message));
      CHECK(message->value == "0");
    }
    SUBCASE("RECORD whose record is a number")
    {
      CHECK(
          error_of(R"({"type":"RECORD","stream":"s","record":2})") ==
          R"(tap stdout line 1: 'record' must be an object: {"type":"RECORD","stream":"s","record":2})");
    }
  }

  TEST_CASE("read: integers keep every digit")
  {
    MessageReader reader;
    const PaddedLine line(
        R"({"type":"RECORD","stream":"s","record":{"max":18446744073709551615,"min":-9223372036854775808,"zero":0}})");
    const auto message = reader.read(line.line());
    REQUIRE_MESSAGE(message.has_value(), error_text(message));
    CHECK(
        message->record ==
        R"({"max":18446744073709551615,"min":-9223372036854775808,"zero":0})");
  }

  TEST_CASE("read: malformed JSON is rejected with what is wrong and an "
            "excerpt")
  {
    SUBCASE("a truncated object")
    {
      CHECK(error_of(R"({"type":"RECORD","stream":"s")", 3) ==
            "tap stdout line 3: malformed JSON (incomplete object or array): "
            R"({"type":"RECORD","stream":"s")");
    }
    SUBCASE("a truncated object inside the record")
    {
      CHECK(error_of(R"({"type":"RECORD","stream":"s","record":{"a":1)") ==
            "tap stdout line 1: malformed JSON (incomplete object or array): "
            R"({"type":"RECORD","stream":"s","record":{"a":1)");
    }
    SUBCASE("only an opening brace")
    {
      CHECK(
          error_of("{") ==
          "tap stdout line 1: malformed JSON (incomplete object or array): {");
    }
    SUBCASE("a closing brace too many")
    {
      CHECK(error_of(R"({"type":"STATE","value":{}}})") ==
            "tap stdout line 1: malformed JSON (unexpected content after the "
            "object): "
            R"({"type":"STATE","value":{}}})");
    }
    SUBCASE("a missing comma between members")
    {
      CHECK(error_of(R"({"type":"STATE","value":{"a" 1}})") ==
            "tap stdout line 1: malformed JSON (unexpected content): "
            R"({"type":"STATE","value":{"a" 1}})");
    }
    SUBCASE("a trailing comma in an array")
    {
      CHECK(error_of(R"({"type":"STATE","value":[1,]})") ==
            "tap stdout line 1: malformed JSON (unexpected content): "
            R"({"type":"STATE","value":[1,]})");
    }
    SUBCASE("a second object on the same line")
    {
      CHECK(error_of(R"({"type":"STATE","value":{}}{"type":"STATE"})") ==
            "tap stdout line 1: malformed JSON (unexpected content after the "
            "object): "
            R"({"type":"STATE","value":{}}{"type":"STATE"})");
    }
    SUBCASE("invalid UTF-8 bytes in a string")
    {
      CHECK(error_of("{\"type\":\"RECORD\",\"stream\":\"s\",\"record\":{\"a\":"
                     "\"\xff\xfe\"}}") ==
            "tap stdout line 1: malformed JSON (invalid UTF-8): "
            "{\"type\":\"RECORD\",\"stream\":\"s\",\"record\":{\"a\":"
            "\"\xff\xfe\"}}");
    }
    SUBCASE("a bad escape in a string")
    {
      CHECK(error_of(R"({"type":"RECORD","stream":"s","record":{"a":"\q"}})") ==
            "tap stdout line 1: malformed JSON (invalid string escape): "
            R"({"type":"RECORD","stream":"s","record":{"a":"\q"}})");
    }
    SUBCASE("an unclosed string")
    {
      CHECK(error_of(R"({"type":"RECORD","stream":"s)") ==
            "tap stdout line 1: malformed JSON (unclosed string): "
            R"({"type":"RECORD","stream":"s)");
    }
    SUBCASE("an invalid number")
    {
      CHECK(error_of(R"({"type":"RECORD","stream":"s","record":{"a":01}})") ==
            "tap stdout line 1: malformed JSON (invalid number): "
            R"({"type":"RECORD","stream":"s","record":{"a":01}})");
    }
    SUBCASE("NaN is not JSON")
    {
      CHECK(error_of(R"({"type":"RECORD","stream":"s","record":{"a":NaN}})") ==
            "tap stdout line 1: malformed JSON (unexpected content): "
            R"({"type":"RECORD","stream":"s","record":{"a":NaN}})");
    }
    SUBCASE("an invalid literal")
    {
      CHECK(error_of(R"({"type":"RECORD","stream":"s","record":{"a":nul}})") ==
            "tap stdout line 1: malformed JSON (invalid literal): "
            R"({"type":"RECORD","stream":"s","record":{"a":nul}})");
    }
    SUBCASE("an empty line")
    {
      CHECK(error_of("") == "tap stdout line 1: malformed JSON (empty line): ");
    }
    SUBCASE("a line of only whitespace")
    {
      CHECK(error_of(" \t ") ==
            "tap stdout line 1: malformed JSON (empty line):  \t ");
    }
  }

  TEST_CASE("read: a root object cut after its record says it is incomplete")
  {
    CHECK(error_of(R"({"type":"RECORD","stream":"s","record":{"a":1})", 3) ==
          "tap stdout line 3: malformed JSON (incomplete object or array): "
          R"({"type":"RECORD","stream":"s","record":{"a":1})");
    CHECK(error_of(R"({"type":"STATE","value":{})") ==
          "tap stdout line 1: malformed JSON (incomplete object or array): "
          R"({"type":"STATE","value":{})");
  }

  TEST_CASE("read: garbage after a complete object is unexpected content")
  {
    for (const std::string tail : {" x", " 1", ",", " ]", " // comment"}) {
      const std::string text = R"({"type":"STATE","value":{}})" + tail;
      CAPTURE(text);
      CHECK(error_of(text) == "tap stdout line 1: malformed JSON (unexpected "
                              "content after the object): " +
                                  text);
    }
  }

  // The validator recurses once per level; 1024 levels is simdjson's DOM
  // default and the limit, so a hostile line cannot overflow the stack.
  TEST_CASE("read: nesting deeper than the parser allows is rejected")
  {
    const std::string deep =
        record_line(std::string(1100, '[') + std::string(1100, ']'));
    CHECK(error_of(deep) ==
          "tap stdout line 1: malformed JSON (nesting too deep): " +
              deep.substr(0, 120) + "...");
  }

  TEST_CASE("read: very deep nesting does not crash")
  {
    const std::string deep =
        record_line(std::string(200'000, '[') + std::string(200'000, ']'));
    CHECK(error_of(deep) ==
          "tap stdout line 1: malformed JSON (nesting too deep): " +
              deep.substr(0, 120) + "...");
  }

  TEST_CASE("read: the excerpt in an error is cut at 120 characters")
  {
    const std::string text =
        R"({"type":"RECORD","stream":"s","record":{"long":")" +
        std::string(300, 'x') + R"("},"extra":})";
    CHECK(error_of(text, 42) ==
          "tap stdout line 42: malformed JSON (unexpected content): " +
              text.substr(0, 120) + "...");
  }

  TEST_CASE("read: a line that is not a Singer message is rejected")
  {
    SUBCASE("an array")
    {
      CHECK(
          error_of(R"([{"type":"RECORD"}])") ==
          R"(tap stdout line 1: expected a JSON object: [{"type":"RECORD"}])");
    }
    SUBCASE("a string")
    {
      CHECK(error_of(R"("RECORD")") ==
            R"(tap stdout line 1: expected a JSON object: "RECORD")");
    }
    SUBCASE("a number")
    {
      CHECK(error_of("42") == "tap stdout line 1: expected a JSON object: 42");
    }
    SUBCASE("no type")
    {
      CHECK(
          error_of(R"({"stream":"s","record":{}})") ==
          R"(tap stdout line 1: message has no 'type': {"stream":"s","record":{}})");
    }
    SUBCASE("a type that is not a string")
    {
      CHECK(
          error_of(R"({"type":1,"stream":"s"})") ==
          R"(tap stdout line 1: 'type' must be a string: {"type":1,"stream":"s"})");
    }
    SUBCASE("a type that is null")
    {
      CHECK(error_of(R"({"type":null})") ==
            R"(tap stdout line 1: 'type' must be a string: {"type":null})");
    }
    SUBCASE("a stream that is not a string")
    {
      CHECK(
          error_of(R"({"type":"RECORD","stream":7,"record":{}})") ==
          R"(tap stdout line 1: 'stream' must be a string: {"type":"RECORD","stream":7,"record":{}})");
    }
  }

  TEST_CASE("read: a message without the fields its type requires is "
            "rejected")
  {
    SUBCASE("RECORD without stream")
    {
      CHECK(
          error_of(R"({"type":"RECORD","record":{"a":1}})", 5) ==
          R"(tap stdout line 5: RECORD message has no 'stream': {"type":"RECORD","record":{"a":1}})");
    }
    SUBCASE("RECORD without record")
    {
      CHECK(
          error_of(R"({"type":"RECORD","stream":"s"})") ==
          R"(tap stdout line 1: RECORD message has no 'record': {"type":"RECORD","stream":"s"})");
    }
    SUBCASE("RECORD whose record is not an object")
    {
      CHECK(
          error_of(R"({"type":"RECORD","stream":"s","record":[1]})") ==
          R"(tap stdout line 1: 'record' must be an object: {"type":"RECORD","stream":"s","record":[1]})");
    }
    SUBCASE("RECORD whose record is null")
    {
      CHECK(
          error_of(R"({"type":"RECORD","stream":"s","record":null})") ==
          R"(tap stdout line 1: 'record' must be an object: {"type":"RECORD","stream":"s","record":null})");
    }
    SUBCASE("SCHEMA without key_properties")
    {
      CHECK(
          error_of(R"({"type":"SCHEMA","stream":"s","schema":{}})") ==
          R"(tap stdout line 1: SCHEMA message has no 'key_properties': {"type":"SCHEMA","stream":"s","schema":{}})");
    }
    SUBCASE("SCHEMA whose key_properties is not an array")
    {
      CHECK(
          error_of(
              R"({"type":"SCHEMA","stream":"s","schema":{},"key_properties":"id"})") ==
          R"(tap stdout line 1: 'key_properties' must be an array: {"type":"SCHEMA","stream":"s","schema":{},"key_properties":"id"})");
    }
    SUBCASE("SCHEMA without schema")
    {
      CHECK(
          error_of(R"({"type":"SCHEMA","stream":"s","key_properties":[]})") ==
          R"(tap stdout line 1: SCHEMA message has no 'schema': {"type":"SCHEMA","stream":"s","key_properties":[]})");
    }
    SUBCASE("SCHEMA whose schema is not an object")
    {
      CHECK(
          error_of(
              R"({"type":"SCHEMA","stream":"s","schema":"x","key_properties":[]})") ==
          R"(tap stdout line 1: 'schema' must be an object: {"type":"SCHEMA","stream":"s","schema":"x","key_properties":[]})");
    }
    SUBCASE("SCHEMA without stream")
    {
      CHECK(
          error_of(R"({"type":"SCHEMA","schema":{},"key_properties":[]})") ==
          R"(tap stdout line 1: SCHEMA message has no 'stream': {"type":"SCHEMA","schema":{},"key_properties":[]})");
    }
    SUBCASE("STATE without value")
    {
      CHECK(
          error_of(R"({"type":"STATE","bookmarks":{}})") ==
          R"(tap stdout line 1: STATE message has no 'value': {"type":"STATE","bookmarks":{}})");
    }
    SUBCASE("ACTIVATE_VERSION without version")
    {
      CHECK(
          error_of(R"({"type":"ACTIVATE_VERSION","stream":"s"})") ==
          R"(tap stdout line 1: ACTIVATE_VERSION message has no 'version': {"type":"ACTIVATE_VERSION","stream":"s"})");
    }
    SUBCASE("BATCH without stream")
    {
      CHECK(
          error_of(R"({"type":"BATCH","manifest":[]})") ==
          R"(tap stdout line 1: BATCH message has no 'stream': {"type":"BATCH","manifest":[]})");
    }
  }

  TEST_CASE("read: a huge line, then small ones")
  {
    // Crossing the parser's shrink threshold must not disturb later lines.
    MessageReader reader;
    const std::string big =
        record_line('"' + std::string(std::size_t{17} << 20, 'h') + '"');
    const PaddedLine big_line(big, 1);
    const auto first = reader.read(big_line.line());
    REQUIRE_MESSAGE(first.has_value(), error_text(first));
    CHECK(first->type == MessageType::record);

    const PaddedLine small(record_line("1"), 2);
    const auto second = reader.read(small.line());
    REQUIRE_MESSAGE(second.has_value(), error_text(second));
    CHECK(second->record == R"({"v":1})");
  }

  TEST_CASE("read: accepts exactly the JSON that Python's json module accepts")
  {
    std::size_t ok_count = 0;
    std::size_t bad_count = 0;
    MessageReader reader;
    for (const auto& entry : validity_fixture()) {
      if (is_known_divergence(entry.json)) {
        continue; // see the skipped test below
      }
      (entry.ok ? ok_count : bad_count)++;
      const PaddedLine line(record_line(entry.json), entry.number);
      const auto message = reader.read(line.line());
      CAPTURE(entry.number);
      CAPTURE(entry.json);
      if (entry.ok) {
        CHECK_MESSAGE(message.has_value(), error_text(message));
      } else {
        REQUIRE_FALSE(message.has_value());
        CHECK(message.error().code == ErrorCode::invalid_data);
        CHECK(message.error().message.starts_with("malformed JSON ("));
      }
    }
    CHECK(ok_count >= 20);
    CHECK(bad_count >= 30);
  }

  // Valid JSON that Python accepts, and what MessageReader does with it:
  //  - 123456789012345678901234567890 and 1e400: accepted. Numbers are
  //    checked against the JSON grammar, not converted, because taps emit
  //    integers wider than 64 bits (NUMERIC(38) columns, big ids).
  //  - "\ud800" (a lone surrogate): rejected as "invalid string escape"; it
  //    is not Unicode, and a target writing it to a database would fail.
  TEST_CASE(
      "read: JSON that Python accepts: big numbers yes, lone surrogates no")
  {
    MessageReader reader;
    std::size_t seen = 0;
    for (const auto& entry : validity_fixture()) {
      if (!is_known_divergence(entry.json)) {
        continue;
      }
      ++seen;
      CHECK(entry.ok);
      const PaddedLine line(record_line(entry.json), entry.number);
      const auto message = reader.read(line.line());
      CAPTURE(entry.json);
      const bool lone_surrogate =
          entry.json.find("\\ud800") != std::string::npos;
      CHECK_MESSAGE(message.has_value() != lone_surrogate, error_text(message));
    }
    CHECK(seen == 3);
  }
}
