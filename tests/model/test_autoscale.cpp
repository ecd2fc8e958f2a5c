// Load balancing and autoscaling, each shown to act: round robin gives every
// instance its turn, least connections keeps requests off an instance that
// is slow to answer, the autoscaler's instances join only after the
// provisioning delay and serve nothing before, decisions respect the
// cooldown, min and max, a scheduled minimum acts at its time, a partition
// blinds the autoscaler, and admission control and a bounded pool queue
// answer at once instead of queueing.
#include "../support/run_support.hpp"
#include "model/latency_histogram.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

using faultlab::history::Op;
using faultlab::history::Outcome;
using faultlab::testing::run_text;
using faultlab::testing::TestRun;
using nlohmann::json;

namespace {

std::vector<json> autoscale(const TestRun& run, const std::string& action) {
  std::vector<json> out;
  for (const auto& e : run.events)
    if (e.value("ev", "") == "autoscale" && e.value("action", "") == action) out.push_back(e);
  return out;
}

std::map<std::string, int> served_by(const TestRun& run) {
  std::map<std::string, int> count;
  for (const Op& op : run.history.ops)
    if (op.outcome == Outcome::ok) ++count[op.node];
  return count;
}

// Three identical instances, 1 ms of CPU per request, 30 requests a second for 10 s.
json balanced(const std::string& policy) {
  json s = json::parse(R"({
    "title": "t", "lesson": "l",
    "topology": { "nodes": { "web": {}, "a-1": {}, "a-2": {}, "a-3": {} }, "latency": { "default": "500us" } },
    "components": { "api": { "type": "service", "instances": ["a-1", "a-2", "a-3"], "work": "1ms",
                             "endpoints": { "get": { "calls": {} } } } },
    "workload": { "duration": "10s", "final_reads": false, "clients": {
      "users": { "node": "web", "target": "api", "sessions": 100, "arrival": { "rate_per_s": 30 },
                 "mix": { "get": 1 }, "timeout": "2s" } } },
    "checks": {}
  })");
  s["components"]["api"]["load_balancer"] = policy;
  return s;
}

// One instance with 1 core and one with 8; 100 ms of CPU per request, 30 a
// second: the small one finishes 10 a second, the big one 80.
json uneven(const std::string& policy) {
  json s = json::parse(R"({
    "title": "t", "lesson": "l",
    "topology": { "nodes": { "web": {}, "small": { "cores": 1 }, "big": { "cores": 8 } },
                  "latency": { "default": "500us" } },
    "components": { "api": { "type": "service", "instances": ["small", "big"], "work": "100ms",
                             "endpoints": { "get": { "calls": {} } } } },
    "workload": { "duration": "20s", "final_reads": false, "clients": {
      "users": { "node": "web", "target": "api", "sessions": 100, "arrival": { "rate_per_s": 30 },
                 "mix": { "get": 1 }, "timeout": "2s" } } },
    "checks": {}
  })");
  s["components"]["api"]["load_balancer"] = policy;
  return s;
}

// One instance (1 core, 50 ms a request: 20 a second) and three spare
// nodes; 30 requests a second. The autoscaler aims at 2 requests in
// progress per instance, decides every 5 s, and its instances take 30 s.
json scaled() {
  return json::parse(R"({
    "title": "t", "lesson": "l",
    "topology": { "nodes": { "web": {}, "ops": {}, "a-1": {}, "a-2": {}, "a-3": {}, "a-4": {} },
                  "latency": { "default": "500us" } },
    "components": {
      "api": { "type": "service", "instances": ["a-1"], "spares": ["a-2", "a-3", "a-4"], "work": "50ms",
               "load_balancer": "round_robin", "endpoints": { "get": { "calls": {} } } },
      "scaler": { "type": "autoscaler", "node": "ops", "service": "api", "metric": "in_flight", "target": 2,
                  "interval": "5s", "window": "10s", "provisioning": "30s", "cooldown": "60s", "min": 1, "max": 3 } },
    "workload": { "duration": "200s", "final_reads": false, "clients": {
      "users": { "node": "web", "target": "api", "sessions": 100, "arrival": { "rate_per_s": 30 },
                 "mix": { "get": 1 }, "timeout": "2s" } } },
    "checks": {}
  })");
}

} // namespace

