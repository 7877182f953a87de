// runner/auth/rule_loader.cpp
//
// YAML to RuleSpec, strictly: unknown keys, wrong types and bad names are
// errors at their position, because a typo in a rules file silently turns a
// rule off. Regex syntax is checked when the set is compiled (rule_set.cpp),
// with the position recorded here.

#include <runner/auth/rule_loader.hpp>
#include <runner/util/fs.hpp>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace tapline::auth {

namespace {

std::string
where(const std::string& file, const YAML::Node& node)
{
  const YAML::Mark mark = node.Mark();
  if (mark.is_null() || mark.line < 0 || mark.column < 0) {
    return file;
  }
  return file + ":" + std::to_string(mark.line + 1) + ":" +
         std::to_string(mark.column + 1);
}

std::string
describe(const YAML::Node& node)
{
  switch (node.Type()) {
  case YAML::NodeType::Map:
    return "a mapping";
  case YAML::NodeType::Sequence:
    return "a sequence";
  case YAML::NodeType::Scalar:
    return "'" + node.Scalar() + "'";
  default:
    return "an empty value";
  }
}

// Dotted lowercase words: "oauth.invalid_grant", "http.403".
bool
valid_id(std::string_view id)
{
  if (id.empty() || id.front() == '.' || id.back() == '.' ||
      id.find("..") != std::string_view::npos) {
    return false;
  }
  return std::ranges::all_of(id, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

class Reader
{
public:
  explicit Reader(const std::string& file) : m_file(file) {}

  [[nodiscard]] std::unexpected<Error>
  error(const YAML::Node& at, const std::string& message) const
  {
    return fail(ErrorCode::config, message, where(m_file, at));
  }

  [[nodiscard]] Result<std::vector<PatternSpec>>
  patterns(const YAML::Node& node, const std::string& context) const
  {
    std::vector<PatternSpec> out;
    if (node.IsScalar()) {
      out.push_back({node.Scalar(), where(m_file, node)});
      return out;
    }
    if (!node.IsSequence() || node.size() == 0) {
      return error(node,
                   context +
                       ": expected a regex or a non-empty list of "
                       "regexes, got " +
                       describe(node));
    }
    for (const auto& item : node) {
      if (!item.IsScalar()) {
        return error(item,
                     context + ": expected a regex, got " + describe(item));
      }
      out.push_back({item.Scalar(), where(m_file, item)});
    }
    return out;
  }

  [[nodiscard]] Result<RuleSpec> rule(const YAML::Node& node,
                                      std::size_t index) const;

private:
  const std::string& m_file;
};

constexpr std::array k_rule_keys = {
    "id",
    "class",
    "action",
    "patterns",
    "requires",
    "unless",
    "evidence",
    "precedence",
    "explanation",
};

Result<RuleSpec>
Reader::rule(const YAML::Node& node, std::size_t index) const
{
  const std::string position = "rules[" + std::to_string(index) + "]";
  if (!node.IsMap()) {
    return error(node,
                 position + ": expected a mapping, got " + describe(node));
  }
  RuleSpec spec;
  spec.where = where(m_file, node);
  const YAML::Node id = node["id"];
  if (!id) {
    return error(node, position + ": missing 'id'");
  }
  if (!id.IsScalar() || !valid_id(id.Scalar())) {
    return error(id,
                 position +
                     ": id: expected dotted lowercase words like "
                     "'oauth.invalid_grant', got " +
                     describe(id));
  }
  spec.id = id.Scalar();
  const std::string context = "rule '" + spec.id + "'";

  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    if (std::ranges::find(k_rule_keys, key) == k_rule_keys.end()) {
      return error(entry.first, context + ": unknown key '" + key + "'");
    }
  }

  const YAML::Node auth_class = node["class"];
  if (!auth_class) {
    return error(node, context + ": missing 'class'");
  }
  auto parsed_class = parse_auth_class(
      auth_class.IsScalar() ? auth_class.Scalar() : describe(auth_class));
  if (!parsed_class) {
    return error(auth_class,
                 context + ": class: " + parsed_class.error().message);
  }
  spec.auth_class = *parsed_class;

  const YAML::Node action = node["action"];
  if (!action) {
    return error(node, context + ": missing 'action'");
  }
  auto parsed_action =
      parse_action(action.IsScalar() ? action.Scalar() : describe(action));
  if (!parsed_action) {
    return error(action,
                 context + ": action: " + parsed_action.error().message);
  }
  spec.action = *parsed_action;

  const YAML::Node patterns = node["patterns"];
  if (!patterns) {
    return error(node, context + ": missing 'patterns'");
  }
  TRY_ASSIGN(spec.patterns, this->patterns(patterns, context + ": patterns"));
  if (const YAML::Node required = node["requires"]) {
    TRY_ASSIGN(spec.required, this->patterns(required, context + ": requires"));
  }
  if (const YAML::Node unless = node["unless"]) {
    TRY_ASSIGN(spec.unless, this->patterns(unless, context + ": unless"));
  }
  if (const YAML::Node evidence = node["evidence"]) {
    TRY_ASSIGN(spec.evidence, this->patterns(evidence, context + ": evidence"));
  }

  const YAML::Node precedence = node["precedence"];
  if (!precedence) {
    return error(node, context + ": missing 'precedence'");
  }
  const std::string text = precedence.IsScalar() ? precedence.Scalar() : "";
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, spec.precedence);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return error(precedence,
                 context + ": precedence: expected an integer, got " +
                     describe(precedence));
  }

