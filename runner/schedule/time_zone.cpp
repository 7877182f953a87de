// runner/schedule/time_zone.cpp
#include <runner/schedule/time_zone.hpp>

#include <fmt/format.h>

#include <exception>

namespace tapline::schedule {

bool
is_utc_name(std::string_view name)
{
  return name.empty() || name == "UTC" || name == "Etc/UTC";
}

Result<const date::time_zone*>
locate_time_zone(std::string_view name)
{
  if (is_utc_name(name)) {
    return nullptr;
  }
  // date reports both a missing database and a missing zone by throwing;
  // load the database first so the two read differently.
  try {
    (void)date::get_tzdb();
  } catch (const std::exception& error) {
    return fail(ErrorCode::config,
                fmt::format("cannot load the time zone database for '{}' "
                            "(is tzdata installed?): {}",
                            name,
                            error.what()));
  }
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return fail(ErrorCode::config, fmt::format("unknown time zone '{}'", name));
  }
}

} // namespace tapline::schedule
