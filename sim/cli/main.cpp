// faultlab-sim: every faultlab command but check, which faultlab runs itself
// without loading SimGrid (check_main.cpp); faultlab hands the others to this
// program. It runs check too (the same code), so its help lists every command.
#include "cli/analyze_command.hpp"
#include "components/builtin.hpp"
#include "cli/check_options.hpp"
#include "cli/commands.hpp"
#include "cli/explain_command.hpp"
#include "cli/explore_command.hpp"
#include "cli/shrink_command.hpp"
#include "cli/scorecard_command.hpp"
#include "cli/export_command.hpp"
#include "cli/sweep_command.hpp"
#include "cli/sweep_slurm.hpp"
#include "cli/usage_errors.hpp"
#include "scenario/schema.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

int main(int argc, char** argv) {
  using namespace faultlab::cli;
  faultlab::components::register_builtin();
  CLI::App app{"faultlab: watch distributed-systems failures happen, and fix them"};
  app.require_subcommand(1);

  RunArgs run;
  std::vector<std::string> log_specs, cfg_specs;
  auto* run_cmd = app.add_subcommand("run", "Run one simulation, check it and print a short report");
  run_cmd->add_option("scenario", run.scenario, "Scenario file (JSON)")->required();
  run_cmd->add_option("--variant", run.variant, "Variant to apply (default: the first the file declares; \"base\": none)");
  auto* seed_opt =
      run_cmd->add_option("--seed", run.seed, "Random seed; the same seed gives the same run")->check(kSeedValidator);
  std::uint64_t explore_seed = 0;
  auto* explore_seed_opt =
      run_cmd
          ->add_option("--explore-seed", explore_seed,
                       "Run with the fault schedule faultlab explore draws from this seed, instead of the file's "
                       "faults (it is the run's seed too)")
          ->check(kSeedValidator)
          ->excludes(seed_opt);
  run_cmd->add_option("--set", run.sets, "Override a value before validation: PATH=VALUE, e.g. components.db.lag=800ms")
      ->allow_extra_args(false);
  run_cmd->add_option("--trace", run.trace_path, "Write the trace (JSON Lines) here");
  run_cmd->add_option("--summary", run.summary_path, "Write the summary (JSON) here");
  run_cmd->add_option("--history", run.history_path, "Write the client history (JSON Lines) here");
  run_cmd->add_option("--log", log_specs, "Turn SimGrid logging on, e.g. --log root.thres:info");
  run_cmd->add_option("--cfg", cfg_specs, "Pass a SimGrid configuration item, e.g. --cfg network/model:CM02");
  run_cmd->add_flag("--profile", run.profile,
                    "Add latency per user class and endpoint, and time per dependency, to the report and summary");
  run_cmd->add_flag("--saturation", run.saturation,
                    "Add how busy each CPU, link and connection pool was, and which ones saturated, to the report "
                    "and summary");
  run_cmd->add_flag("--quiet", run.quiet, "Print nothing but errors");

  VerifyArgs verify;
  auto* verify_cmd = app.add_subcommand(
      "verify", "Run every variant of every scenario over its seeds and check its expectations");
  verify_cmd->add_option("paths", verify.paths, "Scenario files or folders (default: scenarios/)");
  verify_cmd->add_option("--jobs,-j", verify.jobs, "Simulations to run at once")->check(CLI::Range(1, 64));

  std::vector<std::string> list_paths;
  auto* list_cmd = app.add_subcommand("list", "List the scenario catalog: name, title, lesson, variants");
  list_cmd->add_option("paths", list_paths, "Scenario files or folders (default: scenarios/)");

  CheckArgs check;
  auto* check_cmd = add_check_command(app, check);

  SweepArgs sweep;
  auto* sweep_cmd = app.add_subcommand(
      "sweep", "Run a scenario over every combination of parameter values and seeds, one CSV row per run");
  sweep_cmd->add_option("scenario", sweep.scenario, "Scenario file (JSON)")->required();
  sweep_cmd->add_option("--variant", sweep.variant,
                        "Variant to apply (default: the first the file declares; \"base\": none)");
  sweep_cmd->add_option("--param", sweep.params,
                        "Values to sweep: PATH=v1,v2,... (values as for --set; commas inside JSON [], {} or \"\" "
                        "do not split). Repeat for a cross product; the first --param varies slowest")
      ->allow_extra_args(false);
  sweep_cmd->add_option("--seeds", sweep.seeds, "Seeds, innermost: A..B or a list like 1,2,7")->capture_default_str();
  sweep_cmd->add_option("--jobs,-j", sweep.jobs, "Simulations to run at once")->check(CLI::Range(1, 64));
  sweep_cmd->add_option("--shard", sweep.shard,
                        "Run only the K-th of N contiguous slices of the run list, K/N (1-based), e.g. for a Slurm "
                        "job array");
  sweep_cmd->add_option("--out,-o", sweep.out, "CSV file to write (atomically)")->required();
  sweep_cmd->add_flag("!--no-progress", sweep.progress, "No progress line on stderr");
  sweep_cmd->add_flag("--saturation", sweep.saturation,
                      "Measure each resource's busy share: a column per resource, and print the first to saturate");
  sweep_cmd->add_option("--slurm", sweep.slurm_dir,
                        "Run nothing here: write a Slurm job array into this folder (sweep.sbatch, one task per "
                        "shard, and sweep.json); --out is then where sweep-merge writes the table");
  sweep_cmd->add_option("--shards", sweep.shards, "With --slurm: how many shards (array tasks); default one per run, "
                                                  "at most " + std::to_string(kDefaultSlurmShards))
      ->check(CLI::Range(1, kMaxSlurmShards));
  sweep_cmd->add_flag("--submit", sweep.submit, "With --slurm: submit the job array with sbatch and print its id");
  sweep_cmd->add_option("--slurm-option", sweep.slurm_options,
                        "With --slurm: one more #SBATCH option, like partition=debug or --slurm-option=--time=30:00")
      ->allow_extra_args(false);

  SweepMergeArgs merge;
  auto* merge_cmd = app.add_subcommand(
      "sweep-merge", "Join the shard CSVs of a sweep run with --slurm (or --shard) into one table");
  merge_cmd->add_option("inputs", merge.inputs,
                        "The folder given to sweep --slurm (every shard must be there), or shard CSV files in order")
      ->required();
  merge_cmd->add_option("--out,-o", merge.out, "CSV file to write (atomically)")->required();

  std::string explain_name, explain_dir;
  auto* explain_cmd = app.add_subcommand(
      "explain", "Tell a scenario for a facilitator: lesson, designs, what to look for, questions for the room");
  explain_cmd->add_option("scenario", explain_name, "A catalog name (e.g. replica-lag) or a scenario file")
      ->required();
  explain_cmd->add_option("--catalog", explain_dir,
                          "Where catalog names are looked up (default: $FAULTLAB_CATALOG, ./scenarios, or the "
                          "checkout the binary was built in)");

  AnalyzeArgs analyze;
  auto* analyze_cmd = app.add_subcommand(
      "analyze", "The design's dependency graph: single points of failure and what each would take down");
  analyze_cmd->add_option("scenario", analyze.scenario, "Scenario file (JSON)")->required();
  analyze_cmd->add_option("--variant", analyze.variant, "Variant to apply (default: the first the file declares)");
  analyze_cmd->add_option("--set", analyze.sets, "Override a value before validation: PATH=VALUE");
  analyze_cmd->add_option("--format", analyze.format, "text: a report; dot: a Graphviz graph")
      ->check(CLI::IsMember({"text", "dot"}))
      ->capture_default_str();
  analyze_cmd->add_flag("--simulate", analyze.simulate,
                        "Check the prediction: crash each single point of failure in turn and measure availability");
  analyze_cmd->add_option("--seed", analyze.seed, "Seed of the --simulate runs")->check(kSeedValidator);
  analyze_cmd->add_option("--jobs,-j", analyze.jobs, "Simulations to run at once")->check(CLI::Range(1, 64));

  ExportArgs export_args;
  auto* export_cmd = app.add_subcommand(
      "export", "Write a trace in another tool's format: Perfetto / Chrome trace events, or the history as Jepsen EDN or JSON");
  export_cmd->add_option("trace", export_args.trace, "A faultlab trace (or history) file")->required();
  export_cmd->add_option("--format", export_args.format, "perfetto, edn or json-history")
      ->required()
      ->check(CLI::IsMember({"perfetto", "edn", "json-history"}));
  export_cmd->add_option("out", export_args.out, "The file to write")->required();

  auto* schema_cmd = app.add_subcommand(
      "schema", "Print the JSON Schema of scenario files (scenarios/schema.json is this output)");

  ExploreArgs explore;
  auto* explore_cmd = add_explore_command(app, explore);
  ShrinkArgs shrink;
  auto* shrink_cmd = add_shrink_command(app, shrink);
  ScorecardArgs scorecard;
  auto* scorecard_cmd = add_scorecard_command(app, scorecard);

  // Command-line mistakes read like every other input error.
  if (auto code = parse_command_line(app, argc, argv, kExitBadInput)) return *code;

  if (*run_cmd) {
    for (const auto& spec : log_specs) run.simgrid_flags.push_back("--log=" + spec);
    for (const auto& spec : cfg_specs) run.simgrid_flags.push_back("--cfg=" + spec);
    if (explore_seed_opt->count() > 0) run.explore_seed = explore_seed;
    return command_run(run, std::cout, std::cerr);
  }
  if (*verify_cmd) return command_verify(verify, std::cout, std::cerr);
  if (*list_cmd) return command_list(list_paths, std::cout, std::cerr);
  if (*check_cmd) return command_check(check, std::cout, std::cerr);
  if (*sweep_cmd) {
    // The Slurm tasks run the faultlab command beside this program (it hands
    // sweep back here), named by an absolute path.
    std::error_code error;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
    const std::filesystem::path dir = error ? std::filesystem::absolute(argv[0]).parent_path() : self.parent_path();
    sweep.program = std::filesystem::exists(dir / "faultlab") ? (dir / "faultlab").string()
                                                              : (error ? std::filesystem::absolute(argv[0]) : self).string();
    return command_sweep(sweep, std::cout, std::cerr);
  }
  if (*merge_cmd) return command_sweep_merge(merge, std::cout, std::cerr);
  if (*analyze_cmd) return command_analyze(analyze, std::cout, std::cerr);
  if (*export_cmd) return command_export(export_args, std::cout, std::cerr);
  if (*schema_cmd) {
    std::cout << faultlab::scenario::scenario_schema().dump(2) << "\n";
    return 0;
  }
  if (*explore_cmd) return command_explore(explore, std::cout, std::cerr);
  if (*shrink_cmd) return command_shrink(shrink, std::cout, std::cerr);
  if (*scorecard_cmd) return command_scorecard(scorecard, std::cout, std::cerr);
  if (*explain_cmd) return command_explain(explain_name, explain_dir, std::cout, std::cerr);
  return kExitBadInput;
}
