// runner/auth/rule_set.cpp
//
// Compiling and matching rules. Every pattern is its own RE2: a record is
// matched by at most a few hundred linear scans, and the watch caps record
// size (record.hpp), so the cost per record is bounded whatever the tap
// prints. RE2 is told never to log, because library code never prints.

#include <runner/auth/rule_set.hpp>

#include <re2/re2.h>

#include <algorithm>

namespace tapline::auth {

struct RuleSet::Compiled
{
  RuleSpec spec;
  std::vector<std::unique_ptr<RE2>> patterns;
  std::vector<std::unique_ptr<RE2>> required;
  std::vector<std::unique_ptr<RE2>> unless;
  std::vector<std::unique_ptr<RE2>> evidence;
};

namespace {

using Regexes = std::vector<std::unique_ptr<RE2>>;

bool
found(const RE2& re, std::string_view text)
{
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), re);
}

bool
any_of(const Regexes& regexes, std::string_view text)
{
  return std::ranges::any_of(regexes,
                             [&](const auto& re) { return found(*re, text); });
}

bool
all_of(const Regexes& regexes, std::string_view text)
{
  return std::ranges::all_of(regexes,
                             [&](const auto& re) { return found(*re, text); });
}

bool
matches(const RuleSet::Compiled& rule,
        std::string_view text,
        std::span<const std::string_view> evidence)
{
  if (!any_of(rule.patterns, text) || !all_of(rule.required, text) ||
      any_of(rule.unless, text)) {
    return false;
  }
  if (rule.evidence.empty()) {
    return true;
  }
  return std::ranges::any_of(evidence, [&](std::string_view earlier) {
    return all_of(rule.evidence, earlier);
  });
}

Result<std::unique_ptr<RE2>>
compile_pattern(const RuleSpec& rule,
                const PatternSpec& pattern,
                const Macros& macros)
{
  auto expanded = expand_macros(pattern.regex, macros);
  if (!expanded) {
    return fail(ErrorCode::config,
                "rule '" + rule.id + "': " + expanded.error().message,
                pattern.where);
  }
  if (expanded->empty()) {
    return fail(ErrorCode::config,
                "rule '" + rule.id +
                    "': empty pattern (it would match "
                    "every record)",
                pattern.where);
  }
  RE2::Options options;
  options.set_log_errors(false);
  // `.` stays within one line of a record; patterns cross lines only with
  // an explicit \n or [^...] class.
  options.set_dot_nl(false);
  auto re = std::make_unique<RE2>(*expanded, options);
  if (!re->ok()) {
    return fail(ErrorCode::config,
                "rule '" + rule.id + "': invalid pattern: " + re->error(),
                pattern.where);
  }
  return re;
}

Result<Regexes>
compile_list(const RuleSpec& rule,
             const std::vector<PatternSpec>& patterns,
             const Macros& macros)
{
  Regexes regexes;
  for (const auto& pattern : patterns) {
    TRY_ASSIGN(auto re, compile_pattern(rule, pattern, macros));
    regexes.push_back(std::move(re));
  }
  return regexes;
}

Result<std::shared_ptr<const RuleSet::Compiled>>
compile_rule(RuleSpec spec, const Macros& macros)
{
  if (spec.patterns.empty()) {
    return fail(
        ErrorCode::config, "rule '" + spec.id + "': no patterns", spec.where);
  }
  auto rule = std::make_shared<RuleSet::Compiled>();
  TRY_ASSIGN(rule->patterns, compile_list(spec, spec.patterns, macros));
  TRY_ASSIGN(rule->required, compile_list(spec, spec.required, macros));
  TRY_ASSIGN(rule->unless, compile_list(spec, spec.unless, macros));
  TRY_ASSIGN(rule->evidence, compile_list(spec, spec.evidence, macros));
  rule->spec = std::move(spec);
  return rule;
}

void
order_by_precedence(
    std::vector<std::shared_ptr<const RuleSet::Compiled>>& rules)
{
  std::ranges::stable_sort(rules, [](const auto& a, const auto& b) {
    return a->spec.precedence < b->spec.precedence;
  });
}

} // namespace