TEST_CASE("round robin gives every instance its turn") {
  TestRun run = run_text(balanced("round_robin").dump());
  auto count = served_by(run);
  REQUIRE(count.size() == 3);
  int least = 1 << 30, most = 0;
  for (const auto& [node, n] : count) {
    least = std::min(least, n);
    most = std::max(most, n);
  }
  CHECK(most - least <= 1);
  CHECK(least > 80);
}

TEST_CASE("least connections keeps requests off the instance that answers slowly") {
  TestRun rr = run_text(uneven("round_robin").dump());
  TestRun lc = run_text(uneven("least_connections").dump());
  auto rr_count = served_by(rr);
  auto lc_count = served_by(lc);
  // Round robin gives the small instance half the requests, 15 a second of
  // its 10: it falls behind and its callers time out.
  std::int64_t rr_ok = 0, lc_ok = 0, lc_all = 0;
  for (const Op& op : rr.history.ops) rr_ok += op.outcome == Outcome::ok ? 1 : 0;
  for (const Op& op : lc.history.ops) {
    lc_ok += op.outcome == Outcome::ok ? 1 : 0;
    ++lc_all;
  }
  CHECK(lc_count["small"] < lc_count["big"] / 2);
  CHECK(lc_ok == lc_all);
  CHECK(rr_ok < lc_ok);
}

TEST_CASE("the autoscaler's instances join after the provisioning delay and serve nothing before") {
  TestRun run = run_text(scaled().dump());
  auto ups = autoscale(run, "scale_up");
  auto provisioning = autoscale(run, "provisioning");
  auto joined = autoscale(run, "joined");
  REQUIRE(!ups.empty());
  REQUIRE(!joined.empty());
  // The first decision comes with the first sample above the target (t = 5 s).
  CHECK(ups.front()["t"].get<double>() == Approx(5).margin(0.01));
  std::map<std::string, double> ordered, join_time;
  for (const auto& e : provisioning) ordered[e["instance"].get<std::string>()] = e["t"].get<double>();
  for (const auto& e : joined)
    if (!join_time.count(e["instance"].get<std::string>()))
      join_time[e["instance"].get<std::string>()] = e["t"].get<double>();
  for (const auto& [node, t] : join_time) {
    REQUIRE(ordered.count(node) == 1);
    CHECK(t - ordered[node] == Approx(30).margin(0.01));
  }
  // Nothing is served by a spare node before it joined.
  for (const Op& op : run.history.ops)
    if (join_time.count(op.node)) CHECK(op.invoke_s >= join_time[op.node] - 1e-9);
  CHECK(served_by(run)["a-2"] > 0);
}

TEST_CASE("autoscaler decisions keep the cooldown, the minimum and the maximum") {
  TestRun run = run_text(scaled().dump());
  std::vector<double> decisions;
  int downs = 0;
  for (const auto& e : run.events) {
    if (e.value("ev", "") != "autoscale") continue;
    const std::string action = e.value("action", "");
    if (action == "scale_up" || action == "scale_down") decisions.push_back(e["t"].get<double>());
    if (action == "scale_down") ++downs;
    CHECK(e["instances"].get<int>() >= 1);
    CHECK(e["instances"].get<int>() + e["provisioning"].get<int>() <= 3);
    if (action == "provisioning") CHECK(e["instance"] != "a-4"); // max 3: the third spare is never used
  }
  // Up at 5 s, down when three instances idle at half the target, up again...
  REQUIRE(decisions.size() >= 3);
  CHECK(downs >= 1);
  for (std::size_t i = 1; i < decisions.size(); ++i) CHECK(decisions[i] - decisions[i - 1] >= 60 - 1e-9);
  CHECK(run.summary["metrics"]["autoscaler_max_instances"].get<double>() == 3);
}

