// runner/auth/record.cpp
//
// Line prefixes are parsed by hand: this runs on every stderr line of every
// run, and a few character comparisons are cheaper than a regex.

#include <runner/auth/record.hpp>

#include <array>
#include <cctype>
#include <utility>

namespace tapline::auth {

namespace {

constexpr std::array k_levels = {
    std::pair{std::string_view("TRACE"), Level::debug},
    std::pair{std::string_view("DEBUG"), Level::debug},
    std::pair{std::string_view("INFO"), Level::info},
    std::pair{std::string_view("NOTICE"), Level::info},
    std::pair{std::string_view("WARNING"), Level::warning},
    std::pair{std::string_view("WARN"), Level::warning},
    std::pair{std::string_view("ERROR"), Level::error},
    std::pair{std::string_view("SEVERE"), Level::error},
    std::pair{std::string_view("CRITICAL"), Level::critical},
    std::pair{std::string_view("FATAL"), Level::critical},
};

bool
is_digit(char c)
{
  return c >= '0' && c <= '9';
}

bool
equals_ignoring_case(std::string_view a, std::string_view b)
{
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        static_cast<unsigned char>(b[i])) {
      return false;
    }
  }
  return true;
}

std::optional<Level>
level_named(std::string_view word, bool any_case)
{
  for (const auto& [name, level] : k_levels) {
    if (any_case ? equals_ignoring_case(word, name) : word == name) {
      return level;
    }
  }
  return std::nullopt;
}

bool
starts_with_level_word(std::string_view line, Level& level)
{
  std::size_t end = 0;
  while (end < line.size() && line[end] >= 'A' && line[end] <= 'Z') {
    ++end;
  }
  if (end == 0 || (end < line.size() && line[end] != ' ' && line[end] != ':')) {
    return false;
  }
  if (auto found = level_named(line.substr(0, end), false)) {
    level = *found;
    return true;
  }
  return false;
}

// Length of a leading "YYYY-MM-DD[ T]HH:MM:SS[.,frac][Z|+hh:mm]", or 0.
std::size_t
timestamp_length(std::string_view s)
{
  constexpr std::string_view k_shape = "dddd-dd-dd?dd:dd:dd";
  if (s.size() < k_shape.size()) {
    return 0;
  }
  for (std::size_t i = 0; i < k_shape.size(); ++i) {
    const char want = k_shape[i];
    if ((want == 'd' && !is_digit(s[i])) ||
        (want == '?' && s[i] != ' ' && s[i] != 'T') ||
        (want != 'd' && want != '?' && s[i] != want)) {
      return 0;
    }
  }
  std::size_t n = k_shape.size();
  if (n < s.size() && (s[n] == '.' || s[n] == ',')) {
    ++n;
    while (n < s.size() && is_digit(s[n])) {
      ++n;
    }
  }
  if (n < s.size() && s[n] == 'Z') {
    ++n;
  } else if (n + 2 < s.size() && (s[n] == '+' || s[n] == '-') &&
             is_digit(s[n + 1])) {
    ++n;
    while (n < s.size() && (is_digit(s[n]) || s[n] == ':')) {
      ++n;
    }
  }
  return n;
}

bool
is_field_separator(char c)
{
  return c == ' ' || c == '|' || c == '[' || c == ']' || c == '-' || c == ':' ||
         c == '\t';
}

// After a timestamp: the level is one of the next three fields
// ("| LEVEL |", "[LEVEL]", "- name - LEVEL -", " LEVEL ").
std::optional<Level>
level_after_timestamp(std::string_view rest)
{
  std::size_t pos = 0;
  for (int field = 0; field < 3; ++field) {
    while (pos < rest.size() && is_field_separator(rest[pos])) {
      ++pos;
    }
    const std::size_t start = pos;
    while (pos < rest.size() && !is_field_separator(rest[pos])) {
      ++pos;
    }
    if (pos == start || pos - start > 40) {
      return std::nullopt;
    }
    if (auto level = level_named(rest.substr(start, pos - start), true)) {
      return level;
    }
  }
  return std::nullopt;
}

