// runner/auth/rule_set.hpp
#pragma once

// Compiled auth-failure rules: each rule's regexes compiled once with RE2
// (linear time, so a hostile line cannot stall the watch), ordered by
// precedence, first match wins. Loading YAML is rule_loader.hpp's job;
// grouping stderr into records and deciding what a match means for a run is
// watch.hpp's.

#include <runner/auth/auth_class.hpp>
#include <runner/util/result.hpp>

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tapline::auth {

// One regex as written, with where it was written ("file:line:col", or empty
// for rules built in code) so compile errors can point at it.
struct PatternSpec
{
  std::string regex;
  std::string where;
};

// A rule as data. A rule matches a record when any of `patterns`, all of
// `required` and none of `unless` match the record's text, and, when
// `evidence` is not empty, one earlier record of the same run matches all of
// `evidence` (e.g. a "Backing off ... 400 ... /oauth/token" line that makes a
// later bare "Giving up" an auth failure).
struct RuleSpec
{
  std::string id; // stable, dotted: "oauth.invalid_grant"
  AuthClass auth_class = AuthClass::not_auth;
  Action action = Action::fail;
  std::vector<PatternSpec> patterns;
  std::vector<PatternSpec> required;
  std::vector<PatternSpec> unless;
  std::vector<PatternSpec> evidence;
  int precedence = 0;      // lower is tried first
  std::string explanation; // for users; empty: default_explanation(class)
  std::string where;       // the rule's "file:line:col", or empty
};

// Named regex fragments, written `{{name}}` in patterns, already expanded.
using Macros = std::map<std::string, std::string, std::less<>>;

class RuleSet
{
public:
  RuleSet() = default;

  // Compile `rules` (expanding `macros`) and order them by precedence; rules
  // with equal precedence keep their given order. Errors are config errors
  // at the offending pattern: "rule 'ID': invalid pattern: ...".
  [[nodiscard]] static Result<RuleSet> compile(std::vector<RuleSpec> rules,
                                               Macros macros = {});

  // This set with `extra` rules added (an extra rule whose id exists
  // replaces that rule, so an integration can tighten one) and the rules
  // named in `disabled` removed. Extra rules may use this set's macros.
  [[nodiscard]] Result<RuleSet>
  with_overrides(std::vector<RuleSpec> extra,
                 const std::vector<std::string>& disabled) const;

  // The first rule, in precedence order, that matches `text` with `evidence`
  // (earlier records of the run, oldest first), or nullptr. The pointer
  // lives as long as any copy of this set.
  [[nodiscard]] const RuleSpec*
  match(std::string_view text,
        std::span<const std::string_view> evidence = {}) const;

  [[nodiscard]] const RuleSpec* find(std::string_view id) const;
  [[nodiscard]] std::vector<std::string> ids() const; // in match order
  [[nodiscard]] std::size_t
  size() const
  {
    return m_rules.size();
  }

  // Implementation detail of compile(), public so the .cpp can name it.
  struct Compiled;

private:
  // Shared so that copies (one per Watch) do not recompile anything.
  std::vector<std::shared_ptr<const Compiled>> m_rules;
  Macros m_macros;
};

// Expand `{{name}}` references in `regex` as non-capturing groups. An
// unknown name is a config error "unknown macro 'name'".
[[nodiscard]] Result<std::string> expand_macros(std::string_view regex,
                                                const Macros& macros);

} // namespace tapline::auth
