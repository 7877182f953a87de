// taps/synthetic/sync_run.cpp
// The sync loop, its faults and pacing, and discovery. See the header.

#include "sync_run.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <ctime>
#include <optional>

#include "output_buffer.hpp"
#include "record_format.hpp"

namespace tapline::synthetic {

namespace {

constexpr int64_t k_ns_per_s = 1'000'000'000;
constexpr int64_t k_min_sleep_ns = 1'000'000;

constexpr std::string_view k_schema_suffix =
    R"(,"key_properties":["id"],"bookmark_properties":["updated_at"]})";

struct StreamCursor
{
  StreamFormat format;
  uint64_t next_id;
  uint64_t last_id;
  uint64_t emitted_id = 0;              // highest id emitted in this run
  const std::string* carried = nullptr; // input bookmark, until replaced
};

class SyncRun
{
public:
  SyncRun(const TapConfig& config,
          const std::vector<std::string>& streams,
          const std::vector<InputBookmark>& state);

  int run();

private:
  // Faults and noise due once `emitted` records are out. Returns an exit
  // code when the run must stop.
  [[nodiscard]] std::optional<int> after_records(uint64_t emitted);
  void pace(uint64_t emitted);
  void write_schemas();
  void write_state();

  const TapConfig& m_config;
  std::vector<StreamCursor> m_cursors;
  std::vector<const InputBookmark*> m_other_bookmarks; // streams not in the run
  OutputBuffer m_out{STDOUT_FILENO};
  timespec m_started{};
};

SyncRun::SyncRun(const TapConfig& config,
                 const std::vector<std::string>& streams,
                 const std::vector<InputBookmark>& state)
    : m_config(config)
{
  m_cursors.reserve(streams.size());
  for (const auto& name : streams) {
    StreamCursor cursor{StreamFormat(name, config.seed), 1, config.records};
    for (const auto& bookmark : state) {
      if (bookmark.stream == name) {
        cursor.next_id = std::min(bookmark.id, config.records) + 1;
        cursor.carried = &bookmark.raw_json;
      }
    }
    m_cursors.push_back(std::move(cursor));
  }
  for (const auto& bookmark : state) {
    if (std::find(streams.begin(), streams.end(), bookmark.stream) ==
        streams.end()) {
      m_other_bookmarks.push_back(&bookmark);
    }
  }
}

int
SyncRun::run()
{
  clock_gettime(CLOCK_MONOTONIC, &m_started);
  write_schemas();
  if (auto code = after_records(0)) {
    return *code;
  }

  // Indices of streams with ids left, visited in turn.
  std::vector<std::size_t> active;
  for (std::size_t i = 0; i < m_cursors.size(); ++i) {
    if (m_cursors[i].next_id <= m_cursors[i].last_id) {
      active.push_back(i);
    }
  }
  const bool paced = m_config.rate > 0;
  uint64_t emitted = 0;
  std::size_t turn = 0;
  while (!active.empty()) {
    if (turn >= active.size()) {
      turn = 0;
    }
    StreamCursor& cursor = m_cursors[active[turn]];
    if (paced) {
      pace(emitted);
    }
    ++emitted;
    const uint64_t padding = m_config.big_record_at == emitted
                                 ? m_config.big_record_bytes
                                 : m_config.record_padding;
    write_record(m_out, cursor.format, cursor.next_id, padding);
    cursor.emitted_id = cursor.next_id++;
    if (cursor.next_id > cursor.last_id) {
      active.erase(active.begin() + static_cast<std::ptrdiff_t>(turn));
    } else {
      ++turn;
    }
    if (auto code = after_records(emitted)) {
      return *code;
    }
  }
  write_state();
  m_out.flush();
  return 0;
}

std::optional<int>
SyncRun::after_records(uint64_t emitted)
{
  // Order matters to tests: a STATE due at the same count as a failure is
  // emitted first, so "fail after N" still leaves the bookmark at N.
  if (emitted > 0 && m_config.state_every > 0 &&
      emitted % m_config.state_every == 0) {
    write_state();
  }
  if (m_config.inject_after == emitted) {
    m_out.append(m_config.inject_line);
    m_out.append("\n");
  }
  if (emitted > 0 && m_config.stderr_every > 0 &&
      emitted % m_config.stderr_every == 0) {
    m_out.flush();
    write_stderr_line(m_config.stderr_line);
  }
  if (m_config.fail_after == emitted) {
    m_out.flush();
    for (const auto& line : m_config.fail_stderr) {
      write_stderr_line(line);
    }
    return m_config.fail_exit;
  }
  if (m_config.hang_after == emitted) {
    m_out.flush();
    // No handlers are installed, so SIGTERM and SIGKILL still end us.
    for (;;) {
      pause();
    }
  }
  return std::nullopt;
}

void
SyncRun::pace(uint64_t emitted)
{
  // Record `emitted + 1` is due `emitted / rate` seconds after the start.
  // Sleeping only when at least a millisecond ahead keeps high rates from
  // turning into one flush and one sleep per record.
  const auto due_ns =
      static_cast<int64_t>(static_cast<double>(emitted) / m_config.rate * 1e9);
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const int64_t elapsed_ns = (now.tv_sec - m_started.tv_sec) * k_ns_per_s +
                             (now.tv_nsec - m_started.tv_nsec);
  if (due_ns - elapsed_ns < k_min_sleep_ns) {
    return;
  }
  const int64_t deadline_ns = m_started.tv_nsec + due_ns;
  timespec deadline = m_started;
  deadline.tv_sec += static_cast<time_t>(deadline_ns / k_ns_per_s);
  deadline.tv_nsec = static_cast<long>(deadline_ns % k_ns_per_s);
  // Let the reader see what is out before going quiet.
  m_out.flush();
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr) ==
         EINTR) {
  }
}

