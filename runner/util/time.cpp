// runner/util/time.cpp
#include <runner/util/time.hpp>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace tapline::util {

std::string
iso8601(Clock::time_point when)
{
  const auto millis =
      std::chrono::time_point_cast<std::chrono::milliseconds>(when);
  const auto seconds =
      std::chrono::time_point_cast<std::chrono::seconds>(millis);
  const auto fraction = (millis - seconds).count();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z",
                     fmt::gmtime(Clock::to_time_t(seconds)),
                     static_cast<int>(fraction));
}

} // namespace tapline::util