// {"level": "error", ...} or time=... level=error: the value after `key`.
std::optional<Level>
level_after_key(std::string_view line, std::string_view key)
{
  const std::size_t at = line.find(key);
  if (at == std::string_view::npos || at > 200) {
    return std::nullopt;
  }
  std::size_t pos = at + key.size();
  while (pos < line.size() && (line[pos] == ' ' || line[pos] == ':' ||
                               line[pos] == '=' || line[pos] == '"')) {
    ++pos;
  }
  const std::size_t start = pos;
  while (pos < line.size() &&
         std::isalpha(static_cast<unsigned char>(line[pos]))) {
    ++pos;
  }
  return level_named(line.substr(start, pos - start), true);
}

bool
is_metric(std::string_view line)
{
  const std::size_t at = line.find("METRIC: ");
  return at != std::string_view::npos && at < 120;
}

// Indented lines of a Java stack trace ("\tat a.b.C(C.java:12)", "... 3
// more") are frames too, though no "Traceback" header announces them.
bool
is_java_frame(std::string_view line)
{
  std::size_t pos = 0;
  while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) {
    ++pos;
  }
  if (pos == 0) {
    return false;
  }
  const std::string_view rest = line.substr(pos);
  return (rest.starts_with("at ") && rest.ends_with(")")) ||
         (rest.starts_with("... ") && rest.ends_with(" more"));
}

// A long line keeps its head and its tail: provider messages come first,
// and the end of a line is where a final exception's message ends.
std::string
shortened(std::string_view line)
{
  if (line.size() <= k_max_line_bytes) {
    return std::string(line);
  }
  std::size_t head = k_max_line_bytes * 3 / 4;
  std::size_t tail = line.size() - k_max_line_bytes / 4;
  // Cut at UTF-8 character boundaries.
  while (head > 0 && (static_cast<unsigned char>(line[head]) & 0xC0) == 0x80) {
    --head;
  }
  while (tail < line.size() &&
         (static_cast<unsigned char>(line[tail]) & 0xC0) == 0x80) {
    ++tail;
  }
  std::string out(line.substr(0, head));
  out += " [...] ";
  out += line.substr(tail);
  return out;
}

} // namespace

std::string_view
unwrap_line(std::string_view line)
{
  if (line.ends_with('\r')) {
    line.remove_suffix(1);
  }
  // meltano's shape: an ISO 8601 "T" timestamp, then a structlog level in
  // lowercase padded to 9 ("[info     ]"). Other "ts [LEVEL]" formats are
  // the tap's own and keep their level.
  const std::size_t ts = timestamp_length(line);
  if (ts < 11 || line[10] != 'T' || line.substr(ts, 2) != " [") {
    return line;
  }
  const std::size_t close = line.find("] ", ts);
  if (close == std::string_view::npos || close > ts + 20) {
    return line;
  }
  for (std::size_t i = ts + 2; i < close; ++i) {
    if (!(line[i] >= 'a' && line[i] <= 'z') && line[i] != ' ') {
      return line;
    }
  }
  std::string_view inner = line.substr(close + 2);
  // meltano appends structlog fields; the tap's own text ends before them.
  if (const std::size_t fields = inner.rfind(" cmd_type=");
      fields != std::string_view::npos) {
    inner = inner.substr(0, fields);
  }
  return inner;
}

