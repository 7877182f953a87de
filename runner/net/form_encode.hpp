// runner/net/form_encode.hpp
#pragma once

// application/x-www-form-urlencoded bodies, as OAuth2 token endpoints
// expect: form_encode({{"grant_type", "refresh_token"}, {"refresh_token",
// token}}). Percent-encoding is libcurl's (curl_easy_escape): everything but
// RFC 3986 unreserved characters is escaped, a space as "%20".

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tapline::net {

// `text` percent-encoded.
[[nodiscard]] std::string url_escape(std::string_view text);

// "k1=v1&k2=v2" with keys and values percent-encoded, in the given order.
[[nodiscard]] std::string
form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

} // namespace tapline::net
