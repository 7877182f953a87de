// runner/net/outcome.cpp
#include <runner/net/outcome.hpp>

#include <curl/curl.h>

#include <algorithm>
#include <string>

namespace tapline::net {

std::string_view
to_string(Outcome outcome)
{
  switch (outcome) {
  case Outcome::ok:
    return "ok";
  case Outcome::transient:
    return "transient";
  case Outcome::auth:
    return "auth";
  case Outcome::error:
    return "error";
  }
  return "error";
}

Outcome
classify(long status)
{
  if (status >= 200 && status < 300) {
    return Outcome::ok;
  }
  if (status == 401 || status == 403) {
    return Outcome::auth;
  }
  if (status == 408 || status == 429 || (status >= 500 && status < 600)) {
    return Outcome::transient;
  }
  return Outcome::error;
}

Outcome
classify(const Result<HttpResponse>& result)
{
  if (!result) {
    return result.error().code == ErrorCode::transient ? Outcome::transient
                                                       : Outcome::error;
  }
  return classify(result->status);
}

std::optional<std::chrono::seconds>
retry_after(const HttpResponse& response,
            std::chrono::system_clock::time_point now)
{
  const auto header = response.header("retry-after");
  if (!header || header->empty()) {
    return std::nullopt;
  }
  const std::string_view value = *header;
  if (std::ranges::all_of(value, [](char c) { return c >= '0' && c <= '9'; })) {
    // More than nine digits is "a very long time": callers cap it anyway.
    if (value.size() > 9) {
      return std::chrono::seconds(999'999'999);
    }
    return std::chrono::seconds(std::stol(std::string(value)));
  }
  const std::string text(value);
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) {
    return std::nullopt;
  }
  const auto delay = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::from_time_t(when) - now);
  return std::max(delay, std::chrono::seconds(0));
}

} // namespace tapline::net
