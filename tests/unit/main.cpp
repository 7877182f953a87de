// tests/unit/main.cpp
//
// doctest main for tapline_unit. Each test that touches disk asks
// tapline::test::TempDir for a fresh directory under testdir/<pid>; when a
// test fails the directories are kept and their path is printed, otherwise
// they are removed.

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <system_error>
#include <tests/unit/temp_dir.hpp>

int
main(int argc, char** argv)
{
  doctest::Context context(argc, argv);
  const int failed = context.run();
  const auto root = tapline::test::TempDir::root();
  std::error_code ec;
  if (failed != 0 && std::filesystem::exists(root, ec)) {
    std::fprintf(stderr, "Test data has been left in %s\n", root.c_str());
  } else {
    std::filesystem::remove_all(root, ec);
  }
  if (context.shouldExit()) {
    return failed;
  }
  return failed;
}
