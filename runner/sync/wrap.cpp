// runner/sync/wrap.cpp
//
// `tapline wrap`: one tap, no target of our own. The main thread checks and
// forwards the tap's stdout; a LineDrain passes its stderr through and feeds
// the auth watch; the Watchdog turns a halting auth decision or a stop
// signal into SIGTERM (then SIGKILL) for the tap's group. Once the tap's
// stdout is closed and the tap reaped, the exit code is decided in one
// place, `conclude`.

#include <runner/auth/rule_loader.hpp>
#include <runner/auth/rules_path.hpp>
#include <runner/process/child.hpp>
#include <runner/process/line_drain.hpp>
#include <runner/process/subreaper.hpp>
#include <runner/singer/line_reader.hpp>
#include <runner/singer/message_reader.hpp>
#include <runner/sync/auth_monitor.hpp>
#include <runner/sync/run_verdict.hpp>
#include <runner/sync/watchdog.hpp>
#include <runner/sync/wrap.hpp>
#include <runner/util/fs.hpp>
#include <runner/util/unique_fd.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <poll.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <optional>
#include <set>
#include <sys/stat.h>

namespace tapline::sync {

namespace {

constexpr std::size_t k_max_stderr_line = 64 * 1024;

// Why forwarding the tap's stdout ended.
struct Forwarded
{
  std::optional<Error> error; // invalid data, or a failed read or write
  bool target_gone = false;   // the reader of out_fd went away (EPIPE)
};

// Checks every line of the tap's stdout and forwards the valid ones, byte
// for byte, one write per buffer. A line is written only after it and every
// line before it were checked, so a bad line never reaches the target.
class Forwarder
{
public:
  Forwarder(int tap_fd, int out_fd, std::size_t max_line_bytes)
      : m_lines(tap_fd, max_line_bytes), m_tap_fd(tap_fd), m_out_fd(out_fd)
  {
  }

  // Until the tap closes its stdout or the first problem. `stopping` says
  // whether tapline is stopping the tap: then a last line cut off without
  // its newline is dropped rather than reported.
  Forwarded
  run(const std::function<bool()>& stopping)
  {
    for (;;) {
      auto line = m_lines.next_line();
      if (!line) { // longer than max_line_bytes; not handed out
        return flush_then(line.error());
      }
      if (*line) {
        if (auto checked = check(**line); !checked) {
          return flush_before(**line, checked.error());
        }
        continue;
      }
      if (auto written = forward(m_lines.take_block()); written) {
        return *written;
      }
      if (target_gone_while_waiting()) {
        return Forwarded{std::nullopt, true};
      }
      auto got = m_lines.fill();
      if (!got) {
        return Forwarded{got.error(), false};
      }
      if (*got == 0) {
        return at_end(stopping());
      }
    }
  }

private:
  Result<void>
  check(const singer::Line& line)
  {
    TRY_ASSIGN(const singer::Message message, m_reader.read(line));
    if (message.type == singer::MessageType::schema) {
      if (!m_streams.contains(message.stream)) {
        m_streams.emplace(message.stream);
      }
    } else if (message.type == singer::MessageType::record &&
               (!m_last_stream || message.stream != *m_last_stream)) {
      // Taps write runs of one stream: look the name up when it changes.
      if (!m_streams.contains(message.stream)) {
        return fail(ErrorCode::invalid_data,
                    fmt::format("RECORD for stream '{}' before its SCHEMA: {}",
                                message.stream,
                                singer::excerpt(line.text)),
                    fmt::format("tap stdout line {}", line.number));
      }
      m_last_stream.emplace(message.stream);
    }
    return {};
  }

  // Write `bytes` to out_fd; nullopt when all of it went out.
  std::optional<Forwarded>
  forward(std::string_view bytes)
  {
    if (bytes.empty()) {
      return std::nullopt;
    }
    const int errnum = util::write_all(m_out_fd, bytes);
    if (errnum == 0) {
      return std::nullopt;
    }
    if (errnum == EPIPE) {
      return Forwarded{std::nullopt, true};
    }
    return Forwarded{Error{ErrorCode::io,
                           fmt::format("cannot write to standard output: {}",
                                       std::strerror(errnum)),
                           {}},
                     false};
  }

