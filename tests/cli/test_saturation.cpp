// The saturation report (`run --saturation`, `sweep --saturation`): the
// verdicts on hand-made measurements, a CPU share known by hand from a tiny
// scenario, a trace that stays byte-identical, and a small sweep that names
// the first resource to saturate.
#include "../support/run_support.hpp"
#include "analysis/saturation.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace faultlab;
using faultlab::testing::read_text;
using faultlab::testing::shell;
using faultlab::testing::source_path;
using faultlab::testing::temp_dir;
using faultlab::testing::write_text;

namespace {
analysis::ResourceUse use(const std::string& id, const std::string& kind, double utilization) {
  analysis::ResourceUse r;
  r.id = id;
  r.kind = kind;
  r.capacity = "1 core";
  r.utilization = utilization;
  return r;
}

// Runs `file` with --saturation in a child process; returns its summary.
nlohmann::json saturated_run(const std::string& file, std::uint64_t seed) {
  scenario::Scenario s = scenario::load_scenario(file, scenario::LoadOptions{});
  auto results = cli::run_in_children({[&] {
                                        cli::RunRequest request;
                                        request.seed = seed;
                                        request.saturation = true;
                                        return cli::run_checked(s, request).summary.dump();
                                      }},
                                      1);
  if (!results.front().ok) throw std::runtime_error(results.front().output);
  return nlohmann::json::parse(results.front().output);
}

const nlohmann::json* find(const nlohmann::json& resources, const std::string& id) {
  for (const auto& r : resources)
    if (r["id"] == id) return &r;
  return nullptr;
}
} // namespace

TEST_CASE("saturation verdicts: 90 % busy, or a pool with a queue") {
  analysis::Saturation s;
  s.measured_s = 10;
  s.resources = {use("cpu:app-1", "cpu", 0.3),      use("cpu:db-1", "cpu", 0.95),
                 use("cpu:edge", "cpu", 0.9),       use("link:a<->b", "link", 0.001),
                 use("pool:app.db", "pool", 0.5),   use("pool:app.cache", "pool", 0.2),
                 use("pool:app.other", "pool", 0.1)};
  s.resources[5].wait_timeouts = 3;  // gave up waiting
  s.resources[6].mean_waiting = 1.5; // a queue on average
  analysis::judge(s);
  std::vector<std::string> order, saturated;
  for (const auto& r : s.resources) {
    order.push_back(r.id);
    if (r.saturated) saturated.push_back(r.id + ": " + r.why);
  }
  CHECK(order == std::vector<std::string>{"cpu:db-1", "cpu:edge", "pool:app.db", "cpu:app-1",
                                          "pool:app.cache", "pool:app.other", "link:a<->b"});
  CHECK(saturated ==
        std::vector<std::string>{"cpu:db-1: 95.0 % busy", "cpu:edge: 90.0 % busy",
                                 "pool:app.cache: 3 calls gave up waiting for a connection",
                                 "pool:app.other: on average 1.5 calls waiting for a connection"});
  // The summary's form reads back the same.
  auto back =
      analysis::resources_from_json(nlohmann::json::parse(analysis::saturation_json(s)["resources"].dump()));
  REQUIRE(back.size() == s.resources.size());
  CHECK(back[4].wait_timeouts == 3);
  CHECK(back[0].why == "95.0 % busy");
  CHECK(analysis::saturation_json(s)["saturated"].size() == 4);
  std::ostringstream text;
  analysis::print_saturation(text, s);
  CHECK(text.str().find("(1 more link, each below 1.0 %; the busiest of them at 0.1 %)") !=
        std::string::npos);
  CHECK(text.str().find("saturated: cpu:db-1 (95.0 % busy); cpu:edge (90.0 % busy)") != std::string::npos);
}

