// faultlab scorecard: every variant of a scenario over its seeds, in one
// table, so a room compares designs at a glance: availability (mean over
// the seeds, and the worst seed), latency p99 (the worst seed), violations
// per checker (summed over the seeds; "-" where a variant does not run that
// check), the seeds with any violation, the seeds whose run meets the
// variant's `expect` block (as verify judges it), and a cost proxy: nodes in the
// design and messages sent per run (mean); and recovery: the worst seed's
// longest recovery from a fault and the faults never recovered from (README
// "Recovery"). `--csv FILE` writes the same numbers, one row per variant;
// `--png FILE` draws them as one chart (matplotlib, through python3).
#pragma once

#include <CLI/CLI.hpp>

#include <iosfwd>
#include <string>
#include <vector>

namespace faultlab::cli {

struct ScorecardArgs {
  std::string scenario;
  std::string seeds; // "" : each variant's own seeds; else "A..B" or "1,2,7"
  int jobs = 2;
  std::string csv;
  std::string png;
  bool progress = true;
};

CLI::App* add_scorecard_command(CLI::App& app, ScorecardArgs& args);
int command_scorecard(const ScorecardArgs& args, std::ostream& out, std::ostream& err);

} // namespace faultlab::cli
