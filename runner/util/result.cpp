// runner/util/result.cpp
#include <runner/util/result.hpp>

namespace tapline {

std::string
Error::to_string() const
{
  if (where.empty()) {
    return message;
  }
  return where + ": " + message;
}

int
exit_code_for(ErrorCode code)
{
  switch (code) {
  case ErrorCode::usage:
    return 64;
  case ErrorCode::invalid_data:
    return 65;
  case ErrorCode::unavailable:
    return 69;
  case ErrorCode::internal:
    return 70;
  case ErrorCode::io:
    return 74;
  case ErrorCode::transient:
    return 75;
  case ErrorCode::auth:
    return 77;
  case ErrorCode::config:
    return 78;
  }
  return 70;
}

std::string_view
to_string(ErrorCode code)
{
  switch (code) {
  case ErrorCode::usage:
    return "usage";
  case ErrorCode::invalid_data:
    return "invalid_data";
  case ErrorCode::unavailable:
    return "unavailable";
  case ErrorCode::internal:
    return "internal";
  case ErrorCode::io:
    return "io";
  case ErrorCode::transient:
    return "transient";
  case ErrorCode::auth:
    return "auth";
  case ErrorCode::config:
    return "config";
  }
  return "internal";
}

} // namespace tapline
