// runner/util/json_string.cpp
#include <runner/util/json_string.hpp>

#include <fmt/format.h>

namespace tapline::util {

void
append_json_string(std::string& out, std::string_view text)
{
  out.push_back('"');
  for (const char c : text) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
      } else {
        out.push_back(c);
      }
    }
  }
  out.push_back('"');
}

} // namespace tapline::util