TEST_CASE("a scheduled minimum adds instances at its time, and holds them") {
  json s = scaled();
  s["workload"]["clients"]["users"]["arrival"]["rate_per_s"] = 2; // far below the target: no metric decision
  s["components"]["scaler"]["scheduled"] = json::parse(R"({ "peak": { "at": "20s", "min": 3 } })");
  TestRun run = run_text(s.dump());
  auto ups = autoscale(run, "scale_up");
  REQUIRE(ups.size() == 1);
  CHECK(ups[0]["t"].get<double>() == Approx(20).margin(0.01));
  CHECK(ups[0]["why"].get<std::string>().find("scheduled minimum peak: 3") != std::string::npos);
  auto joined = autoscale(run, "joined");
  REQUIRE(joined.size() == 2);
  for (const auto& e : joined) CHECK(e["t"].get<double>() == Approx(50).margin(0.01));
  CHECK(autoscale(run, "scale_down").empty()); // idle, but not below the scheduled minimum
}

TEST_CASE("a partition between the autoscaler and the instances blinds it") {
  json s = scaled();
  s["faults"] = json::parse(R"({ "cut": { "type": "partition", "at": "1s", "duration": "100s",
                                          "groups": { "ops": ["ops"], "rest": ["web", "a-1", "a-2", "a-3", "a-4"] } } })");
  TestRun run = run_text(s.dump());
  // It sees the load only once the partition is over, at 101 s.
  for (const auto& e : autoscale(run, "scale_up")) CHECK(e["t"].get<double>() > 101);
  for (const auto& e : autoscale(run, "blind")) CHECK(e["t"].get<double>() <= 101.01); // the last scrape began at 100 s
  CHECK(autoscale(run, "blind").size() >= 10);
  CHECK(run.summary["metrics"]["autoscaler_blind_scrapes"].get<double>() >= 10);
}

TEST_CASE("admission control answers 503 at once instead of queueing") {
  json s = uneven("round_robin");
  s["components"]["api"]["instances"] = json::array({"small"});
  s["components"]["api"]["max_in_flight"] = 3;
  TestRun run = run_text(s.dump());
  int refused = 0;
  for (const Op& op : run.history.ops) {
    if (op.outcome != Outcome::fail) continue;
    ++refused;
    CHECK(op.error.rfind("503 overloaded: 3 requests in progress on small", 0) == 0);
    CHECK(op.complete_s - op.invoke_s < 0.01);
  }
  CHECK(refused > 100);
  for (const Op& op : run.history.ops) CHECK(op.outcome != Outcome::info); // nobody waits for a timeout
}

TEST_CASE("a pool's bounded wait queue sheds the calls beyond it at once") {
  json s = json::parse(R"({
    "title": "t", "lesson": "l",
    "topology": { "nodes": { "web": {}, "a-1": {}, "db-1": { "cores": 4 } }, "latency": { "default": "500us" } },
    "components": {
      "db": { "type": "database", "node": "db-1", "memory": { "shared_buffers": "1GiB" },
              "tables": { "t": { "rows": 100000, "indexes": [{ "column": "id" }] } },
              "queries": { "slow": { "table": "t", "shape": "range", "column": "id", "rows": 50000 } } },
      "api": { "type": "service", "instances": ["a-1"],
               "pools": { "db": { "size": 1, "wait_timeout": "5s", "max_waiting": 1 } },
               "endpoints": { "get": { "calls": { "db": { "to": "db", "op": "slow", "key": "k:{user}", "timeout": "10s" } } } } } },
    "workload": { "duration": "10s", "final_reads": false, "clients": {
      "users": { "node": "web", "target": "api", "sessions": 100, "arrival": { "rate_per_s": 20 },
                 "mix": { "get": 1 }, "timeout": "5s" } } },
    "checks": {}
  })");
  TestRun run = run_text(s.dump());
  int shed = 0;
  for (const Op& op : run.history.ops)
    if (op.outcome == Outcome::fail && op.error.rfind("db: shed: 1 calls already waiting", 0) == 0) {
      ++shed;
      CHECK(op.complete_s - op.invoke_s < 0.01);
    }
  CHECK(shed > 100);
  int shed_events = 0;
  for (const auto& e : run.events)
    if (e.value("ev", "") == "pool_wait" && e.value("outcome", "") == "shed") ++shed_events;
  CHECK(shed_events == shed);
}

