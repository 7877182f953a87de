// tests/unit/config/inline_json_test.cpp
//
// Inline tap/target configs: the JSON string escaper, YAML scalar typing,
// and whole mappings converted through load_config.

#include <runner/config/inline_json.hpp>
#include <runner/util/json_string.hpp>
#include <runner/config/loader.hpp>

#include <doctest/doctest.h>

#include <string>
#include <tests/unit/config/config_test_support.hpp>

using tapline::util::append_json_string;
using tapline::config::plain_scalar_json;

namespace {

std::string
json_string(std::string_view text)
{
  std::string out;
  append_json_string(out, text);
  return out;
}

// The inline JSON of the tap config `config_yaml` (a flow or block
// mapping written after "config: ").
std::string
tap_config_json(const std::string& config_yaml,
                std::map<std::string, std::string> vars = {})
{
  const std::string yaml = "integrations:\n"
                           "  demo:\n"
                           "    tap:\n"
                           "      command: [tap-x]\n"
                           "      config: " +
                           config_yaml +
                           "\n"
                           "    target: {null: {}}\n";
  const auto config = tapline::config::load_config_from_string(
      yaml, "tapline.yaml", tapline::test::fake_env(std::move(vars)));
  REQUIRE(config.has_value());
  REQUIRE(config->integrations.front().tap.config.inline_json.has_value());
  return *config->integrations.front().tap.config.inline_json;
}

} // namespace

