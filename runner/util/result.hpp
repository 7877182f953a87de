// runner/util/result.hpp
#pragma once

// Expected failures are values: every fallible function returns Result<T>.
// The error code is what the CLI maps one-to-one to a sysexits exit code, so
// pick the code by what the user should do next, not by where it happened.

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace tapline {

enum class ErrorCode {
  usage,        // bad command line (64)
  invalid_data, // the tap produced invalid Singer data (65)
  unavailable,  // tap or target could not start or failed (69)
  internal,     // a bug or an unexpected system failure (70)
  io,           // disk full, unwritable data directory (74)
  transient,    // timeout, interruption: retry later (75)
  auth,         // authentication failure, integration paused (77)
  config,       // configuration error (78)
};

struct Error
{
  ErrorCode code = ErrorCode::internal;
  std::string message; // lowercase, no trailing period
  std::string where;   // "tapline.yaml:12:7", "tap stdout line 3", or empty

  // "where: message", or just the message when there is no location.
  [[nodiscard]] std::string to_string() const;
};

template<typename T> using Result = std::expected<T, Error>;

[[nodiscard]] inline std::unexpected<Error>
fail(ErrorCode code, std::string message, std::string where = {})
{
  return std::unexpected<Error>(
      Error{code, std::move(message), std::move(where)});
}

// Numeric process exit code for `code` (sysexits).
[[nodiscard]] int exit_code_for(ErrorCode code);

// Short name of `code` as shown in status and the runs table.
[[nodiscard]] std::string_view to_string(ErrorCode code);

} // namespace tapline

// Propagate the error of a Result-returning expression; discard its value.
#define TRY(expr)                                                              \
  do {                                                                         \
    auto&& tapline_try_result_ = (expr);                                       \
    if (!tapline_try_result_) {                                                \
      return std::unexpected(std::move(tapline_try_result_).error());          \
    }                                                                          \
  } while (false)

#define TAPLINE_CONCAT_INNER(a, b) a##b
#define TAPLINE_CONCAT(a, b) TAPLINE_CONCAT_INNER(a, b)

// Declare `var` from the value of a Result-returning expression, or return
// its error.
#define TRY_ASSIGN(var, expr)                                                  \
  auto&& TAPLINE_CONCAT(tapline_try_, __LINE__) = (expr);                      \
  if (!TAPLINE_CONCAT(tapline_try_, __LINE__)) {                               \
    return std::unexpected(                                                    \
        std::move(TAPLINE_CONCAT(tapline_try_, __LINE__)).error());            \
  }                                                                            \
  var = std::move(*TAPLINE_CONCAT(tapline_try_, __LINE__))