TEST_CASE("a latency histogram: the quantile is interpolated inside the bucket that holds its rank") {
  using faultlab::model::bucket_quantile;
  using faultlab::model::LatencyHistogram;
  const std::size_t buckets = LatencyHistogram::bounds().size() + 1;
  std::vector<std::uint64_t> counts(buckets, 0);
  CHECK(bucket_quantile(0.99, counts) == -1); // no request: no value
  // 90 requests in (5 ms, 10 ms], 10 in (10 ms, 25 ms]: the 99th of 100 is
  // the 9th of the 10 in the second bucket, 9/10 of the way through it.
  counts[3] = 90;
  counts[4] = 10;
  CHECK(bucket_quantile(0.99, counts) == Approx(0.01 + 0.015 * 0.9));
  CHECK(bucket_quantile(0.5, counts) == Approx(0.005 + 0.005 * 50.0 / 90.0));
  CHECK(bucket_quantile(1.0, counts) == Approx(0.025));
  // Slower than the last bound: all it can say is "at least 60 s".
  std::vector<std::uint64_t> slow(buckets, 0);
  slow.back() = 5;
  CHECK(bucket_quantile(0.99, slow) == Approx(60));

  LatencyHistogram h;
  h.observe(0.001);  // on a bound: in that bucket (le, as Prometheus)
  h.observe(0.0011); // just above: the next one
  h.observe(61);     // past the last bound
  CHECK(h.counts[0] == 1);
  CHECK(h.counts[1] == 1);
  CHECK(h.counts.back() == 1);
}

TEST_CASE("a latency histogram scraped twice: the requests in between, and a restart counts from zero") {
  using faultlab::model::since;
  CHECK(since({1, 2, 3}, {4, 2, 5}) == std::vector<std::uint64_t>{3, 0, 2});
  // A counter went down: a new process, whose counters are all new.
  CHECK(since({5, 2, 3}, {1, 0, 0}) == std::vector<std::uint64_t>{1, 0, 0});
  CHECK(since({}, {1, 2}) == std::vector<std::uint64_t>{1, 2}); // the first scrape
}

TEST_CASE("an autoscaler on p99 latency adds instances when requests queue, and none when they do not") {
  // scaled(): one instance that finishes 20 requests a second, 30 arrive:
  // requests queue for the CPU and their time grows past the 200 ms target.
  json overloaded = scaled();
  auto& scaler = overloaded["components"]["scaler"];
  scaler.erase("target");
  scaler["metric"] = "p99_latency";
  scaler["target_latency"] = "200ms";
  TestRun run = run_text(overloaded.dump());
  auto ups = autoscale(run, "scale_up");
  REQUIRE(!ups.empty());
  CHECK(ups.front()["why"].get<std::string>().find("p99 latency averaged") != std::string::npos);
  CHECK(ups.front()["why"].get<std::string>().find("(target 200.0 ms)") != std::string::npos);
  // The sample that decided it was above the target.
  double decided_on = -1;
  for (const auto& e : autoscale(run, "sample"))
    if (e["t"] == ups.front()["t"]) decided_on = e.value("average", -1.0);
  CHECK(decided_on > 0.2);
  CHECK(served_by(run)["a-2"] > 0);

  // 3 a second on the same instance (15 % busy) and a 500 ms target: a
  // request waits behind one or two others at worst. (With some 15 requests
  // between two scrapes the p99 is about the slowest of them, and the
  // buckets put one of 150 ms near 250 ms: it is an estimate.)
  json light = overloaded;
  light["workload"]["clients"]["users"]["arrival"]["rate_per_s"] = 3;
  light["components"]["scaler"]["target_latency"] = "500ms";
  TestRun calm = run_text(light.dump());
  CHECK(autoscale(calm, "scale_up").empty());
  CHECK(served_by(calm)["a-2"] == 0);
  int samples = 0;
  for (const auto& e : autoscale(calm, "sample"))
    if (e.contains("value")) {
      ++samples;
      CHECK(e["value"].get<double>() < 0.5);
    }
  CHECK(samples > 20);
}
