// runner/util/json_error.cpp
#include <runner/util/json_error.hpp>

namespace tapline::util {

std::optional<std::string_view>
json_error_text(simdjson::error_code error)
{
  switch (error) {
  case simdjson::UTF8_ERROR:
    return "invalid UTF-8";
  case simdjson::UNCLOSED_STRING:
    return "unclosed string";
  case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
  case simdjson::OUT_OF_BOUNDS:
    return "incomplete object or array";
  case simdjson::TAPE_ERROR:
    return "unexpected content";
  case simdjson::NUMBER_ERROR:
    return "invalid number";
  case simdjson::STRING_ERROR:
    return "invalid string escape";
  case simdjson::T_ATOM_ERROR:
  case simdjson::F_ATOM_ERROR:
  case simdjson::N_ATOM_ERROR:
    return "invalid literal";
  case simdjson::DEPTH_ERROR:
    return "nesting too deep";
  default:
    return std::nullopt;
  }
}

} // namespace tapline::util
