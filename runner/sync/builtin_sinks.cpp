// runner/sync/builtin_sinks.cpp
//
// The built-in sinks: `jsonl` writes the records of each stream to
// <dir>/<stream>.jsonl and confirms a STATE only after it has flushed and
// fsynced every file written since the last one (doing so only for states
// the committer will commit now, about one a second, not for every STATE a
// tap sends); `null` discards records and confirms every STATE (benchmarks,
// tap testing).

#include <runner/singer/message_reader.hpp>
#include <runner/sync/sink.hpp>
#include <runner/sync/state_committer.hpp>
#include <runner/util/fs.hpp>
#include <runner/util/unique_fd.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <map>
#include <string>

namespace tapline::sync {

namespace {

class NullSink final : public Sink
{
public:
  explicit NullSink(StateCommitter& committer) : m_committer(committer) {}

  Result<void>
  on_message(const singer::Message& message) override
  {
    if (message.type == singer::MessageType::state) {
      m_committer.confirm(std::string(message.value), "sink");
    }
    return {};
  }
  Result<void>
  on_block(std::string_view) override
  {
    return {};
  }
  Result<void>
  finish() override
  {
    return {};
  }
  void
  abort() override
  {
  }

private:
  StateCommitter& m_committer;
};

// One stream's output file with a write buffer in front of it.
class StreamFile
{
public:
  static constexpr std::size_t k_buffer_bytes = 256 * 1024;

  StreamFile(util::UniqueFd fd, std::filesystem::path path)
      : m_fd(std::move(fd)), m_path(std::move(path))
  {
    m_buffer.reserve(k_buffer_bytes);
  }

  Result<void>
  append(std::string_view record)
  {
    m_buffer.append(record);
    m_buffer.push_back('\n');
    m_dirty = true;
    if (m_buffer.size() >= k_buffer_bytes) {
      return write_buffer();
    }
    return {};
  }

  Result<void>
  sync()
  {
    if (!m_dirty) {
      return {};
    }
    TRY(write_buffer());
    if (::fdatasync(m_fd.get()) != 0) {
      return std::unexpected(
          util::io_error(errno, "cannot sync output file", m_path));
    }
    m_dirty = false;
    return {};
  }

private:
  Result<void>
  write_buffer()
  {
    if (const int error = util::write_all(m_fd.get(), m_buffer); error != 0) {
      return std::unexpected(
          util::io_error(error, "cannot write output file", m_path));
    }
    m_buffer.clear();
    return {};
  }

  util::UniqueFd m_fd;
  std::filesystem::path m_path;
  std::string m_buffer;
  bool m_dirty = false;
};

class JsonlSink final : public Sink
{
public:
  JsonlSink(std::filesystem::path dir, StateCommitter& committer)
      : m_dir(std::move(dir)), m_committer(committer)
  {
  }

  Result<void>
  on_message(const singer::Message& message) override
  {
    switch (message.type) {
    case singer::MessageType::schema:
      TRY(file_for(message.stream));
      return {};
    case singer::MessageType::record: {
      TRY_ASSIGN(StreamFile * file, file_for(message.stream));
      return file->append(message.record);
    }
    case singer::MessageType::state:
      // fsync only for a state that will be committed now; otherwise keep
      // it until the next one that is (or the end of the run).
      m_pending_state.assign(message.value);
      if (m_committer.commit_due()) {
        return confirm_pending();
      }
      return {};
    default:
      return {};
    }
  }

  Result<void>
  on_block(std::string_view) override
  {
    return {};
  }

  Result<void>
  finish() override
  {
    if (!m_pending_state.empty()) {
      return confirm_pending();
    }
    return sync_all();
  }

  void
  abort() override
  {
  }

private:
  Result<StreamFile*>
  file_for(std::string_view stream)
  {
    if (auto found = m_files.find(stream); found != m_files.end()) {
      return &found->second;
    }
    if (stream.empty() || stream.find('/') != std::string_view::npos ||
        stream == "." || stream == ".." ||
        stream.find('\0') != std::string_view::npos) {
      return fail(ErrorCode::invalid_data,
                  fmt::format("stream name '{}' cannot be used as a file name",
                              stream));
    }
    std::error_code ec;
    std::filesystem::create_directories(m_dir, ec);
    if (ec) {
      return std::unexpected(
          util::io_error(ec.value(), "cannot create output directory", m_dir));
    }
    auto path = m_dir / (std::string(stream) + ".jsonl");
    util::UniqueFd fd(
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (!fd.valid()) {
      return std::unexpected(
          util::io_error(errno, "cannot open output file", path));
    }
    auto [inserted, ignored] = m_files.emplace(
        std::string(stream), StreamFile(std::move(fd), std::move(path)));
    return &inserted->second;
  }

  // Make every record so far durable, then hand the last state over.
  Result<void>
  confirm_pending()
  {
    TRY(sync_all());
    m_committer.confirm(std::move(m_pending_state), "sink");
    m_pending_state.clear();
    return {};
  }

  Result<void>
  sync_all()
  {
    for (auto& [name, file] : m_files) {
      TRY(file.sync());
    }
    return {};
  }

  std::filesystem::path m_dir;
  StateCommitter& m_committer;
  std::map<std::string, StreamFile, std::less<>> m_files;
  std::string m_pending_state; // empty: none
};

} // namespace

std::unique_ptr<Sink> make_target_sink(const SinkContext& context,
                                       Result<void>& started);

Result<std::unique_ptr<Sink>>
make_sink(const SinkContext& context)
{
  switch (context.integration.target.kind) {
  case config::TargetKind::null:
    return std::make_unique<NullSink>(context.committer);
  case config::TargetKind::jsonl:
    return std::make_unique<JsonlSink>(context.integration.target.dir,
                                       context.committer);
  case config::TargetKind::process: {
    Result<void> started;
    auto sink = make_target_sink(context, started);
    if (!started) {
      return std::unexpected(started.error());
    }
    return sink;
  }
  }
  return fail(ErrorCode::internal, "unknown target kind");
}

} // namespace tapline::sync
