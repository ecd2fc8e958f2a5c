// Leader failover in the replica group, checked through the trace: the
// invariants a student would look for in the viewer.
#include "../support/run_support.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <set>

using faultlab::testing::run_file;
using faultlab::testing::run_text;
using faultlab::testing::TestRun;
using faultlab::testing::source_path;
using nlohmann::json;

namespace {

// Three database nodes, one client node, failover with majority votes.
json failover_scenario() {
  return json::parse(R"({
    "title": "t", "lesson": "l",
    "topology": { "nodes": { "app": {}, "db-1": {}, "db-2": {}, "db-3": {} }, "latency": { "default": "1ms" } },
    "components": { "db": { "type": "replica_group", "primary": "db-1", "replicas": ["db-2", "db-3"],
                            "lag": "5ms", "read_policy": "primary", "ack": "majority",
                            "failover": { "quorum": true, "lease": "500ms", "lease_check": "every_request",
                                          "lease_clock": "real", "fencing": true } } },
    "workload": { "duration": "20s", "settle": "3s",
      "clients": { "users": { "node": "app", "target": "db", "sessions": 20,
                              "arrival": { "rate_per_s": 40 }, "mix": { "read": 0.5, "write": 0.5 },
                              "keys": { "count": 10 }, "timeout": "500ms" } } },
    "faults": {},
    "checks": { "single_leader": {}, "lost_writes": {}, "linearizable": {} }
  })");
}

struct RoleChange {
  double t;
  std::string node;
  std::string role;
  std::int64_t term;
};

std::vector<RoleChange> role_changes(const std::vector<json>& events) {
  std::vector<RoleChange> out;
  for (const auto& e : events)
    if (e["ev"] == "state" && e.contains("role"))
      out.push_back({e["t"].get<double>(), e["node"], e["role"], e["term"].get<std::int64_t>()});
  return out;
}

// No term ever has two primaries, and no node's term goes back.
void check_role_invariants(const std::vector<json>& events) {
  std::map<std::int64_t, std::set<std::string>> primaries_by_term;
  std::map<std::string, std::int64_t> last_term;
  for (const auto& c : role_changes(events)) {
    if (c.role == "primary") primaries_by_term[c.term].insert(c.node);
    INFO(c.node << " went from term " << last_term[c.node] << " to " << c.term);
    CHECK(c.term >= last_term[c.node]);
    last_term[c.node] = c.term;
  }
  for (const auto& [term, nodes] : primaries_by_term) {
    INFO("term " << term);
    CHECK(nodes.size() == 1);
  }
}

} // namespace

TEST_CASE("a crashed primary is replaced by a majority vote, one primary per term, nothing acknowledged is lost") {
  json s = failover_scenario();
  s["faults"]["crash"] = {{"type", "crash"}, {"node", "db-1"}, {"at", "5s"}, {"duration", "6s"}};
  for (std::uint64_t seed : {1, 2, 3}) {
    auto run = run_text(s.dump(), seed);
    check_role_invariants(run.events);
    auto changes = role_changes(run.events);
    bool replaced = false;
    for (const auto& c : changes)
      if (c.role == "primary" && c.node != "db-1" && c.t > 5.0 && c.t < 8.0) replaced = true;
    CHECK(replaced);
    CHECK(run.summary["counts"]["single_leader"] == 0);
    CHECK(run.summary["counts"]["lost_writes"] == 0);
    CHECK(run.summary["counts"]["linearizable"] == 0);
    // Clients found the new primary: writes succeed again well before the end.
    int late_ok_writes = 0;
    for (const auto& op : run.history.ops)
      if (op.is_write() && op.outcome == faultlab::history::Outcome::ok && op.invoke_s > 9.0) ++late_ok_writes;
    CHECK(late_ok_writes > 50);
  }
}

