// faultlab shrink: a planted failure shrinks to its known core, and the
// file written is an ordinary scenario that still fails.
#include "../support/run_support.hpp"
#include "cli/commands.hpp"
#include "cli/shrink_command.hpp"
#include "explore/shrink.hpp"
#include "util/units.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

using namespace faultlab;
using faultlab::testing::read_text;
using faultlab::testing::run_file;
using faultlab::testing::source_path;
using faultlab::testing::temp_dir;
using faultlab::testing::write_text;
using Json = nlohmann::ordered_json;

namespace {

struct Result {
  int code;
  std::string out, err;
};

Result shrink(cli::ShrinkArgs args) {
  std::ostringstream out, err;
  int code = cli::command_shrink(args, out, err);
  return {code, out.str(), err.str()};
}

// split-brain with the one cause of two primaries planted (the data-centre
// link cut for fifteen seconds) among faults that cause no such thing: a
// little extra delay and a few dropped messages at the clients, and db-3 cut
// off alone for three seconds (which, on its own, makes linearizable
// violations but never two primaries at once: seeds 1-3 checked).
std::string planted(const std::string& dir) {
  Json d = Json::parse(read_text(source_path("scenarios/split-brain.json")));
  Json broken = d["variants"]["broken"];
  Json link = d["faults"]["datacentre-link"];
  d.erase("variants");
  d["faults"] = Json::object();
  d["faults"]["client-jitter"] = {
      {"type", "delay"}, {"at", "1s"}, {"duration", "20s"}, {"extra", "2ms"}, {"nodes", {"app-west"}}};
  d["faults"]["replica-cut-off"] = broken["faults"]["replica-cut-off"];
  d["faults"]["datacentre-link"] = link;
  d["faults"]["client-drops"] = {
      {"type", "drop"}, {"at", "12s"}, {"duration", "2s"}, {"probability", 0.01}, {"nodes", {"app-east"}}};
  return write_text(dir + "/planted.json", d.dump(2));
}

} // namespace

TEST_CASE("a planted failure shrinks to its core: one partition, and a file under a third of the size") {
  const std::string dir = temp_dir();
  cli::ShrinkArgs args;
  args.scenario = planted(dir);
  args.variant = "base";
  args.seed = 1;
  args.check = "single_leader";
  args.out = dir + "/min.json";
  Result r = shrink(args);
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.rfind("shrink planted, seed 1: fails single_leader (", 0) == 0);
  CHECK(r.out.find("wrote " + args.out + "; it fails single_leader (") != std::string::npos);

  const std::string text = read_text(args.out);
  CHECK(text.size() * 3 < std::filesystem::file_size(args.scenario));
  Json shrunk = Json::parse(text);
  // The core: the one fault that causes it, and nothing else.
  REQUIRE(shrunk["faults"].size() == 1);
  CHECK(shrunk["faults"].begin().key() == "datacentre-link");
  CHECK(shrunk["faults"]["datacentre-link"]["groups"] == Json{{"east", {"east"}}, {"west", {"west"}}});
  CHECK(shrunk["checks"] == Json{{"single_leader", Json::object()}});
  CHECK(shrunk["expect"] == Json{{"violations", {{"single_leader", {{"min", 1}}}}}});
  CHECK(shrunk["seeds"] == Json::array({1}));
  CHECK(shrunk["comment"].get<std::string>().rfind("Shrunk by faultlab shrink from: ./faultlab run " +
                                                       args.scenario + " --variant base --seed 1 (",
                                                   0) == 0);
  // Smaller in every way the shrinker knows.
  // Two primaries acknowledging writes needs writers on both sides, so both
  // client groups stay; what they do shrinks.
  CHECK(shrunk["workload"]["clients"].size() == 2);
  CHECK(shrunk["topology"]["nodes"].size() < 5);
  CHECK(util::parse_duration_s(shrunk["workload"]["duration"]).value() < 24.0);

  // An ordinary scenario file: it loads and, run as written, still fails.
  auto run = run_file(args.out, "", 1);
  CHECK(run.summary["counts"]["single_leader"].get<int>() > 0);
}

