// runner/net/outcome.hpp
#pragma once

// What the result of an HTTP call means for the caller, in the four classes
// the rest of tapline acts on: ok, transient (retry later, never pause for
// it), auth (the credentials were refused) and error (retrying will not
// help). Same split as the design's auth failure table.

#include <runner/net/http_client.hpp>
#include <runner/util/result.hpp>

#include <chrono>
#include <optional>
#include <string_view>

namespace tapline::net {

enum class Outcome {
  ok,        // 2xx
  transient, // timeout, refused or reset connection, DNS failure, 408, 429,
             // 5xx
  auth,      // 401, 403
  error,     // any other status (other 4xx, 1xx, an unfollowed 3xx), a bad
             // URL, a TLS verification failure
};

[[nodiscard]] std::string_view to_string(Outcome outcome);

[[nodiscard]] Outcome classify(long status);

// A transport error is transient when its code is `transient`, else error.
[[nodiscard]] Outcome classify(const Result<HttpResponse>& result);

// The delay a Retry-After header of `response` asks for: delta-seconds or an
// HTTP date (relative to `now`, never negative). Nullopt when the header is
// missing or unreadable.
[[nodiscard]] std::optional<std::chrono::seconds>
retry_after(const HttpResponse& response,
            std::chrono::system_clock::time_point now =
                std::chrono::system_clock::now());

} // namespace tapline::net
