// faultlab scorecard: one row per variant, the table and the CSV agree with
// the runs behind them.
#include "../support/run_support.hpp"
#include "cli/commands.hpp"
#include "cli/scorecard_command.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>

using namespace faultlab;
using faultlab::testing::read_text;
using faultlab::testing::run_file;
using faultlab::testing::source_path;
using faultlab::testing::temp_dir;
using faultlab::testing::write_text;
using Catch::Detail::Approx;

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
  CHECK(table[1].find("p99 (worst)  recovery (worst)  outage (worst)  not recovered") != std::string::npos);
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
        "variant,runs,availability_mean,availability_min,latency_p99_s_max,recovery_s_max,outage_s_max,faults,"
        "faults_not_recovered,read_your_writes_violations,"
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
  // replica-lag has no faults: nothing to recover from.
  CHECK(csv[1].find(",,,0,0,") != std::string::npos);
}

namespace {

// A CSV line's fields (no quoting in these).
std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string field; std::getline(in, field, ',');)
    out.push_back(field);
  return out;
}

} // namespace

TEST_CASE("scorecard: the recovery columns are the worst over the runs' own recovery lists") {
  // replica-lag with its primary down for a second (no failover: writes
  // fail until it is back), and a replica lost for good near the end.
  const std::string dir = temp_dir();
  auto document = nlohmann::ordered_json::parse(read_text(small_scenario(dir)));
  document["faults"] = {{"primary-down", {{"type", "crash"}, {"node", "db-primary"}, {"at", "1500ms"}, {"duration", "1s"}}},
                        {"replica-lost", {{"type", "crash"}, {"node", "db-replica-2"}, {"at", "3500ms"}}}};
  cli::ScorecardArgs args;
  args.scenario = write_text(dir + "/with-faults.json", document.dump(2));
  args.seeds = "1..2";
  args.csv = dir + "/card.csv";
  args.progress = false;
  std::ostringstream out, err;
  REQUIRE(cli::command_scorecard(args, out, err) == cli::kExitOk);
  INFO(out.str() << err.str());
  auto csv = lines(read_text(args.csv));
  REQUIRE(csv.size() == 3);
  const auto head = fields(csv[0]);
  REQUIRE(head[5] == "recovery_s_max");
  REQUIRE(head[6] == "outage_s_max");
  REQUIRE(head[7] == "faults");
  REQUIRE(head[8] == "faults_not_recovered");
  for (std::size_t r = 1; r <= 2; ++r) {
    const auto row = fields(csv[r]);
    double recovery_max = 0, outage_max = 0;
    long long faults = 0, never = 0;
    for (std::uint64_t seed = 1; seed <= 2; ++seed) {
      auto run = run_file(args.scenario, row[0], seed);
      for (const auto& entry : run.summary["recovery"]) {
        ++faults;
        bool recovered = true;
        for (const char* signal : {"availability_s", "leader_s", "replicas_s"}) {
          REQUIRE(entry.contains(signal));
          if (entry[signal].is_null()) recovered = false;
          else recovery_max = std::max(recovery_max, entry[signal].get<double>());
        }
        never += recovered ? 0 : 1;
        for (const auto& [signal, value] : entry["outage_s"].items())
          if (value.is_number()) outage_max = std::max(outage_max, value.get<double>());
      }
      // The primary was down for a second and nothing took over: the
      // leader's outage is that second.
      const auto& primary = run.summary["recovery"][0];
      CHECK(primary["fault"] == "primary-down");
      CHECK(primary["outage_s"]["leader"].get<double>() == Approx(1.0).margin(1e-6));
      CHECK(primary["impact_s"]["leader"].get<double>() == 0.0);
    }
    INFO(csv[r]);
    CHECK(faults == 4);
    CHECK(std::stoll(row[7]) == faults);
    CHECK(std::stoll(row[8]) == never);
    CHECK(std::stod(row[5]) == Approx(recovery_max).margin(1e-6));
    CHECK(std::stod(row[6]) == Approx(outage_max).margin(1e-6));
    CHECK(outage_max >= 1.0);
  }
  // The table shows the same, rounded.
  auto table = lines(out.str());
  CHECK(table[2].find(" " + fields(csv[1])[8] + "/4 ") != std::string::npos);
}

TEST_CASE("scorecard --png draws a chart, or says why it cannot") {
  const std::string dir = temp_dir();
  cli::ScorecardArgs args;
  args.scenario = small_scenario(dir);
  args.seeds = "1";
  args.png = dir + "/card.png";
  args.progress = false;
  {
    // No python3 with matplotlib: one clear error, before anything runs.
    ::setenv("FAULTLAB_PYTHON", (dir + "/no-such-python").c_str(), 1);
    std::ostringstream out, err;
    CHECK(cli::command_scorecard(args, out, err) == cli::kExitBadInput);
    ::unsetenv("FAULTLAB_PYTHON");
    CHECK(err.str() == "error[no-matplotlib]: --png " + args.png +
                           ": drawing the chart needs python3 with matplotlib (Debian: apt-get install "
                           "python3-matplotlib; or set FAULTLAB_PYTHON); tried: " + dir + "/no-such-python\n");
    CHECK(out.str().empty());
  }
  std::ostringstream out, err;
  REQUIRE(cli::command_scorecard(args, out, err) == cli::kExitOk);
  INFO(out.str() << err.str());
  CHECK(out.str().find("  wrote " + args.png + "\n") != std::string::npos);
  const std::string png = read_text(args.png);
  REQUIRE(png.size() > 1000);
  CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  // 1100 x 750 pixels (figsize 11 x 7.5 inches at 100 dpi), from the IHDR chunk.
  auto be32 = [&](std::size_t at) {
    return (static_cast<unsigned char>(png[at]) << 24) | (static_cast<unsigned char>(png[at + 1]) << 16) |
           (static_cast<unsigned char>(png[at + 2]) << 8) | static_cast<unsigned char>(png[at + 3]);
  };
  CHECK(png.substr(12, 4) == "IHDR");
  CHECK(be32(16) == 1100);
  CHECK(be32(20) == 750);
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
