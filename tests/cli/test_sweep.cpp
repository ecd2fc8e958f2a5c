// faultlab sweep: the cross product, error rows, shards, determinism across
// job counts, and up-front validation.
#include "../support/run_support.hpp"
#include "cli/commands.hpp"
#include "cli/sweep_command.hpp"
#include "util/input_error.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

using namespace faultlab;
using faultlab::testing::read_text;
using faultlab::testing::source_path;
using faultlab::testing::temp_dir;
using faultlab::testing::write_text;

namespace {

const std::string kRyw = "components.profiles.read_your_writes";

// replica-lag, shortened so a run takes a fraction of a second.
std::string small_scenario(const std::string& dir) {
  auto document = nlohmann::ordered_json::parse(read_text(source_path("scenarios/replica-lag.json")));
  document["workload"]["duration"] = "3s";
  document["workload"]["settle"] = "1s";
  return write_text(dir + "/replica-lag.json", document.dump(2));
}

struct Result {
  int code;
  std::string out, err, csv;
};

Result sweep(cli::SweepArgs args) {
  std::ostringstream out, err;
  int code = cli::command_sweep(args, out, err);
  return {code, out.str(), err.str(), read_text(args.out)};
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

std::vector<std::string> fields(const std::string& line) { // no quoted fields in these rows
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t comma; (comma = line.find(',', start)) != std::string::npos; start = comma + 1)
    out.push_back(line.substr(start, comma - start));
  out.push_back(line.substr(start));
  return out;
}

const char* const kHeaderTail =
    "seed,variant,read_your_writes,stale_read,lost_writes,availability,latency_p50_s,"
    "latency_p99_s,latency_max_s,ops_ok,ops_fail,ops_info,ops_total,sim_time_s,error";

} // namespace

TEST_CASE("one row per parameter value and seed, in the documented order") {
  std::string dir = temp_dir();
  cli::SweepArgs args;
  args.scenario = small_scenario(dir);
  args.params = {kRyw + "=false,true"};
  args.seeds = "1..3";
  args.out = dir + "/out/results.csv";
  Result r = sweep(args);
  REQUIRE(r.code == cli::kExitOk);
  CHECK(r.out == "wrote " + args.out + " (6 rows)\n");
  CHECK(r.err.find("sweep: 6/6 runs done") != std::string::npos);
  auto rows = lines(r.csv);
  REQUIRE(rows.size() == 7);
  CHECK(rows[0] == kRyw + "," + kHeaderTail);
  const char* expected[][2] = {{"false", "1"}, {"false", "2"}, {"false", "3"},
                               {"true", "1"},  {"true", "2"},  {"true", "3"}};
  for (std::size_t i = 0; i < 6; ++i) {
    auto f = fields(rows[i + 1]);
    REQUIRE(f.size() == 16);
    CHECK(f[0] == expected[i][0]);
    CHECK(f[1] == expected[i][1]);
    CHECK(f[2] == "broken");
    CHECK(f[15].empty());                   // no error
    CHECK(std::stoi(f[13]) > 0);            // ops_total
    CHECK(f[5] == "0");                     // lost_writes
    if (f[0] == "true") CHECK(f[3] == "0"); // read-your-writes sessions fix it
  }
  // The broken design shows the violation in at least one seed.
  bool seen = false;
  for (std::size_t i = 1; i <= 3; ++i)
    seen = seen || fields(rows[i])[3] != "0";
  CHECK(seen);
}

TEST_CASE("a bad value in one combination is an error row, the others run") {
  std::string dir = temp_dir();
  cli::SweepArgs args;
  args.scenario = small_scenario(dir);
  args.variant = "fixed";
  args.params = {"workload.duration=2s,soon"};
  args.seeds = "1,2";
  args.out = dir + "/results.csv";
  args.progress = false;
  Result r = sweep(args);
  CHECK(r.code == cli::kExitOk);
  CHECK(r.err == "sweep: 2 of 4 runs failed; the error column of " + args.out + " says why\n");
  auto rows = lines(r.csv);
  REQUIRE(rows.size() == 5);
  CHECK(rows[0] == std::string("workload.duration,") + kHeaderTail);
  for (int i : {1, 2}) {
    auto f = fields(rows[static_cast<std::size_t>(i)]);
    CHECK(f[0] == "2s");
    CHECK(f[2] == "fixed");
    CHECK(std::stod(f[14]) >= 3.0); // sim_time_s: 2 s of workload + 1 s settle, and the last replies
    CHECK(std::stod(f[14]) < 3.5);
    CHECK(f[15].empty());
  }
  for (int i : {3, 4}) {
    const std::string& row = rows[static_cast<std::size_t>(i)];
    CHECK(row.rfind("soon," + std::to_string(i - 2) + ",fixed,,,,,,,,,,,,,", 0) == 0);
    CHECK(row.find("error[bad-duration]") != std::string::npos);
  }
}