TEST_SUITE("config::inline_json")
{
  TEST_CASE("append_json_string: plain text is quoted")
  {
    CHECK(json_string("") == R"("")");
    CHECK(json_string("users") == R"("users")");
  }

  TEST_CASE("append_json_string: quotes, backslashes and control characters")
  {
    CHECK(json_string("say \"hi\"") == R"("say \"hi\"")");
    CHECK(json_string("C:\\tmp") == R"("C:\\tmp")");
    CHECK(json_string("a\nb\tc\rd\be\ff") == R"("a\nb\tc\rd\be\ff")");
    CHECK(json_string(std::string("\x00\x01\x1f", 3)) ==
          R"("\u0000\u0001\u001f")");
    CHECK(json_string("\x7f") == "\"\x7f\"");
    CHECK(json_string("/") == R"("/")");
  }

  TEST_CASE("append_json_string: UTF-8 passes through unchanged")
  {
    CHECK(json_string("Zürich") == "\"Zürich\"");
    CHECK(json_string("日本語 ✓ 🚀") == "\"日本語 ✓ 🚀\"");
    CHECK(json_string("\u2028") == "\"\u2028\"");
  }

  TEST_CASE("plain_scalar_json: booleans and null (YAML 1.2 core)")
  {
    CHECK(plain_scalar_json("true") == "true");
    CHECK(plain_scalar_json("True") == "true");
    CHECK(plain_scalar_json("FALSE") == "false");
    CHECK(plain_scalar_json("null") == "null");
    CHECK(plain_scalar_json("~") == "null");
    CHECK(plain_scalar_json("") == "null");
    CHECK_FALSE(plain_scalar_json("yes")); // YAML 1.1 only
    CHECK_FALSE(plain_scalar_json("on"));
    CHECK_FALSE(plain_scalar_json("tRUE"));
  }

  TEST_CASE("plain_scalar_json: numbers in JSON spelling")
  {
    CHECK(plain_scalar_json("1000") == "1000");
    CHECK(plain_scalar_json("-7") == "-7");
    CHECK(plain_scalar_json("+7") == "7");
    CHECK(plain_scalar_json("007") == "7");
    CHECK(plain_scalar_json("0") == "0");
    CHECK(plain_scalar_json("3.25") == "3.25");
    CHECK(plain_scalar_json(".5") == "0.5");
    CHECK(plain_scalar_json("-.5") == "-0.5");
    CHECK(plain_scalar_json("1.") == "1.0");
    CHECK(plain_scalar_json("1e3") == "1e3");
    CHECK(plain_scalar_json("2.5E-3") == "2.5e-3");
    CHECK(plain_scalar_json("0x1F") == "31");
    CHECK(plain_scalar_json("0o17") == "15");
    CHECK(plain_scalar_json("12345678901234567890123") ==
          "12345678901234567890123");
  }

  TEST_CASE("plain_scalar_json: strings stay strings")
  {
    CHECK_FALSE(plain_scalar_json("users"));
    CHECK_FALSE(plain_scalar_json("1.2.3"));
    CHECK_FALSE(plain_scalar_json("1_000"));
    CHECK_FALSE(plain_scalar_json("1e"));
    CHECK_FALSE(plain_scalar_json("."));
    CHECK_FALSE(plain_scalar_json("-"));
    CHECK_FALSE(plain_scalar_json("0x"));
    CHECK_FALSE(plain_scalar_json("0o8"));
    CHECK_FALSE(plain_scalar_json(".inf"));
    CHECK_FALSE(plain_scalar_json(".nan"));
    CHECK_FALSE(plain_scalar_json("2024-01-01"));
    CHECK_FALSE(plain_scalar_json("12:30"));
  }

  TEST_CASE("inline config: plain scalars are typed, quoted ones are strings")
  {
    CHECK(tap_config_json("{streams: [users, orders], records: 1000}") ==
          R"({"streams":["users","orders"],"records":1000})");
    CHECK(
        tap_config_json(
            R"({a: 1, b: "1", c: '1', d: true, e: "true", f: null, g: ~, h: 2.5, i: !!str 3})") ==
        R"({"a":1,"b":"1","c":"1","d":true,"e":"true","f":null,"g":null,"h":2.5,"i":"3"})");
    CHECK(tap_config_json("{empty: , quoted_empty: ''}") ==
          R"({"empty":null,"quoted_empty":""})");
  }

  TEST_CASE("inline config: nesting, block style and key order")
  {
    CHECK(tap_config_json("\n"
                          "        zeta: {nested: [1, [2, {x: y}]]}\n"
                          "        alpha: []\n"
                          "        mid: {}") ==
          R"({"zeta":{"nested":[1,[2,{"x":"y"}]]},"alpha":[],"mid":{}})");
  }

  TEST_CASE("inline config: strings are escaped")
  {
    CHECK(tap_config_json(
              R"({q: "a \"b\"\n\tc\u0001", path: 'C:\dir', u: Zürich})") ==
          R"({"q":"a \"b\"\n\tc\u0001","path":"C:\\dir","u":"Zürich"})");
  }

  TEST_CASE("inline config: interpolation happens before typing")
  {
    const std::map<std::string, std::string> vars{
        {"N", "250"}, {"FLAG", "false"}, {"TOKEN", "s3cr\"t"}};
    // Block style: in a flow mapping the '}' of "${N}" would end the
    // mapping, so there such values must be quoted (and are then strings).
    CHECK(tap_config_json("\n"
                          "        n: ${N}\n"
                          "        quoted_n: \"${N}\"\n"
                          "        flag: ${FLAG}\n"
                          "        token: ${TOKEN}\n"
                          "        d: ${UNSET:-12}\n"
                          "        e: ${UNSET:-}",
                          vars) ==
          R"({"n":250,"quoted_n":"250","flag":false,"token":"s3cr\"t",)"
          R"("d":12,"e":null})");
    CHECK(tap_config_json("\n"
                          "        price: $$5\n"
                          "        keys:\n"
                          "          ${NOT_A_KEY_VAR}: 1") ==
          R"({"price":"$5","keys":{"${NOT_A_KEY_VAR}":1}})");
  }

  TEST_CASE("inline config: an alias to an enclosing node is refused")
  {
    CHECK(tapline::test::config_error("integrations:\n"
                                      "  demo:\n"
                                      "    tap:\n"
                                      "      command: [tap-x]\n"
                                      "      config: {loop: &l [*l]}\n"
                                      "    target: {null: {}}\n") ==
          "tapline.yaml:5:22: integrations.demo.tap.config.loop[0]: alias "
          "to an enclosing node (a cycle)");
  }

  TEST_CASE("inline config: nesting is bounded")
  {
    const std::string deep = std::string(70, '[') + std::string(70, ']');
    const std::string error =
        tapline::test::config_error("integrations:\n"
                                    "  demo:\n"
                                    "    tap:\n"
                                    "      command: [tap-x]\n"
                                    "      config: {deep: " +
                                    deep +
                                    "}\n"
                                    "    target: {null: {}}\n");
    CHECK(error.starts_with(
        "tapline.yaml:5:85: integrations.demo.tap.config.deep[0]"));
    CHECK(error.ends_with("[0]: nested deeper than 64 levels"));
  }
}
