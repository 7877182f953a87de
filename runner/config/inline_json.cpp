// runner/config/inline_json.cpp
//
// YAML to JSON for inline process configs. A hand-written writer rather
// than a JSON library: the output is small, compact and written once per
// run, and the typing rules (plain vs quoted scalars) are YAML's, which no
// JSON library knows about.

#include <runner/config/inline_json.hpp>
#include <runner/util/json_string.hpp>

#include <charconv>
#include <cstdint>
#include <vector>

namespace tapline::config {

namespace {

// Deeper nesting than this is refused: real configs are a few levels deep,
// and it bounds the recursion whatever the document looks like.
constexpr std::size_t k_max_depth = 64;

bool
is_digits(std::string_view text, bool hex = false)
{
  if (text.empty()) {
    return false;
  }
  for (const char c : text) {
    const bool digit = c >= '0' && c <= '9';
    const bool hex_letter = (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!digit && !(hex && hex_letter)) {
      return false;
    }
  }
  return true;
}

// "007" -> "7", "0" -> "0": JSON numbers have no leading zeros.
std::string_view
strip_leading_zeros(std::string_view digits)
{
  while (digits.size() > 1 && digits.front() == '0') {
    digits.remove_prefix(1);
  }
  return digits;
}

// Hex (0x) and octal (0o) integers in decimal, when they fit in 64 bits.
std::optional<std::string>
radix_integer(std::string_view text)
{
  int base = 0;
  if (text.starts_with("0x")) {
    base = 16;
  } else if (text.starts_with("0o")) {
    base = 8;
  } else {
    return std::nullopt;
  }
  const std::string_view digits = text.substr(2);
  if (!is_digits(digits, base == 16)) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(
      digits.data(), digits.data() + digits.size(), value, base);
  if (ec != std::errc{} || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return std::to_string(value);
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? in JSON's spelling.
std::optional<std::string>
decimal_number(std::string_view text)
{
  std::string out;
  if (text.starts_with('-') || text.starts_with('+')) {
    if (text.front() == '-') {
      out += '-';
    }
    text.remove_prefix(1);
  }
  const std::size_t exponent_at = text.find_first_of("eE");
  const std::string_view mantissa = text.substr(0, exponent_at);
  const std::size_t dot = mantissa.find('.');
  const std::string_view whole = mantissa.substr(0, dot);
  const std::string_view fraction =
      dot == mantissa.npos ? std::string_view{} : mantissa.substr(dot + 1);
  if (!whole.empty() && !is_digits(whole)) {
    return std::nullopt;
  }
  if (!fraction.empty() && !is_digits(fraction)) {
    return std::nullopt;
  }
  if (whole.empty() && fraction.empty()) {
    return std::nullopt;
  }
  out += whole.empty() ? std::string_view("0") : strip_leading_zeros(whole);
  if (dot != mantissa.npos) {
    out += '.';
    out += fraction.empty() ? std::string_view("0") : fraction;
  }
  if (exponent_at != text.npos) {
    std::string_view exponent = text.substr(exponent_at + 1);
    std::string sign;
    if (exponent.starts_with('-') || exponent.starts_with('+')) {
      sign = exponent.front();
      exponent.remove_prefix(1);
    }
    if (!is_digits(exponent)) {
      return std::nullopt;
    }
    out += 'e';
    out += sign;
    out += exponent;
  }
  return out;
}

Result<void> append_value(const YamlReader& reader,
                          std::string& out,
                          const YAML::Node& node,
                          const YAML::Node& at,
                          const std::string& path,
                          std::vector<YAML::Node>& ancestors);

// Append `node` as JSON; `ancestors` are the collections being written
// around it.
Result<void>
append_json(const YamlReader& reader,
            std::string& out,
            const YAML::Node& node,
            const YAML::Node& at,
            const std::string& path,
            std::vector<YAML::Node>& ancestors)
{
  // An alias to an enclosing node (`a: &x [*x]`) makes yaml-cpp build a
  // cycle; following it would never end.
  for (const YAML::Node& ancestor : ancestors) {
    if (ancestor.is(node)) {
      return reader.error(at, path, "alias to an enclosing node (a cycle)");
    }
  }
  if (ancestors.size() >= k_max_depth) {
    return reader.error(at,
                        path,
                        "nested deeper than " + std::to_string(k_max_depth) +
                            " levels");
  }
  const bool collection = node.IsSequence() || node.IsMap();
  if (collection) {
    ancestors.push_back(node);
  }
  Result<void> result = append_value(reader, out, node, at, path, ancestors);
  if (collection) {
    ancestors.pop_back();
  }
  return result;
}

Result<void>
append_value(const YamlReader& reader,
             std::string& out,
             const YAML::Node& node,
             const YAML::Node& at,
             const std::string& path,
             std::vector<YAML::Node>& ancestors)
{
  switch (node.Type()) {
  case YAML::NodeType::Null:
  case YAML::NodeType::Undefined:
    out += "null";
    return {};
  case YAML::NodeType::Scalar: {
    TRY_ASSIGN(const std::string text, reader.scalar(node, at, path));
    // "?" is yaml-cpp's tag for plain scalars; quoted ones get "!", and an
    // explicit tag (!!str) also means "take it as written".
    if (node.Tag() == "?") {
      if (auto literal = plain_scalar_json(text)) {
        out += *literal;
        return {};
      }
    }
    util::append_json_string(out, text);
    return {};
  }
  case YAML::NodeType::Sequence: {
    out += '[';
    std::size_t index = 0;
    for (const auto& item : node) {
      out += index == 0 ? "" : ",";
      const std::string item_path = path + "[" + std::to_string(index) + "]";
      TRY(append_json(reader, out, item, item, item_path, ancestors));
      ++index;
    }
    out += ']';
    return {};
  }
  case YAML::NodeType::Map: {
    TRY_ASSIGN(const Mapping mapping, reader.mapping(node, at, path));
    out += '{';
    bool first = true;
    for (const Entry& entry : mapping.entries) {
      out += first ? "" : ",";
      first = false;
      util::append_json_string(out, entry.key);
      out += ':';
      TRY(append_json(reader,
                      out,
                      entry.value,
                      entry.at(),
                      child_path(path, entry.key),
                      ancestors));
    }
    out += '}';
    return {};
  }
  }
  return {};
}

} // namespace

std::optional<std::string>
plain_scalar_json(std::string_view text)
{
  if (text.empty() || text == "~" || text == "null" || text == "Null" ||
      text == "NULL") {
    return "null";
  }
  if (text == "true" || text == "True" || text == "TRUE") {
    return "true";
  }
  if (text == "false" || text == "False" || text == "FALSE") {
    return "false";
  }
  if (auto integer = radix_integer(text)) {
    return integer;
  }
  return decimal_number(text);
}

Result<std::string>
inline_json(const YamlReader& reader,
            const YAML::Node& node,
            std::string_view path)
{
  std::string out;
  std::vector<YAML::Node> ancestors;
  TRY(append_json(reader, out, node, node, std::string(path), ancestors));
  return out;
}

} // namespace tapline::config
