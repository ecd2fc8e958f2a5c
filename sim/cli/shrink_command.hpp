// faultlab shrink: from a failing run (a scenario, variant and seed, or an
// explore seed) to the smallest scenario file found that still fails the
// same checker with the same seed (sim/explore/shrink.hpp lists the
// reductions tried). The file written is an ordinary scenario: no variants,
// only that check, `expect` set to "at least one violation", `seeds` the
// one seed, and a `comment` saying where it came from.
//
// Exit codes: 0 written, 2 bad input (including a run that fails no check:
// there is nothing to shrink).
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace faultlab::cli {

struct ShrinkArgs {
  std::string scenario;
  std::string variant;
  std::vector<std::string> sets;
  std::uint64_t seed = 1;
  std::optional<std::uint64_t> explore_seed;
  std::string check; // "" : the first of the scenario's checks that the run fails
  std::string out;
  int jobs = 2;
  int max_runs = 300;
  bool progress = true;
};

CLI::App* add_shrink_command(CLI::App& app, ShrinkArgs& args);
int command_shrink(const ShrinkArgs& args, std::ostream& out, std::ostream& err);

} // namespace faultlab::cli
