// runner/net/retry.cpp
#include <runner/net/outcome.hpp>
#include <runner/net/retry.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace tapline::net {

std::chrono::milliseconds
retry_delay(const RetryPolicy& policy,
            int attempt,
            const Result<HttpResponse>& result)
{
  if (result) {
    if (const auto asked = retry_after(*result)) {
      return std::min<std::chrono::milliseconds>(*asked,
                                                 policy.retry_after_cap);
    }
  }
  auto delay = policy.backoff;
  for (int i = 1; i < attempt && delay < policy.max_backoff; ++i) {
    delay *= 2;
  }
  return std::min(delay, policy.max_backoff);
}

Result<HttpResponse>
post_with_retries(HttpClient& client,
                  const HttpRequest& request,
                  const RetryPolicy& policy)
{
  const int attempts = std::max(policy.attempts, 1);
  for (int attempt = 1;; ++attempt) {
    auto result = client.post(request);
    if (attempt >= attempts || classify(result) != Outcome::transient) {
      return result;
    }
    const auto delay = retry_delay(policy, attempt, result);
    if (policy.log) {
      const auto what = result ? fmt::format("{}: http {}",
                                             url_origin(request.url),
                                             result->status)
                               : result.error().to_string();
      policy.log(fmt::format("{} (attempt {} of {}), retrying in {} ms",
                             what,
                             attempt,
                             attempts,
                             delay.count()));
    }
    if (policy.sleep) {
      policy.sleep(delay);
    } else {
      std::this_thread::sleep_for(delay);
    }
  }
}

} // namespace tapline::net
