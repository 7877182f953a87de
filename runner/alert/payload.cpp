// runner/alert/payload.cpp
#include <runner/alert/payload.hpp>
#include <runner/util/json_string.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <vector>

namespace tapline::alert {

namespace {

constexpr std::string_view k_replacement = "\xEF\xBF\xBD"; // U+FFFD

// `text` with each byte that does not start a valid UTF-8 sequence (and
// each NUL) replaced by U+FFFD.
std::string
valid_utf8(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead != 0 && lead < 0x80) {
      out.push_back(static_cast<char>(lead));
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t code_point = 0;
    std::uint32_t minimum = 0;
    if ((lead & 0xE0U) == 0xC0U) {
      length = 2;
      code_point = lead & 0x1FU;
      minimum = 0x80;
    } else if ((lead & 0xF0U) == 0xE0U) {
      length = 3;
      code_point = lead & 0x0FU;
      minimum = 0x800;
    } else if ((lead & 0xF8U) == 0xF0U) {
      length = 4;
      code_point = lead & 0x07U;
      minimum = 0x10000;
    }
    bool valid = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xC0U) == 0x80U;
      code_point = (code_point << 6U) | (next & 0x3FU);
    }
    valid = valid && code_point >= minimum && code_point <= 0x10FFFF &&
            (code_point < 0xD800 || code_point > 0xDFFF);
    if (valid) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out.append(k_replacement);
      ++i;
    }
  }
  return out;
}

std::string
one_line(std::string_view text)
{
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '\x7f') {
      c = ' ';
    }
  }
  return out;
}

std::string
status_phrase(std::string_view status)
{
  if (status == "needs_reauth") {
    return "needs reauthorization";
  }
  if (status == "recovered" || status == "failed" || status == "paused") {
    return std::string(status);
  }
  return fmt::format("is {}", status);
}

// The action the summary names: the event's own, or the class's default
// when the integration needs reauthorization.
std::string_view
action_for(const AlertEvent& event)
{
  if (!event.action.empty()) {
    return event.action;
  }
  if (event.status == "needs_reauth") {
    return user_action(event.auth_class);
  }
  return {};
}

} // namespace

AlertEvent
redacted(const AlertEvent& event, const Redact& redact)
{
  const auto clean = [&](const std::string& field) {
    return valid_utf8(redact ? redact(field) : field);
  };
  AlertEvent out;
  out.integration = clean(event.integration);
  out.status = clean(event.status);
  out.auth_class = clean(event.auth_class);
  out.explanation = clean(event.explanation);
  out.action = clean(event.action);
  out.run_id = event.run_id;
  out.time = clean(event.time);
  out.evidence = clean(event.evidence);
  return out;
}

std::string_view
user_action(std::string_view auth_class)
{
  if (auth_class == "token_revoked") {
    return "re-authorize";
  }
  if (auth_class == "insufficient_permissions") {
    return "restore permissions or update the token";
  }
  if (auth_class == "access_token_expired") {
    return "re-authorize (the token could not be refreshed)";
  }
  if (auth_class == "refresh_token_expired") {
    return "reconnect and re-authorize";
  }
  if (auth_class == "bad_credentials") {
    return "re-enter credentials";
  }
  return {};
}

std::string
summary_text(const AlertEvent& event)
{
  std::string text = fmt::format("tapline: integration '{}' {}",
                                 event.integration,
                                 status_phrase(event.status));
  if (!event.explanation.empty()) {
    text += " — " + event.explanation;
  }
  if (const auto action = action_for(event); !action.empty()) {
    text += fmt::format(" — {}", action);
  }
  std::vector<std::string> details;
  if (!event.auth_class.empty()) {
    details.push_back(event.auth_class);
  }
  if (event.run_id > 0) {
    details.push_back(fmt::format("run {}", event.run_id));
  }
  if (!details.empty()) {
    text += fmt::format(" ({})", fmt::join(details, ", "));
  }
  return one_line(text);
}

std::string
webhook_json(const AlertEvent& event, std::string_view text)
{
  std::string json = "{";
  const auto field = [&](std::string_view name, std::string_view value) {
    util::append_json_string(json, name);
    json += ':';
    util::append_json_string(json, value);
    json += ',';
  };
  field("integration", event.integration);
  field("status", event.status);
  field("class", event.auth_class);
  field("explanation", event.explanation);
  field("action", action_for(event));
  json += fmt::format("\"run_id\":{},", event.run_id);
  field("time", event.time);
  field("evidence", event.evidence);
  field("text", text);
  json.back() = '}';
  return json;
}

std::map<std::string, std::string>
command_environment(const AlertEvent& event, std::string_view text)
{
  return {
      {"TAPLINE_ALERT_INTEGRATION", event.integration},
      {"TAPLINE_ALERT_STATUS", event.status},
      {"TAPLINE_ALERT_CLASS", event.auth_class},
      {"TAPLINE_ALERT_EXPLANATION", event.explanation},
      {"TAPLINE_ALERT_ACTION", std::string(action_for(event))},
      {"TAPLINE_ALERT_RUN_ID", std::to_string(event.run_id)},
      {"TAPLINE_ALERT_TIME", event.time},
      {"TAPLINE_ALERT_EVIDENCE", event.evidence},
      {"TAPLINE_ALERT_TEXT", std::string(text)},
  };
}

} // namespace tapline::alert
