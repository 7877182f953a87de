// runner/net/form_encode.cpp
#include <runner/net/form_encode.hpp>
#include <runner/net/http_client.hpp>

#include <curl/curl.h>

#include <new>

namespace tapline::net {

std::string
url_escape(std::string_view text)
{
  (void)init_curl();
  std::string out;
  // curl_easy_escape takes an int length (0 meaning strlen, so empty text
  // never reaches it); escaping is per byte, so chunks give the same result.
  constexpr std::size_t k_chunk = 1 << 20;
  while (!text.empty()) {
    const auto piece = text.substr(0, k_chunk);
    char* escaped =
        curl_easy_escape(nullptr, piece.data(), static_cast<int>(piece.size()));
    if (escaped == nullptr) {
      throw std::bad_alloc();
    }
    out += escaped;
    curl_free(escaped);
    text.remove_prefix(piece.size());
  }
  return out;
}

std::string
form_encode(const std::vector<std::pair<std::string, std::string>>& fields)
{
  std::string out;
  for (const auto& [key, value] : fields) {
    if (!out.empty()) {
      out += '&';
    }
    out += url_escape(key);
    out += '=';
    out += url_escape(value);
  }
  return out;
}

} // namespace tapline::net
