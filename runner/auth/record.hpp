// runner/auth/record.hpp
#pragma once

// Grouping tap stderr lines into log records, the unit auth rules match. A
// record is one level-prefixed line plus its continuation lines (unprefixed
// lines, a Python traceback up to its final "module.Error: message" line
// and whatever follows it). It ends when the next prefixed line arrives, or
// on flush() (exit, EOF, or a quiet period the caller measured). This file
// only groups; it does not match or decide anything.
//
// Prefixes recognised (levels are case-insensitive inside brackets/pipes):
//   singer-python     "LEVEL message", older "LEVEL name asctime message"
//   Meltano SDK       "2024-05-02 10:15:01,123 | LEVEL | logger | message"
//   python logging    "LEVEL:name:message", "ts - name - LEVEL - message"
//   meltano run       "2024-05-02T10:15:01.1Z [info     ] <tap's line>"
//   JSON / logfmt     {"level": "error", ...}, time=... level=error ...
// "Exception in thread X:" (an uncaught thread exception) and a traceback
// with no record open start a record with no level.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tapline::auth {

enum class Level { none, debug, info, warning, error, critical };

enum class LineKind {
  record,           // a level-prefixed line: starts a record
  metric,           // "INFO METRIC: {...}": ends the open record, dropped
  thread_exception, // "Exception in thread ...": starts a record, no level
  traceback,        // "Traceback (most recent call last):"
  plain,            // anything else: continues the open record
};

struct LineInfo
{
  LineKind kind = LineKind::plain;
  Level level = Level::none;
};

// The tap's own text of a stderr line: without a trailing '\r', and without
// the "ts [info     ] ... cmd_type=..." wrapping `meltano run` adds, so
// pasted meltano logs group like the tap's own stderr.
[[nodiscard]] std::string_view unwrap_line(std::string_view line);

// How one stderr line starts (no trailing newline).
[[nodiscard]] LineInfo classify_line(std::string_view line);

struct Record
{
  Level level = Level::none;
  // The record as matched and shown: its lines joined by '\n', traceback
  // frames left out (they quote source code, not the failure), long lines
  // and long records shortened around a "[...]" marker.
  std::string text;
  // Offset in `text` of the first traceback (or the "Exception in thread"
  // line), or npos. A traceback makes even an INFO record terminal: the
  // exception it ends with was not handled.
  std::size_t traceback_at = std::string::npos;

  [[nodiscard]] bool
  has_traceback() const
  {
    return traceback_at != std::string::npos;
  }
};

// Limits that keep memory and matching time bounded whatever a tap prints.
inline constexpr std::size_t k_max_line_bytes = 32 * 1024;
inline constexpr std::size_t k_max_record_bytes = 128 * 1024;

class RecordBuilder
{
public:
  // Add one line; returns the record this line completed, if any.
  [[nodiscard]] std::optional<Record> add_line(std::string_view line);

  // Complete the open record, if any.
  [[nodiscard]] std::optional<Record> flush();

  [[nodiscard]] bool
  has_open_record() const
  {
    return m_open.has_value();
  }

private:
  void start(Level level);
  void append(std::string_view line);
  void append_to_text(std::string_view line);

  std::optional<Record> m_open;
  bool m_in_frames = false;   // inside a traceback, before its final line
  bool m_full = false;        // record reached k_max_record_bytes
  std::string m_last_dropped; // last line dropped because the record was full
};

} // namespace tapline::auth
