// runner/auth/rule_loader.hpp
#pragma once

// Reading auth rules from YAML (config/auth-rules.yaml, or an integration's
// extra rules in tapline.yaml) into RuleSpecs and a compiled RuleSet. Every
// error is a config error at "file:line:col" naming the rule id. yaml-cpp's
// exceptions stop here. Where the default file lives is rules_path.hpp's.
//
// File format:
//   version: 1
//   macros:                  # optional; `{{name}}` in any later pattern
//     token_url: '...'       # a macro may use macros defined above it
//   rules:
//     - id: oauth.invalid_grant
//       class: token_revoked            # auth_class.hpp names
//       action: pause_reauth
//       precedence: 350                 # lower is tried first
//       patterns: ['\binvalid_grant\b'] # any of (a single string is fine)
//       requires: [...]                 # optional, all of
//       unless: [...]                   # optional, none of
//       evidence: [...]                 # optional, all of, in one earlier
//       record explanation: Token expired or revoked — re-authorize

#include <runner/auth/rule_set.hpp>
#include <runner/util/result.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace tapline::auth {

struct RuleFile
{
  Macros macros;
  std::vector<RuleSpec> rules;
};

// Parse a rules document; `file` is used in error locations only.
[[nodiscard]] Result<RuleFile> parse_rule_file(const std::string& text,
                                               const std::string& file);

// Parse a YAML sequence of rules (the `rules:` list, or an integration's
// extra rules). `file` is used in error locations only.
[[nodiscard]] Result<std::vector<RuleSpec>>
parse_rule_list(const YAML::Node& list, const std::string& file);

// Parse and compile a rules document.
[[nodiscard]] Result<RuleSet> parse_rules(const std::string& text,
                                          const std::string& file);

// Read, parse and compile the rules file at `path`.
[[nodiscard]] Result<RuleSet> load_rules(const std::filesystem::path& path);

} // namespace tapline::auth
