// runner/net/http_client.hpp
#pragma once

// A thin RAII wrapper over one libcurl easy handle, for the few HTTP calls
// tapline makes itself: alert webhooks, OAuth2 token refresh, credential
// checks. Safe defaults are not optional: TLS peers and host names are
// verified, only http and https are spoken, redirects are followed only
// within the same scheme, host and port, and the response body is bounded.
//
// Transport failures come back as Error (code `transient` for timeouts,
// refused or reset connections and DNS failures; `config` for a bad URL;
// `unavailable` for TLS and the rest). Any HTTP status is a response, not an
// error: classify() in outcome.hpp decides what it means.
//
// Error messages name the URL by its origin only (scheme, host, port): the
// path and query of a webhook or token URL often carry a secret.

#include <runner/util/result.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tapline::net {

using Header = std::pair<std::string, std::string>;

struct HttpRequest
{
  std::string url;
  std::vector<Header> headers; // sent as they are, in this order
  std::string body;            // POST only
  std::string content_type;    // empty: no Content-Type header
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds timeout{std::chrono::seconds(30)}; // whole call
  std::size_t max_body = std::size_t{1} << 20; // bytes of response kept
  int max_redirects = 3;                       // same origin only
};

struct HttpResponse
{
  long status = 0;
  std::vector<Header> headers; // of the final response; names lowercased
  std::string body;            // at most HttpRequest::max_body bytes
  bool body_truncated = false; // the server sent more than max_body
  std::string redirect_url;    // Location of a 3xx that was not followed

  // Value of the last header called `name` (case-insensitive).
  [[nodiscard]] std::optional<std::string_view>
  header(std::string_view name) const;
};

// "https://host:port" of `url` without user info, path or query (the port
// only when the URL names one). A URL libcurl cannot parse is cut before
// its path and query. Safe to log.
[[nodiscard]] std::string url_origin(std::string_view url);

// curl_global_init, once per process and thread-safe; false if it failed.
// HttpClient calls it; call it before any other libcurl function.
[[nodiscard]] bool init_curl();

// Owns a libcurl easy handle; reuses its connections across calls. Not safe
// to use from two threads at once; use one client per thread.
class HttpClient
{
public:
  HttpClient();
  HttpClient(HttpClient&& other) noexcept;
  HttpClient& operator=(HttpClient&& other) noexcept;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  ~HttpClient();

  [[nodiscard]] Result<HttpResponse> get(const HttpRequest& request);
  [[nodiscard]] Result<HttpResponse> post(const HttpRequest& request);

private:
  enum class Method { get, post };
  [[nodiscard]] Result<HttpResponse> perform(Method method,
                                             const HttpRequest& request);
  [[nodiscard]] Result<HttpResponse> perform_once(Method method,
                                                  const HttpRequest& request,
                                                  const std::string& url);

  void* m_curl = nullptr; // CURL* (libcurl's CURL is void)
};

} // namespace tapline::net