LineInfo
classify_line(std::string_view line)
{
  line = unwrap_line(line);
  if (line.starts_with("Traceback (most recent call last):")) {
    return {LineKind::traceback, Level::none};
  }
  if (line.starts_with("Exception in thread ")) {
    return {LineKind::thread_exception, Level::none};
  }
  Level level = Level::none;
  if (starts_with_level_word(line, level)) {
    return {is_metric(line) ? LineKind::metric : LineKind::record, level};
  }
  std::string_view rest = line;
  if (rest.starts_with('[')) {
    rest.remove_prefix(1);
  }
  if (const std::size_t ts = timestamp_length(rest); ts > 0) {
    rest.remove_prefix(ts);
    if (auto found = level_after_timestamp(rest)) {
      return {is_metric(rest) ? LineKind::metric : LineKind::record, *found};
    }
    return {LineKind::plain, Level::none};
  }
  if (line.starts_with('{')) {
    for (std::string_view key :
         {"\"level\"", "\"levelname\"", "\"severity\""}) {
      if (auto found = level_after_key(line, key)) {
        return {is_metric(line) ? LineKind::metric : LineKind::record, *found};
      }
    }
  }
  if (line.starts_with("time=") || line.starts_with("ts=") ||
      line.starts_with("level=")) {
    if (auto found = level_after_key(line, "level=")) {
      return {LineKind::record, *found};
    }
  }
  return {LineKind::plain, Level::none};
}

void
RecordBuilder::start(Level level)
{
  m_open = Record{level, {}, std::string::npos};
  m_in_frames = false;
  m_full = false;
  m_last_dropped.clear();
}

void
RecordBuilder::append_to_text(std::string_view line)
{
  std::string& text = m_open->text;
  std::string kept = shortened(line);
  if (m_full || text.size() + kept.size() + 1 > k_max_record_bytes) {
    // Keep the first lines and, at flush, the last one: the final exception
    // line of a long traceback is what usually names the failure.
    m_full = true;
    m_last_dropped = std::move(kept);
    return;
  }
  if (!text.empty()) {
    text += '\n';
  }
  text += kept;
}

void
RecordBuilder::append(std::string_view line)
{
  if (line.starts_with("Traceback (most recent call last):")) {
    if (!m_open->has_traceback()) {
      // Where the line will start; a full record keeps only its last line,
      // after the "[...]" marker, so point there instead.
      m_open->traceback_at =
          m_open->text.empty() ? 0 : m_open->text.size() + (m_full ? 0 : 1);
    }
    m_in_frames = true;
    append_to_text(line);
    return;
  }
  const bool indented =
      !line.empty() && (line.front() == ' ' || line.front() == '\t');
  if (m_in_frames) {
    if (indented || line.empty()) {
      return; // a frame: file, line, source code, or "..."
    }
    m_in_frames = false; // the exception line that ends the traceback
  }
  if (is_java_frame(line)) {
    return;
  }
  append_to_text(line);
}

std::optional<Record>
RecordBuilder::add_line(std::string_view line)
{
  line = unwrap_line(line);
  const LineInfo info = classify_line(line);
  std::optional<Record> done;
  switch (info.kind) {
  case LineKind::record:
    // singer-python prints each line of a fatal exception's message as its
    // own CRITICAL line; together they are one record.
    if (m_open && info.level == Level::critical &&
        m_open->level == Level::critical && !m_open->has_traceback()) {
      append(line);
      return std::nullopt;
    }
    done = flush();
    start(info.level);
    append(line);
    return done;
  case LineKind::metric:
    return flush();
  case LineKind::thread_exception:
    done = flush();
    start(Level::none);
    m_open->traceback_at = 0;
    append(line);
    return done;
  case LineKind::traceback:
  case LineKind::plain:
    if (!m_open) {
      start(Level::none);
    }
    append(line);
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Record>
RecordBuilder::flush()
{
  if (!m_open) {
    return std::nullopt;
  }
  if (m_full && !m_last_dropped.empty()) {
    m_open->text += "\n[...]\n";
    m_open->text += m_last_dropped;
  }
  std::optional<Record> done = std::move(m_open);
  m_open.reset();
  m_in_frames = false;
  m_full = false;
  m_last_dropped.clear();
  return done;
}

} // namespace tapline::auth
