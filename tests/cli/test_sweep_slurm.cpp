// faultlab sweep --slurm and sweep-merge, without a cluster: the job script
// and manifest, the script's tasks run by hand as Slurm would run them, the
// merge against the one-machine table, submitting through stand-in sbatch
// programs, and every refusal. (tests/slurm/run_slurm_test.sh does it on a
// real Slurm.)
#include "../support/run_support.hpp"
#include "cli/commands.hpp"
#include "cli/sweep_command.hpp"
#include "cli/sweep_slurm.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <sys/stat.h>

using namespace faultlab;
using faultlab::testing::read_text;
using faultlab::testing::shell;
using faultlab::testing::source_path;
using faultlab::testing::temp_dir;
using faultlab::testing::write_text;
namespace fs = std::filesystem;

namespace {

// replica-lag, shortened so a run takes a fraction of a second.
std::string small_scenario(const std::string& dir) {
  auto document = nlohmann::ordered_json::parse(read_text(source_path("scenarios/replica-lag.json")));
  document["workload"]["duration"] = "3s";
  document["workload"]["settle"] = "1s";
  return write_text(dir + "/replica-lag.json", document.dump(2));
}

cli::SweepArgs small_sweep(const std::string& dir) {
  cli::SweepArgs args;
  args.scenario = small_scenario(dir);
  args.variant = "broken";
  args.params = {"components.profiles.read_your_writes=false,true"};
  args.seeds = "1..2";
  args.progress = false;
  args.program = FAULTLAB_BINARY;
  args.out = dir + "/all.csv";
  return args;
}

struct Result {
  int code;
  std::string out, err;
};

Result sweep(const cli::SweepArgs& args) {
  std::ostringstream out, err;
  int code = cli::command_sweep(args, out, err);
  return {code, out.str(), err.str()};
}

Result merge(std::vector<std::string> inputs, const std::string& out_path) {
  std::ostringstream out, err;
  int code = cli::command_sweep_merge(cli::SweepMergeArgs{std::move(inputs), out_path}, out, err);
  return {code, out.str(), err.str()};
}

// A stand-in sbatch in its own folder; PATH is that folder alone while it lives.
struct FakeSbatch {
  std::string dir = temp_dir(), old_path = std::getenv("PATH");
  explicit FakeSbatch(const std::string& body) {
    if (!body.empty()) {
      write_text(dir + "/sbatch", "#!/bin/sh\n" + body + "\n");
      ::chmod((dir + "/sbatch").c_str(), 0755);
    }
    ::setenv("PATH", dir.c_str(), 1);
  }
  ~FakeSbatch() { ::setenv("PATH", old_path.c_str(), 1); }
};

} // namespace

TEST_CASE("sbatch_script: a job array of N tasks, each one shard, with its log") {
  cli::SlurmJob job;
  job.dir = "/scratch/sweep";
  job.command = {"/opt/faultlab/faultlab",
                 "sweep",
                 "/scen/x.json",
                 "--param",
                 "a.b=[1, 2]",
                 "--seeds",
                 "1..2",
                 "--jobs",
                 "2"};
  job.shards = 4;
  job.cpus_per_task = 2;
  job.job_name = "faultlab-sweep-x";
  job.options = {"--partition=debug"};
  CHECK(cli::sbatch_script(job) ==
        "#!/bin/bash\n"
        "# A faultlab sweep as a Slurm job array, written by `faultlab sweep --slurm`.\n"
        "# Task K runs the K-th of 4 slices of the sweep's runs and writes\n"
        "# /scratch/sweep/shard-K.csv (its log: shard-K.log). When every task is done:\n"
        "#   /opt/faultlab/faultlab sweep-merge /scratch/sweep --out ALL.csv\n"
        "# Rerun task K alone: sbatch --array=K /scratch/sweep/sweep.sbatch\n"
        "#SBATCH --job-name=faultlab-sweep-x\n"
        "#SBATCH --array=1-4\n"
        "#SBATCH --ntasks=1\n"
        "#SBATCH --cpus-per-task=2\n"
        "#SBATCH --chdir=/scratch/sweep\n"
        "#SBATCH --output=/scratch/sweep/shard-%a.log\n"
        "#SBATCH --partition=debug\n"
        "set -eu\n"
        "task=${SLURM_ARRAY_TASK_ID:?this script is a Slurm job array: submit it with sbatch}\n"
        "exec /opt/faultlab/faultlab sweep /scen/x.json --param 'a.b=[1, 2]' --seeds 1..2 --jobs 2 "
        "--shard \"$task/4\" --out /scratch/sweep/shard-\"$task\".csv\n");
  CHECK(cli::shell_word("plain/path_1.json") == "plain/path_1.json");
  CHECK(cli::shell_word("") == "''");
  CHECK(cli::shell_word("it's") == "'it'\\''s'");
  CHECK(cli::shell_word("a=\"x\"") == "'a=\"x\"'");
}