TEST_CASE("shards concatenate to the unsharded table, and --jobs does not change it") {
  std::string dir = temp_dir();
  cli::SweepArgs args;
  args.scenario = small_scenario(dir);
  args.params = {kRyw + "=false,true", "components.profiles.read_policy=any_replica,primary"};
  args.seeds = "3..4";
  args.progress = false;
  args.out = dir + "/all-j1.csv";
  Result one = sweep(args);
  REQUIRE(one.code == 0);
  REQUIRE(lines(one.csv).size() == 9);

  args.jobs = 2;
  args.out = dir + "/all-j2.csv";
  CHECK(sweep(args).csv == one.csv);

  std::string joined;
  for (int k = 1; k <= 3; ++k) {
    args.shard = std::to_string(k) + "/3";
    args.out = dir + "/shard" + std::to_string(k) + ".csv";
    Result shard = sweep(args);
    REQUIRE(shard.code == 0);
    auto rows = lines(shard.csv);
    REQUIRE(!rows.empty());
    CHECK(rows[0] == lines(one.csv)[0]); // the same header in every shard
    for (std::size_t i = k == 1 ? 0 : 1; i < rows.size(); ++i)
      joined += rows[i] + "\n";
  }
  CHECK(joined == one.csv);

  // More shards than runs: some shards are a header alone.
  args.shard = "1/9";
  args.out = dir + "/empty.csv";
  Result empty = sweep(args);
  CHECK(empty.code == 0);
  CHECK(lines(empty.csv).size() == 1);
}

TEST_CASE("bad input is one error line, exit 2, and no file") {
  std::string dir = temp_dir();
  std::string file = small_scenario(dir);
  auto expect_error = [&](cli::SweepArgs args, const std::string& message) {
    if (args.scenario.empty()) args.scenario = file;
    args.out = dir + "/never.csv";
    std::ostringstream out, err;
    CHECK(cli::command_sweep(args, out, err) == cli::kExitBadInput);
    CHECK(err.str() == message + "\n");
    CHECK(out.str().empty());
    CHECK(!std::filesystem::exists(args.out));
  };
  cli::SweepArgs a;
  a.params = {"components.profiles.lag"};
  expect_error(a, "error[bad-param]: --param components.profiles.lag: expected PATH=v1,v2,..., like "
                  "components.profiles.read_your_writes=false,true");
  a.params = {"workload.duration=1s,,2s"};
  expect_error(a, "error[bad-param]: --param workload.duration=1s,,2s: value 2 is empty");
  a.params = {R"(components.profiles.lag={"min":"1s")"};
  expect_error(a,
               R"(error[bad-param]: --param components.profiles.lag={"min":"1s": a bracket is not closed)");
  a.params = {"workload.duration=1s", "workload.duration=2s"};
  expect_error(
      a, "error[bad-param]: --param workload.duration=2s: this path is already swept by another --param");
  a.params = {"components.db.lag=1s"};
  expect_error(a, "error[unknown-param-path]: " + file +
                      ": --param components.db.lag: /components/db does not "
                      "exist (there: profiles)");
  a.params = {"workload.duration.x=1s"};
  expect_error(a, "error[unknown-param-path]: " + file +
                      ": --param workload.duration.x: /workload/duration is "
                      "\"3s\", which has no field \"x\"");
  a.params = {"components.profiles.lagg=1s"};
  cli::SweepArgs leaf = a;
  leaf.scenario = file;
  leaf.out = dir + "/never.csv";
  std::ostringstream o, e;
  CHECK(cli::command_sweep(leaf, o, e) == cli::kExitBadInput);
  INFO(e.str());
  CHECK(e.str().rfind("error[unknown-param-path]: " + file +
                          ": --param components.profiles.lagg: "
                          "/components/profiles/lagg: unknown field \"lagg\" (expected one of: ",
                      0) == 0);

  cli::SweepArgs s;
  s.seeds = "5..1";
  expect_error(s, "error[bad-seeds]: --seeds 5..1: the range is empty (5 > 1)");
  s.seeds = "1,x";
  expect_error(s, "error[bad-seeds]: --seeds 1,x: expected A..B or a list like 1,2,7");
  s.seeds = "1,2,1";
  expect_error(s, "error[bad-seeds]: --seeds 1,2,1: seed 1 is listed twice");
  cli::SweepArgs k;
  k.shard = "4/3";
  expect_error(k, "error[bad-shard]: --shard 4/3: expected K/N with 1 <= K <= N, like 2/4");
  k.shard = "0/3";
  expect_error(k, "error[bad-shard]: --shard 0/3: expected K/N with 1 <= K <= N, like 2/4");
  cli::SweepArgs v;
  v.variant = "nope";
  expect_error(v, "error[unknown-variant]: " + file +
                      ": /variants/nope: no such variant (this scenario has: "
                      "broken, fixed)");
  cli::SweepArgs missing;
  missing.scenario = dir + "/missing.json";
  expect_error(missing, "error[no-file]: " + dir + "/missing.json: cannot open the file (does it exist?)");
}

TEST_CASE("parameter values split on top-level commas, and CSV fields are quoted per RFC 4180") {
  auto p = cli::parse_sweep_param(R"(a.b=[1,2],{"k":"x,y"},"q,r",3)");
  CHECK(p.path == "a.b");
  CHECK(p.values == std::vector<std::string>{"[1,2]", R"({"k":"x,y"})", R"("q,r")", "3"});
  CHECK(cli::parse_sweep_seeds("2..4") == std::vector<std::uint64_t>{2, 3, 4});
  CHECK(cli::parse_sweep_seeds("7,1") == std::vector<std::uint64_t>{7, 1});
  CHECK(cli::csv_field("plain") == "plain");
  CHECK(cli::csv_field("a,b") == "\"a,b\"");
  CHECK(cli::csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(cli::csv_field("two\nlines") == "\"two\nlines\"");
}