TEST_CASE("with a lease, a primary cut off from the majority steps down before anyone else is elected") {
  json s = failover_scenario();
  s["faults"]["cut"] = {{"type", "partition"}, {"at", "5s"}, {"duration", "6s"},
                        {"groups", {{"alone", {"db-1"}}, {"rest", {"db-2", "db-3", "app"}}}}};
  auto run = run_text(s.dump(), 4);
  check_role_invariants(run.events);
  double stepped_down = -1, elected = -1;
  for (const auto& c : role_changes(run.events)) {
    if (c.node == "db-1" && c.role == "replica" && stepped_down < 0 && c.t > 5.0) stepped_down = c.t;
    if (c.node != "db-1" && c.role == "primary" && elected < 0) elected = c.t;
  }
  REQUIRE(stepped_down > 0);
  REQUIRE(elected > 0);
  CHECK(stepped_down < 5.0 + 0.5 + 0.2); // lease plus one failure-detector tick
  CHECK(stepped_down < elected);
  CHECK(run.summary["counts"]["single_leader"] == 0);
}

TEST_CASE("when logs disagree after a partition, the loser's entries are discarded and traced") {
  auto run = run_file(source_path("scenarios/split-brain.json"), "quorum", 1);
  int discards = 0;
  for (const auto& e : run.events)
    if (e["ev"] == "discard") {
      ++discards;
      CHECK(e["node"] == "db-1");      // the old primary in the minority
      CHECK(e["origin"] == "db-1");    // wrote them itself
      CHECK(e["term"] == 1);           // in the term it lost
      CHECK(e["t"].get<double>() > 23.0); // after the partition healed
    }
  CHECK(discards > 50);
  check_role_invariants(run.events);
}

TEST_CASE("fencing: a woken-up primary's entries are refused by replicas that saw a newer term") {
  auto run = run_file(source_path("scenarios/gc-pause.json"), "fenced", 1);
  // db-1 learns about the new term from a refusal, not from waiting for its lease.
  bool stepped_down_on_term = false;
  for (const auto& e : run.events)
    if (e["ev"] == "state" && e["node"] == "db-1" && e.value("role", "") == "replica" &&
        e.value("why", "").rfind("saw term", 0) == 0)
      stepped_down_on_term = true;
  CHECK(stepped_down_on_term);
  // None of the writes it took after waking up was acknowledged.
  for (const auto& op : run.history.ops)
    if (op.is_write() && op.node == "db-1" && op.outcome == faultlab::history::Outcome::ok)
      CHECK(op.complete_s < 10.0);
}

TEST_CASE("without failover the primary never changes, even across its own crash") {
  json s = failover_scenario();
  s["components"]["db"].erase("failover");
  s["faults"]["crash"] = {{"type", "crash"}, {"node", "db-1"}, {"at", "5s"}, {"duration", "2s"}};
  auto run = run_text(s.dump(), 1);
  for (const auto& c : role_changes(run.events)) {
    if (c.node == "db-1") CHECK(c.role == "primary");
    else CHECK(c.role == "replica");
  }
  // While it is down, writes time out; after it restarts they succeed again.
  for (const auto& op : run.history.ops) {
    if (!op.is_write() || op.final_read) continue;
    if (op.invoke_s > 5.0 && op.invoke_s < 6.9) CHECK(op.outcome == faultlab::history::Outcome::info);
    if (op.invoke_s > 7.5) CHECK(op.outcome == faultlab::history::Outcome::ok);
  }
}

TEST_CASE("a node crashing with messages on the wire does not stop the run, and the fixed design stays correct") {
  for (std::uint64_t seed : {1, 2, 3}) {
    auto run = run_file(source_path("scenarios/split-brain.json"), "fixed", seed,
                        {"faults.replica-crash={\"type\":\"crash\",\"node\":\"db-2\",\"at\":\"5s\",\"duration\":\"1s\"}"});
    check_role_invariants(run.events);
    CHECK(run.summary["counts"]["single_leader"] == 0);
    CHECK(run.summary["counts"]["lost_writes"] == 0);
    CHECK(run.summary["counts"]["linearizable"] == 0);
  }
}

