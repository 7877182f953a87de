// taps/synthetic/record_format.cpp
// Generating and formatting synthetic records. See the header.

#include "record_format.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace tapline::synthetic {

const std::string_view k_record_schema =
    R"({"type":"object","properties":{)"
    R"("id":{"type":"integer"},)"
    R"("updated_at":{"type":"string","format":"date-time"},)"
    R"("name":{"type":"string"},)"
    R"("amount":{"type":"number"},)"
    R"("active":{"type":"boolean"},)"
    R"("tags":{"type":"array","items":{"type":"string"}},)"
    R"("note":{"type":["null","string"]},)"
    R"("padding":{"type":"string"}},)"
    R"("required":["id","updated_at"],"additionalProperties":false})";

namespace {

constexpr uint64_t k_golden_gamma = 0x9E3779B97F4A7C15;
constexpr int64_t k_first_updated_at = 1'704'067'200; // 2024-01-01T00:00:00Z
constexpr uint64_t k_seconds_per_id = 60;

// Word lists are stored JSON-encoded, so the hot path only copies bytes.
// Some need escapes (quotes, backslashes, control characters) and some are
// non-ASCII UTF-8, because those are what break careless Singer readers.
// Sizes are powers of two so picking one is a mask.
constexpr std::string_view k_first_names[16] = {"Ada",
                                                "Grace",
                                                "Alan",
                                                R"(\"Ace\")",
                                                "Zoë",
                                                "José",
                                                "Søren",
                                                R"(Back\\slash)",
                                                "Renée",
                                                "ünïcödé",
                                                "Łukasz",
                                                "Nguyễn",
                                                "李",
                                                "Åsa",
                                                "Mary-Jane",
                                                R"(Tab\tName)"};
constexpr std::string_view k_last_names[16] = {"Lovelace",
                                               "Hopper",
                                               "Turing",
                                               "O'Brien",
                                               "Müller",
                                               "García",
                                               "Đặng",
                                               "Ødegaard",
                                               "田中",
                                               R"(Smith \"Jr.\")",
                                               "Okafor",
                                               "Kowalski",
                                               "Nakamura",
                                               R"(C:\\Users)",
                                               "Ünïcödé",
                                               "Smith"};
constexpr std::string_view k_tags[8] = {"new",
                                        "vip",
                                        "beta",
                                        "churn-risk",
                                        "ünïcödé",
                                        R"(quote\"d)",
                                        "emoji-🚀",
                                        "wholesale"};
constexpr std::string_view k_notes[8] = {"first order",
                                         R"(line one\nline two)",
                                         R"(50% off \u2014 \"spring\" sale)",
                                         "call back später",
                                         R"(path C:\\temp\\x)",
                                         "日本語のメモ",
                                         R"(bell \u0007 char)",
                                         "ok"};

template<std::size_t n>
constexpr std::size_t
longest(const std::string_view (&words)[n])
{
  std::size_t most = 0;
  for (auto word : words) {
    most = std::max(most, word.size());
  }
  return most;
}

// An upper bound on a RECORD line after the stream's prefix, without
// padding: generous fixed text plus the longest words.
constexpr std::size_t k_max_record_suffix =
    256 + 2 * k_timestamp_chars + longest(k_first_names) +
    longest(k_last_names) + 3 * (longest(k_tags) + 3) + longest(k_notes);

constexpr uint64_t
mix64(uint64_t z)
{
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
  return z ^ (z >> 31);
}

// splitmix64: tiny, fast and good enough for test data.
class SplitMix64
{
public:
  explicit SplitMix64(uint64_t state) : m_state(state) {}

  uint64_t
  next()
  {
    m_state += k_golden_gamma;
    return mix64(m_state);
  }

private:
  uint64_t m_state;
};

// Mixing the id through mix64 (a bijection) keeps the sequences of
// neighbouring ids unrelated; adding a multiple of the gamma would not.
SplitMix64
record_rng(const StreamFormat& stream, uint64_t id)
{
  return SplitMix64(mix64(stream.key ^ id));
}

uint64_t
fnv1a(std::string_view text)
{
  uint64_t hash = 0xcbf29ce484222325;
  for (unsigned char c : text) {
    hash = (hash ^ c) * 0x100000001b3;
  }
  return hash;
}

inline char*
put(char* out, std::string_view text)
{
  std::memcpy(out, text.data(), text.size());
  return out + text.size();
}

inline char*
put_uint(char* out, uint64_t value)
{
  return std::to_chars(out, out + 20, value).ptr;
}

inline char*
put_two_digits(char* out, unsigned value)
{
  out[0] = static_cast<char>('0' + value / 10);
  out[1] = static_cast<char>('0' + value % 10);
  return out + 2;
}

} // namespace

StreamFormat::StreamFormat(std::string_view stream_name, uint64_t seed)
    : name(stream_name), quoted_name(json_quote(stream_name)),
      record_prefix(R"({"type":"RECORD","stream":)" + quoted_name +
                    R"(,"record":{"id":)"),
      key(mix64(mix64(seed) ^ fnv1a(stream_name)))
{
}