TEST_CASE("sweep --slurm writes the job and runs nothing, and its tasks merged are the one-machine table") {
  std::string dir = temp_dir();
  cli::SweepArgs args = small_sweep(dir);
  args.params.push_back("workload.duration=2s,3s");
  args.slurm_dir = dir + "/job";
  args.shards = 3;
  args.slurm_options = {"partition=debug", "--time=10:00"};
  Result r = sweep(args);
  REQUIRE(r.code == cli::kExitOk);
  INFO(r.out);
  const std::string script = dir + "/job/sweep.sbatch";
  const std::string merge_line =
      std::string(FAULTLAB_BINARY) + " sweep-merge " + dir + "/job --out " + dir + "/all.csv";
  CHECK(r.out == "wrote " + script + " (a job array of 3 shards for 8 runs) and " + dir +
                     "/job/sweep.json\nsubmit it:  sbatch " + script + "\nthen merge: " + merge_line + "\n");
  CHECK(r.err.empty());
  CHECK(!fs::exists(args.out));
  CHECK(!fs::exists(dir + "/job/shard-1.csv"));

  const std::string text = read_text(script);
  CHECK(text.find("#SBATCH --array=1-3\n") != std::string::npos);
  CHECK(text.find("#SBATCH --cpus-per-task=1\n") != std::string::npos);
  CHECK(text.find("#SBATCH --output=" + dir + "/job/shard-%a.log\n") != std::string::npos);
  CHECK(text.find("#SBATCH --partition=debug\n#SBATCH --time=10:00\n") != std::string::npos);
  CHECK(text.find(
            "exec " + std::string(FAULTLAB_BINARY) + " sweep " + dir +
            "/replica-lag.json --variant broken --param components.profiles.read_your_writes=false,true "
            "--param workload.duration=2s,3s --seeds 1..2 --jobs 1 --no-progress --shard \"$task/3\" --out " +
            dir + "/job/shard-\"$task\".csv\n") != std::string::npos);

  auto manifest = nlohmann::json::parse(read_text(dir + "/job/sweep.json"));
  CHECK(manifest["format"] == "faultlab-sweep-slurm");
  CHECK(manifest["shards"] == 3);
  CHECK(manifest["runs"] == 8);
  CHECK(manifest["merge"] == merge_line);
  CHECK(manifest["out"] == dir + "/all.csv");
  CHECK(!manifest.contains("job_id"));

  // The tasks, one after another, as Slurm would start them (the script
  // refuses to run without a task id).
  auto [no_id, complaint] = shell("bash " + script);
  CHECK(no_id != 0);
  CHECK(complaint.find("this script is a Slurm job array: submit it with sbatch") != std::string::npos);
  for (int k = 1; k <= 3; ++k) {
    auto [code, output] = shell("cd / && SLURM_ARRAY_TASK_ID=" + std::to_string(k) + " bash " + script);
    INFO(output);
    REQUIRE(code == 0);
  }
  Result m = merge({dir + "/job"}, dir + "/all.csv");
  CHECK(m.code == 0);
  CHECK(m.err.empty());
  CHECK(m.out == "wrote " + dir + "/all.csv (8 rows from 3 shards)\n");

  cli::SweepArgs here = args;
  here.slurm_dir.clear();
  here.shards = 0;
  here.slurm_options.clear();
  here.jobs = 2;
  here.out = dir + "/one-machine.csv";
  REQUIRE(sweep(here).code == 0);
  CHECK(read_text(dir + "/all.csv") == read_text(here.out));

  // The same shards as files in order merge the same; and the folder, once
  // it holds shard tables, is not reused for another sweep.
  Result files = merge({dir + "/job/shard-1.csv", dir + "/job/shard-2.csv", dir + "/job/shard-3.csv"},
                       dir + "/files.csv");
  CHECK(files.code == 0);
  CHECK(read_text(dir + "/files.csv") == read_text(here.out));
  Result again = sweep(args);
  CHECK(again.code == cli::kExitBadInput);
  CHECK(
      again.err ==
      "error[bad-slurm]: --slurm " + dir +
          "/job: holds shard-1.csv and 2 more from an earlier sweep; remove its shard-* files (or pick a new "
          "folder) so they cannot be taken for this one's\n");
}

