// taps/synthetic/main.cpp
// tap-synthetic: a deterministic Singer tap with fault injection, for the
// quickstart, the end-to-end tests and the benchmarks. This file reads the
// command line and the input files and hands over to the sync or discovery;
// exit 2 means the command line or an input file is wrong.

#include <fmt/format.h>

#include <unistd.h>

#include <csignal>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "output_buffer.hpp"
#include "run_inputs.hpp"
#include "sync_run.hpp"
#include "tap_config.hpp"

namespace {

constexpr std::string_view k_version = "tap-synthetic 0.1.0";
constexpr int k_exit_usage = 2;

constexpr std::string_view k_usage =
    R"(usage: tap-synthetic --config FILE [--state FILE]
                     [--catalog FILE | --properties FILE] [--discover]
       tap-synthetic --help | --version

A deterministic Singer tap for tests and benchmarks. Emits SCHEMA, RECORD
and STATE messages for synthetic streams; records are a pure function of
(seed, stream, id), so resumed runs continue exactly where a full run would.

options:
  --config FILE      JSON config (all keys optional): streams, records, seed,
                     state_every, rate, fail_after, fail_stderr, fail_exit,
                     hang_after, inject_after, inject_line, record_padding,
                     big_record_at, big_record_bytes, stderr_every, stderr_line
  --state FILE       resume after {"bookmarks":{STREAM:{"id":N}}}
  --catalog FILE     emit only the streams selected in this Singer catalog
  --properties FILE  same as --catalog (older Singer name)
  --discover         print the catalog of the configured streams and exit
  --help             print this help and exit
  --version          print the version and exit
)";

struct Arguments
{
  std::optional<std::string> config;
  std::optional<std::string> state;
  std::optional<std::string> catalog;
  bool discover = false;
  bool help = false;
  bool version = false;
};

// Parse `argv`; the error is a one-line message for stderr.
std::optional<Arguments>
parse_arguments(int argc, char** argv, std::string& error)
{
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    std::optional<std::string> inline_value;
    if (const auto equals = flag.find('=');
        flag.starts_with("--") && equals != std::string_view::npos) {
      inline_value = std::string(flag.substr(equals + 1));
      flag = flag.substr(0, equals);
    }
    std::optional<std::string>* target = nullptr;
    if (flag == "--config") {
      target = &args.config;
    } else if (flag == "--state") {
      target = &args.state;
    } else if (flag == "--catalog" || flag == "--properties") {
      target = &args.catalog;
    }
    if (target != nullptr) {
      if (inline_value) {
        *target = std::move(inline_value);
      } else if (i + 1 < argc) {
        *target = std::string(argv[++i]);
      } else {
        error = fmt::format("option '{}' needs a file name", flag);
        return std::nullopt;
      }
      continue;
    }
    bool* toggle = nullptr;
    if (flag == "--discover") {
      toggle = &args.discover;
    } else if (flag == "--help" || flag == "-h") {
      toggle = &args.help;
    } else if (flag == "--version") {
      toggle = &args.version;
    }
    if (toggle == nullptr || inline_value) {
      error = flag.starts_with("-")
                  ? fmt::format("unknown option '{}'", argv[i])
                  : fmt::format("unexpected argument '{}'", argv[i]);
      return std::nullopt;
    }
    *toggle = true;
  }
  return args;
}

int
usage_error(std::string_view message)
{
  tapline::synthetic::write_stderr_line(
      fmt::format("tap-synthetic: {}\ntry 'tap-synthetic --help'", message));
  return k_exit_usage;
}

// Bad config, state or catalog: one line that names the file and the key.
int
input_error(std::string_view message)
{
  tapline::synthetic::write_stderr_line(
      fmt::format("tap-synthetic: {}", message));
  return k_exit_usage;
}

void
print(std::string_view text)
{
  tapline::synthetic::OutputBuffer out(STDOUT_FILENO);
  out.append(text);
  out.flush();
}

int
tap_main(int argc, char** argv)
{
  std::string error;
  const auto args = parse_arguments(argc, argv, error);
  if (!args) {
    return usage_error(error);
  }
  if (args->help) {
    print(k_usage);
    return 0;
  }
  if (args->version) {
    print(fmt::format("{}\n", k_version));
    return 0;
  }
  if (!args->config) {
    return usage_error("--config FILE is required");
  }
  const auto config = tapline::synthetic::load_config(*args->config);
  if (!config) {
    return input_error(config.error());
  }
  if (args->discover) {
    tapline::synthetic::write_catalog(config->streams);
    return 0;
  }

  std::vector<std::string> streams = config->streams;
  if (args->catalog) {
    auto selected = tapline::synthetic::load_catalog_selection(*args->catalog);
    if (!selected) {
      return input_error(selected.error());
    }
    streams = std::move(*selected);
  }
  std::vector<tapline::synthetic::InputBookmark> state;
  if (args->state) {
    auto loaded = tapline::synthetic::load_state(*args->state);
    if (!loaded) {
      return input_error(loaded.error());
    }
    state = std::move(*loaded);
  }
  return tapline::synthetic::run_sync(*config, streams, state);
}

} // namespace

int
main(int argc, char** argv)
{
  // A closed stdout must show up as EPIPE, which OutputBuffer turns into a
  // quiet exit, rather than as a signal.
  std::signal(SIGPIPE, SIG_IGN);
  return tap_main(argc, argv);
}
