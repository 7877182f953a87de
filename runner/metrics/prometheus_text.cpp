// runner/metrics/prometheus_text.cpp
#include <runner/metrics/prometheus_text.hpp>
#include <runner/util/atomic_file.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <type_traits>

namespace tapline::metrics {

namespace {

enum class Type { gauge, counter };

struct Family
{
  std::string_view name;
  Type type;
  std::string_view help;
  // The sample value for one integration, or nullopt to leave it out.
  std::function<std::optional<std::string>(const IntegrationMetrics&)> value;
};

std::string
format_double(double value)
{
  // fmt prints "nan" and "inf"; the exposition format spells them NaN and
  // +Inf/-Inf (Go's ParseFloat would take either, other parsers may not).
  if (std::isnan(value)) {
    return "NaN";
  }
  if (std::isinf(value)) {
    return value > 0 ? "+Inf" : "-Inf";
  }
  // Shortest text that reads back as the same double.
  return fmt::format("{}", value);
}

template<typename T>
std::optional<std::string>
format_optional(const std::optional<T>& value)
{
  if (!value) {
    return std::nullopt;
  }
  if constexpr (std::is_floating_point_v<T>) {
    return format_double(*value);
  } else {
    return fmt::format("{}", *value);
  }
}

// Length of the valid UTF-8 sequence at the start of `text`, or 0.
size_t
utf8_sequence_length(std::string_view text)
{
  const auto byte = [&](size_t i) {
    return static_cast<unsigned char>(text[i]);
  };
  const auto continuation = [&](size_t i) {
    return i < text.size() && (byte(i) & 0xC0) == 0x80;
  };
  const unsigned char lead = byte(0);
  if (lead < 0x80) {
    return 1;
  }
  if (lead >= 0xC2 && lead <= 0xDF) {
    return continuation(1) ? 2 : 0;
  }
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (!continuation(1) || !continuation(2)) {
      return 0;
    }
    // Reject overlong forms and UTF-16 surrogates.
    if ((lead == 0xE0 && byte(1) < 0xA0) || (lead == 0xED && byte(1) > 0x9F)) {
      return 0;
    }
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) {
      return 0;
    }
    // Reject overlong forms and code points above U+10FFFF.
    if ((lead == 0xF0 && byte(1) < 0x90) || (lead == 0xF4 && byte(1) > 0x8F)) {
      return 0;
    }
    return 4;
  }
  return 0;
}

// Label values must be valid UTF-8 (Prometheus rejects the whole file
// otherwise), so an invalid byte becomes U+FFFD. Backslash, double quote and
// newline are escaped as the format requires.
void
append_label_value(std::string& out, std::string_view value)
{
  while (!value.empty()) {
    const size_t length = utf8_sequence_length(value);
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      value.remove_prefix(1);
      continue;
    }
    switch (value.front()) {
    case '\\':
      out += "\\\\";
      break;
    case '"':
      out += "\\\"";
      break;
    case '\n':
      out += "\\n";
      break;
    default:
      out.append(value.substr(0, length));
    }
    value.remove_prefix(length);
  }
}

