// runner/credentials/secret.hpp
#pragma once

// A value that must not leak: a token, a password, a key. It has no
// conversion to string, formats and streams as "********", and wipes its
// bytes when it goes away, so a Secret that ends up in a log line, an alert
// or an error message shows nothing.

#include <fmt/format.h>

#include <iosfwd>
#include <string>
#include <string_view>

namespace tapline::credentials {

// What a Secret prints as.
inline constexpr std::string_view k_redacted = "********";

class Secret
{
public:
  Secret() = default;
  explicit Secret(std::string value);

  Secret(const Secret& other) = default;
  Secret(Secret&& other) noexcept;
  Secret& operator=(const Secret& other);
  Secret& operator=(Secret&& other) noexcept;
  ~Secret();

  // The bytes. Call it only where they leave tapline on purpose: into a
  // 0600 file for a tap, into an HTTP header, into the encrypted store.
  // Never into a log, an alert or an error message.
  [[nodiscard]] std::string_view
  reveal() const
  {
    return m_value;
  }

  [[nodiscard]] bool
  empty() const
  {
    return m_value.empty();
  }

  [[nodiscard]] std::size_t
  size() const
  {
    return m_value.size();
  }

  // Constant-time comparison, so comparing a secret leaks no prefix length.
  friend bool operator==(const Secret& a, const Secret& b);

private:
  // Zero the whole buffer, the unused capacity included.
  void wipe() noexcept;

  std::string m_value;
};

// Prints "********" whatever the value.
std::ostream& operator<<(std::ostream& out, const Secret& secret);

} // namespace tapline::credentials

template<>
struct fmt::formatter<tapline::credentials::Secret>
    : fmt::formatter<std::string_view>
{
  template<typename FormatContext>
  auto
  format(const tapline::credentials::Secret& /*secret*/,
         FormatContext& context) const
  {
    return fmt::formatter<std::string_view>::format(
        tapline::credentials::k_redacted, context);
  }
};
