// runner/config/value_readers.cpp
#include <runner/config/units.hpp>
#include <runner/config/value_readers.hpp>

#include <charconv>
#include <string>
#include <utility>

namespace tapline::config {

namespace {

constexpr std::string_view k_duration_expected =
    "a duration like 30s, 15m, 2h or a number of seconds";
constexpr std::string_view k_size_expected =
    "a size like 512KiB, 64MiB, 1GiB or a number of bytes";

} // namespace

// argv: a non-empty sequence of strings. A program written with a '/' is a
// path relative to tapline.yaml (so `../build/tap-x` works from any working
// directory); a bare name is left for PATH lookup at run time.
Result<std::vector<std::string>>
read_command(const YamlReader& reader,
             const Entry& entry,
             const std::string& path)
{
  constexpr std::string_view k_expected = "a non-empty sequence of strings";
  if (!entry.value.IsSequence() || entry.value.size() == 0) {
    return reader.expected(entry.at(), path, k_expected, entry.value);
  }
  std::vector<std::string> argv;
  argv.reserve(entry.value.size());
  for (const auto& item : entry.value) {
    const std::string item_path =
        path + "[" + std::to_string(argv.size()) + "]";
    TRY_ASSIGN(std::string arg, reader.scalar(item, item, item_path));
    if (argv.empty() && arg.empty()) {
      return reader.error(
          item, item_path, "expected a program name, got an empty string");
    }
    argv.push_back(std::move(arg));
  }
  if (argv.front().find('/') != std::string::npos) {
    argv.front() = normalized(reader.base_dir() / argv.front()).string();
  }
  return argv;
}

Result<std::vector<std::string>>
read_strings(const YamlReader& reader,
             const Entry& entry,
             const std::string& path)
{
  if (!entry.value.IsSequence()) {
    return reader.expected(
        entry.at(), path, "a sequence of strings", entry.value);
  }
  std::vector<std::string> items;
  for (const auto& item : entry.value) {
    const std::string item_path =
        path + "[" + std::to_string(items.size()) + "]";
    TRY_ASSIGN(std::string text, reader.scalar(item, item, item_path));
    items.push_back(std::move(text));
  }
  return items;
}

Result<std::map<std::string, std::string>>
read_env(const YamlReader& reader, const Entry& entry, const std::string& path)
{
  TRY_ASSIGN(const Mapping mapping,
             reader.mapping(entry.value,
                            entry.at(),
                            path,
                            "a mapping of variable names to strings"));
  std::map<std::string, std::string> env;
  for (const Entry& variable : mapping.entries) {
    const std::string variable_path = child_path(path, variable.key);
    if (variable.key.empty() || variable.key.find('=') != std::string::npos) {
      return reader.error(variable.key_node,
                          variable_path,
                          "expected a variable name without '=', got '" +
                              variable.key + "'");
    }
    TRY_ASSIGN(std::string value,
               reader.scalar(variable.value, variable.at(), variable_path));
    env.emplace(variable.key, std::move(value));
  }
  return env;
}

Result<std::chrono::seconds>
read_duration(const YamlReader& reader,
              const Entry& entry,
              const std::string& path)
{
  TRY_ASSIGN(const std::string text,
             reader.scalar(entry.value, entry.at(), path, k_duration_expected));
  if (auto duration = parse_duration(text)) {
    return *duration;
  }
  return reader.error(entry.at(),
                      path,
                      "expected " + std::string(k_duration_expected) +
                          ", got '" + text + "'");
}

Result<std::size_t>
read_size(const YamlReader& reader, const Entry& entry, const std::string& path)
{
  TRY_ASSIGN(const std::string text,
             reader.scalar(entry.value, entry.at(), path, k_size_expected));
  const std::optional<std::size_t> size = parse_size(text);
  if (!size) {
    return reader.error(entry.at(),
                        path,
                        "expected " + std::string(k_size_expected) + ", got '" +
                            text + "'");
  }
  if (*size == 0) {
    return reader.error(entry.at(),
                        path,
                        "expected a size greater than zero, got '" + text +
                            "'");
  }
  return *size;
}

Result<bool>
read_bool(const YamlReader& reader, const Entry& entry, const std::string& path)
{
  TRY_ASSIGN(const std::string text,
             reader.scalar(entry.value, entry.at(), path, "true or false"));
  if (text == "true") {
    return true;
  }
  if (text == "false") {
    return false;
  }
  return reader.error(
      entry.at(), path, "expected true or false, got '" + text + "'");
}

Result<int>
read_int(const YamlReader& reader,
         const Entry& entry,
         const std::string& path,
         int min,
         int max)
{
  const std::string expected = "a whole number from " + std::to_string(min) +
                               " to " + std::to_string(max);
  TRY_ASSIGN(const std::string text,
             reader.scalar(entry.value, entry.at(), path, expected));
  int value = 0;
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value < min ||
      value > max) {
    return reader.error(
        entry.at(), path, "expected " + expected + ", got '" + text + "'");
  }
  return value;
}

} // namespace tapline::config