TEST_CASE("sweep --submit runs sbatch --parsable, prints the job id and records it") {
  std::string dir = temp_dir();
  cli::SweepArgs args = small_sweep(dir);
  args.slurm_dir = dir + "/job";
  args.submit = true;
  Result r;
  {
    FakeSbatch sbatch("echo \"$@\" > " + dir +
                      "/sbatch-args\necho 'sbatch: warning: something'\necho '4242;cluster'");
    r = sweep(args);
  }
  INFO(r.err);
  REQUIRE(r.code == cli::kExitOk);
  CHECK(read_text(dir + "/sbatch-args") == "--parsable " + dir + "/job/sweep.sbatch\n");
  // Default shards: one per run.
  CHECK(r.out.rfind("wrote " + dir + "/job/sweep.sbatch (a job array of 4 shards for 4 runs)", 0) == 0);
  CHECK(r.out.find("\nsubmitted job 4242 (4 array tasks)\nwhen it is done (squeue -j 4242 lists nothing): " +
                   std::string(FAULTLAB_BINARY) + " sweep-merge " + dir + "/job --out " + dir +
                   "/all.csv\n") != std::string::npos);
  CHECK(nlohmann::json::parse(read_text(dir + "/job/sweep.json"))["job_id"] == "4242");

  // Before any task ran, merging names the first missing shard and the job.
  Result m = merge({dir + "/job"}, dir + "/all.csv");
  CHECK(m.code == cli::kExitBadInput);
  CHECK(m.err == "error[missing-shard]: " + dir +
                     "/job: shards 1, 2, 3, 4 of 4 wrote no table (shard-K.csv); "
                     "shard 1: its task has not started (no " +
                     dir +
                     "/job/shard-1.log): is job 4242 still queued? "
                     "(squeue -j 4242)\n");
  CHECK(!fs::exists(dir + "/all.csv"));
}

TEST_CASE("sbatch missing or refusing: a clear error, the job files stay written") {
  std::string dir = temp_dir();
  cli::SweepArgs args = small_sweep(dir);
  args.slurm_dir = dir + "/job";
  args.submit = true;
  Result missing;
  {
    FakeSbatch none("");
    missing = sweep(args);
  }
  CHECK(missing.code == cli::kExitBadInput);
  CHECK(missing.err ==
        "error[no-sbatch]: --submit: sbatch is not on PATH (Slurm's client; Debian: slurm-client); " + dir +
            "/job/sweep.sbatch is written: submit it from a machine that has sbatch\n");
  CHECK(fs::exists(dir + "/job/sweep.sbatch"));

  Result refused;
  {
    FakeSbatch failing("echo 'sbatch: error: invalid partition specified: nope' >&2\nexit 1");
    refused = sweep(args);
  }
  CHECK(refused.code == cli::kExitBadInput);
  CHECK(refused.err ==
        "error[sbatch-failed]: sbatch " + dir +
            "/job/sweep.sbatch: exit status 1: sbatch: error: invalid partition specified: nope\n");
  Result silent;
  {
    FakeSbatch quiet("exit 0");
    silent = sweep(args);
  }
  CHECK(silent.err == "error[sbatch-failed]: sbatch " + dir +
                          "/job/sweep.sbatch: printed no job id: (it printed nothing)\n");
  CHECK(!nlohmann::json::parse(read_text(dir + "/job/sweep.json")).contains("job_id"));
}

