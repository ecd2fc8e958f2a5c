// faultlab explore and run --explore-seed: schedules drawn from a seed,
// replayed exactly, and the verdicts on split-brain's broken and fixed designs.
#include "../support/run_support.hpp"
#include "cli/commands.hpp"
#include "cli/explore_command.hpp"
#include "explore/explore_scenario.hpp"
#include "util/units.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <sstream>

using namespace faultlab;
using faultlab::testing::read_text;
using faultlab::testing::shell;
using faultlab::testing::source_path;
using faultlab::testing::temp_dir;

namespace {

const std::string kSplitBrain = source_path("scenarios/split-brain.json");

struct Result {
  int code;
  std::string out, err;
};

Result run_explore(const std::string& variant, std::uint64_t runs, std::uint64_t seed = 1) {
  cli::ExploreArgs args;
  args.scenario = kSplitBrain;
  args.variant = variant;
  args.runs = runs;
  args.seed = seed;
  args.jobs = 2;
  std::ostringstream out, err;
  int code = cli::command_explore(args, out, err);
  return {code, out.str(), err.str()};
}

} // namespace

TEST_CASE("a schedule is drawn from its seed alone, and every fault ends before the workload") {
  std::set<std::string> families_seen;
  std::set<std::string> schedules;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    // Loading validates the schedule as any scenario's faults are validated.
    auto a = explore::load_explore_scenario(kSplitBrain, {"broken", {}}, seed);
    auto b = explore::load_explore_scenario(kSplitBrain, {"broken", {}}, seed);
    REQUIRE(a.schedule.faults == b.schedule.faults);
    schedules.insert(a.schedule.faults.dump());
    REQUIRE(a.scenario.explore_seed == seed);
    REQUIRE(!a.scenario.faults.empty());
    REQUIRE(a.scenario.faults.size() <= static_cast<std::size_t>(explore::kMaxFaults));
    // The file's own faults are gone.
    for (const auto& f : a.scenario.faults) {
      INFO("seed " << seed << ": " << explore::describe_fault(f));
      CHECK(f.name.rfind("x", 0) == 0);
      REQUIRE(f.duration_s);
      CHECK(f.at_s + *f.duration_s <= a.scenario.workload.duration_s + 1e-9);
      const std::string family = scenario::to_string(f.type);
      CHECK(std::find(a.schedule.families.begin(), a.schedule.families.end(), family) !=
            a.schedule.families.end());
      families_seen.insert(family);
      if (f.type == scenario::Fault::Type::crash || f.type == scenario::Fault::Type::pause ||
          f.type == scenario::Fault::Type::clock || f.type == scenario::Fault::Type::slow_cpu)
        CHECK((f.node == "db-1" || f.node == "db-2" || f.node == "db-3")); // never a client group's node
    }
  }
  CHECK(families_seen == std::set<std::string>{"partition", "drop", "delay", "crash", "pause", "duplicate",
                                               "reorder", "clock", "slow_cpu"});
  CHECK(schedules.size() == 200);
  // The variant does not change the schedule: it is drawn from the nodes and the duration.
  CHECK(explore::load_explore_scenario(kSplitBrain, {"fixed", {}}, 7).schedule.faults ==
        explore::load_explore_scenario(kSplitBrain, {"broken", {}}, 7).schedule.faults);
}

