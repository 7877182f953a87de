// runner/sync/pump.cpp
#include <runner/sync/pump.hpp>

#include <fmt/format.h>

namespace tapline::sync {

namespace {

constexpr auto k_publish_interval = std::chrono::milliseconds(250);

std::int64_t
steady_ticks()
{
  return std::chrono::steady_clock::now().time_since_epoch().count();
}

} // namespace

Pump::Pump(Sink& sink, PumpProgress& progress, Warn warn)
    : m_sink(sink), m_progress(progress), m_warn(std::move(warn))
{
  m_stats.streams.reserve(64); // m_last_stream points into it
}

StreamCount*
Pump::find_stream(std::string_view name)
{
  // Taps interleave few streams, usually in runs of the same one.
  if (m_last_stream != nullptr && m_last_stream->stream == name) {
    return m_last_stream;
  }
  for (auto& stream : m_stats.streams) {
    if (stream.stream == name) {
      m_last_stream = &stream;
      return m_last_stream;
    }
  }
  return nullptr;
}

void
Pump::publish()
{
  m_progress.records.store(m_stats.records, std::memory_order_relaxed);
  std::lock_guard lock(m_progress.mutex);
  m_progress.streams = m_stats.streams;
}

Result<void>
Pump::handle(const singer::Line& line)
{
  TRY_ASSIGN(const singer::Message message, m_reader.read(line));
  switch (message.type) {
  case singer::MessageType::record: {
    StreamCount* stream = find_stream(message.stream);
    if (stream == nullptr) {
      return fail(ErrorCode::invalid_data,
                  fmt::format("RECORD for stream '{}' before its SCHEMA: {}",
                              message.stream,
                              singer::excerpt(line.text)),
                  fmt::format("tap stdout line {}", line.number));
    }
    ++stream->records;
    ++m_stats.records;
    break;
  }
  case singer::MessageType::schema:
    if (find_stream(message.stream) == nullptr) {
      if (m_stats.streams.size() == m_stats.streams.capacity()) {
        m_last_stream = nullptr; // the vector is about to move
      }
      m_stats.streams.push_back({std::string(message.stream), 0});
      publish();
    }
    break;
  case singer::MessageType::state:
    m_last_state = std::string(message.value);
    break;
  case singer::MessageType::unknown:
    if (!m_warned_types.contains(message.type_name)) {
      m_warned_types.emplace(message.type_name);
      m_warn(fmt::format("tap stdout line {}: unknown message type '{}' is "
                         "forwarded unchanged (warned once per type)",
                         line.number,
                         message.type_name));
    }
    break;
  case singer::MessageType::activate_version:
  case singer::MessageType::batch:
    break;
  }
  return m_sink.on_message(message);
}

Result<void>
Pump::run(int tap_stdout, std::size_t max_line_bytes)
{
  singer::LineReader lines(tap_stdout, max_line_bytes);
  auto next_publish = std::chrono::steady_clock::now();
  Result<void> outcome;
  for (;;) {
    auto line = lines.next_line();
    if (!line) {
      outcome = std::unexpected(line.error());
      break;
    }
    if (*line) {
      if (auto handled = handle(**line); !handled) {
        outcome = std::unexpected(handled.error());
        break;
      }
      continue;
    }
    // Buffer drained: forward what was read, in one piece, then read more.
    if (auto forwarded = m_sink.on_block(lines.take_block()); !forwarded) {
      outcome = std::unexpected(forwarded.error());
      break;
    }
    // Counts for the progress line: the total at every block, per-stream
    // counts (a copy under a mutex) a few times a second.
    m_progress.records.store(m_stats.records, std::memory_order_relaxed);
    if (const auto now = std::chrono::steady_clock::now();
        now >= next_publish) {
      publish();
      next_publish = now + k_publish_interval;
    }
    m_progress.waiting_since.store(steady_ticks(), std::memory_order_relaxed);
    auto got = lines.fill();
    m_progress.waiting_since.store(0, std::memory_order_relaxed);
    if (!got) {
      outcome = std::unexpected(got.error());
      break;
    }
    m_progress.bytes.store(lines.bytes_read(), std::memory_order_relaxed);
    if (*got == 0) {
      // End of stream: a final line without newline is still pending.
      auto last = lines.next_line();
      if (last && *last) {
        if (auto handled = handle(**last); !handled) {
          outcome = std::unexpected(handled.error());
          break;
        }
        if (auto forwarded = m_sink.on_block(lines.take_block()); !forwarded) {
          outcome = std::unexpected(forwarded.error());
        }
      } else if (!last) {
        outcome = std::unexpected(last.error());
      }
      break;
    }
  }
  m_stats.bytes = lines.bytes_read();
  m_stats.lines = lines.line_count();
  publish();
  return outcome;
}

} // namespace tapline::sync
