// runner/cli/state_commands.cpp
//
// `tapline state get|set|clear|history NAME`: read and repair bookmarks by
// hand. Every change is a new history row, so `history` shows what to roll
// back to and `set` rolls back.

#include <runner/cli/commands.hpp>
#include <runner/util/fs.hpp>
#include <runner/util/json_string.hpp>

#include <fmt/format.h>
#include <simdjson.h>

#include <iostream>
#include <iterator>

namespace tapline::cli {

namespace {

Result<std::string>
read_state_input(const std::string& file)
{
  std::string text;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin),
                std::istreambuf_iterator<char>());
  } else {
    TRY_ASSIGN(text, util::read_file(file));
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(text).get(root)) {
    return fail(
        ErrorCode::invalid_data,
        fmt::format("not valid JSON ({})", simdjson::error_message(error)),
        file == "-" ? "stdin" : file);
  }
  if (!root.is_object()) {
    return fail(ErrorCode::invalid_data,
                "a state must be a JSON object",
                file == "-" ? "stdin" : file);
  }
  // A whole STATE message is accepted too; its value is the state.
  std::string_view type;
  simdjson::dom::element value;
  if (root["type"].get(type) == simdjson::SUCCESS && type == "STATE" &&
      root["value"].get(value) == simdjson::SUCCESS) {
    return simdjson::minify(value);
  }
  return simdjson::minify(root);
}

} // namespace

int
state_get_command(const GlobalOptions& global, const std::string& name)
{
  auto opened = open_integration(global, name);
  if (!opened) {
    return report(opened.error());
  }
  auto current = opened->context.store->current_state(name);
  if (!current) {
    return report(current.error());
  }
  if (!*current || !(*current)->value_json) {
    fmt::print(stderr, "tapline: {}: no committed bookmark\n", name);
    return 0;
  }
  fmt::print("{}\n", *(*current)->value_json);
  return 0;
}

int
state_set_command(const GlobalOptions& global,
                  const std::string& name,
                  const std::string& file)
{
  auto opened = open_integration(global, name);
  if (!opened) {
    return report(opened.error());
  }
  auto value = read_state_input(file);
  if (!value) {
    return report(value.error());
  }
  auto committed =
      opened->context.store->commit_state(name, *value, std::nullopt, "user");
  if (!committed) {
    return report(committed.error());
  }
  fmt::print("{}: bookmark set (history id {})\n", name, *committed);
  return 0;
}

int
state_clear_command(const GlobalOptions& global, const std::string& name)
{
  auto opened = open_integration(global, name);
  if (!opened) {
    return report(opened.error());
  }
  if (auto cleared = opened->context.store->clear_state(name); !cleared) {
    return report(cleared.error());
  }
  fmt::print("{}: bookmark cleared; the next run is a full sync (`tapline "
             "state history {}` "
             "shows what it was)\n",
             name,
             name);
  return 0;
}

int
state_history_command(const GlobalOptions& global,
                      const std::string& name,
                      int limit,
                      bool json)
{
  auto opened = open_integration(global, name);
  if (!opened) {
    return report(opened.error());
  }
  auto history = opened->context.store->state_history(name, limit);
  if (!history) {
    return report(history.error());
  }
  if (json) {
    std::string out = "[";
    for (const auto& entry : *history) {
      out += fmt::format("{}{{\"id\":{},\"committed_at\":{},\"source\":{},"
                         "\"run_id\":{},\"value\":{}}}",
                         out.size() > 1 ? "," : "",
                         entry.id,
                         util::json_string(entry.committed_at),
                         util::json_string(entry.source),
                         entry.run_id ? std::to_string(*entry.run_id) : "null",
                         entry.value_json.value_or("null"));
    }
    fmt::print("{}]\n", out);
    return 0;
  }
  if (history->empty()) {
    fmt::print(stderr, "tapline: {}: no bookmark history\n", name);
    return 0;
  }
  fmt::print("{:<6} {:<25} {:<7} {:<6} {}\n",
             "ID",
             "COMMITTED AT",
             "SOURCE",
             "RUN",
             "VALUE");
  for (const auto& entry : *history) {
    std::string value = entry.value_json.value_or("(cleared)");
    if (value.size() > 80) {
      value = value.substr(0, 77) + "...";
    }
    fmt::print("{:<6} {:<25} {:<7} {:<6} {}\n",
               entry.id,
               entry.committed_at,
               entry.source,
               entry.run_id ? std::to_string(*entry.run_id) : "-",
               value);
  }
  return 0;
}

} // namespace tapline::cli
