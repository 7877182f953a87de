// taps/synthetic/record_format.hpp
#pragma once

// The synthetic data itself: a record is a pure function of (seed, stream,
// id), so a run resumed from a bookmark emits exactly what a full run would
// have emitted after it. Formats RECORD lines straight into the output
// buffer; this is the hot path. Knows nothing about ordering, state or
// faults.

#include <cstdint>
#include <string>
#include <string_view>

#include "output_buffer.hpp"

namespace tapline::synthetic {

// The JSON Schema every stream's records follow.
extern const std::string_view k_record_schema;

// Everything about one stream that is fixed for a run, computed once.
struct StreamFormat
{
  StreamFormat(std::string_view stream_name, uint64_t seed);

  std::string name;
  std::string quoted_name; // JSON string literal, escapes included
  std::string
      record_prefix; // `{"type":"RECORD","stream":"users","record":{"id":`
  uint64_t key;      // mixes the seed and the stream name
};

// Append the RECORD line for `id`; `padding_bytes` > 0 adds a `padding`
// string of that length.
void write_record(OutputBuffer& out,
                  const StreamFormat& stream,
                  uint64_t id,
                  uint64_t padding_bytes);

// The `updated_at` of record `id`, as seconds since the Unix epoch. Strictly
// increasing with `id`.
[[nodiscard]] int64_t updated_at_seconds(const StreamFormat& stream,
                                         uint64_t id);

inline constexpr std::size_t k_timestamp_chars = 20; // 2024-01-01T00:00:00Z

// Write `unix_seconds` as an ISO 8601 UTC timestamp of exactly
// `k_timestamp_chars` bytes; returns the end.
char* put_timestamp(char* out, int64_t unix_seconds);

// `text` as a JSON string literal with quotes and escapes.
[[nodiscard]] std::string json_quote(std::string_view text);

} // namespace tapline::synthetic
