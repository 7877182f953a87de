// runner/cli/tapline_main.cpp (being written)
#include <runner/cli/tapline_main.hpp>

namespace tapline::cli {
int
tapline_main(int, char**)
{
  return 70;
}
} // namespace tapline::cli
