// The `check` command's options, shared by the two programs that run it:
// faultlab itself (check_main.cpp, which never loads SimGrid) and the
// simulator program it hands every other command to.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/check_command.hpp"

namespace faultlab::cli {

CLI::App* add_check_command(CLI::App& app, CheckArgs& args);

} // namespace faultlab::cli
