// runner/sync/sink.hpp
#pragma once

// Where a run's messages go: a Singer target process or a built-in sink.
// The pump calls `on_message` for every message in a block of lines, then
// `on_block` with the block's bytes exactly as the tap wrote them, then
// `finish` once the tap is done. A sink confirms states through the run's
// StateCommitter only once the records before them are durable.

#include <runner/config/config.hpp>
#include <runner/singer/message.hpp>
#include <runner/util/result.hpp>

#include <filesystem>
#include <memory>
#include <string_view>

namespace tapline::sync {

class RunLog;
class StateCommitter;

class Sink
{
public:
  virtual ~Sink() = default;

  [[nodiscard]] virtual Result<void>
  on_message(const singer::Message& message) = 0;
  [[nodiscard]] virtual Result<void> on_block(std::string_view block) = 0;

  // No more input: flush, close, wait for the destination. Called on every
  // path, success or not, so confirmed states can still be committed.
  [[nodiscard]] virtual Result<void> finish() = 0;

  // Stop the destination at once (run timeout): kill a target process.
  virtual void abort() = 0;
};

struct SinkContext
{
  const config::Integration& integration;
  std::filesystem::path work_dir; // private temp dir of the run (0700)
  std::filesystem::path cwd;      // the config file's directory
  RunLog& log;
  StateCommitter& committer;
};

[[nodiscard]] Result<std::unique_ptr<Sink>>
make_sink(const SinkContext& context);

} // namespace tapline::sync
