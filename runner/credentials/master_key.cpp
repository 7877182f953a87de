// runner/credentials/master_key.cpp
//
// Where the master key comes from and how the key file is made. The file
// holds the key as 64 hex digits and a newline, so it can be copied into
// TAPLINE_MASTER_KEY. It is written to a private temporary file and then
// hard-linked into place: link() fails if the name exists, so when two
// processes create the key at once, one wins and the other reads the
// winner's complete file instead of a half-written one.

#include <runner/credentials/master_key.hpp>
#include <runner/util/fs.hpp>

#include <fmt/format.h>
#include <sodium.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ostream>
#include <string>
#include <sys/stat.h>
#include <system_error>
#include <vector>

namespace tapline::credentials {

namespace {

constexpr std::string_view k_expected =
    "expected 64 hex digits or the base64 of 32 bytes (make one with "
    "`openssl rand -hex 32`)";

// Longer than any valid key file; a bigger file is not a key file.
constexpr std::size_t k_max_key_file_bytes = 256;

std::string_view
trim(std::string_view text)
{
  constexpr std::string_view space = " \t\r\n";
  const auto begin = text.find_first_not_of(space);
  if (begin == std::string_view::npos) {
    return {};
  }
  const auto end = text.find_last_not_of(space);
  return text.substr(begin, end - begin + 1);
}

bool
is_hex(std::string_view text)
{
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
  });
}

// Bytes decoded from `text` in any of libsodium's base64 variants.
std::optional<std::size_t>
decode_base64(std::string_view text, std::vector<unsigned char>& out)
{
  out.assign(text.size(), 0);
  for (const int variant : {sodium_base64_VARIANT_ORIGINAL,
                            sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                            sodium_base64_VARIANT_URLSAFE,
                            sodium_base64_VARIANT_URLSAFE_NO_PADDING}) {
    std::size_t length = 0;
    const char* end = nullptr;
    if (sodium_base642bin(out.data(),
                          out.size(),
                          text.data(),
                          text.size(),
                          nullptr,
                          &length,
                          &end,
                          variant) == 0 &&
        end == text.data() + text.size()) {
      return length;
    }
  }
  return std::nullopt;
}

// Closes a file descriptor on scope exit.
class FdCloser
{
public:
  explicit FdCloser(int fd) : m_fd(fd) {}
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  ~FdCloser()
  {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }

private:
  int m_fd;
};

// The key in an existing key file; nullopt when there is no such file.
Result<std::optional<MasterKey>>
read_key_file(const std::filesystem::path& path)
{
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return std::nullopt;
    }
    return std::unexpected(
        util::io_error(errno, "cannot open master key file", path));
  }
  const FdCloser closer(fd);
  struct stat info
  {
  };
  if (::fstat(fd, &info) != 0) {
    return std::unexpected(
        util::io_error(errno, "cannot read master key file", path));
  }
  if (!S_ISREG(info.st_mode)) {
    return fail(
        ErrorCode::config, "master key file is not a regular file", path);
  }
  const unsigned mode = info.st_mode & 07777U;
  if ((mode & 077U) != 0) {
    return fail(ErrorCode::config,
                fmt::format("master key file may be read or changed by group "
                            "or others (mode {:04o}); run `chmod 600` on it",
                            mode),
                path);
  }
  std::string content(k_max_key_file_bytes + 1, '\0');
  std::size_t filled = 0;
  while (filled < content.size()) {
    const ssize_t got =
        ::read(fd, content.data() + filled, content.size() - filled);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      sodium_memzero(content.data(), content.size());
      return std::unexpected(
          util::io_error(errno, "cannot read master key file", path));
    }
    if (got == 0) {
      break;
    }
    filled += static_cast<std::size_t>(got);
  }
  auto key =
      parse_master_key(std::string_view(content.data(), filled), path.string());
  sodium_memzero(content.data(), content.size());
  if (!key) {
    return std::unexpected(std::move(key).error());
  }
  return std::optional<MasterKey>(std::move(*key));
}

