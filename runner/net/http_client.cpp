// runner/net/http_client.cpp
#include <runner/net/http_client.hpp>
#include <runner/util/ascii.hpp>

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <utility>

namespace tapline::net {

namespace {

// Response headers kept per response; a server that sends more is not
// worth remembering.
constexpr std::size_t k_max_header_bytes = 64 * 1024;

std::string_view
trim(std::string_view text)
{
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' ||
                           text.back() == '\r' || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

struct UrlDeleter
{
  void
  operator()(CURLU* url) const
  {
    curl_url_cleanup(url);
  }
};

struct CurlFree
{
  void
  operator()(char* text) const
  {
    curl_free(text);
  }
};

struct SlistDeleter
{
  void
  operator()(curl_slist* list) const
  {
    curl_slist_free_all(list);
  }
};

struct Origin
{
  std::string scheme;
  std::string host;
  std::string port; // empty when the URL names none (with `default_port`
                    // false)
};

// Parts of `url` that decide where a request goes; nullopt if libcurl
// cannot parse it.
std::optional<Origin>
parse_origin(std::string_view url, bool default_port)
{
  const std::unique_ptr<CURLU, UrlDeleter> handle(curl_url());
  if (!handle) {
    return std::nullopt;
  }
  const std::string text(url);
  if (curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return std::nullopt;
  }
  const auto part = [&](CURLUPart which, unsigned flags) {
    char* value = nullptr;
    if (curl_url_get(handle.get(), which, &value, flags) != CURLUE_OK) {
      return std::string();
    }
    const std::unique_ptr<char, CurlFree> owned(value);
    return std::string(value);
  };
  Origin origin;
  origin.scheme = util::ascii_lowercase(part(CURLUPART_SCHEME, 0));
  origin.host = util::ascii_lowercase(part(CURLUPART_HOST, 0));
  origin.port = part(CURLUPART_PORT, default_port ? CURLU_DEFAULT_PORT : 0U);
  if (origin.scheme.empty() || origin.host.empty()) {
    return std::nullopt;
  }
  return origin;
}

bool
same_origin(std::string_view from, std::string_view to)
{
  const auto a = parse_origin(from, true);
  const auto b = parse_origin(to, true);
  return a && b && a->scheme == b->scheme && a->host == b->host &&
         a->port == b->port;
}

// What a failed curl_easy_perform means for the caller.
ErrorCode
error_code_for(CURLcode code)
{
  switch (code) {
  case CURLE_OPERATION_TIMEDOUT:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
  case CURLE_COULDNT_CONNECT:
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
  case CURLE_GOT_NOTHING:
  case CURLE_PARTIAL_FILE:
  case CURLE_SSL_CONNECT_ERROR: // includes a reset during the handshake
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
  case CURLE_HTTP3:
    return ErrorCode::transient;
  case CURLE_URL_MALFORMAT:
  case CURLE_UNSUPPORTED_PROTOCOL:
    return ErrorCode::config;
  default:
    return ErrorCode::unavailable;
  }
}

// State shared with the libcurl callbacks during one transfer.
struct Transfer
{
  HttpResponse response;
  std::size_t max_body = 0;
  std::size_t header_bytes = 0;
};

std::size_t
on_body(char* data, std::size_t size, std::size_t count, void* user)
{
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  auto& body = transfer.response.body;
  const std::size_t room = transfer.max_body - body.size();
  if (bytes > room) {
    // Keep what fits and stop the transfer; perform() sees CURLE_WRITE_ERROR
    // and turns it back into a (truncated) response.
    body.append(data, room);
    transfer.response.body_truncated = true;
    return 0;
  }
  body.append(data, bytes);
  return bytes;
}

std::size_t
on_header(char* data, std::size_t size, std::size_t count, void* user)
{
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  const std::string_view line(data, bytes);
  if (line.starts_with("HTTP/")) {
    // A new response (after "100 Continue"): forget the previous headers.
    transfer.response.headers.clear();
    transfer.header_bytes = 0;
    return bytes;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0 ||
      transfer.header_bytes + bytes > k_max_header_bytes) {
    return bytes;
  }
  transfer.header_bytes += bytes;
  transfer.response.headers.emplace_back(
      util::ascii_lowercase(line.substr(0, colon)),
      trim(line.substr(colon + 1)));
  return bytes;
}

bool
has_line_break(std::string_view text)
{
  return text.find_first_of("\r\n") != std::string_view::npos;
}

long
milliseconds(std::chrono::milliseconds duration)
{
  return static_cast<long>(
      std::max<std::chrono::milliseconds::rep>(duration.count(), 1));
}

} // namespace

bool
init_curl()
{
  static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
  return code == CURLE_OK;
}

std::string
url_origin(std::string_view url)
{
  if (const auto origin = parse_origin(url, false)) {
    return origin->scheme + "://" + origin->host +
           (origin->port.empty() ? "" : ":" + origin->port);
  }
  const auto scheme_end = url.find("://");
  const auto path_start = url.find_first_of(
      "/?#", scheme_end == std::string_view::npos ? 0 : scheme_end + 3);
  return std::string(url.substr(0, path_start));
}

std::optional<std::string_view>
HttpResponse::header(std::string_view name) const
{
  const auto wanted = util::ascii_lowercase(name);
  for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
    if (it->first == wanted) {
      return it->second;
    }
  }
  return std::nullopt;
}

HttpClient::HttpClient()
{
  if (init_curl()) {
    m_curl = curl_easy_init();
  }
}

HttpClient::HttpClient(HttpClient&& other) noexcept
    : m_curl(std::exchange(other.m_curl, nullptr))
{
}

HttpClient&
HttpClient::operator=(HttpClient&& other) noexcept
{
  if (this != &other) {
    if (m_curl != nullptr) {
      curl_easy_cleanup(m_curl);
    }
    m_curl = std::exchange(other.m_curl, nullptr);
  }
  return *this;
}

HttpClient::~HttpClient()
{
  if (m_curl != nullptr) {
    curl_easy_cleanup(m_curl);
  }
}

Result<HttpResponse>
HttpClient::get(const HttpRequest& request)
{
  return perform(Method::get, request);
}

Result<HttpResponse>
HttpClient::post(const HttpRequest& request)
{
  return perform(Method::post, request);
}

Result<HttpResponse>
HttpClient::perform(Method method, const HttpRequest& request)
{
  if (m_curl == nullptr) {
    return fail(ErrorCode::internal,
                "no libcurl handle: initialisation failed or the client was "
                "moved from");
  }
  std::string url = request.url;
  for (int redirects = 0;; ++redirects) {
    TRY_ASSIGN(auto response, perform_once(method, request, url));
    const bool redirect = response.status == 301 || response.status == 302 ||
                          response.status == 303 || response.status == 307 ||
                          response.status == 308;
    // A redirect elsewhere is not followed: it would carry the request's
    // headers (credentials) and body to a host nobody configured.
    if (!redirect || response.redirect_url.empty() ||
        redirects >= request.max_redirects ||
        !same_origin(url, response.redirect_url)) {
      return response;
    }
    if (response.status == 303 ||
        (method == Method::post &&
         (response.status == 301 || response.status == 302))) {
      method = Method::get; // what browsers and curl do
    }
    url = std::move(response.redirect_url);
  }
}

Result<HttpResponse>
HttpClient::perform_once(Method method,
                         const HttpRequest& request,
                         const std::string& url)
{
  CURL* curl = m_curl;
  curl_easy_reset(curl);

  std::unique_ptr<curl_slist, SlistDeleter> headers;
  const auto add_header = [&](const std::string& line) {
    curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
    if (appended == nullptr) {
      throw std::bad_alloc();
    }
    (void)headers.release(); // `appended` is the same list, one longer
    headers.reset(appended);
  };
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || has_line_break(name) || has_line_break(value) ||
        name.find(':') != std::string::npos) {
      const auto shown =
          std::string_view(name).substr(0, name.find_first_of("\r\n"));
      return fail(ErrorCode::config,
                  fmt::format("invalid http header '{}': the name must be "
                              "non-empty without ':' and neither name nor "
                              "value may contain a line break",
                              shown),
                  url_origin(url));
    }
    // "Name;" is libcurl's way to send a header with an empty value.
    add_header(value.empty() ? name + ";" : name + ": " + value);
  }
  if (method == Method::post) {
    if (has_line_break(request.content_type)) {
      return fail(ErrorCode::config,
                  "invalid content type: contains a line break",
                  url_origin(url));
    }
    if (!request.content_type.empty()) {
      add_header("Content-Type: " + request.content_type);
    }
    add_header("Expect:"); // no "100-continue" round trip
  }

  Transfer transfer;
  transfer.max_body = request.max_body;
  char error_buffer[CURL_ERROR_SIZE] = {};

  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L); // see perform()
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(
      curl, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(request.connect_timeout));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, milliseconds(request.timeout));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "tapline/" TAPLINE_VERSION);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  if (method == Method::post) {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl,
                     CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  } else {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  }

  CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_WRITE_ERROR && transfer.response.body_truncated) {
    code = CURLE_OK; // we stopped it: the body reached max_body
  }
  // The handle keeps pointers to our locals; drop them before returning.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  if (code != CURLE_OK) {
    std::string detail =
        error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    if (!detail.empty()) {
      detail[0] = static_cast<char>(
          std::tolower(static_cast<unsigned char>(detail[0])));
    }
    return fail(error_code_for(code), std::move(detail), url_origin(url));
  }

  auto& response = transfer.response;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  if (response.status >= 300 && response.status < 400) {
    char* location = nullptr;
    curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location);
    if (location != nullptr) {
      response.redirect_url = location;
    }
  }
  return std::move(response);
}

} // namespace tapline::net
