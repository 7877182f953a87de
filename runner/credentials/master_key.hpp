// runner/credentials/master_key.hpp
#pragma once

// The 32-byte key that encrypts the credential store. It comes from
// TAPLINE_MASTER_KEY when that is set (for containers and CI, where the data
// directory is not a safe place for it), else from `<data_dir>/master.key`,
// which is created with a random key on first use.

#include <runner/credentials/secret.hpp>
#include <runner/util/result.hpp>

#include <fmt/format.h>

#include <array>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string_view>

namespace tapline::credentials {

inline constexpr std::string_view k_master_key_env = "TAPLINE_MASTER_KEY";
inline constexpr std::string_view k_master_key_file = "master.key";

// Initialise libsodium; cheap after the first call, safe from any thread.
// Fails (code `internal`) only when the system has no usable randomness.
[[nodiscard]] Result<void> init_sodium();

// Key bytes that are wiped on destruction and print as "********". Move
// only, so there is one copy of the key in memory.
class MasterKey
{
public:
  static constexpr std::size_t k_size = 32;
  using Bytes = std::array<unsigned char, k_size>;

  explicit MasterKey(const Bytes& bytes);
  MasterKey(MasterKey&& other) noexcept;
  MasterKey& operator=(MasterKey&& other) noexcept;
  MasterKey(const MasterKey&) = delete;
  MasterKey& operator=(const MasterKey&) = delete;
  ~MasterKey();

  // For the cipher only.
  [[nodiscard]] const Bytes&
  reveal() const
  {
    return m_bytes;
  }

private:
  Bytes m_bytes;
};

std::ostream& operator<<(std::ostream& out, const MasterKey& key);

// `text` as a key: 64 hex digits, or base64 (standard or URL-safe alphabet,
// padding optional) of exactly 32 bytes; surrounding whitespace is ignored.
// Anything else is a `config` error naming `source` that never quotes the
// text.
[[nodiscard]] Result<MasterKey> parse_master_key(std::string_view text,
                                                 std::string_view source);

// The key from `env_value` (the value of TAPLINE_MASTER_KEY, nullopt when
// unset; set but empty is an error, not "unset", so a failed `$(cat ...)`
// cannot silently switch to a new key) or else from `<data_dir>/master.key`.
// A missing key file is created, mode 0600, with 32 random bytes as hex;
// concurrent first uses agree on one key. An existing key file that group
// or others may access is refused (code `config`), as ssh does with keys.
[[nodiscard]] Result<MasterKey>
load_master_key(const std::filesystem::path& data_dir,
                std::optional<std::string_view> env_value);

// As above, reading TAPLINE_MASTER_KEY from the environment.
[[nodiscard]] Result<MasterKey>
load_master_key(const std::filesystem::path& data_dir);

} // namespace tapline::credentials

template<>
struct fmt::formatter<tapline::credentials::MasterKey>
    : fmt::formatter<std::string_view>
{
  template<typename FormatContext>
  auto
  format(const tapline::credentials::MasterKey& /*key*/,
         FormatContext& context) const
  {
    return fmt::formatter<std::string_view>::format(
        tapline::credentials::k_redacted, context);
  }
};
