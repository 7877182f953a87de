// runner/schedule/time_text.cpp
#include <runner/schedule/time_text.hpp>

#include <date/tz.h>
#include <fmt/format.h>

#include <cctype>
#include <cstdlib>

namespace tapline::schedule {

namespace {

// Reads fixed-width fields left to right; every read says whether it
// matched, so the parser is a chain of &&.
class Cursor
{
public:
  explicit Cursor(std::string_view text) : m_text(text) {}

  [[nodiscard]] bool
  at_end() const
  {
    return m_pos == m_text.size();
  }

  [[nodiscard]] bool
  accept(char c)
  {
    if (m_pos < m_text.size() && m_text[m_pos] == c) {
      ++m_pos;
      return true;
    }
    return false;
  }

  [[nodiscard]] bool
  digits(int count, int& value)
  {
    value = 0;
    for (int i = 0; i < count; ++i, ++m_pos) {
      if (m_pos >= m_text.size() || !is_digit(m_text[m_pos])) {
        return false;
      }
      value = value * 10 + (m_text[m_pos] - '0');
    }
    return true;
  }

  void
  skip_digits()
  {
    while (m_pos < m_text.size() && is_digit(m_text[m_pos])) {
      ++m_pos;
    }
  }

  [[nodiscard]] bool
  next_is_digit() const
  {
    return m_pos < m_text.size() && is_digit(m_text[m_pos]);
  }

private:
  static bool
  is_digit(char c)
  {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  }

  std::string_view m_text;
  std::size_t m_pos = 0;
};

// "+02:00", "-05:00", "+05:45"
std::string
format_offset(std::chrono::seconds offset)
{
  const auto minutes = std::abs(offset.count()) / 60;
  return fmt::format("{}{:02}:{:02}",
                     offset.count() < 0 ? '-' : '+',
                     minutes / 60,
                     minutes % 60);
}

std::string
format_civil(std::chrono::seconds since_epoch, bool iso)
{
  using namespace std::chrono;
  const sys_seconds when{since_epoch};
  const auto day = floor<days>(when);
  const year_month_day date{day};
  const hh_mm_ss time{when - day};
  const auto text = fmt::format("{:04}-{:02}-{:02}{}{:02}:{:02}",
                                static_cast<int>(date.year()),
                                static_cast<unsigned>(date.month()),
                                static_cast<unsigned>(date.day()),
                                iso ? 'T' : ' ',
                                time.hours().count(),
                                time.minutes().count());
  if (iso || time.seconds().count() != 0) {
    return text + fmt::format(":{:02}", time.seconds().count());
  }
  return text;
}

} // namespace

Result<TimePoint>
parse_time(std::string_view text, const date::time_zone* zone)
{
  const auto bad = [&] {
    return fail(ErrorCode::usage,
                fmt::format("expected an ISO 8601 time such as "
                            "2026-03-28T12:00:00Z, got '{}'",
                            text));
  };
  Cursor cursor(text);
  int year = 0;
  int month = 0;
  int day = 0;
  if (!(cursor.digits(4, year) && cursor.accept('-') &&
        cursor.digits(2, month) && cursor.accept('-') &&
        cursor.digits(2, day))) {
    return bad();
  }
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (cursor.accept('T') || cursor.accept('t') || cursor.accept(' ')) {
    if (!(cursor.digits(2, hour) && cursor.accept(':') &&
          cursor.digits(2, minute))) {
      return bad();
    }
    if (cursor.accept(':')) {
      if (!cursor.digits(2, second)) {
        return bad();
      }
      if (cursor.accept('.') || cursor.accept(',')) {
        if (!cursor.next_is_digit()) {
          return bad();
        }
        cursor.skip_digits();
      }
    }
  }
  std::optional<std::chrono::seconds> offset;
  if (cursor.accept('Z') || cursor.accept('z')) {
    offset = std::chrono::seconds{0};
  } else if (const bool plus = cursor.accept('+'); plus || cursor.accept('-')) {
    int offset_hours = 0;
    int offset_minutes = 0;
    if (!cursor.digits(2, offset_hours)) {
      return bad();
    }
    const bool colon = cursor.accept(':');
    if ((colon || cursor.next_is_digit()) &&
        !cursor.digits(2, offset_minutes)) {
      return bad();
    }
    if (offset_hours > 23 || offset_minutes > 59) {
      return bad();
    }
    const std::chrono::seconds size =
        std::chrono::hours{offset_hours} + std::chrono::minutes{offset_minutes};
    offset = plus ? size : -size;
  }
  if (!cursor.at_end()) {
    return bad();
  }

  using namespace std::chrono;
  const year_month_day date{std::chrono::year{year},
                            std::chrono::month{static_cast<unsigned>(month)},
                            std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) {
    return bad();
  }
  const seconds since_epoch = sys_days{date}.time_since_epoch() + hours{hour} +
                              minutes{minute} + seconds{second};
  if (offset) {
    return TimePoint{since_epoch - *offset};
  }
  if (zone == nullptr) {
    return TimePoint{since_epoch};
  }
  // earliest: the first of a repeated wall time, and for one in a gap the
  // instant the gap ends (date maps both choices there to that instant).
  return zone->to_sys(date::local_seconds{since_epoch}, date::choose::earliest);
}

std::string
format_utc(TimePoint when)
{
  return format_civil(when.time_since_epoch(), true) + "Z";
}

std::string
format_local(TimePoint when, const date::time_zone* zone)
{
  if (zone == nullptr) {
    return format_civil(when.time_since_epoch(), false) + " UTC (+00:00)";
  }
  const date::sys_info info = zone->get_info(when);
  return fmt::format("{} {} ({})",
                     format_civil(when.time_since_epoch() + info.offset, false),
                     info.abbrev,
                     format_offset(info.offset));
}

} // namespace tapline::schedule