TEST_CASE("Slurm options that cannot work are refused before anything is written") {
  std::string dir = temp_dir();
  auto expect_error = [&](cli::SweepArgs args, const std::string& message) {
    std::ostringstream out, err;
    CHECK(cli::command_sweep(args, out, err) == cli::kExitBadInput);
    CHECK(err.str() == message + "\n");
    CHECK(out.str().empty());
    CHECK(!fs::exists(dir + "/job/sweep.sbatch"));
  };
  cli::SweepArgs a = small_sweep(dir);
  a.shards = 3;
  expect_error(a, "error[bad-slurm]: --shards 3: only with --slurm DIR");
  a = small_sweep(dir);
  a.submit = true;
  expect_error(a, "error[bad-slurm]: --submit: only with --slurm DIR");
  a = small_sweep(dir);
  a.slurm_options = {"partition=x"};
  expect_error(a, "error[bad-slurm]: --slurm-option partition=x: only with --slurm DIR");
  a = small_sweep(dir);
  a.slurm_dir = dir + "/job";
  a.shard = "1/2";
  expect_error(
      a, "error[bad-slurm]: --shard 1/2: not with --slurm: each task of the job array runs its own shard "
         "(--shards N sets how many)");
  a.shard.clear();
  a.shards = 5;
  expect_error(a, "error[bad-slurm]: --shards 5: the sweep has 4 runs, so at most that many shards");
  a.shards = 0;
  a.slurm_options = {"time=1:00\n#SBATCH --x"};
  expect_error(
      a, "error[bad-slurm]: --slurm-option \"time=1:00\\n#SBATCH --x\": expected one sbatch option on one "
         "line, like partition=debug or --time=30:00");
  a.slurm_options.clear();
  a.slurm_dir = dir + "/my job";
  expect_error(
      a, "error[bad-slurm]: --slurm " + dir +
             "/my job: #SBATCH lines cannot hold a path with spaces, quotes, $, ` or %; pick another folder");
  // Input errors of the sweep itself come first, as without --slurm.
  a.slurm_dir = dir + "/job";
  a.seeds = "2..1";
  expect_error(a, "error[bad-seeds]: --seeds 2..1: the range is empty (2 > 1)");
}

