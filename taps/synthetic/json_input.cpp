// taps/synthetic/json_input.cpp
// Reading and type-checking the tap's JSON input files. See the header.

#include "json_input.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

namespace tapline::synthetic {

namespace {

constexpr std::size_t k_shown_string_chars = 40;

[[nodiscard]] std::expected<std::string, std::string>
read_text_file(const std::string& path)
{
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return std::unexpected(
        fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  }
  std::string text;
  char chunk[64 * 1024];
  for (;;) {
    const ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      const int saved = errno;
      ::close(fd);
      return std::unexpected(
          fmt::format("{}: cannot read: {}", path, std::strerror(saved)));
    }
    if (got == 0) {
      break;
    }
    text.append(chunk, static_cast<std::size_t>(got));
  }
  ::close(fd);
  return text;
}

[[nodiscard]] bool
is_blank(std::string_view text)
{
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

} // namespace

std::expected<simdjson::dom::element, std::string>
parse_json_file(const std::string& path,
                simdjson::dom::parser& parser,
                EmptyFile empty)
{
  auto text = read_text_file(path);
  if (!text) {
    return std::unexpected(text.error());
  }
  if (is_blank(*text)) {
    if (empty == EmptyFile::error) {
      return std::unexpected(
          fmt::format("{}: expected a JSON object, the file is empty", path));
    }
    *text = "null";
  }
  simdjson::dom::element root;
  if (auto error = parser.parse(*text).get(root); error) {
    return std::unexpected(fmt::format(
        "{}: not valid JSON: {}", path, simdjson::error_message(error)));
  }
  return root;
}

std::string
describe_json(simdjson::dom::element value)
{
  using simdjson::dom::element_type;
  switch (value.type()) {
  case element_type::ARRAY:
    return "an array";
  case element_type::OBJECT:
    return "an object";
  case element_type::NULL_VALUE:
    return "null";
  case element_type::BOOL:
    return bool(value.get_bool()) ? "true" : "false";
  case element_type::INT64:
    return fmt::format("{}", int64_t(value.get_int64()));
  case element_type::UINT64:
    return fmt::format("{}", uint64_t(value.get_uint64()));
  case element_type::DOUBLE:
    return fmt::format("{}", double(value.get_double()));
  case element_type::STRING: {
    std::string_view text = value.get_string();
    if (text.size() > k_shown_string_chars) {
      return "a string";
    }
    return fmt::format("\"{}\"", text);
  }
  }
  return "an unknown value";
}

FieldReader::FieldReader(std::string_view file,
                         simdjson::dom::object object,
                         std::string key_prefix)
    : m_file(file), m_object(object), m_key_prefix(std::move(key_prefix))
{
}

std::optional<simdjson::dom::element>
FieldReader::lookup(std::string_view key)
{
  simdjson::dom::element value;
  if (!ok() || m_object.at_key(key).get(value) != simdjson::SUCCESS ||
      value.is_null()) {
    return std::nullopt;
  }
  return value;
}

void
FieldReader::expected(std::string_view key,
                      std::string_view what,
                      simdjson::dom::element got)
{
  set_error(fmt::format("expected {} for '{}{}', got {}",
                        what,
                        m_key_prefix,
                        key,
                        describe_json(got)));
}

void
FieldReader::fail(std::string_view key, std::string_view message)
{
  set_error(fmt::format("'{}{}' {}", m_key_prefix, key, message));
}

void
FieldReader::set_error(std::string message)
{
  if (ok()) {
    m_error = fmt::format("{}: {}", m_file, message);
  }
}

void
FieldReader::read_uint(std::string_view key,
                       std::optional<uint64_t>& out,
                       uint64_t max)
{
  const auto value = lookup(key);
  if (!value) {
    return;
  }
  uint64_t number = 0;
  double real = 0;
  if (value->get_uint64().get(number) == simdjson::SUCCESS) {
    // taken as is
  } else if (value->get_double().get(real) == simdjson::SUCCESS && real >= 0 &&
             real <= 9.0e15 && std::floor(real) == real) {
    // 1000.0 from a generated config is still a whole count
    number = static_cast<uint64_t>(real);
  } else {
    expected(key, "a non-negative integer", *value);
    return;
  }
  if (number > max) {
    set_error(fmt::format("expected at most {} for '{}{}', got {}",
                          max,
                          m_key_prefix,
                          key,
                          number));
    return;
  }
  out = number;
}

void
FieldReader::read_uint(std::string_view key, uint64_t& out, uint64_t max)
{
  std::optional<uint64_t> value;
  read_uint(key, value, max);
  if (value) {
    out = *value;
  }
}

void
FieldReader::read_number(std::string_view key, double& out)
{
  const auto value = lookup(key);
  if (!value) {
    return;
  }
  double number = 0;
  if (value->get_double().get(number) != simdjson::SUCCESS || number < 0) {
    expected(key, "a non-negative number", *value);
    return;
  }
  out = number;
}

void
FieldReader::read_string(std::string_view key, std::optional<std::string>& out)
{
  const auto value = lookup(key);
  if (!value) {
    return;
  }
  std::string_view text;
  if (value->get_string().get(text) != simdjson::SUCCESS) {
    expected(key, "a string", *value);
    return;
  }
  out = std::string(text);
}

void
FieldReader::read_strings(std::string_view key,
                          std::vector<std::string>& out,
                          Single single)
{
  const auto value = lookup(key);
  if (!value) {
    return;
  }
  const std::string_view what = single == Single::allowed
                                    ? "a string or an array of strings"
                                    : "an array of strings";
  std::string_view text;
  if (single == Single::allowed &&
      value->get_string().get(text) == simdjson::SUCCESS) {
    out = {std::string(text)};
    return;
  }
  simdjson::dom::array items;
  if (value->get_array().get(items) != simdjson::SUCCESS) {
    expected(key, what, *value);
    return;
  }
  std::vector<std::string> strings;
  for (simdjson::dom::element item : items) {
    if (item.get_string().get(text) != simdjson::SUCCESS) {
      set_error(fmt::format("expected {} for '{}{}', got an item that is {}",
                            what,
                            m_key_prefix,
                            key,
                            describe_json(item)));
      return;
    }
    strings.emplace_back(text);
  }
  out = std::move(strings);
}

} // namespace tapline::synthetic
