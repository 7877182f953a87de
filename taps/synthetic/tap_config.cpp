// taps/synthetic/tap_config.cpp
// Loading and checking the `--config` file. See the header for the keys.

#include "tap_config.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "json_input.hpp"

namespace tapline::synthetic {

namespace {

void
read_streams(FieldReader& reader, std::vector<std::string>& streams)
{
  reader.read_strings("streams", streams, FieldReader::Single::rejected);
  if (!reader.ok()) {
    return;
  }
  for (std::size_t i = 0; i < streams.size(); ++i) {
    if (streams[i].empty()) {
      reader.fail("streams", "must not contain an empty name");
      return;
    }
    if (std::find(streams.begin(), streams.begin() + i, streams[i]) !=
        streams.begin() + i) {
      reader.fail("streams",
                  fmt::format("names '{}' more than once", streams[i]));
      return;
    }
  }
}

// Keys that only make sense together must both be present.
void
check_pair(FieldReader& reader,
           bool first_set,
           std::string_view first,
           bool second_set,
           std::string_view second)
{
  if (first_set && !second_set) {
    reader.fail(first, fmt::format("needs '{}' as well", second));
  } else if (second_set && !first_set) {
    reader.fail(second, fmt::format("needs '{}' as well", first));
  }
}

} // namespace

std::expected<TapConfig, std::string>
load_config(const std::string& path)
{
  simdjson::dom::parser parser;
  auto root = parse_json_file(path, parser, EmptyFile::error);
  if (!root) {
    return std::unexpected(root.error());
  }
  simdjson::dom::object object;
  if (root->get_object().get(object) != simdjson::SUCCESS) {
    return std::unexpected(fmt::format(
        "{}: expected a JSON object, got {}", path, describe_json(*root)));
  }

  TapConfig config;
  FieldReader reader(path, object);
  read_streams(reader, config.streams);
  reader.read_uint("records", config.records, k_max_records);
  reader.read_uint("seed", config.seed);
  reader.read_uint("state_every", config.state_every);
  reader.read_number("rate", config.rate);
  reader.read_uint("fail_after", config.fail_after);
  reader.read_strings(
      "fail_stderr", config.fail_stderr, FieldReader::Single::allowed);
  uint64_t fail_exit = static_cast<uint64_t>(config.fail_exit);
  reader.read_uint("fail_exit", fail_exit, 255);
  config.fail_exit = static_cast<int>(fail_exit);
  reader.read_uint("hang_after", config.hang_after);
  reader.read_uint("inject_after", config.inject_after);
  std::optional<std::string> inject_line;
  reader.read_string("inject_line", inject_line);
  check_pair(reader,
             config.inject_after.has_value(),
             "inject_after",
             inject_line.has_value(),
             "inject_line");
  config.inject_line = inject_line.value_or("");
  reader.read_uint("record_padding", config.record_padding);
  reader.read_uint("big_record_at", config.big_record_at);
  std::optional<uint64_t> big_record_bytes;
  reader.read_uint("big_record_bytes", big_record_bytes);
  check_pair(reader,
             config.big_record_at.has_value(),
             "big_record_at",
             big_record_bytes.has_value(),
             "big_record_bytes");
  config.big_record_bytes = big_record_bytes.value_or(0);
  if (config.big_record_at == 0U) {
    reader.fail("big_record_at", "counts from 1, got 0");
  }
  reader.read_uint("stderr_every", config.stderr_every);
  std::optional<std::string> stderr_line;
  reader.read_string("stderr_line", stderr_line);
  if (stderr_line) {
    config.stderr_line = *stderr_line;
  }
  if (!reader.ok()) {
    return std::unexpected(reader.error());
  }
  return config;
}

} // namespace tapline::synthetic