  if (const YAML::Node explanation = node["explanation"]) {
    if (!explanation.IsScalar()) {
      return error(explanation,
                   context + ": explanation: expected text, got " +
                       describe(explanation));
    }
    spec.explanation = explanation.Scalar();
  }
  return spec;
}

Result<Macros>
read_macros(const Reader& reader, const YAML::Node& node)
{
  Macros macros;
  if (!node.IsMap()) {
    return reader.error(node,
                        "macros: expected a mapping of names to regexes, got " +
                            describe(node));
  }
  for (const auto& entry : node) {
    const std::string name = entry.first.Scalar();
    if (!entry.second.IsScalar()) {
      return reader.error(entry.second,
                          "macros." + name + ": expected a regex, got " +
                              describe(entry.second));
    }
    // Earlier macros expand inside later ones; a macro cannot refer to
    // itself or to one defined after it, so expansion always ends.
    auto expanded = expand_macros(entry.second.Scalar(), macros);
    if (!expanded) {
      return reader.error(entry.second,
                          "macros." + name + ": " + expanded.error().message);
    }
    macros.emplace(name, std::move(*expanded));
  }
  return macros;
}

std::string
lowercase(std::string text)
{
  std::ranges::transform(text, text.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return text;
}

std::unexpected<Error>
yaml_error(const YAML::Exception& e, const std::string& file)
{
  const YAML::Mark mark = e.mark.is_null() ? YAML::Mark{} : e.mark;
  return fail(ErrorCode::config,
              "invalid yaml: " + lowercase(e.msg),
              file + ":" + std::to_string(mark.line + 1) + ":" +
                  std::to_string(mark.column + 1));
}

} // namespace

Result<std::vector<RuleSpec>>
parse_rule_list(const YAML::Node& list, const std::string& file)
{
  const Reader reader(file);
  try {
    if (!list.IsSequence()) {
      return reader.error(
          list, "rules: expected a list of rules, got " + describe(list));
    }
    std::vector<RuleSpec> rules;
    std::size_t index = 0;
    for (const auto& node : list) {
      TRY_ASSIGN(auto spec, reader.rule(node, index++));
      rules.push_back(std::move(spec));
    }
    return rules;
  } catch (const YAML::Exception& e) {
    return yaml_error(e, file);
  }
}

Result<RuleFile>
parse_rule_file(const std::string& text, const std::string& file)
{
  const Reader reader(file);
  try {
    const YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) {
      return reader.error(
          root, "expected a mapping with 'rules', got " + describe(root));
    }
    for (const auto& entry : root) {
      const std::string key = entry.first.Scalar();
      if (key != "version" && key != "macros" && key != "rules") {
        return reader.error(entry.first, "unknown key '" + key + "'");
      }
    }
    if (const YAML::Node version = root["version"];
        version && (!version.IsScalar() || version.Scalar() != "1")) {
      return reader.error(version,
                          "version: expected 1, got " + describe(version));
    }
    RuleFile out;
    if (const YAML::Node macros = root["macros"]) {
      TRY_ASSIGN(out.macros, read_macros(reader, macros));
    }
    const YAML::Node rules = root["rules"];
    if (!rules) {
      return reader.error(root, "missing 'rules'");
    }
    TRY_ASSIGN(out.rules, parse_rule_list(rules, file));
    return out;
  } catch (const YAML::Exception& e) {
    return yaml_error(e, file);
  }
}

Result<RuleSet>
parse_rules(const std::string& text, const std::string& file)
{
  TRY_ASSIGN(auto parsed, parse_rule_file(text, file));
  return RuleSet::compile(std::move(parsed.rules), std::move(parsed.macros));
}

Result<RuleSet>
load_rules(const std::filesystem::path& path)
{
  auto text = util::read_file(path);
  if (!text) {
    // A missing or unreadable rules file is a configuration problem.
    Error error = std::move(text).error();
    error.code = ErrorCode::config;
    return std::unexpected(std::move(error));
  }
  return parse_rules(*text, path.string());
}

} // namespace tapline::auth
