// runner/auth/rules_path.cpp
//
// The executable's own path comes from /proc/self/exe (Linux, the only
// platform tapline runs on), not argv[0], which may be a bare name.

#include <runner/auth/rules_path.hpp>

#include <cstdlib>
#include <system_error>
#include <vector>

namespace tapline::auth {

Result<std::filesystem::path>
find_rules_path(const std::optional<std::string>& env_value,
                const std::filesystem::path& executable,
                const std::filesystem::path& source_dir)
{
  std::error_code ec;
  if (env_value && !env_value->empty()) {
    if (std::filesystem::is_regular_file(*env_value, ec)) {
      return std::filesystem::path(*env_value);
    }
    return fail(ErrorCode::config,
                "auth rules file " + *env_value +
                    " does not exist (from TAPLINE_AUTH_RULES)");
  }
  std::vector<std::filesystem::path> candidates;
  if (!executable.empty()) {
    const auto dir = executable.parent_path();
    candidates.push_back(dir / ".." / "config" / "auth-rules.yaml");
    candidates.push_back(dir / ".." / "share" / "tapline" / "auth-rules.yaml");
  }
  if (!source_dir.empty()) {
    candidates.push_back(source_dir / "config" / "auth-rules.yaml");
  }
  std::string looked;
  for (const auto& candidate : candidates) {
    if (std::filesystem::is_regular_file(candidate, ec)) {
      return candidate.lexically_normal();
    }
    looked +=
        (looked.empty() ? "" : ", ") + candidate.lexically_normal().string();
  }
  return fail(ErrorCode::config,
              "no auth rules file found (looked in " + looked +
                  "; set TAPLINE_AUTH_RULES)");
}

Result<std::filesystem::path>
default_rules_path()
{
  std::optional<std::string> env_value;
  if (const char* value = std::getenv("TAPLINE_AUTH_RULES")) {
    env_value = value;
  }
  std::error_code ec;
  std::filesystem::path executable =
      std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) {
    executable.clear();
  }
  return find_rules_path(env_value, executable, TAPLINE_SOURCE_DIR);
}

} // namespace tapline::auth