// HELP text escapes only backslash and newline (a quote stays as is).
void
append_help(std::string& out, std::string_view help)
{
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void
append_sample(std::string& out,
              std::string_view name,
              std::string_view integration,
              std::string_view status,
              std::string_view value)
{
  out += name;
  out += "{integration=\"";
  append_label_value(out, integration);
  out += '"';
  if (!status.empty()) {
    out += ",status=\"";
    append_label_value(out, status);
    out += '"';
  }
  out += "} ";
  out += value;
  out += '\n';
}

void
append_header(std::string& out, const Family& family)
{
  out += "# HELP ";
  out += family.name;
  out += ' ';
  append_help(out, family.help);
  out += "\n# TYPE ";
  out += family.name;
  out += family.type == Type::counter ? " counter\n" : " gauge\n";
}

void
append_status_family(std::string& out,
                     const std::vector<const IntegrationMetrics*>& sorted)
{
  append_header(out,
                Family{"tapline_integration_status",
                       Type::gauge,
                       "Current status of the integration: 1 for the status "
                       "label that applies, 0 for the others.",
                       {}});
  for (const IntegrationMetrics* metrics : sorted) {
    bool known = false;
    for (const std::string_view status : k_statuses) {
      const bool current = metrics->status == status;
      known = known || current;
      append_sample(out,
                    "tapline_integration_status",
                    metrics->integration,
                    status,
                    current ? "1" : "0");
    }
    // Prometheus treats an empty label value as a missing label, so an empty
    // status is shown as "unknown".
    if (!known) {
      append_sample(out,
                    "tapline_integration_status",
                    metrics->integration,
                    metrics->status.empty() ? "unknown" : metrics->status,
                    "1");
    }
  }
}

std::vector<Family>
value_families()
{
  const auto count = [](std::uint64_t IntegrationMetrics::*field) {
    return [field](const IntegrationMetrics& metrics) {
      return std::optional<std::string>(fmt::format("{}", metrics.*field));
    };
  };
  return {
      {"tapline_last_success_timestamp_seconds",
       Type::gauge,
       "Unix time of the last successful run of the integration.",
       [](const IntegrationMetrics& m) {
         return format_optional(m.last_success_time);
       }},
      {"tapline_last_run_start_timestamp_seconds",
       Type::gauge,
       "Unix time at which the last run of the integration started.",
       [](const IntegrationMetrics& m) {
         return format_optional(m.last_run_start_time);
       }},
      {"tapline_last_run_duration_seconds",
       Type::gauge,
       "Wall-clock duration of the last run of the integration.",
       [](const IntegrationMetrics& m) {
         return format_optional(m.last_run_duration_seconds);
       }},
      {"tapline_last_run_exit_code",
       Type::gauge,
       "Exit code of the last run of the integration, 0 on success.",
       [](const IntegrationMetrics& m) {
         return format_optional(m.last_run_exit_code);
       }},
      {"tapline_last_run_records",
       Type::gauge,
       "Records synced by the last run of the integration.",
       count(&IntegrationMetrics::last_run_records)},
      {"tapline_last_run_bytes",
       Type::gauge,
       "Bytes synced by the last run of the integration.",
       count(&IntegrationMetrics::last_run_bytes)},
      {"tapline_records_synced_total",
       Type::counter,
       "Records synced by the integration over all recorded runs.",
       count(&IntegrationMetrics::records_total)},
      {"tapline_bytes_synced_total",
       Type::counter,
       "Bytes synced by the integration over all recorded runs.",
       count(&IntegrationMetrics::bytes_total)},
      {"tapline_runs_total",
       Type::counter,
       "Runs of the integration over all recorded runs.",
       count(&IntegrationMetrics::runs_total)},
      {"tapline_consecutive_failures",
       Type::gauge,
       "Failed runs of the integration since its last success.",
       count(&IntegrationMetrics::consecutive_failures)},
  };
}

} // namespace

std::string
render(const std::vector<IntegrationMetrics>& integrations)
{
  std::vector<const IntegrationMetrics*> sorted;
  sorted.reserve(integrations.size());
  for (const IntegrationMetrics& metrics : integrations) {
    sorted.push_back(&metrics);
  }
  std::stable_sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) {
    return a->integration < b->integration;
  });
  sorted.erase(std::unique(sorted.begin(),
                           sorted.end(),
                           [](auto* a, auto* b) {
                             return a->integration == b->integration;
                           }),
               sorted.end());

  std::string out;
  if (sorted.empty()) {
    return out;
  }
  append_status_family(out, sorted);
  for (const Family& family : value_families()) {
    std::string samples;
    for (const IntegrationMetrics* metrics : sorted) {
      if (const auto value = family.value(*metrics)) {
        append_sample(samples, family.name, metrics->integration, {}, *value);
      }
    }
    if (samples.empty()) {
      continue;
    }
    append_header(out, family);
    out += samples;
  }
  return out;
}

Result<void>
write_file_atomically(const std::filesystem::path& path,
                      std::string_view content)
{
  using std::filesystem::perms;
  return util::write_file_atomically(path,
                                     content,
                                     perms::owner_read | perms::owner_write |
                                         perms::group_read |
                                         perms::others_read);
}

} // namespace tapline::metrics
