// bench/tap_replay.cpp
//
// tap-replay: a Singer tap for benchmarks that replays a recorded stream.
// It reads `--config FILE` (JSON {"file": "/path/stream.jsonl", "repeat": N})
// and copies the file to stdout unchanged, N times (default 1), with a
// 128 KiB read/write loop like cat, so a benchmark measures tapline rather
// than the tap. `repeat` turns the 1M-record workload into a 10M-record
// stream without storing 5.6 GB. --state, --catalog and --properties are
// accepted and ignored.

#include <simdjson.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::size_t k_chunk = 128 * 1024;

int
fail(const std::string& message)
{
  std::fprintf(stderr, "tap-replay: %s\n", message.c_str());
  return 1;
}

// Copies `path` to stdout; returns an error message or "".
std::string
copy_to_stdout(const std::string& path)
{
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return path + ": " + std::strerror(errno);
  }
  std::vector<char> buffer(k_chunk);
  for (;;) {
    const ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      const std::string error = path + ": " + std::strerror(errno);
      ::close(fd);
      return error;
    }
    if (got == 0) {
      break;
    }
    std::string_view data(buffer.data(), static_cast<std::size_t>(got));
    while (!data.empty()) {
      const ssize_t written = ::write(STDOUT_FILENO, data.data(), data.size());
      if (written < 0 && errno == EINTR) {
        continue;
      }
      if (written < 0) {
        ::close(fd);
        return std::string("stdout: ") + std::strerror(errno);
      }
      data.remove_prefix(static_cast<std::size_t>(written));
    }
  }
  ::close(fd);
  return {};
}

} // namespace

int
main(int argc, char** argv)
{
  std::string config_path;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help") {
      std::printf("usage: tap-replay --config FILE  (FILE: {\"file\": PATH, "
                  "\"repeat\": N})\n");
      return 0;
    }
    if ((flag == "--config" || flag == "--state" || flag == "--catalog" ||
         flag == "--properties") &&
        i + 1 < argc) {
      if (flag == "--config") {
        config_path = argv[i + 1];
      }
      ++i;
      continue;
    }
    return fail("unknown argument '" + std::string(flag) + "'");
  }
  if (config_path.empty()) {
    return fail("missing --config FILE");
  }
  simdjson::dom::parser parser;
  simdjson::dom::element config;
  if (auto error = parser.load(config_path).get(config)) {
    return fail(config_path + ": " + simdjson::error_message(error));
  }
  std::string_view file;
  if (config["file"].get(file) != simdjson::SUCCESS) {
    return fail(config_path + ": expected a string for 'file'");
  }
  int64_t repeat = 1;
  if (auto error = config["repeat"].get(repeat);
      error && error != simdjson::NO_SUCH_FIELD) {
    return fail(config_path + ": expected an integer for 'repeat'");
  }
  const std::string path(file);
  for (int64_t i = 0; i < repeat; ++i) {
    if (auto error = copy_to_stdout(path); !error.empty()) {
      return fail(error);
    }
  }
  return 0;
}