void
SyncRun::write_schemas()
{
  for (const auto& cursor : m_cursors) {
    m_out.append(R"({"type":"SCHEMA","stream":)");
    m_out.append(cursor.format.quoted_name);
    m_out.append(R"(,"schema":)");
    m_out.append(k_record_schema);
    m_out.append(k_schema_suffix);
    m_out.append("\n");
  }
}

void
SyncRun::write_state()
{
  m_out.append(R"({"type":"STATE","value":{"bookmarks":{)");
  bool first = true;
  const auto key = [&](std::string_view quoted_name) {
    m_out.append(first ? "" : ",");
    first = false;
    m_out.append(quoted_name);
    m_out.append(":");
  };
  for (const auto& cursor : m_cursors) {
    if (cursor.emitted_id > 0) {
      key(cursor.format.quoted_name);
      char text[64];
      char* p = std::to_chars(text, text + 20, cursor.emitted_id).ptr;
      m_out.append(R"({"id":)");
      m_out.append(std::string_view(text, p));
      m_out.append(R"(,"updated_at":")");
      p = put_timestamp(text,
                        updated_at_seconds(cursor.format, cursor.emitted_id));
      m_out.append(std::string_view(text, p));
      m_out.append("\"}");
    } else if (cursor.carried != nullptr) {
      key(cursor.format.quoted_name);
      m_out.append(*cursor.carried);
    }
  }
  for (const InputBookmark* bookmark : m_other_bookmarks) {
    key(json_quote(bookmark->stream));
    m_out.append(bookmark->raw_json);
  }
  m_out.append("}}}\n");
}

} // namespace

int
run_sync(const TapConfig& config,
         const std::vector<std::string>& streams,
         const std::vector<InputBookmark>& state)
{
  SyncRun run(config, streams, state);
  return run.run();
}

void
write_catalog(const std::vector<std::string>& streams)
{
  OutputBuffer out(STDOUT_FILENO);
  out.append(R"({"streams":[)");
  for (std::size_t i = 0; i < streams.size(); ++i) {
    const std::string quoted = json_quote(streams[i]);
    out.append(i == 0 ? "{" : ",{");
    out.append(R"("tap_stream_id":)");
    out.append(quoted);
    out.append(R"(,"stream":)");
    out.append(quoted);
    out.append(R"(,"schema":)");
    out.append(k_record_schema);
    out.append(R"(,"key_properties":["id"],"replication_key":"updated_at",)"
               R"("replication_method":"INCREMENTAL","metadata":[)"
               R"({"breadcrumb":[],"metadata":{"selected":true,)"
               R"("inclusion":"available","table-key-properties":["id"],)"
               R"("valid-replication-keys":["updated_at"],)"
               R"("forced-replication-method":"INCREMENTAL"}}]})");
  }
  out.append("]}\n");
  out.flush();
}

} // namespace tapline::synthetic
