// runner/cli/tapline_main.hpp
#pragma once

namespace tapline::cli {

// The whole command line interface; returns the process exit code.
int tapline_main(int argc, char** argv);

} // namespace tapline::cli
