// runner/sync/run_log.cpp
#include <runner/sync/run_log.hpp>
#include <runner/util/fs.hpp>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <system_error>

namespace tapline::sync {

Result<std::unique_ptr<RunLog>>
RunLog::open(const std::filesystem::path& path, std::uint64_t max_bytes)
{
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    return std::unexpected(util::io_error(
        ec.value(), "cannot create log directory", path.parent_path()));
  }
  std::shared_ptr<spdlog::sinks::basic_file_sink_mt> sink;
  try {
    sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path.string());
  } catch (const spdlog::spdlog_ex& error) {
    return fail(ErrorCode::io,
                std::string("cannot open run log: ") + error.what(),
                path.string());
  }
  auto logger = std::make_shared<spdlog::logger>("run", sink);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %v",
                      spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  return std::unique_ptr<RunLog>(
      new RunLog(path, std::move(logger), max_bytes));
}

RunLog::RunLog(std::filesystem::path path,
               std::shared_ptr<spdlog::logger> logger,
               std::uint64_t max_bytes)
    : m_path(std::move(path)), m_logger(std::move(logger)),
      m_max_bytes(max_bytes)
{
}

RunLog::~RunLog()
{
  if (const auto dropped = m_dropped_lines.load(); dropped > 0) {
    m_logger->info("tapline | run log reached max_log_bytes ({} bytes); {} "
                   "later lines were not written",
                   m_max_bytes,
                   dropped);
  }
  m_logger->flush();
}

void
RunLog::set_redactor(std::function<std::string(std::string_view)> redact)
{
  m_redact = std::move(redact);
}

void
RunLog::write(std::string_view source, std::string_view raw_line)
{
  // Past the cap, a target's line is only counted: no redaction, no copy
  // (a target can write gigabytes of noise). Tap lines still feed the tail
  // that error messages quote.
  const auto size = raw_line.size() + source.size() + 30;
  const bool over_cap =
      m_written.fetch_add(size) + size > m_max_bytes && source != "tapline";
  if (over_cap && source != "tap") {
    m_dropped_lines.fetch_add(1);
    return;
  }
  const std::string redacted = m_redact ? m_redact(raw_line) : std::string();
  const std::string_view line =
      m_redact ? std::string_view(redacted) : raw_line;
  if (source == "tap") {
    std::lock_guard lock(m_tail_mutex);
    m_tap_tail.emplace_back(line.substr(0, k_tail_line_bytes));
    if (m_tap_tail.size() > k_tail_lines) {
      m_tap_tail.pop_front();
    }
  }
  if (over_cap) {
    m_dropped_lines.fetch_add(1);
    return;
  }
  m_logger->info("{} | {}", source, line);
}

std::vector<std::string>
RunLog::tap_tail() const
{
  std::lock_guard lock(m_tail_mutex);
  return {m_tap_tail.begin(), m_tap_tail.end()};
}

} // namespace tapline::sync
