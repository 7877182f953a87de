// runner/schedule/cron_expression.cpp
//
// Parsing follows cronie's entry.c: lists, ranges, steps, names, 0 and 7 for
// Sunday, and the '*'-prefix flags that decide how the two day fields
// combine and how a job behaves across DST changes.

#include <runner/schedule/cron_expression.hpp>
#include <runner/util/ascii.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <span>
#include <string>
#include <vector>

namespace tapline::schedule {

namespace {

constexpr std::array<std::string_view, 12> k_month_names = {"jan",
                                                            "feb",
                                                            "mar",
                                                            "apr",
                                                            "may",
                                                            "jun",
                                                            "jul",
                                                            "aug",
                                                            "sep",
                                                            "oct",
                                                            "nov",
                                                            "dec"};
constexpr std::array<std::string_view, 7> k_day_names = {
    "sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct FieldSpec
{
  std::string_view name;
  int low;
  int high;
  std::span<const std::string_view> names; // names[i] means low + i
  std::string_view names_hint;             // for errors: "a month name ..."
};

constexpr FieldSpec k_minute{"minute", 0, 59, {}, {}};
constexpr FieldSpec k_hour{"hour", 0, 23, {}, {}};
constexpr FieldSpec k_day_of_month{"day-of-month", 1, 31, {}, {}};
constexpr FieldSpec k_month{
    "month", 1, 12, k_month_names, "a month name (jan-dec)"};
constexpr FieldSpec k_day_of_week{
    "day-of-week", 0, 7, k_day_names, "a day name (sun-sat)"};

struct Field
{
  std::uint64_t bits = 0; // bit v: value v
  bool star = false;      // the field's text starts with '*'
};

struct Value
{
  int number = 0;
  bool is_name = false;
};

bool
all_of(std::string_view text, int (*predicate)(int))
{
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return predicate(static_cast<unsigned char>(c)) != 0;
  });
}

// A number or a name in `spec`'s range. `element` (the list element) is
// quoted instead of `text` when `text` is empty, as in "5-".
Result<Value>
parse_value(const FieldSpec& spec,
            std::string_view text,
            std::string_view element)
{
  if (all_of(text, ::isdigit)) {
    int number = 0;
    const auto [end, error] =
        std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc() || number < spec.low || number > spec.high) {
      return fail(ErrorCode::config,
                  fmt::format("{}: {} is out of range {}-{}",
                              spec.name,
                              text,
                              spec.low,
                              spec.high));
    }
    return Value{number, false};
  }
  if (!spec.names.empty() && all_of(text, ::isalpha)) {
    const std::string name = util::ascii_lowercase(text);
    const auto found =
        std::find(spec.names.begin(), spec.names.end(), std::string_view(name));
    if (found != spec.names.end()) {
      return Value{spec.low + static_cast<int>(found - spec.names.begin()),
                   true};
    }
  }
  return fail(ErrorCode::config,
              fmt::format("{}: expected a number{}{}, got '{}'",
                          spec.name,
                          spec.names.empty() ? "" : " or ",
                          spec.names_hint,
                          text.empty() ? element : text));
}

// One list element: '*', a value or a range, then an optional '/step'.
Result<std::uint64_t>
parse_element(const FieldSpec& spec, std::string_view element)
{
  std::string_view base = element;
  int step = 1;
  bool has_step = false;
  if (const auto slash = element.find('/'); slash != std::string_view::npos) {
    base = element.substr(0, slash);
    const std::string_view step_text = element.substr(slash + 1);
    if (!all_of(step_text, ::isdigit)) {
      return fail(ErrorCode::config,
                  fmt::format("{}: expected a number after '/', got '{}'",
                              spec.name,
                              element));
    }
    const auto [end, error] = std::from_chars(
        step_text.data(), step_text.data() + step_text.size(), step);
    if (error != std::errc() || step < 1 || step > spec.high) {
      return fail(ErrorCode::config,
                  fmt::format("{}: step {} is out of range 1-{}",
                              spec.name,
                              step_text,
                              spec.high));
    }
    has_step = true;
  }

  int first = spec.low;
  int last = spec.high;
  if (base != "*") {
    const auto dash = base.find('-');
    TRY_ASSIGN(const Value start,
               parse_value(spec, base.substr(0, dash), element));
    first = start.number;
    if (dash != std::string_view::npos) {
      TRY_ASSIGN(Value end, parse_value(spec, base.substr(dash + 1), element));
      // "fri-sun" reads naturally; cronie would reject it as 5-0.
      if (&spec == &k_day_of_week && end.is_name && end.number == 0) {
        end.number = 7;
      }
      if (end.number < first) {
        return fail(
            ErrorCode::config,
            fmt::format("{}: range {} goes backwards", spec.name, base));
      }
      last = end.number;
    } else if (!has_step) {
      last = first;
    }
    // "a/n" is "a-high/n", as in cronie.
  }

  std::uint64_t bits = 0;
  for (int value = first; value <= last; value += step) {
    bits |= std::uint64_t{1} << value;
  }
  return bits;
}

