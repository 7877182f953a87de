// runner/sync/target_sink.cpp
//
// A Singer target process as the destination. Tap lines go to its stdin
// unchanged, in whole blocks; a blocking write is the back-pressure: while
// the target does not read, tapline does not read the tap either, so memory
// stays bounded. Its stdout and stderr are drained on their own threads so
// it can never block tapline by filling one of them.
//
// Singer convention: a target writes a state to its stdout once the records
// before it are flushed. Each such line is a confirmed bookmark (with
// `state_from: target`); with `state_from: tap_on_success` the run commits
// the tap's last state after the target exited 0 instead.

#include <runner/process/child.hpp>
#include <runner/process/line_drain.hpp>
#include <runner/sync/run_log.hpp>
#include <runner/sync/sink.hpp>
#include <runner/sync/state_committer.hpp>
#include <runner/util/fs.hpp>
#include <runner/util/unique_fd.hpp>

#include <fmt/format.h>
#include <simdjson.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <optional>
#include <thread>

namespace tapline::sync {

namespace {

constexpr std::size_t k_max_stderr_line = 64 * 1024;
// A confirmed state can be as large as the tap's; allow big ones.
constexpr std::size_t k_max_state_line = 64u << 20;

// The state value in a line a target wrote to stdout: the line itself when
// it is a JSON object, or its `value` when it is a whole STATE message.
std::optional<std::string>
state_from_target_line(simdjson::dom::parser& parser, std::string_view line)
{
  simdjson::dom::element root;
  if (parser.parse(line.data(), line.size()).get(root) != simdjson::SUCCESS ||
      !root.is_object()) {
    return std::nullopt;
  }
  std::string_view type;
  if (root["type"].get(type) == simdjson::SUCCESS && type == "STATE") {
    simdjson::dom::element value;
    if (root["value"].get(value) != simdjson::SUCCESS) {
      return std::nullopt;
    }
    return simdjson::minify(value);
  }
  return simdjson::minify(root);
}

class TargetSink final : public Sink
{
public:
  TargetSink(const SinkContext& context) : m_context(context) {}

  Result<void>
  start()
  {
    const auto& target = m_context.integration.target;
    std::vector<std::string> argv = target.command;
    if (target.config.file || target.config.inline_json) {
      std::string config_text;
      if (target.config.inline_json) {
        config_text = *target.config.inline_json;
      } else {
        TRY_ASSIGN(config_text, util::read_file(*target.config.file));
      }
      const auto config_path = m_context.work_dir / "target-config.json";
      TRY(util::write_private_file(config_path, config_text));
      argv.push_back("--config");
      argv.push_back(config_path.string());
    }

    TRY_ASSIGN(auto in, process::make_pipe());
    TRY_ASSIGN(auto out, process::make_pipe());
    TRY_ASSIGN(auto err, process::make_pipe());
    m_stdin.reset(in.write_fd);
    util::UniqueFd child_in(in.read_fd);
    util::UniqueFd child_out(out.write_fd);
    util::UniqueFd child_err(err.write_fd);

    process::SpawnSpec spec;
    spec.argv = argv;
    spec.env = target.env;
    spec.cwd = m_context.cwd;
    spec.stdin_fd = child_in.get();
    spec.stdout_fd = child_out.get();
    spec.stderr_fd = child_err.get();
    auto child = process::spawn(spec);
    if (!child) {
      ::close(out.read_fd);
      ::close(err.read_fd);
      auto error = child.error();
      error.message = "cannot start target: " + error.message;
      return std::unexpected(error);
    }
    m_child = std::move(*child);
    m_context.log.write("tapline",
                        fmt::format("target started (pid {})", m_child.pid()));

    const bool commit_target_states =
        m_context.integration.state_from == config::StateFrom::target;
    m_stdout_drain.emplace(
        out.read_fd,
        k_max_state_line,
        [this, commit_target_states](std::string_view line) {
          if (line.empty()) {
            return;
          }
          auto state = state_from_target_line(m_state_parser, line);
          if (!state) {
            m_context.log.write(
                "target",
                fmt::format("stdout: {}", line.substr(0, k_max_stderr_line)));
            return;
          }
          if (commit_target_states) {
            m_context.committer.confirm(std::move(*state), "target");
          }
        });
    m_stderr_drain.emplace(
        err.read_fd, k_max_stderr_line, [this](std::string_view line) {
          m_context.log.write("target", line);
        });
    return {};
  }

  Result<void>
  on_message(const singer::Message&) override
  {
    return {};
  }

  Result<void>
  on_block(std::string_view block) override
  {
    if (!m_stdin.valid()) {
      return {};
    }
    if (const int error = util::write_all(m_stdin.get(), block); error != 0) {
      m_stdin.reset();
      if (error == EPIPE) {
        return fail(ErrorCode::unavailable, "target stopped reading its input");
      }
      return fail(
          ErrorCode::unavailable,
          fmt::format("cannot write to target: {}", std::strerror(error)));
    }
    return {};
  }

  Result<void>
  finish() override
  {
    // End of input tells a Singer target to flush and emit its last state.
    m_stdin.reset();
    const auto status = m_child.wait();
    m_stdout_drain.reset();
    m_stderr_drain.reset();
    m_context.log.write("tapline", fmt::format("target {}", status.describe()));
    if (!status.success()) {
      return fail(ErrorCode::unavailable,
                  fmt::format("target {}", status.describe()));
    }
    return {};
  }

  // Called from the watchdog thread while the main thread may be blocked
  // writing to the target: killing the target turns that write into EPIPE.
  void
  abort() override
  {
    m_child.signal_group(SIGKILL);
  }

private:
  SinkContext m_context;
  util::UniqueFd m_stdin;
  process::Child m_child;
  simdjson::dom::parser m_state_parser; // used by the stdout drain only
  std::optional<process::LineDrain> m_stdout_drain;
  std::optional<process::LineDrain> m_stderr_drain;
};

} // namespace

std::unique_ptr<Sink>
make_target_sink(const SinkContext& context, Result<void>& started)
{
  auto sink = std::make_unique<TargetSink>(context);
  started = sink->start();
  return sink;
}

} // namespace tapline::sync
