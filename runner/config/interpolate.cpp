// runner/config/interpolate.cpp
//
// The ${VAR} grammar. The result is not scanned again, so a variable whose
// value contains "${X}" or "$$" is taken literally: values from the
// environment (tokens, passwords) must never be reinterpreted.

#include <runner/config/interpolate.hpp>

namespace tapline::config {

namespace {

bool
is_name_start(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool
is_name_char(char c)
{
  return is_name_start(c) || (c >= '0' && c <= '9');
}

} // namespace

bool
is_env_name(std::string_view name)
{
  if (name.empty() || !is_name_start(name.front())) {
    return false;
  }
  for (const char c : name) {
    if (!is_name_char(c)) {
      return false;
    }
  }
  return true;
}

std::expected<std::string, std::string>
interpolate(std::string_view text, const EnvLookup& env)
{
  // Fast path: most scalars have no '$' at all.
  if (text.find('$') == std::string_view::npos) {
    return std::string(text);
  }

  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t dollar = text.find('$', pos);
    if (dollar == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    out.append(text.substr(pos, dollar - pos));
    const std::string_view rest = text.substr(dollar + 1);
    if (rest.starts_with('$')) {
      out.push_back('$');
      pos = dollar + 2;
      continue;
    }
    if (!rest.starts_with('{')) {
      out.push_back('$');
      pos = dollar + 1;
      continue;
    }

    const std::size_t close = rest.find('}');
    if (close == std::string_view::npos) {
      return std::unexpected(
          std::string("unterminated '${' (write '$$' for a literal '$')"));
    }
    const std::string_view body = rest.substr(1, close - 1);
    const std::size_t separator = body.find(":-");
    const std::string_view name = body.substr(0, separator);
    if (!is_env_name(name)) {
      return std::unexpected("invalid environment variable name '" +
                             std::string(name) + "' in '${" +
                             std::string(body) + "}'");
    }

    const std::optional<std::string> value = env(std::string(name));
    if (separator != std::string_view::npos) {
      if (value && !value->empty()) {
        out.append(*value);
      } else {
        out.append(body.substr(separator + 2));
      }
    } else if (value) {
      out.append(*value);
    } else {
      return std::unexpected("environment variable '" + std::string(name) +
                             "' is not set");
    }
    pos = dollar + 1 + close + 1;
  }
  return out;
}

} // namespace tapline::config
