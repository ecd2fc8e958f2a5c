// The faultlab subcommands. Each returns the process exit code:
// 0 ran (violations or not), 1 verify failed, 2 bad input.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace faultlab::cli {

constexpr int kExitOk = 0;
constexpr int kExitVerifyFailed = 1;
constexpr int kExitBadInput = 2;

struct RunArgs {
  std::string scenario;
  std::string variant;
  std::uint64_t seed = 1;
  // Run with the fault schedule `faultlab explore` draws from this seed
  // (instead of the file's faults); the run seed is the same number.
  std::optional<std::uint64_t> explore_seed;
  std::vector<std::string> sets;
  std::string trace_path;
  std::string summary_path;
  std::string history_path;
  std::vector<std::string> simgrid_flags;
  bool profile = false; // latency per class and endpoint, time per dependency
  bool saturation = false; // busy share per CPU, link and pool
  bool quiet = false;
};
int command_run(const RunArgs& args, std::ostream& out, std::ostream& err);

struct VerifyArgs {
  std::vector<std::string> paths; // files or folders; default: scenarios/
  int jobs = 2;
};
int command_verify(const VerifyArgs& args, std::ostream& out, std::ostream& err);

int command_list(const std::vector<std::string>& paths, std::ostream& out, std::ostream& err);

// Scenario files named by `paths` (folders expand to their *.json, sorted).
std::vector<std::string> scenario_files(const std::vector<std::string>& paths);

} // namespace faultlab::cli
