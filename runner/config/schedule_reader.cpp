// runner/config/schedule_reader.cpp
#include <runner/config/schedule_reader.hpp>

#include <utility>

namespace tapline::config {

Result<std::optional<schedule::Schedule>>
read_schedule(const YamlReader& reader,
              const Mapping& integration,
              const std::string& path)
{
  const Entry* expression = integration.find("schedule");
  const Entry* timezone = integration.find("timezone");
  if (expression == nullptr) {
    if (timezone != nullptr) {
      return reader.error(timezone->key_node,
                          child_path(path, "timezone"),
                          "a time zone needs a 'schedule'");
    }
    return std::optional<schedule::Schedule>{};
  }
  const std::string expression_path = child_path(path, "schedule");
  TRY_ASSIGN(
      const std::string text,
      reader.scalar(expression->value, expression->at(), expression_path));
  std::string zone;
  if (timezone != nullptr) {
    TRY_ASSIGN(zone,
               reader.scalar(timezone->value,
                             timezone->at(),
                             child_path(path, "timezone")));
    // An empty value (often an unset ${TZ}) must not quietly mean UTC.
    if (zone.empty()) {
      return reader.error(timezone->at(),
                          child_path(path, "timezone"),
                          "expected an IANA time zone name such as "
                          "'Europe/Berlin', got an empty value");
    }
  }
  auto parsed = schedule::Schedule::parse(text, zone);
  if (!parsed) {
    // A bad zone name is the timezone key's fault, anything else the
    // expression's.
    const bool zone_error =
        timezone != nullptr &&
        parsed.error().message.find("time zone") != std::string::npos;
    return reader.error(zone_error ? timezone->at() : expression->at(),
                        zone_error ? child_path(path, "timezone")
                                   : expression_path,
                        parsed.error().message);
  }
  return std::optional<schedule::Schedule>(std::move(*parsed));
}

} // namespace tapline::config
