// faultlab scorecard: one row per variant, the table and the CSV agree with
// the runs behind them.
#include "../support/run_support.hpp"
#include "cli/commands.hpp"
#include "cli/scorecard_command.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace faultlab;
using faultlab::testing::read_text;
using faultlab::testing::run_file;
using faultlab::testing::source_path;
using faultlab::testing::temp_dir;
using faultlab::testing::write_text;

namespace {

// replica-lag, shortened so a run takes a fraction of a second.
std::string small_scenario(const std::string& dir) {
  auto document = nlohmann::ordered_json::parse(read_text(source_path("scenarios/replica-lag.json")));
  document["workload"]["duration"] = "4s";
  document["workload"]["settle"] = "1s";
  return write_text(dir + "/replica-lag.json", document.dump(2));
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

} // namespace

TEST_CASE("scorecard: every variant over its seeds, as a table and as CSV") {
  const std::string dir = temp_dir();
  cli::ScorecardArgs args;
  args.scenario = small_scenario(dir);
  args.seeds = "1..3";
  args.csv = dir + "/card.csv";
  std::ostringstream out, err;
  REQUIRE(cli::command_scorecard(args, out, err) == cli::kExitOk);
  INFO(out.str() << err.str());
  auto table = lines(out.str());
  REQUIRE(table.size() >= 4);
  CHECK(table[0].rfind("scorecard replica-lag — ", 0) == 0);
  CHECK(table[1].find("variant  runs  availability") != std::string::npos);
  CHECK(table[1].find(
            "read_your_writes  stale_read  lost_writes  runs failing  as expected  nodes  messages/run") !=
        std::string::npos);
  CHECK(table[2].rfind("  broken ", 0) == 0);
  CHECK(table[3].rfind("  fixed  ", 0) == 0);
  CHECK(err.str().find("scorecard: 6/6 runs done") != std::string::npos);

  // The CSV holds the sums of the runs' own counts.
  auto csv = lines(read_text(args.csv));
  REQUIRE(csv.size() == 3);
  CHECK(csv[0] ==
        "variant,runs,availability_mean,availability_min,latency_p99_s_max,read_your_writes_violations,"
        "stale_read_violations,lost_writes_violations,runs_with_violations,runs_as_expected,nodes,messages_"
        "per_run,errors");
  long long ryw_broken = 0, ryw_fixed = 0;
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    ryw_broken +=
        run_file(args.scenario, "broken", seed).summary["counts"]["read_your_writes"].get<long long>();
    ryw_fixed +=
        run_file(args.scenario, "fixed", seed).summary["counts"]["read_your_writes"].get<long long>();
  }
  CHECK(ryw_broken > 0);
  CHECK(ryw_fixed == 0);
  CHECK(csv[1].rfind("broken,3,", 0) == 0);
  CHECK(csv[1].find("," + std::to_string(ryw_broken) + ",") != std::string::npos);
  CHECK(csv[2].rfind("fixed,3,", 0) == 0);
  // Both variants meet their expect blocks on every seed (the 4 s run
  // keeps replica-lag's lesson), and each row says so.
  CHECK(csv[1].find(",3,3,4,") != std::string::npos);
  CHECK(csv[2].find(",3,3,4,") != std::string::npos);
  CHECK(table[2].find(" " + std::to_string(ryw_broken) + " ") != std::string::npos);
}

TEST_CASE("scorecard refuses bad input before anything runs") {
  cli::ScorecardArgs args;
  args.scenario = source_path("scenarios/replica-lag.json");
  args.csv = temp_dir() + "/missing/card.csv";
  std::ostringstream out, err;
  CHECK(cli::command_scorecard(args, out, err) == cli::kExitBadInput);
  CHECK(err.str().rfind("error[no-dir]: --csv " + args.csv, 0) == 0);
  args.csv = "";
  args.seeds = "5..1";
  std::ostringstream out2, err2;
  CHECK(cli::command_scorecard(args, out2, err2) == cli::kExitBadInput);
  CHECK(err2.str().rfind("error[bad-seeds]:", 0) == 0);
}

TEST_CASE("explore, shrink and scorecard each have --help") {
  for (const std::string command : {"explore", "shrink", "scorecard"}) {
    auto [code, text] =
        faultlab::testing::shell(std::string("'") + FAULTLAB_BINARY + "' " + command + " --help");
    INFO(text);
    CHECK(code == 0);
    CHECK(text.find("Usage: ") != std::string::npos);
    CHECK(text.find(" " + command + " [OPTIONS] scenario") != std::string::npos);
  }
}
