// runner/cli/hold_commands.cpp
//
// `tapline pause NAME [--reason TEXT]` and `tapline resume NAME`: manual
// holds. A held integration is skipped by `run --due` and the daemon and
// refused by `run` (unless --force) until it is resumed. Neither command
// clears "needs reauthorization": that takes new credentials.

#include <runner/cli/commands.hpp>
#include <runner/sync/pause.hpp>

#include <fmt/format.h>

namespace tapline::cli {

namespace {

int
needs_reauth(const std::string& name)
{
  return report(Error{ErrorCode::auth,
                      fmt::format("needs reauthorization, which pause and "
                                  "resume leave alone; fix the credentials "
                                  "and run `tapline reauth {}`",
                                  name),
                      {}},
                name);
}

} // namespace

int
pause_command(const GlobalOptions& global,
              const std::string& name,
              const std::string& reason)
{
  auto opened = open_integration(global, name);
  if (!opened) {
    return report(opened.error());
  }
  auto change = sync::hold_integration(*opened->context.store, name, reason);
  if (!change) {
    return report(change.error(), name);
  }
  switch (*change) {
  case sync::HoldChange::refused:
    return needs_reauth(name);
  case sync::HoldChange::unchanged:
    fmt::print("{}: already paused\n", name);
    return 0;
  case sync::HoldChange::changed:
    break;
  }
  fmt::print("{}: paused; scheduled runs skip it until `tapline resume {}`\n",
             name,
             name);
  return 0;
}

int
resume_command(const GlobalOptions& global, const std::string& name)
{
  auto opened = open_integration(global, name);
  if (!opened) {
    return report(opened.error());
  }
  auto change = sync::release_integration(*opened->context.store, name);
  if (!change) {
    return report(change.error(), name);
  }
  switch (*change) {
  case sync::HoldChange::refused:
    return needs_reauth(name);
  case sync::HoldChange::unchanged:
    fmt::print("{}: not paused\n", name);
    return 0;
  case sync::HoldChange::changed:
    break;
  }
  fmt::print("{}: resumed; it runs on its next slot\n", name);
  return 0;
}

} // namespace tapline::cli
