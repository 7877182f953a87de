// runner/cli/main.cpp
#include <runner/cli/tapline_main.hpp>

int
main(int argc, char** argv)
{
  return tapline::cli::tapline_main(argc, argv);
}
