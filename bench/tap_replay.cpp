// bench/tap_replay.cpp
// tap-replay: a Singer tap that replays a recorded stream. It reads
// `--config FILE` (JSON `{"file": "/path/to/stream.jsonl"}`) and copies that
// file to stdout unchanged with a 128 KiB read/write loop, like cat, so a
// benchmark can feed tapline a fixed workload (gen_singer_stream.py) at disk
// speed. `--state`, `--catalog` and `--properties` are accepted and ignored.
// The bench tools link no JSON library, hence the small scanner below.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace {

constexpr std::size_t k_copy_size = std::size_t{128} * 1024;
constexpr int k_exit_usage = 2;

void
fail(const std::string& message)
{
  std::fprintf(stderr, "tap-replay: %s\n", message.c_str());
}

[[nodiscard]] std::optional<std::string>
read_file(const std::string& path, std::string& error)
{
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = path + ": cannot open: " + std::strerror(errno);
    return std::nullopt;
  }
  std::string text;
  char chunk[16 * 1024];
  ssize_t got = 0;
  while ((got = ::read(fd, chunk, sizeof chunk)) != 0) {
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      error = path + ": cannot read: " + std::strerror(errno);
      ::close(fd);
      return std::nullopt;
    }
    text.append(chunk, static_cast<std::size_t>(got));
  }
  ::close(fd);
  return text;
}

void
append_utf8(std::string& out, unsigned code_point)
{
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

[[nodiscard]] std::optional<unsigned>
read_hex4(std::string_view text, std::size_t at)
{
  if (at + 4 > text.size()) {
    return std::nullopt;
  }
  unsigned value = 0;
  for (std::size_t i = at; i < at + 4; ++i) {
    const char c = text[i];
    value <<= 4;
    if (c >= '0' && c <= '9') {
      value |= static_cast<unsigned>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      value |= static_cast<unsigned>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      value |= static_cast<unsigned>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
  }
  return value;
}

// Decode the JSON string starting at the quote `text[pos]`; leaves `pos`
// after the closing quote.
[[nodiscard]] std::optional<std::string>
scan_string(std::string_view text, std::size_t& pos)
{
  std::string out;
  for (++pos; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (c == '"') {
      ++pos;
      return out;
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++pos >= text.size()) {
      return std::nullopt;
    }
    switch (text[pos]) {
    case 'n':
      out += '\n';
      break;
    case 't':
      out += '\t';
      break;
    case 'r':
      out += '\r';
      break;
    case 'b':
      out += '\b';
      break;
    case 'f':
      out += '\f';
      break;
    case 'u': {
      auto unit = read_hex4(text, pos + 1);
      if (!unit) {
        return std::nullopt;
      }
      pos += 4;
      unsigned code_point = *unit;
      if (code_point >= 0xD800 && code_point < 0xDC00 &&
          text.substr(pos + 1, 2) == "\\u") {
        if (auto low = read_hex4(text, pos + 3);
            low && *low >= 0xDC00 && *low < 0xE000) {
          code_point =
              0x10000 + ((code_point - 0xD800) << 10) + (*low - 0xDC00);
          pos += 6;
        }
      }
      append_utf8(out, code_point);
      break;
    }
    default: // '"', '\\' and '/' stand for themselves
      out += text[pos];
    }
  }
  return std::nullopt;
}

// The string value of the top-level key `file`, or nothing.
[[nodiscard]] std::optional<std::string>
find_file_key(std::string_view text)
{
  int depth = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const char c = text[pos];
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == '"') {
      auto token = scan_string(text, pos);
      if (!token) {
        return std::nullopt;
      }
      const std::size_t colon = text.find_first_not_of(" \t\r\n", pos);
      if (depth != 1 || *token != "file" || colon == std::string_view::npos ||
          text[colon] != ':') {
        continue;
      }
      pos = text.find_first_not_of(" \t\r\n", colon + 1);
      if (pos == std::string_view::npos || text[pos] != '"') {
        return std::nullopt;
      }
      return scan_string(text, pos);
    }
    ++pos;
  }
  return std::nullopt;
}

// Copy `fd` to stdout. Returns false after reporting a read or write error;
// a closed stdout ends the process quietly.
[[nodiscard]] bool
copy_to_stdout(int fd, const std::string& path)
{
  const auto buffer = std::make_unique_for_overwrite<char[]>(k_copy_size);
  for (;;) {
    const ssize_t got = ::read(fd, buffer.get(), k_copy_size);
    if (got == 0) {
      return true;
    }
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      fail(path + ": cannot read: " + std::strerror(errno));
      return false;
    }
    const char* data = buffer.get();
    auto left = static_cast<std::size_t>(got);
    while (left > 0) {
      const ssize_t written = ::write(STDOUT_FILENO, data, left);
      if (written < 0 && errno == EINTR) {
        continue;
      }
      if (written < 0 && errno == EPIPE) {
        std::_Exit(0); // the reader is gone: nobody is left to tell
      }
      if (written < 0) {
        fail(std::string("cannot write to stdout: ") + std::strerror(errno));
        return false;
      }
      data += written;
      left -= static_cast<std::size_t>(written);
    }
  }
}

} // namespace

int
main(int argc, char** argv)
{
  std::signal(SIGPIPE, SIG_IGN);
  std::optional<std::string> config_path;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    const bool takes_file = flag == "--config" || flag == "--state" ||
                            flag == "--catalog" || flag == "--properties";
    if (!takes_file || i + 1 >= argc) {
      fail(std::string("unknown or incomplete option '") + argv[i] + "'");
      return k_exit_usage;
    }
    if (flag == "--config") {
      config_path = argv[i + 1];
    }
    ++i;
  }
  if (!config_path) {
    fail("--config FILE is required");
    return k_exit_usage;
  }

  std::string error;
  const auto config = read_file(*config_path, error);
  if (!config) {
    fail(error);
    return 1;
  }
  const auto stream_path = find_file_key(*config);
  if (!stream_path) {
    fail(*config_path + ": expected a string for 'file'");
    return 1;
  }
  const int fd = ::open(stream_path->c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fail(*stream_path + ": cannot open: " + std::strerror(errno));
    return 1;
  }
  const bool copied = copy_to_stdout(fd, *stream_path);
  ::close(fd);
  return copied ? 0 : 1;
}