TEST_CASE("sweep-merge refuses a missing, failed, foreign or cut shard, naming it") {
  std::string dir = temp_dir();
  cli::SweepArgs args = small_sweep(dir);
  args.params = {"components.profiles.read_your_writes=false,true,false"}; // 6 runs
  args.slurm_dir = dir + "/job";
  args.shards = 4; // slices of 1, 2, 1, 2 runs
  REQUIRE(sweep(args).code == 0);
  const std::string job = dir + "/job", out = dir + "/merged.csv";
  const std::string header = "components.profiles.read_your_writes,seed,variant,x\n";
  write_text(job + "/shard-1.csv", header + "false,1,broken,1\n");
  write_text(job + "/shard-2.csv", header + "false,2,broken,\"two\nlines\"\ntrue,1,broken,3\n");
  write_text(job + "/shard-4.csv", header + "false,1,broken,5\nfalse,2,broken,6\n");
  auto expect_error = [&](const std::vector<std::string>& inputs, const std::string& message) {
    Result m = merge(inputs, out);
    CHECK(m.code == cli::kExitBadInput);
    CHECK(m.err == message + "\n");
    CHECK(m.out.empty());
    CHECK(!fs::exists(out));
  };
  expect_error({job}, "error[missing-shard]: " + job +
                          "/shard-3.csv: shard 3 of 4 wrote no table: its task has not "
                          "started (no " +
                          job + "/shard-3.log): was " + job + "/sweep.sbatch submitted?");
  write_text(job + "/shard-3.log", "sweep: 1 run (shard 3/4 of 6 runs: 4 to 4), 1 at a time\n"
                                   "slurmstepd: error: *** JOB 17 ON n1 CANCELLED DUE TO TIME LIMIT ***\n\n");
  expect_error({job},
               "error[missing-shard]: " + job +
                   "/shard-3.csv: shard 3 of 4 wrote no table: its task started (" + job +
                   "/shard-3.log), and its log ends: slurmstepd: error: *** JOB 17 ON n1 CANCELLED DUE "
                   "TO TIME LIMIT ***");
  write_text(job + "/shard-3.csv", "components.profiles.read_your_writes,seed,variant,y\ntrue,2,broken,4\n");
  expect_error({job},
               "error[shard-mismatch]: " + job + "/shard-3.csv: line 1, the header, is not that of " + job +
                   "/shard-1.csv (column 4 is \"y\" here, \"x\" there): is it a shard of another sweep?");
  write_text(job + "/shard-3.csv", header + "true,2,broken,4\ntrue,3,broken,4\n");
  expect_error({job}, "error[shard-mismatch]: " + job +
                          "/shard-3.csv: 2 rows, but shard 3 of 4 of a 6-run sweep "
                          "has 1: is it a shard of another sweep?");
  write_text(job + "/shard-3.csv", header + "true,2,broken,4");
  expect_error({job}, "error[shard-mismatch]: " + job +
                          "/shard-3.csv: does not end with a line break: the file was "
                          "cut short");
  write_text(job + "/shard-3.csv", "");
  expect_error({job}, "error[shard-mismatch]: " + job +
                          "/shard-3.csv: is empty; a shard's table has a header line "
                          "at least");
  // A quoted line break is inside a row, not between rows: shard 2 has 2.
  write_text(job + "/shard-3.csv", header + "true,2,broken,4\n");
  Result m = merge({job}, out);
  CHECK(m.code == 0);
  CHECK(m.out == "wrote " + out + " (6 rows from 4 shards)\n");
  CHECK(read_text(out) ==
        header + "false,1,broken,1\nfalse,2,broken,\"two\nlines\"\ntrue,1,broken,3\ntrue,2,broken,4\n"
                 "false,1,broken,5\nfalse,2,broken,6\n");
  fs::remove(out);

  expect_error({job + "/shard-1.csv", job + "/nope.csv"},
               "error[no-file]: " + job + "/nope.csv: cannot open the file (does it exist?)");
  expect_error(
      {dir}, "error[bad-manifest]: " + dir +
                 ": no sweep.json here: give a folder written by `faultlab sweep --slurm`, or the shard CSV "
                 "files in order");
  write_text(job + "/sweep.json", R"({"format": "faultlab-sweep-slurm", "shards": 0, "runs": 6})");
  expect_error({job}, "error[bad-manifest]: " + job +
                          "/sweep.json: /shards: expected a whole number of at least 1, "
                          "got 0");
  write_text(job + "/sweep.json", R"({"format": "something else"})");
  expect_error({job}, "error[bad-manifest]: " + job +
                          "/sweep.json: /format: expected \"faultlab-sweep-slurm\" (a "
                          "file written by `faultlab sweep --slurm`)");
}

TEST_CASE("csv_records: line breaks in quoted fields stay inside their record") {
  CHECK(cli::csv_records("") == std::vector<std::string>{});
  CHECK(cli::csv_records("a,b\n1,2\n") == std::vector<std::string>{"a,b\n", "1,2\n"});
  CHECK(cli::csv_records("a\n\"x\ny\",\"say \"\"hi\"\"\n\"\nz") ==
        std::vector<std::string>{"a\n", "\"x\ny\",\"say \"\"hi\"\"\n\"\n", "z"});
}