TEST_CASE("run --explore-seed replays the same trace, names its faults and says how to repeat it") {
  const std::string dir = temp_dir();
  const std::string binary = FAULTLAB_BINARY;
  const std::string command = "'" + binary + "' run " + kSplitBrain + " --variant broken --explore-seed 3";
  auto [code1, report] = shell(command + " --trace " + dir + "/a.jsonl --summary " + dir + "/a.json");
  auto [code2, ignored] = shell(command + " --trace " + dir + "/b.jsonl --quiet");
  REQUIRE(code1 == 0);
  REQUIRE(code2 == 0);
  const std::string a = read_text(dir + "/a.jsonl");
  CHECK(a == read_text(dir + "/b.jsonl"));
  CHECK(report.find("faults:  drawn from explore seed 3 (instead of the file's)") != std::string::npos);
  CHECK(report.find("reproduce: ./faultlab run " + kSplitBrain + " --variant broken --explore-seed 3\n") !=
        std::string::npos);
  auto header = nlohmann::json::parse(a.substr(0, a.find('\n')));
  CHECK(header["seed"] == 3);
  CHECK(header["explore_seed"] == 3);
  auto summary = nlohmann::json::parse(read_text(dir + "/a.json"));
  CHECK(summary["explore_seed"] == 3);
  // The faults in the trace are the schedule's, not the file's.
  const auto loaded = explore::load_explore_scenario(kSplitBrain, {"broken", {}}, 3);
  std::set<std::string> started;
  std::istringstream lines(a);
  for (std::string line; std::getline(lines, line);) {
    auto event = nlohmann::json::parse(line);
    if (event.value("ev", "") == "fault" && event.value("phase", "") == "start")
      started.insert(event["name"]);
  }
  CHECK(started.count("datacentre-link") == 0);
  CHECK(started.count("replica-cut-off") == 0);
  for (auto it = loaded.schedule.faults.begin(); it != loaded.schedule.faults.end(); ++it) {
    INFO(it.key());
    // A crash or pause of a node that is already down or paused does not happen.
    if (it.value()["type"] == "partition" || it.value()["type"] == "drop" || it.value()["type"] == "delay")
      CHECK(started.count(it.key()) == 1);
  }

  // A plain run has no explore_seed anywhere, and --seed with --explore-seed is refused.
  auto [plain_code, plain] =
      shell("'" + binary + "' run " + kSplitBrain + " --variant broken --trace " + dir + "/p.jsonl --quiet");
  REQUIRE(plain_code == 0);
  CHECK(read_text(dir + "/p.jsonl").find("explore_seed") == std::string::npos);
  auto [both_code, both] = shell(command + " --seed 4");
  CHECK(both_code == 2);
  CHECK(both == "error[bad-option]: --seed excludes --explore-seed\n");
}

namespace {
// The number in the summary row `name` ("    single_leader   34").
long long summary_count(const std::string& out, const std::string& name) {
  const auto table = out.find("\nexplore split-brain");
  const auto at = out.find("\n    " + name + " ", table);
  if (table == std::string::npos || at == std::string::npos) return -1;
  return std::stoll(out.substr(at + 6 + name.size()));
}
} // namespace

TEST_CASE("explore finds single_leader failures on split-brain broken, and no single_leader or lost_writes on fixed") {
  // About 20 s on two cores.
  Result broken = run_explore("broken", 100);
  INFO(broken.out << broken.err);
  REQUIRE(broken.code == 0);
  CHECK(broken.out.find("explore split-brain / broken: 100 runs (explore seeds 1..100)") !=
        std::string::npos);
  CHECK(broken.err.find("explore: 100/100 runs done") != std::string::npos);
  // Some runs fail single_leader, each printed with the command that repeats it.
  CHECK(summary_count(broken.out, "single_leader") > 0);
  CHECK(broken.out.find("two primaries at once: ") != std::string::npos);
  CHECK(broken.out.find("reproduce: ./faultlab run " + kSplitBrain + " --variant broken --explore-seed ") !=
        std::string::npos);
  CHECK(broken.out.find("distinct failures (checkers that fired <- fault families in the schedule):") !=
        std::string::npos);
  CHECK(broken.out.find("determinism: each failing run replayed twice, traces identical") !=
        std::string::npos);

  // The done-when figure: 200 runs of fixed, and never two primaries.
  Result fixed = run_explore("fixed", 200);
  INFO(fixed.out << fixed.err);
  REQUIRE(fixed.code == 0);
  CHECK(summary_count(fixed.out, "single_leader") == 0);
  CHECK(summary_count(fixed.out, "lost_writes") == 0);
  // What explore does find on fixed: a primary paused for longer than its
  // lease comes back still trusting it (its lease clock stopped with it) and
  // serves one stale read or more, the lesson of gc-pause. Every such run
  // has a pause in its schedule.
  std::istringstream lines(fixed.out);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("  explore seed ", 0) == 0) {
      INFO(line);
      CHECK(line.find(": linearizable ") != std::string::npos);
      CHECK(line.find("pause") != std::string::npos);
    }
}