int64_t
updated_at_seconds(const StreamFormat& stream, uint64_t id)
{
  // The first draw jitters within the id's own minute, so the order of
  // `updated_at` always follows the order of ids.
  SplitMix64 rng = record_rng(stream, id);
  return k_first_updated_at +
         static_cast<int64_t>(id * k_seconds_per_id +
                              rng.next() % k_seconds_per_id);
}

void
write_record(OutputBuffer& out,
             const StreamFormat& stream,
             uint64_t id,
             uint64_t padding_bytes)
{
  SplitMix64 rng = record_rng(stream, id);
  const int64_t updated_at =
      k_first_updated_at + static_cast<int64_t>(id * k_seconds_per_id +
                                                rng.next() % k_seconds_per_id);
  const uint64_t bits = rng.next();
  const uint64_t cents = rng.next() % 100'000'000;

  char* p = out.reserve(stream.record_prefix.size() + k_max_record_suffix);
  p = put(p, stream.record_prefix);
  p = put_uint(p, id);
  p = put(p, R"(,"updated_at":")");
  char* timestamp = p;
  p = put_timestamp(p, updated_at);
  p = put(p, R"(","name":")");
  p = put(p, k_first_names[bits & 15]);
  *p++ = ' ';
  p = put(p, k_last_names[(bits >> 4) & 15]);
  p = put(p, R"(","amount":)");
  p = put_uint(p, cents / 100);
  *p++ = '.';
  p = put_two_digits(p, static_cast<unsigned>(cents % 100));
  p = put(p,
          (bits >> 8) & 1 ? R"(,"active":true,"tags":[)"
                          : R"(,"active":false,"tags":[)");
  const unsigned tag_count = static_cast<unsigned>((bits >> 9) % 4);
  for (unsigned i = 0; i < tag_count; ++i) {
    p = put(p, i == 0 ? "\"" : ",\"");
    p = put(p, k_tags[(bits >> (12 + 3 * i)) & 7]);
    *p++ = '"';
  }
  if ((bits >> 24) % 3 == 0) {
    p = put(p, R"(],"note":null)");
  } else {
    p = put(p, R"(],"note":")");
    p = put(p, k_notes[(bits >> 28) & 7]);
    *p++ = '"';
  }
  if (padding_bytes > 0) {
    p = put(p, R"(,"padding":")");
    out.commit(p);
    out.append_fill('x', padding_bytes);
    // The buffer may have been drained: format the timestamp again.
    p = out.reserve(64);
    timestamp = nullptr;
    *p++ = '"';
  }
  p = put(p, R"(},"time_extracted":")");
  // Extraction time is the record's own `updated_at`, which keeps runs
  // byte-identical; wall-clock time would not.
  if (timestamp != nullptr) {
    std::memcpy(p, timestamp, k_timestamp_chars);
    p += k_timestamp_chars;
  } else {
    p = put_timestamp(p, updated_at);
  }
  p = put(p, "\"}\n");
  out.commit(p);
}

char*
put_timestamp(char* out, int64_t unix_seconds)
{
  // Howard Hinnant's civil_from_days, for days since 1970-01-01.
  const int64_t days = unix_seconds / 86400;
  const int64_t second_of_day = unix_seconds % 86400;
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t day_of_era = z - era * 146097;
  const int64_t year_of_era = (day_of_era - day_of_era / 1460 +
                               day_of_era / 36524 - day_of_era / 146096) /
                              365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;
  const auto day = static_cast<unsigned>(day_of_year - (153 * mp + 2) / 5 + 1);
  const auto month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  const auto year =
      static_cast<unsigned>(year_of_era + era * 400 + (month <= 2 ? 1 : 0));

  out = put_two_digits(out, year / 100 % 100);
  out = put_two_digits(out, year % 100);
  *out++ = '-';
  out = put_two_digits(out, month);
  *out++ = '-';
  out = put_two_digits(out, day);
  *out++ = 'T';
  out = put_two_digits(out, static_cast<unsigned>(second_of_day / 3600));
  *out++ = ':';
  out = put_two_digits(out, static_cast<unsigned>(second_of_day / 60 % 60));
  *out++ = ':';
  out = put_two_digits(out, static_cast<unsigned>(second_of_day % 60));
  *out++ = 'Z';
  return out;
}

std::string
json_quote(std::string_view text)
{
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string quoted = "\"";
  for (char c : text) {
    switch (c) {
    case '"':
      quoted += "\\\"";
      break;
    case '\\':
      quoted += "\\\\";
      break;
    case '\n':
      quoted += "\\n";
      break;
    case '\r':
      quoted += "\\r";
      break;
    case '\t':
      quoted += "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        quoted += "\\u00";
        quoted += k_hex[(c >> 4) & 0xf];
        quoted += k_hex[c & 0xf];
      } else {
        quoted += c;
      }
    }
  }
  quoted += '"';
  return quoted;
}

} // namespace tapline::synthetic