// Make a key file at `path` unless one appears first. Either way the caller
// reads the file afterwards.
Result<void>
create_key_file(const std::filesystem::path& path)
{
  const std::filesystem::path dir = path.parent_path();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return fail(ErrorCode::io,
                "cannot create data directory: " + ec.message(),
                dir.string());
  }
  MasterKey::Bytes bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, MasterKey::k_size * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  sodium_memzero(bytes.data(), bytes.size());
  std::string content(hex.data(), MasterKey::k_size * 2);
  content += '\n';
  sodium_memzero(hex.data(), hex.size());

  const std::filesystem::path temp = dir / fmt::format(".{}.{}.{:08x}.tmp",
                                                       k_master_key_file,
                                                       ::getpid(),
                                                       randombytes_random());
  const auto wipe = [&content] {
    sodium_memzero(content.data(), content.size());
  };
  const int fd =
      ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    wipe();
    return std::unexpected(
        util::io_error(errno, "cannot create master key file", temp));
  }
  int errnum = ::fchmod(fd, 0600) == 0 ? 0 : errno; // whatever the umask
  if (errnum == 0) {
    errnum = util::write_all(fd, content);
  }
  wipe();
  if (errnum == 0 && ::fsync(fd) != 0) {
    errnum = errno;
  }
  ::close(fd);
  if (errnum == 0 && ::link(temp.c_str(), path.c_str()) != 0 &&
      errno != EEXIST) {
    errnum = errno;
  }
  ::unlink(temp.c_str());
  if (errnum != 0) {
    return std::unexpected(
        util::io_error(errnum, "cannot create master key file", path));
  }
  // Make the new name durable before anything is encrypted with the key.
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return {};
}

} // namespace

Result<void>
init_sodium()
{
  // sodium_init is thread-safe; the static makes later calls free.
  static const int rc = sodium_init();
  if (rc < 0) {
    return fail(ErrorCode::internal, "cannot initialise libsodium");
  }
  return {};
}

MasterKey::MasterKey(const Bytes& bytes) : m_bytes(bytes) {}

MasterKey::MasterKey(MasterKey&& other) noexcept : m_bytes(other.m_bytes)
{
  sodium_memzero(other.m_bytes.data(), other.m_bytes.size());
}

MasterKey&
MasterKey::operator=(MasterKey&& other) noexcept
{
  if (this != &other) {
    m_bytes = other.m_bytes;
    sodium_memzero(other.m_bytes.data(), other.m_bytes.size());
  }
  return *this;
}

MasterKey::~MasterKey() { sodium_memzero(m_bytes.data(), m_bytes.size()); }

std::ostream&
operator<<(std::ostream& out, const MasterKey& /*key*/)
{
  return out << k_redacted;
}

Result<MasterKey>
parse_master_key(std::string_view text, std::string_view source)
{
  TRY(init_sodium());
  const std::string_view key_text = trim(text);
  MasterKey::Bytes bytes{};
  if (key_text.size() == MasterKey::k_size * 2 && is_hex(key_text)) {
    std::size_t length = 0;
    if (sodium_hex2bin(bytes.data(),
                       bytes.size(),
                       key_text.data(),
                       key_text.size(),
                       nullptr,
                       &length,
                       nullptr) == 0 &&
        length == bytes.size()) {
      MasterKey key(bytes);
      sodium_memzero(bytes.data(), bytes.size());
      return key;
    }
  }
  if (key_text.empty()) {
    return fail(ErrorCode::config,
                fmt::format("{}, got nothing", k_expected),
                std::string(source));
  }
  if (key_text.size() == MasterKey::k_size * 2) {
    // Meant as hex (64 characters of base64 would be 48 bytes): say so
    // rather than report what it decodes to as base64.
    return fail(ErrorCode::config,
                fmt::format("{}, got 64 characters that are not all hex digits",
                            k_expected),
                std::string(source));
  }
  std::vector<unsigned char> decoded;
  const auto length = decode_base64(key_text, decoded);
  const auto wipe = [&decoded] {
    sodium_memzero(decoded.data(), decoded.size());
  };
  if (length == MasterKey::k_size) {
    std::copy_n(decoded.begin(), bytes.size(), bytes.begin());
    wipe();
    MasterKey key(bytes);
    sodium_memzero(bytes.data(), bytes.size());
    return key;
  }
  wipe();
  if (length) {
    return fail(
        ErrorCode::config,
        fmt::format("{}, got the base64 of {} bytes", k_expected, *length),
        std::string(source));
  }
  return fail(ErrorCode::config,
              fmt::format("{}, got {} characters that are neither",
                          k_expected,
                          key_text.size()),
              std::string(source));
}

Result<MasterKey>
load_master_key(const std::filesystem::path& data_dir,
                std::optional<std::string_view> env_value)
{
  TRY(init_sodium());
  if (env_value) {
    return parse_master_key(*env_value, k_master_key_env);
  }
  const std::filesystem::path path = data_dir / k_master_key_file;
  TRY_ASSIGN(auto existing, read_key_file(path));
  if (existing) {
    return std::move(*existing);
  }
  TRY(create_key_file(path));
  TRY_ASSIGN(auto created, read_key_file(path));
  if (!created) {
    return fail(ErrorCode::io,
                "master key file disappeared right after it was created",
                path.string());
  }
  return std::move(*created);
}

Result<MasterKey>
load_master_key(const std::filesystem::path& data_dir)
{
  const char* value = std::getenv(std::string(k_master_key_env).c_str());
  return load_master_key(
      data_dir, value ? std::optional<std::string_view>(value) : std::nullopt);
}

} // namespace tapline::credentials
