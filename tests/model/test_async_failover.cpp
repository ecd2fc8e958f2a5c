// Asynchronous replication with a shipping delay: entries the primary's WAL
// sender has not shipped yet die with the primary. A crash alone (no
// partition, no pause) then loses writes the primary acknowledged, unless
// it acknowledges only after a majority applied them.
#include "../support/run_support.hpp"
#include "../support/scenario_text.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <utility>

using faultlab::history::Outcome;
using faultlab::testing::error_of;
using faultlab::testing::run_text;
using nlohmann::json;

namespace {

// Three database nodes; the WAL sender ships every 500 ms (at 0.5 s, 1 s,
// ...); db-1 dies at 6.45 s, 450 ms after its last round, and comes back at
// 10.45 s. Many keys, so that few lost writes are hidden by a later write
// to the same key.
json shipping_scenario(const std::string& ack) {
  return json::parse(R"({
    "title": "t", "lesson": "l",
    "topology": { "nodes": { "app": {}, "db-1": {}, "db-2": {}, "db-3": {} }, "latency": { "default": "1ms" } },
    "components": { "db": { "type": "replica_group", "primary": "db-1", "replicas": ["db-2", "db-3"],
                            "lag": "5ms", "ship_interval": "500ms", "read_policy": "primary", "ack": ")" +
                     ack + R"(",
                            "failover": { "quorum": true } } },
    "workload": { "duration": "12s", "settle": "3s",
      "clients": { "users": { "node": "app", "target": "db", "sessions": 20,
                              "arrival": { "rate_per_s": 40 }, "mix": { "read": 0.2, "write": 0.8 },
                              "keys": { "count": 1000 }, "timeout": "1s" } } },
    "faults": { "crash": { "type": "crash", "node": "db-1", "at": "6.45s", "duration": "4s" } },
    "checks": { "lost_writes": {}, "linearizable": {} }
  })");
}

using Write = std::pair<std::string, std::int64_t>; // key, value

struct Discards {
  std::set<Write> writes;
  int count = 0;
};

// Every discarded entry: the old primary's own term-1 writes, thrown away
// when it rejoined the new primary after its restart.
Discards discards_of(const std::vector<json>& events) {
  Discards out;
  for (const auto& e : events) {
    if (e["ev"] != "discard") continue;
    ++out.count;
    CHECK(e["node"] == "db-1");
    CHECK(e["origin"] == "db-1");
    CHECK(e["term"] == 1);
    CHECK(e["t"].get<double>() > 10.45);
    out.writes.insert({e["key"].get<std::string>(), e["value"].get<std::int64_t>()});
  }
  return out;
}

} // namespace

TEST_CASE("with a shipping delay, a primary crash alone loses acknowledged writes") {
  for (std::uint64_t seed : {1, 2, 3}) {
    INFO("seed " << seed);
    auto run = run_text(shipping_scenario("primary").dump(), seed);
    Discards discarded = discards_of(run.events);
    int acknowledged_then_discarded = 0;
    for (const auto& op : run.history.ops) {
      if (!op.is_write() || op.outcome != Outcome::ok || !op.value) continue;
      if (discarded.writes.count({op.key, *op.value}) == 0) continue;
      ++acknowledged_then_discarded;
      // Written after the sender's last round and before the crash: it was
      // only ever on db-1.
      CHECK(op.node == "db-1");
      CHECK(op.complete_s > 6.0);
      CHECK(op.complete_s < 6.45);
    }
    CHECK(acknowledged_then_discarded >= 3);
    CHECK(run.summary["counts"]["lost_writes"].get<int>() >= 1);
    CHECK(run.summary["counts"]["linearizable"].get<int>() >= 1);
  }
}

TEST_CASE(
    "with a shipping delay and majority acknowledgement, the crash discards only unacknowledged writes") {
  for (std::uint64_t seed : {1, 2, 3}) {
    INFO("seed " << seed);
    auto run = run_text(shipping_scenario("majority").dump(), seed);
    Discards discarded = discards_of(run.events);
    // Nothing acknowledged was only on db-1.
    for (const auto& op : run.history.ops)
      if (op.is_write() && op.outcome == Outcome::ok && op.value)
        CHECK(discarded.writes.count({op.key, *op.value}) == 0);
    CHECK(run.summary["counts"]["lost_writes"] == 0);
    CHECK(run.summary["counts"]["linearizable"] == 0);
    // Writes keep being acknowledged after the failover.
    int late_ok_writes = 0;
    for (const auto& op : run.history.ops)
      if (op.is_write() && op.outcome == Outcome::ok && op.invoke_s > 9.0) ++late_ok_writes;
    CHECK(late_ok_writes > 50);
  }
}

TEST_CASE("the crash cuts off the unshipped tail in both designs") {
  // With majority acks the unshipped entries are writes still waiting for
  // their answer: the same crash discards them, but their clients were told
  // nothing (their outcome is unknown).
  auto run = run_text(shipping_scenario("majority").dump(), 1);
  Discards discarded = discards_of(run.events);
  CHECK(discarded.count >= 3);
  for (const auto& op : run.history.ops)
    if (op.is_write() && op.value && discarded.writes.count({op.key, *op.value}) != 0)
      CHECK(op.outcome == Outcome::info);
}

TEST_CASE("ship_interval is read with units and bounded") {
  json s = shipping_scenario("primary");
  s["components"]["db"]["ship_interval"] = "soon";
  CHECK(error_of(s.dump()) ==
        "error[bad-duration]: x.json: /components/db/ship_interval: expected a duration with a "
        "unit, like \"250ms\" or \"3s\", got \"soon\"");
  s["components"]["db"]["ship_interval"] = "100us";
  CHECK(error_of(s.dump()) ==
        "error[bad-duration]: x.json: /components/db/ship_interval: expected a ship interval "
        "of 0 (ship each write at once) or at least 1ms");
  s["components"]["db"]["ship_interval"] = "0s";
  CHECK(error_of(s.dump()) == "no error");
}