TEST_CASE("a sweep's verdict: the first to saturate, the next, and what never does") {
  auto point = [](const std::string& label, double db, double pool, double app, double link) {
    analysis::Saturation s;
    s.resources = {use("cpu:db-1", "cpu", db), use("pool:app.db", "pool", pool), use("cpu:app-1", "cpu", app),
                   use("link:app-1<->db-1", "link", link)};
    analysis::judge(s);
    analysis::SweepPoint p;
    p.label = label;
    p.seeds.push_back(s.resources);
    return p;
  };
  std::vector<analysis::SweepPoint> points = {
      point("rate=100", 0.2, 0.05, 0.02, 0.001), point("rate=400", 0.8, 0.2, 0.08, 0.004),
      point("rate=700", 0.97, 0.6, 0.14, 0.007), point("rate=1000", 1.0, 0.95, 0.2, 0.01)};
  // A second seed at rate=400 that was busier: the worst seed counts.
  auto busier = point("rate=400", 0.92, 0.2, 0.08, 0.004);
  points[1].seeds.push_back(busier.seeds.front());
  const auto lines = analysis::sweep_saturation_lines(points);
  REQUIRE(lines.size() == 4);
  CHECK(lines[1] == "first to saturate: cpu:db-1 at rate=400 (92.0 % busy)");
  CHECK(lines[2] == "then:              pool:app.db at rate=1000 (95.0 % of its connections in use)");
  CHECK(lines[3] == "never saturated up to rate=1000: cpu:app-1 (at most 20.0 %), 1 link (at most 1.0 %, "
                    "link:app-1<->db-1)");

  // Nothing saturates: the busiest is named.
  const auto calm = analysis::sweep_saturation_lines({point("rate=100", 0.2, 0.05, 0.02, 0.001)});
  CHECK(calm[1] == "first to saturate: none (the busiest, cpu:db-1, reached 20.0 % at rate=100)");
}

TEST_CASE("a CPU's share is the work it did over the time it had") {
  // One service on a 1-core and a 2-core instance, 4 ms of CPU per request,
  // a store answering in 1 ms of its own CPU: the shares follow from the
  // requests each node served.
  const std::string file = write_text(temp_dir() + "/cpu.json", R"({
    "title": "known CPU work", "lesson": "test",
    "topology": {"nodes": {"web": {}, "s-1": {"cores": 1}, "s-2": {"cores": 2}, "kv-1": {}}},
    "components": {
      "kv": {"type": "replica_group", "primary": "kv-1", "service_time": "1ms"},
      "svc": {"type": "service", "instances": ["s-1", "s-2"], "work": "4ms",
              "endpoints": {"get": {"calls": {"kv": {"to": "kv", "op": "read", "key": "k:{user}"}}}}}},
    "workload": {"duration": "5s", "final_reads": false,
                 "clients": {"c": {"node": "web", "target": "svc", "sessions": 10, "arrival": {"rate_per_s": 40},
                                   "mix": {"get": 1.0}}}},
    "checks": {}, "seeds": [1]})");
  const auto summary = saturated_run(file, 1);
  const auto& resources = summary["saturation"]["resources"];
  const double t = summary["saturation"]["measured_s"].get<double>();
  CHECK(t == Approx(summary["sim_time_s"].get<double>()));
  const double ok = summary["ops"]["ok"].get<double>();
  std::map<std::string, double> served; // requests each instance answered
  for (const auto& [node, load] : summary["nodes"].items())
    served[node] = load["ops"].get<double>();
  REQUIRE(ok > 150);
  REQUIRE(served["s-1"] + served["s-2"] == ok);
  REQUIRE(find(resources, "cpu:s-1"));
  CHECK((*find(resources, "cpu:s-1"))["utilization"].get<double>() == Approx(served["s-1"] * 0.004 / t));
  CHECK((*find(resources, "cpu:s-2"))["utilization"].get<double>() ==
        Approx(served["s-2"] * 0.004 / (2 * t)));
  CHECK((*find(resources, "cpu:kv-1"))["utilization"].get<double>() == Approx(ok * 0.001 / t));
  CHECK((*find(resources, "cpu:web"))["utilization"].get<double>() == 0);
  CHECK((*find(resources, "cpu:s-1"))["saturated"] == false);
  // The links carry the messages: 512 bytes each way per call, at 1 Gbps.
  REQUIRE(find(resources, "link:s-1<->kv-1"));
  CHECK((*find(resources, "link:s-1<->kv-1"))["utilization"].get<double>() ==
        Approx(served["s-1"] * 2 * 512.0 / (125e6 * t)));
}

TEST_CASE("run with saturation only observes (the trace is byte-identical), and capacity-10x's database "
          "saturates") {
  const std::string dir = temp_dir();
  const std::string base =
      std::string(FAULTLAB_BINARY) + " run " + source_path("scenarios/shared-database.json") + " --seed 2";
  REQUIRE(shell(base + " --trace " + dir + "/plain.jsonl").first == 0);
  auto measured =
      shell(base + " --saturation --trace " + dir + "/measured.jsonl --summary " + dir + "/s.json");
  REQUIRE(measured.first == 0);
  CHECK(read_text(dir + "/plain.jsonl") == read_text(dir + "/measured.jsonl"));
  CHECK(measured.second.find("  saturation (share of each resource busy over the") != std::string::npos);
  const auto s = nlohmann::json::parse(read_text(dir + "/s.json"));
  CHECK(s["saturation"]["threshold"] == 0.9);

  const auto broken = saturated_run(source_path("scenarios/capacity-10x.json"), 1);
  const auto& resources = broken["saturation"]["resources"];
  REQUIRE(resources.size() > 3);
  CHECK(resources[0]["id"] == "cpu:db-1"); // the busiest first
  CHECK(resources[0]["saturated"] == true);
  CHECK((*find(resources, "cpu:app-1"))["utilization"].get<double>() < 0.3);
  CHECK((*find(resources, "cpu:app-1"))["saturated"] == false);
  CHECK((*find(resources, "pool:app.db"))["saturated"] == true);
}

