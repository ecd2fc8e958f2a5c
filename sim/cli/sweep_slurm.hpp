// A sweep on a Slurm cluster: `faultlab sweep ... --slurm DIR` writes a job
// array, one task per shard, and `faultlab sweep-merge DIR` joins what the
// tasks wrote into the table one machine would have written.
//
// DIR holds:
//   sweep.sbatch   the job array: task K runs the same sweep with
//                  `--shard K/N --out DIR/shard-K.csv`, logging to
//                  DIR/shard-K.log; absolute paths, so it runs from anywhere
//                  that sees the same files (a shared filesystem)
//   sweep.json     the manifest: the sweep's arguments, N, the run count,
//                  the merged table's path, the commands to submit and to
//                  merge, and the job id once submitted
//   shard-K.csv    written by task K when its runs are done (atomically, so
//                  a task that failed or was killed leaves none)
//
// Merging needs every shard 1..N, each with the header of shard 1 and the
// row count its slice has (sweep_command.hpp says how runs are sliced); the
// rows are concatenated in K order with the header once, which is byte for
// byte the table of the same sweep run without --shard.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace faultlab::cli {

struct SweepArgs;

// Slurm's default MaxArraySize (1001) allows task ids up to 1000.
constexpr int kMaxSlurmShards = 1000;
// Without --shards: one shard per run, up to this many (one run per task
// lets the scheduler spread them widest; more tasks than this mostly adds
// queue entries and files).
constexpr int kDefaultSlurmShards = 100;

// Writes DIR/sweep.sbatch and DIR/sweep.json for a sweep of `runs` runs whose
// input `command_sweep` has already checked; with args.submit, submits it
// with sbatch. Returns the exit code.
int write_slurm_sweep(const SweepArgs& args, std::uint64_t runs, std::ostream& out, std::ostream& err);

struct SweepMergeArgs {
  std::vector<std::string> inputs; // one folder written by --slurm, or shard CSVs in order
  std::string out;
};
int command_sweep_merge(const SweepMergeArgs& args, std::ostream& out, std::ostream& err);

// Exposed for tests.
struct SlurmJob {
  std::string dir;                  // absolute
  std::vector<std::string> command; // program, "sweep", and the sweep's arguments but --shard/--out
  int shards = 1;
  int cpus_per_task = 1; // the sweep's --jobs
  std::string job_name;
  std::vector<std::string> options; // extra #SBATCH options, "--partition=x"
};
std::string sbatch_script(const SlurmJob& job);
// `text` as one word for a POSIX shell: as is when it is plain, otherwise in
// single quotes.
std::string shell_word(const std::string& text);
// The records of a CSV text, each with its line break; line breaks inside
// quoted fields do not end a record.
std::vector<std::string> csv_records(const std::string& text);

} // namespace faultlab::cli