TEST_CASE("shrink refuses a run that fails nothing, and a check the scenario does not run") {
  const std::string dir = temp_dir();
  cli::ShrinkArgs args;
  args.scenario = source_path("scenarios/split-brain.json");
  args.variant = "fixed";
  args.seed = 1;
  args.out = dir + "/min.json";
  Result r = shrink(args);
  CHECK(r.code == cli::kExitBadInput);
  CHECK(r.err.rfind("error[not-failing]: ./faultlab run " + args.scenario +
                        " --variant fixed --seed 1: the run fails no check (violations: ",
                    0) == 0);
  CHECK(!std::filesystem::exists(args.out));

  args.check = "stale_cache";
  r = shrink(args);
  CHECK(r.code == cli::kExitBadInput);
  CHECK(r.err == "error[unknown-check]: --check stale_cache: this scenario does not run that check (it runs: "
                 "single_leader, lost_writes, linearizable)\n");

  args.check = "";
  args.out = dir + "/no/such/folder/min.json";
  r = shrink(args);
  CHECK(r.code == cli::kExitBadInput);
  CHECK(r.err.rfind("error[no-dir]: --out " + args.out, 0) == 0);
}

TEST_CASE("reductions: faults by halves and one by one, nodes out of every list, time cut") {
  const Json d = Json::parse(R"({
    "topology": {"nodes": {"a": {}, "b": {}, "c": {}}, "latency": {"default": "2ms"}},
    "components": {"g": {"type": "replica_group", "primary": "a", "replicas": ["b", "c"], "lag": "5ms"}},
    "workload": {"duration": "20s", "settle": "2s",
                 "clients": {"w": {"node": "a", "target": "g", "sessions": 8, "arrival": {"rate_per_s": 10}}}},
    "faults": {"p": {"type": "partition", "at": "4s", "duration": "2s", "groups": {"x": ["c"], "y": ["a", "b"]}},
               "k": {"type": "crash", "at": "8s", "duration": "1s", "node": "c"}}})");
  std::map<std::string, Json> by_what;
  for (auto& r : explore::reductions(d))
    by_what[r.what] = r.document;
  REQUIRE(by_what.count("remove every fault"));
  CHECK(by_what["remove every fault"]["faults"].empty());
  CHECK(by_what["remove fault k"]["faults"].size() == 1);
  // Node c leaves the topology, the replica list and the partition; its crash goes.
  const Json& no_c = by_what.at("remove node c");
  CHECK(no_c["components"]["g"]["replicas"] == Json::array({"b"}));
  CHECK(no_c["faults"]["p"]["groups"]["x"].empty());
  CHECK(!no_c["faults"].contains("k"));
  CHECK(by_what.at("end the workload when the last fault ends")["workload"]["duration"] == "9500ms");
  CHECK(by_what.at("start the workload at the first fault's time")["faults"]["p"]["at"] == "0ms");
  CHECK(by_what.at("start the workload at the first fault's time")["workload"]["duration"] == "16000ms");
  CHECK(by_what.at("halve fault p")["faults"]["p"]["duration"] == "1000ms");
  CHECK(by_what.at("halve the rate of client group w")["workload"]["clients"]["w"]["arrival"]["rate_per_s"] ==
        5.0);
  CHECK(by_what.at("halve the sessions of client group w")["workload"]["clients"]["w"]["sessions"] == 4);
  CHECK(by_what.at("halve the settle time")["workload"]["settle"] == "1000ms");
  // Settings go one at a time, never a type, a node or a target.
  CHECK(!by_what.at("remove g.lag")["components"]["g"].contains("lag"));
  CHECK(by_what.count("remove topology.latency.default") == 1);
  CHECK(by_what.count("remove client group w.sessions") == 1);
  CHECK(by_what.count("remove g.type") == 0);
  CHECK(by_what.count("remove client group w.target") == 0);
  // Nothing offered is the document itself.
  for (const auto& [what, document] : by_what)
    CHECK(document != d);
}
