// faultlab explore: seeded swarm exploration of a scenario's fault space.
//
// Run i (0-based) uses explore seed S + i. The seed draws the run's fault
// schedule (sim/explore/schedule.hpp: a random subset of fault families,
// then 1..5 faults from them, at random times and places, each healed
// before the workload ends), replacing the file's own faults, and is also
// the run's seed, so `faultlab run FILE --variant V --explore-seed K`
// repeats run K exactly. Each run is checked by the scenario's checks; a
// run with any violation is a failing run.
//
// Determinism self-check: every failing run is run twice more with a trace,
// and the two traces' hashes (and their violation counts, against the first
// run's) must agree; if not, that is an error (exit 1): a seed that does not
// replay is a bug in faultlab. A run that does not finish (a model
// invariant broke, the run crashed) is listed and also makes the exit 1.
//
// Output: a progress line on stderr; on stdout, every failing run with the
// command that reproduces it, then a summary: runs, failing runs, failing
// runs per checker, and the distinct failures (the checkers that fired and
// the fault families the schedule used), each with a count and its first
// seed.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace faultlab::cli {

struct ExploreArgs {
  std::string scenario;
  std::string variant;
  std::vector<std::string> sets;
  std::uint64_t runs = 100;
  std::uint64_t seed = 1; // the first run's explore seed
  int jobs = 2;
  bool progress = true;
  // Only these of the scenario's checks count as failures (empty: all).
  std::vector<std::string> only_checks;
};

CLI::App* add_explore_command(CLI::App& app, ExploreArgs& args);
int command_explore(const ExploreArgs& args, std::ostream& out, std::ostream& err);

// FNV-1a 64 of a file's bytes, as 16 hex digits ("" when it cannot be read).
std::string file_hash(const std::string& path);

} // namespace faultlab::cli
