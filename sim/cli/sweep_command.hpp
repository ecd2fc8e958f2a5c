// faultlab sweep: run a scenario over the cross product of parameter values
// and seeds, one simulation per child process, and write one CSV row per run.
//
// Run order (fixed, so shards and job counts give the same table): the
// parameters as nested loops in the order the --param options were given,
// the first one outermost, each over its values in the order written; the
// seeds innermost. `--shard K/N` takes the K-th of N contiguous slices of that
// list (slice K is runs [floor((K-1)*T/N), floor(K*T/N)) of T), so the shards'
// CSVs, with the header kept once, concatenate in K order into the unsharded
// table:  { cat s1.csv; for k in 2..N: tail -n +2 sK.csv; } > all.csv
// (`faultlab sweep-merge` does that, checking the shards: sweep_slurm.hpp).
//
// Columns: one per --param (named by its path, the value as written), seed,
// variant, one per checker (the violation count; empty when the run failed or
// that combination does not declare the check), availability, latency_p50_s,
// latency_p99_s, latency_max_s, ops_ok, ops_fail, ops_info, ops_total,
// sim_time_s, error. The checker columns come from the scenario's declared
// checks (base + variant, plus any a checks.* --param value adds), never from
// results, so every shard writes the same header.
//
// With --slurm DIR nothing runs here: the input is checked the same way, then
// sweep_slurm.cpp writes (and with --submit submits) a Slurm job array.
//
// Exit codes: 2 for bad input found before anything runs (nothing written);
// otherwise 0, even when some runs failed: those are rows with the error
// column set, and the count of failed runs is said on stderr.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace faultlab::cli {

struct SweepArgs {
  std::string scenario;
  std::string variant;
  std::vector<std::string> params; // "PATH=v1,v2,..." (values as for --set)
  std::string seeds = "1..5";      // "A..B" or "1,2,7"
  int jobs = 1;
  std::string shard; // "K/N", 1-based K; "" : everything
  std::string out;   // CSV path (required); with --slurm, where sweep-merge writes the table
  bool progress = true;
  bool saturation = false; // a column per resource (busy share) and the first to saturate
  // --slurm DIR: write a Slurm job array running the sweep in `shards`
  // shards (0: the default) instead of running it; sweep_slurm.hpp.
  std::string slurm_dir;
  int shards = 0;
  bool submit = false;                    // and submit it with sbatch
  std::vector<std::string> slurm_options; // more #SBATCH lines: "partition=debug", "--time=30:00"
  std::string program;                    // the faultlab the tasks run (absolute); main.cpp sets it
};

int command_sweep(const SweepArgs& args, std::ostream& out, std::ostream& err);

// Exposed for tests.
// "PATH=v1,v2" -> path and values; commas inside JSON brackets or quotes do
// not split. Throws util::InputError.
struct SweepParam {
  std::string path;
  std::vector<std::string> values;
};
SweepParam parse_sweep_param(const std::string& text);
std::vector<std::uint64_t> parse_sweep_seeds(const std::string& text);
std::string csv_field(const std::string& text); // RFC 4180 quoting

} // namespace faultlab::cli