TEST_CASE("a message cut on the wire by its sender's crash does not leave the receiver deaf") {
  // db-1 dies 0.3 s after a heartbeat round on seed 5: a heartbeat to db-2
  // is on the wire. A poll that waited for it to complete never heard a
  // vote request again, and no primary was ever elected.
  auto run = faultlab::testing::run_file(faultlab::testing::source_path("scenarios/async-failover.json"), "broken", 5,
                                         {"faults.db-1-host-dies.at=12.3s", "components.orders.ship_interval=null"});
  std::set<std::string> primaries;
  for (const auto& e : run.events)
    if (e.value("ev", "") == "state" && e.value("role", "") == "primary") primaries.insert(e.value("node", ""));
  INFO("primaries seen: " << primaries.size());
  CHECK(primaries.size() >= 2); // db-1 at the start, then the one elected after its crash
  CHECK(run.summary["ops"]["fail"].get<int>() == 0);
}

TEST_CASE("a lease measured on the wall clock outlives a clock stepped back; on the monotonic clock it does not") {
  // A second client group next to db-1, so that someone still talks to it
  // while it is cut off; both groups use the same keys.
  json s = failover_scenario();
  s["topology"]["nodes"]["app-1"] = json::object();
  s["workload"]["clients"]["near"] = s["workload"]["clients"]["users"];
  s["workload"]["clients"]["near"]["node"] = "app-1";
  s["faults"]["cut"] = {{"type", "partition"}, {"at", "5s"}, {"duration", "6s"},
                        {"groups", {{"alone", {"db-1", "app-1"}}, {"rest", {"db-2", "db-3", "app"}}}}};
  // An operator (or a confused NTP daemon) sets db-1's clock 10 s back.
  s["faults"]["ntp"] = {{"type", "clock"}, {"node", "db-1"}, {"at", "5.2s"}, {"duration", "6s"}, {"offset", "-10s"}};
  for (const char* clock : {"wall", "local"}) {
    s["components"]["db"]["failover"]["lease_clock"] = clock;
    auto run = run_text(s.dump(), 2);
    check_role_invariants(run.events);
    double stepped_down = -1, elected = -1;
    for (const auto& c : role_changes(run.events)) {
      if (c.node == "db-1" && c.role == "replica" && stepped_down < 0 && c.t > 5.0) stepped_down = c.t;
      if (c.node != "db-1" && c.role == "primary" && elected < 0) elected = c.t;
    }
    INFO("lease_clock " << clock << ": db-1 stepped down at " << stepped_down << ", new primary at " << elected);
    REQUIRE(elected > 0);
    if (std::string(clock) == "wall") {
      // Its lease looks 10 s younger: it serves reads next to a new primary.
      CHECK((stepped_down < 0 || stepped_down > elected));
      CHECK(run.summary["counts"]["linearizable"].get<int>() >= 1);
    } else {
      CHECK(stepped_down > 0);
      CHECK(stepped_down < elected);
      CHECK(run.summary["counts"]["linearizable"] == 0);
    }
  }
}

TEST_CASE("a primary whose clock runs at half speed keeps its lease twice as long") {
  json s = failover_scenario();
  s["components"]["db"]["failover"]["lease_clock"] = "local";
  s["faults"]["cut"] = {{"type", "partition"}, {"at", "5s"}, {"duration", "6s"},
                        {"groups", {{"alone", {"db-1"}}, {"rest", {"db-2", "db-3", "app"}}}}};
  auto stepped_down_at = [](const TestRun& run) {
    for (const auto& c : role_changes(run.events))
      if (c.node == "db-1" && c.role == "replica" && c.t > 5.0) return c.t;
    return -1.0;
  };
  const double on_time = stepped_down_at(run_text(s.dump(), 4));
  s["faults"]["slow-clock"] = {{"type", "clock"}, {"node", "db-1"}, {"at", "4s"}, {"duration", "8s"}, {"drift", -0.5}};
  const double late = stepped_down_at(run_text(s.dump(), 4));
  INFO("db-1 stepped down at " << on_time << " s with a good clock, at " << late << " s with a slow one");
  REQUIRE(on_time > 0);
  REQUIRE(late > 0);
  // The 500 ms lease runs out on db-1's clock: 500 ms of real time with a
  // good clock, 1 s with one at half speed (plus up to one 100 ms tick).
  CHECK(on_time - 5.0 < 0.5 + 0.2);
  CHECK(late - 5.0 > 0.95);
  CHECK(late - 5.0 < 1.0 + 0.2);
}
