// runner/credentials/secret.cpp
//
// Secret's wiping: every path that drops bytes (destruction, assignment,
// being moved from) zeroes the old buffer with sodium_memzero, which the
// compiler may not optimise away. Growing a string would leave a stale copy
// behind, so a Secret never changes its value in place.

#include <runner/credentials/secret.hpp>

#include <sodium.h>

#include <ostream>
#include <utility>

namespace tapline::credentials {

Secret::Secret(std::string value) : m_value(std::move(value)) {}

Secret::Secret(Secret&& other) noexcept : m_value(std::move(other.m_value))
{
  // A short string is copied out of the small-string buffer, not stolen.
  other.wipe();
}

Secret&
Secret::operator=(const Secret& other)
{
  if (this != &other) {
    wipe();
    m_value = other.m_value;
  }
  return *this;
}

Secret&
Secret::operator=(Secret&& other) noexcept
{
  if (this != &other) {
    wipe();
    m_value = std::move(other.m_value);
    other.wipe();
  }
  return *this;
}

Secret::~Secret() { wipe(); }

void
Secret::wipe() noexcept
{
  // Within the capacity, resize does not reallocate, so this zeroes the
  // buffer the value lived in, including bytes past the current size.
  m_value.resize(m_value.capacity());
  sodium_memzero(m_value.data(), m_value.size());
  m_value.clear();
}

bool
operator==(const Secret& a, const Secret& b)
{
  if (a.m_value.size() != b.m_value.size()) {
    return false;
  }
  return a.m_value.empty() ||
         sodium_memcmp(a.m_value.data(), b.m_value.data(), a.m_value.size()) ==
             0;
}

std::ostream&
operator<<(std::ostream& out, const Secret& /*secret*/)
{
  return out << k_redacted;
}

} // namespace tapline::credentials