  // Block until the tap has output (or closed its stdout). A target that
  // exits meanwhile is noticed at once, not at the next write: a pipe whose
  // reader is gone polls as POLLERR.
  bool
  target_gone_while_waiting()
  {
    pollfd fds[2] = {{m_tap_fd, POLLIN, 0}, {m_out_fd, 0, 0}};
    while (::poll(fds, 2, -1) < 0) {
      if (errno != EINTR) {
        return false; // let the read report what is wrong
      }
    }
    return (fds[1].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0;
  }

  // The tap closed its stdout: a last line without newline is pending.
  Forwarded
  at_end(bool stopping)
  {
    auto last = m_lines.next_line();
    if (!last) {
      return flush_then(last.error());
    }
    if (*last) {
      if (stopping) {
        // Cut off by our SIGTERM: not a message, and not the tap's fault.
        return flush_before(**last, std::nullopt);
      }
      if (auto checked = check(**last); !checked) {
        return flush_before(**last, checked.error());
      }
    }
    if (auto written = forward(m_lines.take_block()); written) {
      return *written;
    }
    return {};
  }

  // Forward the lines handed out so far, then end with `error`.
  Forwarded
  flush_then(Error error)
  {
    if (auto written = forward(m_lines.take_block()); written) {
      return *written;
    }
    return Forwarded{std::move(error), false};
  }

  // Forward the lines handed out before `line` (the last one handed out),
  // then end with `error`.
  Forwarded
  flush_before(const singer::Line& line, std::optional<Error> error)
  {
    const auto block = m_lines.take_block();
    const auto valid =
        static_cast<std::size_t>(line.text.data() - block.data());
    if (auto written = forward(block.substr(0, valid)); written) {
      return *written;
    }
    return Forwarded{std::move(error), false};
  }

  singer::LineReader m_lines;
  singer::MessageReader m_reader;
  int m_tap_fd;
  int m_out_fd;
  std::set<std::string, std::less<>> m_streams; // streams with a SCHEMA
  // The last RECORD's stream (it had a SCHEMA).
  std::optional<std::string> m_last_stream;
};

// A 1 MiB pipe to the target, like the pipes tapline makes itself, so
// tapline and the target run on their own cores instead of waking each
// other every 64 KiB. Best effort; only when out_fd is a pipe.
void
enlarge_output_pipe(int out_fd)
{
  struct stat info = {};
  constexpr int k_pipe_bytes = 1 << 20;
  if (::fstat(out_fd, &info) == 0 && S_ISFIFO(info.st_mode) &&
      ::fcntl(out_fd, F_GETPIPE_SZ) < k_pipe_bytes) {
    ::fcntl(out_fd, F_SETPIPE_SZ, k_pipe_bytes);
  }
}

Result<auth::RuleSet>
load_wrap_rules(const std::optional<std::filesystem::path>& rules_file)
{
  if (rules_file) {
    return auth::load_rules(*rules_file);
  }
  TRY_ASSIGN(const auto path, auth::default_rules_path());
  return auth::load_rules(path);
}

struct Conclusion
{
  int exit_code = 0;
  std::string summary; // without "tapline: " and newline; empty for none
};

// A decision of the auth watch as an exit code, if it ends the run.
std::optional<Conclusion>
from_decision(const auth::Decision& decision)
{
  switch (decision.action) {
  case auth::Action::pause_reauth:
  case auth::Action::pause_permissions:
    return Conclusion{exit_code_for(ErrorCode::auth),
                      "auth failure: " + describe(decision)};
  case auth::Action::refresh_and_retry:
  case auth::Action::retry_backoff:
    return Conclusion{exit_code_for(ErrorCode::transient),
                      "transient failure: " + describe(decision)};
  case auth::Action::warn_only:
  case auth::Action::none:
  case auth::Action::fail_config:
  case auth::Action::fail:
    break;
  }
  return std::nullopt;
}

struct Facts
{
  StopReason stopped_first = StopReason::none; // when forwarding ended
  StopReason stopped_last = StopReason::none;  // after the tap was reaped
  std::string stop_description;
  Forwarded forwarded;
  process::ExitStatus tap_status;
  auth::Decision verdict;
};

// The exit code and summary; the first reason to stop wins.
Conclusion
conclude(const Facts& facts)
{
  const auto stopped = [&](StopReason reason) -> std::optional<Conclusion> {
    if (reason == StopReason::signal) {
      return Conclusion{exit_code_for(ErrorCode::transient),
                        facts.stop_description + "; the tap was stopped"};
    }
    if (reason == StopReason::auth) {
      return from_decision(facts.verdict);
    }
    return std::nullopt;
  };
  if (auto conclusion = stopped(facts.stopped_first)) {
    return *conclusion;
  }
  if (const auto& error = facts.forwarded.error) {
    return Conclusion{exit_code_for(error->code),
                      (error->code == ErrorCode::invalid_data
                           ? "invalid Singer data: "
                           : "") +
                          error->to_string()};
  }
  if (facts.forwarded.target_gone) {
    return Conclusion{exit_code_for(ErrorCode::unavailable),
                      "the target stopped reading"};
  }
  if (auto conclusion = stopped(facts.stopped_last)) {
    return *conclusion;
  }
  if (auto conclusion = from_decision(facts.verdict)) {
    return *conclusion;
  }
  if (!facts.tap_status.success()) {
    return Conclusion{
        exit_code_for(ErrorCode::unavailable),
        facts.tap_status.signal != 0
            ? "tap " + facts.tap_status.describe()
            : fmt::format("tap exited with code {}", facts.tap_status.code)};
  }
  if (facts.verdict.action == auth::Action::warn_only) {
    return Conclusion{0, "warning: degraded run: " + describe(facts.verdict)};
  }
  return Conclusion{};
}

} // namespace

Result<int>
run_wrap(const WrapOptions& options)
{
  if (options.argv.empty() || options.argv.front().empty()) {
    return fail(ErrorCode::usage, "no tap command after --");
  }
  TRY_ASSIGN(auto rules, load_wrap_rules(options.rules_file));
  enlarge_output_pipe(options.out_fd);

  TRY_ASSIGN(const auto out, process::make_pipe());
  util::UniqueFd tap_stdout(out.read_fd);
  util::UniqueFd child_out(out.write_fd);
  TRY_ASSIGN(const auto err, process::make_pipe());
  util::UniqueFd tap_stderr_fd(err.read_fd);
  util::UniqueFd child_err(err.write_fd);
  process::SpawnSpec spec;
  spec.argv = options.argv;
  spec.stdout_fd = child_out.get();
  spec.stderr_fd = child_err.get();
  spec.die_with_parent = process::DieWithParent::yes;
  auto tap = process::spawn(spec);
  child_out.reset();
  child_err.reset();
  if (!tap) {
    auto error = tap.error();
    error.message = "cannot start tap: " + error.message;
    return std::unexpected(std::move(error));
  }

  // The auth watch stops the tap at the first decisive stderr record; the
  // watchdog's poll completes a record the tap left open by going quiet,
  // and turns SIGINT/SIGTERM into stopping the tap.
  PumpProgress progress; // no idle timeout: the watchdog never reads it
  WatchdogSettings settings;
  settings.grace = options.grace;
  settings.stop_fd = options.stop_fd;
  Watchdog* stopper = nullptr;
  AuthMonitor monitor(std::move(rules), [&](const auth::Decision&) {
    stopper->request_stop(StopReason::auth);
  });
  settings.on_poll = [&] { monitor.on_tick(); };
  Watchdog watchdog(std::move(settings), progress, tap->pid(), {});
  stopper = &watchdog;
  process::LineDrain tap_stderr(
      tap_stderr_fd.release(), k_max_stderr_line, [&](std::string_view line) {
        std::string text;
        text.reserve(line.size() + 1);
        text.append(line).push_back('\n');
        (void)util::write_all(options.err_fd, text);
        monitor.on_line(line);
      });

  Facts facts;
  Forwarder forwarder(tap_stdout.get(), options.out_fd, options.max_line_bytes);
  facts.forwarded =
      forwarder.run([&] { return watchdog.reason() != StopReason::none; });
  facts.stopped_first = watchdog.reason();
  if (facts.forwarded.error || facts.forwarded.target_gone) {
    // Stop reading first so a tap blocked on a full pipe sees EPIPE, then
    // stop its whole group.
    tap_stdout.reset();
    facts.tap_status = tap->terminate(options.grace);
  } else {
    facts.tap_status = tap->wait();
  }
  watchdog.tap_reaped();
  tap_stdout.reset();
  tap_stderr.join();
  const auto& status = facts.tap_status;
  facts.verdict =
      monitor.verdict(status.signal != 0 ? 128 + status.signal : status.code);
  watchdog.stop();
  facts.stopped_last = watchdog.reason();
  facts.stop_description = watchdog.describe();
  (void)process::reap_strays();

  const Conclusion conclusion = conclude(facts);
  if (!conclusion.summary.empty()) {
    (void)util::write_all(options.err_fd,
                          "tapline: " + conclusion.summary + "\n");
  }
  return conclusion.exit_code;
}

} // namespace tapline::sync