TEST_CASE("sweep --saturation: a column per resource and the first to saturate") {
  const std::string dir = temp_dir();
  auto result = shell(std::string(FAULTLAB_BINARY) + " sweep " + source_path("scenarios/capacity-10x.json") +
                      " --variant today --param workload.duration=3s"
                      " --param workload.clients.users.arrival.rate_per_s=100,600 --seeds 1 --saturation"
                      " --no-progress --jobs 2 --out " +
                      dir + "/sweep.csv");
  INFO(result.second);
  REQUIRE(result.first == 0);
  CHECK(result.second.find("first to saturate: cpu:db-1 at workload.duration=3s, "
                           "workload.clients.users.arrival.rate_per_s=600 (") != std::string::npos);
  CHECK(result.second.find("never saturated up to workload.duration=3s, "
                           "workload.clients.users.arrival.rate_per_s=600: cpu:app-") != std::string::npos);
  const std::string csv = read_text(dir + "/sweep.csv");
  const std::string header = csv.substr(0, csv.find('\n'));
  // CPUs, pools, links, each by name.
  CHECK(header.find(
            ",sim_time_s,cpu:app-1,cpu:app-2,cpu:app-3,cpu:db-1,cpu:redis-1,cpu:web,pool:app.db,link:") !=
        std::string::npos);
  CHECK(header.find(",saturated,error") != std::string::npos);

  auto refused = shell(std::string(FAULTLAB_BINARY) + " sweep " + source_path("scenarios/capacity-10x.json") +
                       " --param workload.duration=3s --saturation --shard 1/2 --out " + dir + "/x.csv");
  CHECK(refused.first != 0);
  CHECK(refused.second ==
        "error[bad-shard]: --saturation: not with --shard: the resource columns and the first "
        "to saturate need every run at once\n");
  refused =
      shell(std::string(FAULTLAB_BINARY) + " sweep " + source_path("scenarios/capacity-10x.json") +
            " --param workload.duration=3s --saturation --slurm " + dir + "/slurm --out " + dir + "/x.csv");
  CHECK(refused.first != 0);
  CHECK(refused.second ==
        "error[bad-slurm]: --saturation: not with --slurm: the resource columns and the first "
        "to saturate need every run at once\n");
}

TEST_CASE("a statement cancelled by its timeout is not counted: a share is never too high") {
  // A scan of 5,000,000 rows at 2 us a row is 10 s of one core; its
  // statement_timeout cancels it after 2 s, the only work on db-1. How far
  // a cancelled execution got is not known (model/saturation.hpp), so
  // db-1's share stays 0 rather than counting the 10 s.
  const std::string file = write_text(temp_dir() + "/timeout.json", R"({
    "title": "a cancelled statement", "lesson": "test",
    "topology": {"nodes": {"web": {}, "kv-1": {},
                           "db-1": {"cores": 1, "memory": "64GiB", "disk": {"size": "100GiB"}}}},
    "components": {
      "kv": {"type": "replica_group", "primary": "kv-1"},
      "db": {"type": "database", "node": "db-1", "memory": {"shared_buffers": "16GiB"},
             "tables": {"t": {"rows": 5000000, "row_size": "200B"}},
             "queries": {"report": {"table": "t", "shape": "scan", "statement_timeout": "2s"}},
             "jobs": {"nightly": {"query": "report", "at": "1s"}}}},
    "workload": {"duration": "6s", "final_reads": false,
                 "clients": {"c": {"node": "web", "target": "kv", "sessions": 1, "arrival": {"rate_per_s": 1},
                                   "mix": {"read": 1.0}}}},
    "checks": {}, "seeds": [1]})");
  const auto summary = saturated_run(file, 1);
  const double t = summary["saturation"]["measured_s"].get<double>();
  REQUIRE(find(summary["saturation"]["resources"], "cpu:db-1"));
  CHECK((*find(summary["saturation"]["resources"], "cpu:db-1"))["utilization"].get<double>() ==
        0.0);
  CHECK(t > 3); // the statement did run: the job started at 1 s and was cancelled at 3 s
}
