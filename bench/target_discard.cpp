// bench/target_discard.cpp
// target-discard: a Singer target that reads stdin to EOF and throws it
// away, so benchmarks measure the tap and tapline rather than a destination.
// Accepts and ignores `--config FILE` like any Singer target; writes no
// STATE back.

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>

namespace {

constexpr std::size_t k_read_size = std::size_t{128} * 1024;
constexpr int k_exit_usage = 2;

constexpr std::string_view k_usage =
    "usage: target-discard [--config FILE]\n"
    "reads a Singer stream on stdin to EOF and discards it\n";

// Only the Singer-convention flags; anything else is a mistake in the
// benchmark command line and should be loud.
int
check_arguments(int argc, char** argv)
{
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::fputs(k_usage.data(), stdout);
      return 0;
    }
    if (flag == "--config" && i + 1 < argc) {
      ++i;
      continue;
    }
    if (flag.starts_with("--config=")) {
      continue;
    }
    std::fprintf(
        stderr, "target-discard: unknown or incomplete option '%s'\n", argv[i]);
    return k_exit_usage;
  }
  return -1;
}

} // namespace

int
main(int argc, char** argv)
{
  if (const int code = check_arguments(argc, argv); code >= 0) {
    return code;
  }
  const auto buffer = std::make_unique_for_overwrite<char[]>(k_read_size);
  for (;;) {
    const ssize_t got = ::read(STDIN_FILENO, buffer.get(), k_read_size);
    if (got > 0) {
      continue;
    }
    if (got == 0) {
      return 0;
    }
    if (errno == EINTR) {
      continue;
    }
    std::fprintf(stderr,
                 "target-discard: cannot read stdin: %s\n",
                 std::strerror(errno));
    return 1;
  }
}