Result<Field>
parse_field(const FieldSpec& spec, std::string_view text)
{
  Field field;
  field.star = text.starts_with('*');
  std::size_t start = 0;
  for (;;) {
    const auto comma = text.find(',', start);
    const std::string_view element =
        text.substr(start,
                    comma == std::string_view::npos ? std::string_view::npos
                                                    : comma - start);
    if (element.empty()) {
      return fail(
          ErrorCode::config,
          fmt::format("{}: empty element in list '{}'", spec.name, text));
    }
    TRY_ASSIGN(const std::uint64_t bits, parse_element(spec, element));
    field.bits |= bits;
    if (comma == std::string_view::npos) {
      return field;
    }
    start = comma + 1;
  }
}

bool
is_blank(char c)
{
  return c == ' ' || c == '\t';
}

std::vector<std::string_view>
split_fields(std::string_view text)
{
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_blank(text[i])) {
      ++i;
    }
    const std::size_t start = i;
    while (i < text.size() && !is_blank(text[i])) {
      ++i;
    }
    if (i > start) {
      fields.push_back(text.substr(start, i - start));
    }
  }
  return fields;
}

Result<std::string_view>
expand_shorthand(std::string_view text)
{
  const std::string name = util::ascii_lowercase(text);
  if (name == "@yearly" || name == "@annually") {
    return "0 0 1 1 *";
  }
  if (name == "@monthly") {
    return "0 0 1 * *";
  }
  if (name == "@weekly") {
    return "0 0 * * 0";
  }
  if (name == "@daily" || name == "@midnight") {
    return "0 0 * * *";
  }
  if (name == "@hourly") {
    return "0 * * * *";
  }
  if (name == "@reboot") {
    return fail(ErrorCode::config,
                "@reboot is not supported (schedules are clock times)");
  }
  return fail(ErrorCode::config,
              fmt::format("unknown shorthand '{}' (expected @yearly, "
                          "@annually, @monthly, @weekly, @daily, @midnight "
                          "or @hourly)",
                          text));
}

// Index of the lowest set bit at or above `from`, or -1.
int
first_bit_from(std::uint64_t bits, unsigned from)
{
  if (from >= 64) {
    return -1;
  }
  const std::uint64_t rest = bits & (~std::uint64_t{0} << from);
  return rest == 0 ? -1 : std::countr_zero(rest);
}

} // namespace

Result<CronExpression>
CronExpression::parse(std::string_view text)
{
  if (text.starts_with('@')) {
    TRY_ASSIGN(text, expand_shorthand(text));
  }
  const auto fields = split_fields(text);
  if (fields.size() != 5) {
    // "daily" for "@daily" is an easy slip; say so rather than count.
    std::string hint;
    if (fields.size() == 1 && expand_shorthand("@" + std::string(fields[0]))) {
      hint = fmt::format(" (did you mean '@{}'?)",
                         util::ascii_lowercase(fields[0]));
    }
    return fail(ErrorCode::config,
                fmt::format("expected 5 fields (minute hour day-of-month "
                            "month day-of-week), got {}{}",
                            fields.size(),
                            hint));
  }
  TRY_ASSIGN(const Field minute, parse_field(k_minute, fields[0]));
  TRY_ASSIGN(const Field hour, parse_field(k_hour, fields[1]));
  TRY_ASSIGN(const Field day_of_month, parse_field(k_day_of_month, fields[2]));
  TRY_ASSIGN(const Field month, parse_field(k_month, fields[3]));
  TRY_ASSIGN(const Field day_of_week, parse_field(k_day_of_week, fields[4]));

  CronExpression cron;
  cron.m_minutes = minute.bits;
  cron.m_hours = static_cast<std::uint32_t>(hour.bits);
  cron.m_days_of_month = static_cast<std::uint32_t>(day_of_month.bits);
  cron.m_months = static_cast<std::uint32_t>(month.bits);
  // 7 is another name for Sunday (0).
  const std::uint64_t weekdays =
      (day_of_week.bits | (day_of_week.bits >> 7)) & 0x7f;
  for (unsigned first = 0; first < 7; ++first) {
    std::uint32_t days = 0;
    for (unsigned day = 1; day <= 31; ++day) {
      if ((weekdays >> ((first + day - 1) % 7)) & 1) {
        days |= std::uint32_t{1} << day;
      }
    }
    cron.m_weekday_days[first] = days;
  }
  cron.m_days_need_both = day_of_month.star || day_of_week.star;
  cron.m_fixed_time = !minute.star && !hour.star;

  // The Gregorian calendar repeats every 400 years (146097 days, a whole
  // number of weeks), so one cycle shows every month, day and weekday
  // combination there is: no match in it means no match ever.
  using namespace std::chrono;
  const local_seconds cycle_start{local_days{year{2000} / January / 1}};
  if (!cron.next_match(cycle_start, cycle_start + days{146097})) {
    return fail(ErrorCode::config, "never fires");
  }
  return cron;
}

