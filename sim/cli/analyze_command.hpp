// faultlab analyze: the dependency graph of a scenario's design, its single
// points of failure with the endpoints each would take down, what each side
// of the scenario's partitions can still serve, and optionally the check of
// that prediction by simulation (each single point crashed in turn).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace faultlab::cli {

struct AnalyzeArgs {
  std::string scenario;
  std::string variant;
  std::vector<std::string> sets;
  std::string format = "text"; // "text" or "dot"
  bool simulate = false;
  std::uint64_t seed = 1;
  int jobs = 1;
};

int command_analyze(const AnalyzeArgs& args, std::ostream& out, std::ostream& err);

} // namespace faultlab::cli
