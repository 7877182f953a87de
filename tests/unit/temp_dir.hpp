// tests/unit/temp_dir.hpp
#pragma once

// A fresh directory per test under testdir/<pid>/ in the current directory.
// main.cpp removes testdir/<pid> when every test passed and keeps it (and
// prints its path) when one failed, so failures can be inspected.

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

namespace tapline::test {

class TempDir
{
public:
  TempDir()
  {
    static std::atomic<int> counter{0};
    m_path = root() / ("t" + std::to_string(counter++));
    std::filesystem::create_directories(m_path);
  }

  [[nodiscard]] const std::filesystem::path&
  path() const
  {
    return m_path;
  }

  static std::filesystem::path
  root()
  {
    return std::filesystem::absolute("testdir") / std::to_string(::getpid());
  }

private:
  std::filesystem::path m_path;
};

} // namespace tapline::test
