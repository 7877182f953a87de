// runner/cli/auth_command.cpp
//
// `tapline auth classify`: the auth watch on a saved excerpt, so a user (or
// a rule author) can see which rule decides a real tap's stderr without
// running the tap.

#include <runner/auth/rule_loader.hpp>
#include <runner/auth/rules_path.hpp>
#include <runner/auth/watch.hpp>
#include <runner/cli/auth_command.hpp>
#include <runner/cli/context.hpp>
#include <runner/util/json_string.hpp>

#include <fmt/format.h>

#include <fstream>
#include <iostream>

namespace tapline::cli {

namespace {

void
print_text(const auth::Decision& decision,
           const std::vector<auth::Decision>& warnings)
{
  fmt::print("class: {}\n", auth::to_string(decision.auth_class));
  fmt::print("action: {}\n", auth::to_string(decision.action));
  fmt::print("rule: {}\n", decision.rule_id.empty() ? "-" : decision.rule_id);
  fmt::print("explanation: {}\n", decision.explanation);
  fmt::print("halt: {}\n", decision.halt ? "yes" : "no");
  if (!decision.record.empty()) {
    fmt::print("record:\n");
    std::size_t start = 0;
    while (start <= decision.record.size()) {
      std::size_t end = decision.record.find('\n', start);
      if (end == std::string::npos) {
        end = decision.record.size();
      }
      fmt::print("  {}\n",
                 std::string_view(decision.record).substr(start, end - start));
      start = end + 1;
    }
  }
  for (const auto& warning : warnings) {
    fmt::print("warning: {} {} ({})\n",
               auth::to_string(warning.auth_class),
               warning.rule_id,
               auth::to_string(warning.action));
  }
}

void
print_json(const auth::Decision& decision)
{
  std::string out = "{\"class\":";
  util::append_json_string(out, auth::to_string(decision.auth_class));
  out += ",\"action\":";
  util::append_json_string(out, auth::to_string(decision.action));
  out += ",\"rule\":";
  util::append_json_string(out, decision.rule_id);
  out += ",\"explanation\":";
  util::append_json_string(out, decision.explanation);
  out += ",\"halt\":";
  out += decision.halt ? "true" : "false";
  out += ",\"record\":";
  util::append_json_string(out, decision.record);
  out += "}\n";
  fmt::print("{}", out);
}

} // namespace

int
auth_classify_command(const std::string& file,
                      std::optional<int> exit_code,
                      bool json,
                      const std::optional<std::string>& rules_file)
{
  std::filesystem::path rules_path;
  if (rules_file) {
    rules_path = *rules_file;
  } else {
    auto found = auth::default_rules_path();
    if (!found) {
      return report(found.error());
    }
    rules_path = *found;
  }
  auto rules = auth::load_rules(rules_path);
  if (!rules) {
    return report(rules.error());
  }

  std::ifstream opened;
  if (file != "-") {
    opened.open(file, std::ios::binary);
    if (!opened) {
      return report(
          Error{ErrorCode::usage, "cannot read stderr excerpt " + file, {}});
    }
  }
  std::istream& in = file == "-" ? std::cin : opened;

  auth::Watch watch(std::move(*rules));
  std::string line;
  while (std::getline(in, line)) {
    (void)watch.on_line(line);
  }
  if (in.bad()) {
    return report(
        Error{ErrorCode::io, "cannot read stderr excerpt " + file, {}});
  }
  auth::Decision decision;
  if (exit_code) {
    decision = watch.at_exit(*exit_code);
  } else {
    (void)watch.on_quiet();
    decision = watch.verdict();
  }
  if (json) {
    print_json(decision);
  } else {
    print_text(decision, watch.warnings());
  }
  return 0;
}

} // namespace tapline::cli
