// runner/net/retry.hpp
#pragma once

// POST with retries of transient outcomes (see outcome.hpp): exponential
// backoff, or the server's Retry-After when it sends one, capped so that a
// server cannot park tapline for an hour. Auth and error outcomes are final
// at once: retrying a refused token only gets it rate-limited.

#include <runner/net/http_client.hpp>
#include <runner/util/result.hpp>

#include <chrono>
#include <functional>
#include <string_view>

namespace tapline::net {

struct RetryPolicy
{
  int attempts = 3; // calls in all; values below 1 count as 1
  // Delay before the second call; doubles for each further one.
  std::chrono::milliseconds backoff{std::chrono::seconds(1)};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(30)};
  // Longest Retry-After honoured; a longer one waits this long. A
  // Retry-After replaces the computed backoff for that wait.
  std::chrono::milliseconds retry_after_cap{std::chrono::seconds(60)};
  // How to wait; empty: std::this_thread::sleep_for. Tests record instead.
  std::function<void(std::chrono::milliseconds)> sleep;
  // One line per retry ("https://host: http 503 (attempt 1 of 3), retrying
  // in 1000 ms"); may be empty.
  std::function<void(std::string_view)> log;
};

// The result of the last call made: a success, a final failure, or the
// transient failure of the last attempt. classify() it.
[[nodiscard]] Result<HttpResponse> post_with_retries(HttpClient& client,
                                                     const HttpRequest& request,
                                                     const RetryPolicy& policy);

// The wait before call number `attempt + 1` after call `attempt` (from 1)
// ended in `result`, which was transient.
[[nodiscard]] std::chrono::milliseconds retry_delay(
    const RetryPolicy& policy, int attempt, const Result<HttpResponse>& result);

} // namespace tapline::net
