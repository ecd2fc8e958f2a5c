// faultlab: the command people type. `faultlab check` runs here, in a program
// that links only the checkers and the history readers: loading SimGrid and
// ns-3's libraries costs ~30 ms per process, which a script checking
// thousands of histories one by one would pay thousands of times. Every
// other command is handed to faultlab-sim, beside this program, with the
// same arguments (execv: same process, same exit code, nothing in between).
#include "cli/check_options.hpp"
#include "cli/usage_errors.hpp"
#include "util/input_error.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

namespace {

int run_check(int argc, char** argv) {
  using namespace faultlab::cli;
  CLI::App app{"faultlab: watch distributed-systems failures happen, and fix them"};
  app.require_subcommand(1);
  CheckArgs check;
  add_check_command(app, check);
  if (auto code = parse_command_line(app, argc, argv, kCheckBadInput)) return *code;
  return command_check(check, std::cout, std::cerr);
}

} // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "check") == 0) return run_check(argc, argv);
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  const std::string simulator = (error ? std::filesystem::path(argv[0]) : self).parent_path() / "faultlab-sim";
  ::execv(simulator.c_str(), argv);
  std::cerr << faultlab::util::InputError("not-built", simulator,
                                          std::string("cannot start the simulator program (") + std::strerror(errno) +
                                              "); it is built beside faultlab: run `make build`")
                   .what()
            << "\n";
  return 2;
}