Result<std::string>
expand_macros(std::string_view regex, const Macros& macros)
{
  std::string out;
  out.reserve(regex.size());
  std::size_t pos = 0;
  while (pos < regex.size()) {
    const std::size_t open = regex.find("{{", pos);
    if (open == std::string_view::npos) {
      break;
    }
    const std::size_t close = regex.find("}}", open + 2);
    if (close == std::string_view::npos) {
      break;
    }
    const std::string_view name = regex.substr(open + 2, close - open - 2);
    const auto it = macros.find(name);
    if (it == macros.end()) {
      return fail(ErrorCode::config,
                  "unknown macro '" + std::string(name) + "'");
    }
    out.append(regex.substr(pos, open - pos));
    out += "(?:" + it->second + ")";
    pos = close + 2;
  }
  out.append(regex.substr(pos));
  return out;
}

Result<RuleSet>
RuleSet::compile(std::vector<RuleSpec> rules, Macros macros)
{
  RuleSet set;
  set.m_macros = std::move(macros);
  for (auto& spec : rules) {
    if (const auto* first = set.find(spec.id)) {
      return fail(ErrorCode::config,
                  "rule '" + spec.id + "': duplicate id" +
                      (first->where.empty()
                           ? std::string()
                           : " (first at " + first->where + ")"),
                  spec.where);
    }
    TRY_ASSIGN(auto rule, compile_rule(std::move(spec), set.m_macros));
    set.m_rules.push_back(std::move(rule));
  }
  order_by_precedence(set.m_rules);
  return set;
}

Result<RuleSet>
RuleSet::with_overrides(std::vector<RuleSpec> extra,
                        const std::vector<std::string>& disabled) const
{
  for (const auto& id : disabled) {
    if (find(id) == nullptr && std::ranges::none_of(extra, [&](const auto& r) {
          return r.id == id;
        })) {
      return fail(ErrorCode::config,
                  "cannot disable unknown auth rule '" + id + "'");
    }
  }
  RuleSet set;
  set.m_macros = m_macros;
  std::vector<std::shared_ptr<const Compiled>> added;
  for (auto& spec : extra) {
    const bool repeated = std::ranges::any_of(
        added, [&](const auto& rule) { return rule->spec.id == spec.id; });
    if (repeated) {
      return fail(ErrorCode::config,
                  "rule '" + spec.id + "': duplicate id",
                  spec.where);
    }
    TRY_ASSIGN(auto rule, compile_rule(std::move(spec), m_macros));
    added.push_back(std::move(rule));
  }
  auto keep = [&](const std::shared_ptr<const Compiled>& rule) {
    const auto& id = rule->spec.id;
    return std::ranges::find(disabled, id) == disabled.end();
  };
  for (const auto& rule : m_rules) {
    const bool replaced = std::ranges::any_of(
        added, [&](const auto& a) { return a->spec.id == rule->spec.id; });
    if (!replaced && keep(rule)) {
      set.m_rules.push_back(rule);
    }
  }
  for (auto& rule : added) {
    if (keep(rule)) {
      set.m_rules.push_back(std::move(rule));
    }
  }
  order_by_precedence(set.m_rules);
  return set;
}

const RuleSpec*
RuleSet::match(std::string_view text,
               std::span<const std::string_view> evidence) const
{
  for (const auto& rule : m_rules) {
    if (matches(*rule, text, evidence)) {
      return &rule->spec;
    }
  }
  return nullptr;
}

const RuleSpec*
RuleSet::find(std::string_view id) const
{
  for (const auto& rule : m_rules) {
    if (rule->spec.id == id) {
      return &rule->spec;
    }
  }
  return nullptr;
}

std::vector<std::string>
RuleSet::ids() const
{
  std::vector<std::string> ids;
  ids.reserve(m_rules.size());
  for (const auto& rule : m_rules) {
    ids.push_back(rule->spec.id);
  }
  return ids;
}

} // namespace tapline::auth
