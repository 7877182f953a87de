// runner/config/loader.cpp
//
// The module's edge: reading the file, running yaml-cpp (whose exceptions
// stop here and become Errors), the top-level keys, and finding which file
// to load. The integrations themselves are read in integration_reader.cpp.
// load_config goes through the compiled cache (config_cache.hpp) unless
// TAPLINE_NO_CONFIG_CACHE is set; load_config_from_string never does.

#include <runner/config/config_cache.hpp>
#include <runner/config/integration_reader.hpp>
#include <runner/config/loader.hpp>
#include <runner/config/policy_reader.hpp>
#include <runner/config/yaml_reader.hpp>

#include <yaml-cpp/yaml.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <system_error>
#include <utility>
#include <vector>

namespace tapline::config {

namespace {

constexpr std::string_view k_root_expected =
    "expected a mapping with key 'integrations'";

// Top-level keys starting with this are ignored, so YAML anchors shared by
// several integrations have somewhere to live (as in Docker Compose).
constexpr std::string_view k_extension_prefix = "x-";

std::string
lowercase(std::string text)
{
  std::ranges::transform(text, text.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return text;
}

Result<std::string>
read_file(const std::filesystem::path& file)
{
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return fail(ErrorCode::config,
                "cannot read configuration file: " +
                    std::generic_category().message(errno),
                file.string());
  }
  std::string text;
  char buffer[16384];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      const int saved = errno;
      ::close(fd);
      return fail(ErrorCode::config,
                  "cannot read configuration file: " +
                      std::generic_category().message(saved),
                  file.string());
    }
    if (n == 0) {
      break;
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

Result<Config>
read_root(const YamlReader& reader,
          const YAML::Node& root,
          const std::filesystem::path& file)
{
  if (!root.IsMap()) {
    return fail(ErrorCode::config,
                std::string(k_root_expected),
                file.string() + ":1:1");
  }
  TRY_ASSIGN(const Mapping all, reader.mapping(root, root, ""));
  Mapping mapping{root, {}};
  for (const Entry& entry : all.entries) {
    if (!entry.key.starts_with(k_extension_prefix)) {
      mapping.entries.push_back(entry);
    }
  }
  TRY(reader.check_keys(
      mapping, "", {"data_dir", "integrations", "alerts", "metrics_file"}));
  const Entry* integrations = mapping.find("integrations");
  if (integrations == nullptr) {
    return fail(ErrorCode::config,
                std::string(k_root_expected),
                file.string() + ":1:1");
  }

  Config config;
  config.data_dir = reader.base_dir() / ".tapline";
  if (const Entry* data_dir = mapping.find("data_dir")) {
    TRY_ASSIGN(config.data_dir, reader.path(*data_dir, "data_dir"));
  }
  if (const Entry* metrics = mapping.find("metrics_file")) {
    TRY_ASSIGN(config.metrics_file, reader.path(*metrics, "metrics_file"));
  }
  if (const Entry* alerts = mapping.find("alerts")) {
    TRY_ASSIGN(config.alerts, read_alerts(reader, *alerts, "alerts"));
  }
  TRY_ASSIGN(const Mapping entries,
             reader.mapping(integrations->value,
                            integrations->at(),
                            "integrations",
                            "a mapping of integration names to integrations"));
  config.integrations.reserve(entries.entries.size());
  for (const Entry& entry : entries.entries) {
    TRY_ASSIGN(Integration integration, read_integration(reader, entry));
    config.integrations.push_back(std::move(integration));
  }
  return config;
}

// The full load. `checked_files`, when not null, receives every file the
// load required to exist (for the config cache).
Result<Config>
load_text(const std::string& text,
          const std::filesystem::path& file,
          const EnvLookup& env,
          std::vector<std::filesystem::path>* checked_files)
{
  std::error_code ec;
  const std::filesystem::path absolute =
      normalized(std::filesystem::absolute(file, ec));
  if (ec) {
    return fail(ErrorCode::config,
                "cannot resolve configuration file path: " + ec.message(),
                file.string());
  }
  YamlReader reader(file.string(), absolute.parent_path(), env);
  reader.record_checked_files(checked_files);
  try {
    const YAML::Node root = YAML::Load(text);
    TRY_ASSIGN(Config config, read_root(reader, root, file));
    config.file = absolute;
    return config;
  } catch (const YAML::Exception& e) {
    // Syntax errors, and any yaml-cpp failure on a malformed document
    // (e.g. nesting too deep), are configuration errors at their mark.
    const YAML::Mark mark = e.mark.is_null() ? YAML::Mark{} : e.mark;
    return fail(ErrorCode::config,
                "invalid yaml: " + lowercase(e.msg),
                file.string() + ":" + std::to_string(mark.line + 1) + ":" +
                    std::to_string(mark.column + 1));
  }
}

} // namespace

const Integration*
Config::find(std::string_view name) const
{
  const auto it = std::ranges::find(integrations, name, &Integration::name);
  return it == integrations.end() ? nullptr : &*it;
}

EnvLookup
process_env()
{
  return [](const std::string& name) -> std::optional<std::string> {
    if (const char* value = std::getenv(name.c_str())) {
      return std::string(value);
    }
    return std::nullopt;
  };
}

Result<Config>
load_config(const std::filesystem::path& file, const EnvLookup& env)
{
  TRY_ASSIGN(const std::string text, read_file(file));
  if (!config_cache_enabled(env)) {
    return load_text(text, file, env, nullptr);
  }
  std::error_code ec;
  const std::filesystem::path absolute =
      normalized(std::filesystem::absolute(file, ec));
  if (ec) {
    return load_text(text, file, env, nullptr); // reports the error
  }
  const auto cache_path = config_cache_path(absolute, env);
  if (!cache_path) {
    return load_text(text, file, env, nullptr);
  }
  const std::filesystem::path& cache_file = *cache_path;
  if (auto cached =
          read_config_cache(cache_file, absolute, file.string(), text, env)) {
    return std::move(*cached);
  }
  LoadInputs inputs;
  auto config =
      load_text(text, file, recording_env(env, inputs), &inputs.checked_files);
  if (config) {
    // A cache that cannot be written (read-only directory, full disk) only
    // costs the next load its speed.
    (void)write_config_cache(cache_file, *config, file.string(), text, inputs);
  }
  return config;
}

Result<Config>
load_config_from_string(const std::string& text,
                        const std::filesystem::path& file,
                        const EnvLookup& env)
{
  return load_text(text, file, env, nullptr);
}

Result<std::filesystem::path>
resolve_config_path(const std::optional<std::string>& flag,
                    const EnvLookup& env)
{
  if (flag) {
    if (std::error_code ec; std::filesystem::exists(*flag, ec)) {
      return std::filesystem::path(*flag);
    }
    return fail(ErrorCode::config,
                "no configuration file: " + *flag +
                    " does not exist (given with --config)");
  }
  if (auto from_env = env("TAPLINE_CONFIG"); from_env && !from_env->empty()) {
    if (std::error_code ec; std::filesystem::exists(*from_env, ec)) {
      return std::filesystem::path(*from_env);
    }
    return fail(ErrorCode::config,
                "no configuration file: " + *from_env +
                    " does not exist (from TAPLINE_CONFIG)");
  }
  // Returned without "./" so that messages read "tapline.yaml:3:9".
  const std::filesystem::path fallback = "tapline.yaml";
  if (std::error_code ec; std::filesystem::exists(fallback, ec)) {
    return fallback;
  }
  return fail(ErrorCode::config,
              "no configuration file: ./tapline.yaml does not exist (use "
              "--config FILE or set TAPLINE_CONFIG)");
}

} // namespace tapline::config