TEST_CASE("on fixed with a lease on a clock that cannot stop, explore finds nothing") {
  // Seeds 41..100 include runs where fixed's own lease clock lets a paused primary serve stale reads.
  cli::ExploreArgs args;
  args.scenario = kSplitBrain;
  args.variant = "fixed";
  args.sets = {"components.accounts.failover.lease_clock=real"};
  args.runs = 60;
  args.seed = 41;
  std::ostringstream out, err;
  REQUIRE(cli::command_explore(args, out, err) == 0);
  INFO(out.str());
  CHECK(out.str().rfind("explore split-brain / fixed: 60 runs (explore seeds 41..100)", 0) == 0);
  CHECK(out.str().find("  failing runs                        0  (0.0 %)") != std::string::npos);
  // Without it, seed 62 fails.
  args.sets.clear();
  args.runs = 1;
  args.seed = 62;
  std::ostringstream out2, err2;
  REQUIRE(cli::command_explore(args, out2, err2) == 0);
  CHECK(out2.str().find("explore seed 62: linearizable ") != std::string::npos);
}

TEST_CASE("explore refuses bad input before anything runs") {
  cli::ExploreArgs args;
  args.scenario = temp_dir() + "/missing.json";
  std::ostringstream out, err;
  CHECK(cli::command_explore(args, out, err) == cli::kExitBadInput);
  CHECK(err.str().rfind("error[no-file]: " + args.scenario, 0) == 0);
  CHECK(out.str().empty());

  args.scenario = kSplitBrain;
  args.variant = "fixd";
  std::ostringstream out2, err2;
  CHECK(cli::command_explore(args, out2, err2) == cli::kExitBadInput);
  CHECK(err2.str().rfind("error[unknown-variant]:", 0) == 0);

  args.variant = "broken";
  args.seed = 18446744073709551615ULL;
  args.runs = 2;
  std::ostringstream out3, err3;
  CHECK(cli::command_explore(args, out3, err3) == cli::kExitBadInput);
  CHECK(err3.str().rfind("error[bad-seeds]: --seed 18446744073709551615: seed + runs goes past", 0) == 0);
}

TEST_CASE("explore with --checks counts only the named checks as failures, and refuses one the scenario does not run") {
  cli::ExploreArgs args;
  args.scenario = kSplitBrain;
  args.variant = "broken";
  args.runs = 30;
  args.jobs = 2;
  args.progress = false;
  std::ostringstream all_out, all_err;
  REQUIRE(cli::command_explore(args, all_out, all_err) == 0);
  args.only_checks = {"single_leader"};
  std::ostringstream out, err;
  REQUIRE(cli::command_explore(args, out, err) == 0);
  INFO(all_out.str() << "\n----\n" << out.str());
  // The same runs: as many single_leader failures, fewer failing runs, and no other checker in the table.
  CHECK(summary_count(out.str(), "single_leader") == summary_count(all_out.str(), "single_leader"));
  CHECK(summary_count(out.str(), "single_leader") > 0);
  CHECK(summary_count(all_out.str(), "linearizable") > summary_count(all_out.str(), "single_leader"));
  CHECK(summary_count(out.str(), "linearizable") == -1); // not judged, so not in the table

  args.only_checks = {"oversell"};
  std::ostringstream out2, err2;
  CHECK(cli::command_explore(args, out2, err2) == cli::kExitBadInput);
  CHECK(err2.str().rfind("error[unknown-check]: --checks oversell: the scenario runs no check named \"oversell\" (its checks: ",
                         0) == 0);
  CHECK(out2.str().empty());
}