std::uint32_t
CronExpression::day_mask(unsigned first_weekday, unsigned last_day) const
{
  const auto in_month = static_cast<std::uint32_t>(
      ((std::uint64_t{1} << (last_day + 1)) - 1) & ~std::uint64_t{1});
  const std::uint32_t by_weekday = m_weekday_days[first_weekday];
  return in_month & (m_days_need_both ? m_days_of_month & by_weekday
                                      : m_days_of_month | by_weekday);
}

std::optional<std::chrono::local_seconds>
CronExpression::next_match(std::chrono::local_seconds from,
                           std::chrono::local_seconds until) const
{
  using namespace std::chrono;
  const auto start = ceil<minutes>(from);
  if (start >= until) {
    return std::nullopt;
  }
  const auto start_day = floor<days>(start);
  const year_month_day start_date{start_day};
  int y = static_cast<int>(start_date.year());
  unsigned m = static_cast<unsigned>(start_date.month());
  unsigned d = static_cast<unsigned>(start_date.day());
  const auto time_of_day = start - start_day;
  unsigned hour = static_cast<unsigned>(floor<hours>(time_of_day).count());
  unsigned minute =
      static_cast<unsigned>((time_of_day % hours{1}) / minutes{1});

  // Each step moves to the next candidate month, day, hour or minute and
  // resets the smaller units, like an odometer that skips non-matching
  // digits.
  for (;;) {
    const int next_month = first_bit_from(m_months, m);
    if (next_month < 0) {
      ++y;
      m = static_cast<unsigned>(std::countr_zero(m_months));
      d = 1;
      hour = minute = 0;
    } else if (static_cast<unsigned>(next_month) != m) {
      m = static_cast<unsigned>(next_month);
      d = 1;
      hour = minute = 0;
    }
    const year_month month_of_year = year{y} / month{m};
    const local_days month_start{month_of_year / 1};
    if (month_start >= until) {
      return std::nullopt;
    }
    const unsigned last_day =
        static_cast<unsigned>((month_of_year / last).day());
    const int next_day = first_bit_from(
        day_mask(weekday{month_start}.c_encoding(), last_day), d);
    if (next_day < 0) {
      if (++m > 12) {
        m = 1;
        ++y;
      }
      d = 1;
      hour = minute = 0;
      continue;
    }
    if (static_cast<unsigned>(next_day) != d) {
      d = static_cast<unsigned>(next_day);
      hour = minute = 0;
    }
    const int next_hour = first_bit_from(m_hours, hour);
    if (next_hour < 0) {
      ++d;
      hour = minute = 0;
      continue;
    }
    if (static_cast<unsigned>(next_hour) != hour) {
      hour = static_cast<unsigned>(next_hour);
      minute = 0;
    }
    const int next_minute = first_bit_from(m_minutes, minute);
    if (next_minute < 0) {
      ++hour;
      minute = 0;
      continue;
    }
    const local_seconds found =
        month_start + days{d - 1} + hours{hour} + minutes{next_minute};
    if (found >= until) {
      return std::nullopt;
    }
    return found;
  }
}

} // namespace tapline::schedule
