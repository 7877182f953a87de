// tests/unit/singer/json_number_test.cpp
//
// is_json_number against RFC 8259's number grammar. Python's json.loads
// gives the same verdicts for every entry (checked when this table was
// written) except NaN and Infinity, which it accepts as an extension and
// JSON does not allow. The json_validity fixture covers numbers inside
// records too.

#include <runner/singer/json_number.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using tapline::singer::is_json_number;

TEST_SUITE("singer::is_json_number")
{
  TEST_CASE("is_json_number: numbers JSON allows")
  {
    const std::vector<std::string> valid = {"0",
                                            "-0",
                                            "7",
                                            "-12",
                                            "3.25",
                                            "0.5",
                                            "1e5",
                                            "1E+5",
                                            "2.5e-3",
                                            "123456789012345678901234567890",
                                            "1e400",
                                            "42 ",
                                            "42\t\r\n"};
    for (const auto& text : valid) {
      CAPTURE(text);
      CHECK(is_json_number(text));
    }
  }

  TEST_CASE("is_json_number: what JSON does not allow")
  {
    const std::vector<std::string> invalid = {"",
                                              "-",
                                              "01",
                                              "-01",
                                              "1.",
                                              ".5",
                                              "+1",
                                              "1e",
                                              "1e+",
                                              "1.5.2",
                                              "0x1F",
                                              "NaN",
                                              "Infinity",
                                              "1 2",
                                              "12a"};
    for (const auto& text : invalid) {
      CAPTURE(text);
      CHECK_FALSE(is_json_number(text));
    }
  }
}
