// Planted-bug tests: mutation testing of the oracle. A checker that never
// fires looks exactly like a design that is correct, so each checker is
// shown a bug it exists to catch, planted two ways, in runs of real
// designs:
//
// 1. In the model: a design that is correct for the checker finds nothing on
//    a few seeds; the same design with one named design choice turned back
//    into the bug (--set overrides) makes the checker fire on every seed, and
//    every violation names real ops of the history, shaped as the checker
//    promises (a lost write names an acknowledged write and the final read of
//    its key, ...).
// 2. In the history: the correct run's own history, corrupted in the
//    smallest way that is the bug as clients would see it (one read that
//    returns an older value, one more charge in the ledger, ...), makes the
//    checker fire and point at the corrupted op. Where a checker judges a
//    rate (availability, latency_slo, shard_skew) the corruption is the least
//    that crosses its threshold, and one op less must not fire.
//
// Checkers on hand-made histories are tested beside each checker
// (tests/check/test_<checker>.cpp); these use the histories of real runs.
#include "../support/planted.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace faultlab::testing::planted;
using faultlab::check::CheckOptions;

namespace {

const std::vector<std::uint64_t> kSeeds = {1, 2, 3};
const std::vector<std::uint64_t> kFewSeeds = {1, 2}; // designs whose runs take half a second or more

bool ok_write(const Op& op) {
  return op.is_write() && op.outcome == Outcome::ok;
}
bool ok_read(const Op& op) {
  return op.is_read() && op.outcome == Outcome::ok;
}

bool same_key(const Violation& v, const OpIndex& ops) {
  for (std::int64_t id : v.ops)
    if (ops.at(id).key != ops.at(v.ops.front()).key) return false;
  return true;
}

// Ops `f` of the clients (not final reads) whose invoke falls in [start, start + length).
std::vector<Op*> in_window(History& history, const std::string& f, double start_s, double length_s) {
  std::vector<Op*> out;
  for (Op& op : history.ops)
    if (op.f == f && !op.final_read && op.invoke_s >= start_s && op.invoke_s < start_s + length_s)
      out.push_back(&op);
  return out;
}

const Violation* violation_at(const std::vector<Violation>& found, double time_s,
                              const std::string& text = "") {
  for (const Violation& v : found)
    if (v.time_s == time_s && v.message.find(text) != std::string::npos) return &v;
  return nullptr;
}

// Every incident violation: the incident (an ok op of the database, named
// `f`) last, and before it only requests invoked after it that did not
// succeed.
Shape incident_shape(const std::string& f) {
  return [f](const Violation& v, const OpIndex& ops, const Run&) {
    const Op& incident = ops.at(v.ops.back());
    if (incident.f != f || incident.outcome != Outcome::ok) return false;
    for (std::size_t i = 0; i + 1 < v.ops.size(); ++i)
      if (ops.at(v.ops[i]).outcome == Outcome::ok || ops.at(v.ops[i]).invoke_s < incident.invoke_s)
        return false;
    return true;
  };
}

// Inserts a database incident (as the database model records one) at `at_s`
// and turns the first ok client request invoked at or after each of
// `failed_at_s` into a failure; returns the incident's id and those requests'.
std::pair<std::int64_t, std::vector<std::int64_t>> plant_incident(History& history, const std::string& f,
                                                                  const std::string& database,
                                                                  const std::string& node, double at_s,
                                                                  const std::vector<double>& failed_at_s) {
  std::vector<std::int64_t> failed;
  for (double t : failed_at_s) {
    auto it = std::find_if(history.ops.begin(), history.ops.end(), [&](const Op& op) {
      return op.invoke_s >= t && op.client != database && !op.final_read && op.outcome == Outcome::ok;
    });
    REQUIRE(it != history.ops.end());
    it->outcome = Outcome::fail;
    it->error = "the database is down";
    failed.push_back(it->id);
  }
  Op incident;
  incident.id = next_id(history);
  incident.client = database;
  incident.f = f;
  incident.key = node;
  incident.node = node;
  incident.invoke_s = incident.complete_s = at_s;
  incident.outcome = Outcome::ok;
  incident.error = "planted";
  insert_sorted(history, incident);
  return {incident.id, failed};
}

// Makes the first ok read (among those `eligible` accepts) that began more
// than `margin_s` after an ok write of its key was acknowledged return a
// value older than the latest such write; returns the read's id.
std::int64_t plant_old_value(History& h, const std::function<bool(const Op&)>& eligible,
                             double margin_s = 0) {
  for (Op& r : h.ops) {
    if (!ok_read(r) || r.final_read || !eligible(r)) continue;
    const Op* newer = nullptr;
    for (const Op& w : h.ops)
      if (ok_write(w) && w.key == r.key && w.complete_s + margin_s < r.invoke_s &&
          (newer == nullptr || w.complete_s > newer->complete_s))
        newer = &w;
    if (newer == nullptr) continue;
    r.value = older_value(h, *newer);
    return r.id;
  }
  FAIL("no read to plant an old value in");
  return 0;
}

} // namespace

TEST_CASE("planted: read_your_writes catches a session that does not read its own writes") {
  const Shape shape = [](const Violation& v, const OpIndex& ops, const Run&) {
    if (v.ops.size() != 2) return false;
    const Op& w = ops.at(v.ops[0]);
    const Op& r = ops.at(v.ops[1]);
    return ok_write(w) && ok_read(r) && !r.final_read && w.client == r.client && w.process == r.process &&
           w.key == r.key && w.complete_s <= r.invoke_s && r.value != w.value;
  };
  // Model: read-your-writes sessions off (the replicas lag 200 ms to 1.5 s).
  const Design design{"replica-lag", "fixed", {"workload.duration=10s"}};
  auto runs = plant_in_model("read_your_writes", design, {"components.profiles.read_your_writes=false"},
                             kSeeds, shape);

  // History: one read of a session's own key, after its write was
  // acknowledged, returns a value from before that write.
  for (const Run& run : runs) {
    History h = run.history;
    const Op* read = nullptr;
    const Op* own = nullptr;
    for (const Op& r : h.ops) {
      if (!ok_read(r) || r.final_read) continue;
      own = nullptr;
      for (const Op& w : h.ops)
        if (ok_write(w) && w.client == r.client && w.process == r.process && w.key == r.key &&
            w.complete_s < r.invoke_s && (own == nullptr || w.complete_s > own->complete_s))
          own = &w;
      if (own != nullptr) {
        read = &r;
        break;
      }
    }
    REQUIRE(read != nullptr);
    const std::int64_t read_id = read->id;
    op_with_id(h, read_id).value = older_value(h, *own);
    const auto found = judge(run, h, "read_your_writes");
    REQUIRE(found.size() == 1);
    CHECK(found.front().ops.back() == read_id);
    CHECK(shape(found.front(), OpIndex(h), run));
  }
}

TEST_CASE("planted: stale_read catches reads from lagging followers") {
  const Shape shape = [](const Violation& v, const OpIndex& ops, const Run& run) {
    if (v.ops.size() != 2) return false;
    const Op& w = ops.at(v.ops[0]);
    const Op& r = ops.at(v.ops[1]);
    return ok_write(w) && ok_read(r) && !r.final_read && w.key == r.key &&
           r.invoke_s - w.complete_s > options_of(run, "stale_read").stale_bound_s;
  };
  // Model: every read from the primary, then reads from any replica.
  const Design design{
      "replica-lag", "broken", {"workload.duration=10s", "components.profiles.read_policy=primary"}};
  auto runs =
      plant_in_model("stale_read", design, {"components.profiles.read_policy=any_replica"}, kSeeds, shape);

  // History: one read returns a value older than a write acknowledged before it began.
  for (const Run& run : runs) {
    History h = run.history;
    const std::int64_t read = plant_old_value(h, [](const Op&) { return true; });
    const auto found = judge(run, h, "stale_read");
    REQUIRE(found.size() == 1);
    CHECK(found.front().ops.back() == read);
    CHECK(shape(found.front(), OpIndex(h), run));
  }
}

TEST_CASE("planted: linearizable catches follower reads and a lease on a clock that stops") {
  const Shape shape = [](const Violation& v, const OpIndex& ops, const Run&) {
    const Op& stuck = ops.at(v.ops.back());
    return same_key(v, ops) && (stuck.is_read() || stuck.is_write()) && stuck.outcome == Outcome::ok;
  };
  SECTION("reads from followers") {
    const Design design{
        "replica-lag",
        "broken",
        {"workload.duration=10s", "components.profiles.read_policy=primary", "checks.linearizable={}"}};
    auto runs = plant_in_model("linearizable", design, {"components.profiles.read_policy=any_replica"},
                               kSeeds, shape);
    // History: one read returns a value older than a write acknowledged before it began.
    for (const Run& run : runs) {
      History h = run.history;
      const std::int64_t read = plant_old_value(h, [](const Op&) { return true; });
      const auto found = judge(run, h, "linearizable");
      REQUIRE(found.size() == 1);
      CHECK(found.front().ops.back() == read);
    }
  }
  SECTION("a lease measured on the primary's own clock, which stops while it is paused") {
    // gc-pause fixed checks the lease before every request on a clock that
    // keeps counting; on the node's own clock the paused primary wakes up
    // believing its lease is still good and answers reads from its old state.
    const Design design{"gc-pause", "fixed", {}};
    auto runs = plant_in_model("linearizable", design, {"components.orders.failover.lease_clock=local"},
                               kSeeds, shape);
    // History: the same corruption in a history with timeouts and 10 hot keys.
    for (const Run& run : runs) {
      History h = run.history;
      const std::int64_t read = plant_old_value(h, [](const Op&) { return true; });
      const auto found = judge(run, h, "linearizable");
      REQUIRE(found.size() == 1);
      CHECK(found.front().ops.back() == read);
    }
  }
}

TEST_CASE("planted: lost_writes catches writes acknowledged by the primary alone before a failover") {
  const Shape shape = [](const Violation& v, const OpIndex& ops, const Run&) {
    if (v.ops.size() != 2) return false;
    const Op& w = ops.at(v.ops[0]);
    const Op& last = ops.at(v.ops[1]);
    return ok_write(w) && ok_read(last) && last.final_read && w.key == last.key && last.value != w.value;
  };
  // Model: acknowledgement once a majority applied the write, then by the
  // primary alone (the primary ships its log every 500 ms and crashes).
  const Design design{"async-failover", "fixed", {}};
  auto runs = plant_in_model("lost_writes", design, {"components.orders.ack=primary"}, kSeeds, shape);

  // History: the final read of a key no longer shows its last acknowledged
  // write, but the value before it.
  for (const Run& run : runs) {
    History h = run.history;
    Op* last = nullptr;
    const Op* write = nullptr;
    for (Op& f : h.ops) {
      if (!ok_read(f) || !f.final_read || !f.value) continue;
      auto it = std::find_if(h.ops.begin(), h.ops.end(), [&](const Op& w) {
        return ok_write(w) && w.key == f.key && w.value == f.value;
      });
      if (it == h.ops.end()) continue;
      last = &f;
      write = &*it;
      break;
    }
    REQUIRE(last != nullptr);
    last->value = older_value(h, *write);
    const auto found = judge(run, h, "lost_writes");
    REQUIRE(!found.empty());
    bool named = false;
    for (const Violation& v : found) {
      CHECK(v.ops.back() == last->id); // only the corrupted final read can lose writes
      named = named || v.ops == std::vector<std::int64_t>{write->id, last->id};
    }
    CHECK(named);
  }
}

TEST_CASE("planted: single_leader catches an old primary that keeps acknowledging writes") {
  const Shape shape = [](const Violation& v, const OpIndex& ops, const Run&) {
    if (v.ops.size() != 3) return false;
    const Op& before = ops.at(v.ops[0]);
    const Op& rival = ops.at(v.ops[1]);
    const Op& after = ops.at(v.ops[2]);
    return ok_write(before) && ok_write(rival) && ok_write(after) && before.node == after.node &&
           rival.node != before.node && before.complete_s < rival.invoke_s &&
           rival.complete_s < after.invoke_s;
  };
  // Model: split-brain's fixed design without its lease, and with writes
  // acknowledged by the primary alone (majority votes kept): the primary cut
  // off by the partition keeps taking writes while the other side elects one.
  const Design design{"split-brain", "fixed", {}};
  auto runs = plant_in_model("single_leader", design,
                             {"components.accounts.ack=primary", "components.accounts.failover.lease=null",
                              "components.accounts.failover.lease_check=null"},
                             kSeeds, shape);

  // History: one write in the middle of a primary's tenure is acknowledged
  // by another member instead.
  for (const Run& run : runs) {
    History h = run.history;
    std::map<std::pair<std::string, std::int64_t>, std::vector<Op*>> tenures;
    for (Op& op : h.ops)
      if (ok_write(op) && !op.node.empty()) tenures[{op.node, op.term.value_or(0)}].push_back(&op);
    auto longest = std::max_element(tenures.begin(), tenures.end(), [](const auto& a, const auto& b) {
      return a.second.size() < b.second.size();
    });
    REQUIRE(longest != tenures.end());
    std::vector<Op*>& writes = longest->second;
    REQUIRE(writes.size() >= 3);
    double first_done_s = faultlab::history::kNever, last_started_s = 0;
    for (const Op* w : writes) {
      first_done_s = std::min(first_done_s, w->complete_s);
      last_started_s = std::max(last_started_s, w->invoke_s);
    }
    Op* moved = writes[writes.size() / 2];
    REQUIRE(first_done_s < moved->invoke_s);
    REQUIRE(moved->complete_s < last_started_s);
    const std::string primary = moved->node;
    moved->node = primary == "db-1" ? "db-2" : "db-1";
    const auto found = judge(run, h, "single_leader");
    REQUIRE(found.size() == 1);
    CHECK(found.front().ops[1] == moved->id);
    CHECK(shape(found.front(), OpIndex(h), run));
  }
}

TEST_CASE("planted: stale_cache catches a cache that is never invalidated") {
  const Shape shape = [](const Violation& v, const OpIndex& ops, const Run& run) {
    const CheckOptions& options = options_of(run, "stale_cache");
    const Op& w = ops.at(v.ops[0]);
    if (v.ops.size() < 2 || !ok_write(w) || !same_key(v, ops)) return false;
    for (std::size_t i = 1; i < v.ops.size(); ++i) {
      const Op& r = ops.at(v.ops[i]);
      const bool from_cache = std::find(options.cache_nodes.begin(), options.cache_nodes.end(), r.node) !=
                              options.cache_nodes.end();
      if (!ok_read(r) || !from_cache || !(r.invoke_s - w.complete_s > options.stale_bound_s)) return false;
    }
    return true;
  };
  // Model: leases on fills, then no invalidation on writes at all (the 20 s TTL is left).
  const Design design{"cache-invalidation", "fixed", {"workload.duration=15s"}};
  auto runs =
      plant_in_model("stale_cache", design, {"components.catalog-cache.invalidation=none"}, kSeeds, shape);

  // History: one cache hit, more than the bound after a write of its key
  // was acknowledged, returns a value older than that write.
  for (const Run& run : runs) {
    History h = run.history;
    const CheckOptions& options = options_of(run, "stale_cache");
    const auto from_cache = [&](const Op& r) {
      return std::find(options.cache_nodes.begin(), options.cache_nodes.end(), r.node) !=
             options.cache_nodes.end();
    };
    const std::int64_t read = plant_old_value(h, from_cache, options.stale_bound_s + 0.5);
    const auto found = judge(run, h, "stale_cache");
    REQUIRE(found.size() == 1);
    CHECK(found.front().ops == std::vector<std::int64_t>{found.front().ops.front(), read});
    CHECK(shape(found.front(), OpIndex(h), run));
  }
}

TEST_CASE("planted: shard_skew catches sharding by a key whose values are not spread") {
  const Shape shape = [](const Violation& v, const OpIndex& ops, const Run& run) {
    const CheckOptions& options = options_of(run, "shard_skew");
    const std::string& shard = ops.at(v.ops.front()).node;
    if (std::find(options.shard_nodes.begin(), options.shard_nodes.end(), shard) == options.shard_nodes.end())
      return false;
    if (v.message.rfind(shard + " took ", 0) != 0) return false;
    for (std::int64_t id : v.ops) {
      const Op& op = ops.at(id);
      if (op.node != shard || op.invoke_s < v.time_s || op.invoke_s >= v.time_s + options.window_s)
        return false;
    }
    return true;
  };
  // Model: sharded by customer and order, then by customer alone (a few
  // customers have most of the orders).
  const Design design{"hot-shard", "fixed", {"workload.duration=5s"}};
  auto runs = plant_in_model("shard_skew", design, {"components.orders.shard_key=tenant"}, kFewSeeds, shape);

  // History: the fewest requests of the first window moved onto the first
  // shard that make it more than `bound` times the mean load; one fewer is
  // within the bound. (The violation lists the hot shard's slowest requests,
  // which need not be the moved ones: it points at the shard and window.)
  for (const Run& run : runs) {
    const CheckOptions& options = options_of(run, "shard_skew");
    const std::string hot = options.shard_nodes.front();
    const auto plant = [&](bool one_fewer) {
      History h = run.history;
      std::vector<Op*> others;
      std::size_t total = 0, on_hot = 0;
      for (Op& op : h.ops) {
        const bool on_shard = std::find(options.shard_nodes.begin(), options.shard_nodes.end(), op.node) !=
                              options.shard_nodes.end();
        if (op.final_read || !on_shard || op.invoke_s >= options.window_s) continue;
        ++total;
        if (op.node == hot)
          ++on_hot;
        else
          others.push_back(&op);
      }
      const double mean = static_cast<double>(total) / static_cast<double>(options.shard_nodes.size());
      std::size_t moved = 0;
      while (!(static_cast<double>(on_hot + moved) / mean > options.skew_bound))
        ++moved;
      REQUIRE(moved >= 1);
      REQUIRE(moved <= others.size());
      if (one_fewer) --moved;
      for (std::size_t i = 0; i < moved; ++i)
        others[i]->node = hot;
      return judge(run, h, "shard_skew");
    };
    const auto found = plant(false);
    REQUIRE(found.size() == 1);
    CHECK(found.front().time_s == 0);
    CHECK(found.front().message.rfind(hot + " took ", 0) == 0);
    CHECK(plant(true).empty());
  }
}

TEST_CASE("planted: oversell catches check-then-act without a lock") {
  const Shape shape = [](const Violation& v, const OpIndex& ops, const Run&) {
    if (v.ops.size() == 1 && ops.at(v.ops[0]).final_read) {
      const Op& stock = ops.at(v.ops[0]);
      return ok_read(stock) && stock.value && *stock.value < 0;
    }
    for (std::int64_t id : v.ops)
      if (ops.at(id).f != "buy" || ops.at(id).outcome != Outcome::ok) return false;
    return true;
  };
  // Model: one conditional UPDATE, then a read and a later write (with the
  // shop's work in between) and no lock.
  const Design design{"inventory-race", "atomic", {}};
  auto runs = plant_in_model("oversell", design, {"components.stock.buy=read_then_write"}, kSeeds, shape);

  for (const Run& run : runs) {
    {
      // History: a buyer told sold out is told it got the last unit too.
      History h = run.history;
      double last_sale_s = 0;
      for (const Op& op : h.ops)
        if (op.f == "buy" && op.outcome == Outcome::ok) last_sale_s = std::max(last_sale_s, op.complete_s);
      auto refused = std::find_if(h.ops.begin(), h.ops.end(), [&](const Op& op) {
        return op.f == "buy" && op.outcome == Outcome::fail && op.complete_s > last_sale_s;
      });
      REQUIRE(refused != h.ops.end());
      refused->outcome = Outcome::ok;
      refused->error.clear();
      const auto found = judge(run, h, "oversell");
      REQUIRE(found.size() == 1);
      CHECK(found.front().ops == std::vector<std::int64_t>{refused->id});
    }
    {
      // History: the stock read after the run is below zero.
      History h = run.history;
      auto stock =
          std::find_if(h.ops.begin(), h.ops.end(), [](const Op& op) { return ok_read(op) && op.final_read; });
      REQUIRE(stock != h.ops.end());
      stock->value = -1;
      const auto found = judge(run, h, "oversell");
      REQUIRE(found.size() == 1);
      CHECK(found.front().ops == std::vector<std::int64_t>{stock->id});
    }
  }
}

TEST_CASE("planted: availability catches an outage the design has no redundancy for") {
  const Shape shape = [](const Violation& v, const OpIndex& ops, const Run& run) {
    const double window_s = options_of(run, "availability").window_s;
    for (std::int64_t id : v.ops) {
      const Op& op = ops.at(id);
      if (op.outcome == Outcome::ok || op.f != ops.at(v.ops.front()).f || op.invoke_s < v.time_s ||
          op.invoke_s >= v.time_s + window_s)
        return false;
    }
    return true;
  };
  // Model: redis-spof's fixed design (retries, fail-open rate limiting, a
  // Redis replica that takes over) without the replica. Shortened: Redis
  // dies at 12 s for 6 s of a 25 s run.
  const Design design{
      "redis-spof",
      "fixed",
      {"workload.duration=25s", "faults.redis-dies-at-peak.at=12s", "faults.redis-dies-at-peak.duration=6s"}};
  auto runs = plant_in_model("availability", design, {"components.redis.replicas=[]"}, kFewSeeds, shape);

  // History: in the window [5 s, 10 s), the fewest feed requests turned into
  // failures that take the endpoint below its SLO; one fewer stays above it.
  for (const Run& run : runs) {
    const CheckOptions& options = options_of(run, "availability");
    const double start_s = options.window_s;
    const auto plant = [&](bool one_fewer, std::vector<std::int64_t>& failed) {
      History h = run.history;
      std::vector<Op*> ops = in_window(h, "feed", start_s, options.window_s);
      std::vector<Op*> ok;
      for (Op* op : ops)
        if (op->outcome == Outcome::ok) ok.push_back(op);
      const double attempts = static_cast<double>(ops.size());
      REQUIRE(attempts >= static_cast<double>(options.min_window_ops));
      std::size_t n = 0;
      while (!(static_cast<double>(ok.size() - n) / attempts < options.slo))
        ++n;
      REQUIRE(n >= 1);
      if (one_fewer) --n;
      for (std::size_t i = 0; i < n; ++i) {
        ok[i]->outcome = Outcome::fail;
        ok[i]->error = "planted";
        failed.push_back(ok[i]->id);
      }
      return judge(run, h, "availability");
    };
    std::vector<std::int64_t> failed;
    const auto found = plant(false, failed);
    REQUIRE(found.size() == 1);
    const Violation* v = violation_at(found, start_s, "endpoint feed:");
    REQUIRE(v != nullptr);
    CHECK(v->ops.front() == failed.front());
    for (std::int64_t id : v->ops)
      CHECK(contains(failed, id));
    std::vector<std::int64_t> unused;
    CHECK(plant(true, unused).empty());
  }
}

TEST_CASE("planted: latency_slo catches a query without its index and a migration without lock_timeout") {
  const Shape shape = [](const Violation& v, const OpIndex& ops, const Run& run) {
    const CheckOptions& options = options_of(run, "latency_slo");
    for (std::int64_t id : v.ops) {
      const Op& op = ops.at(id);
      const bool slow = op.complete_s - op.invoke_s > options.latency_bound_s;
      if ((op.outcome == Outcome::ok && !slow) || op.f != ops.at(v.ops.front()).f || op.invoke_s < v.time_s ||
          op.invoke_s >= v.time_s + options.window_s)
        return false;
    }
    return true;
  };
  SECTION("an index removed") {
    // Model: index-growth's fixed design (an index on created_at) without
    // that index, over 120 days of growth.
    const Design design{"index-growth", "fixed", {"workload.duration=120d"}};
    auto runs =
        plant_in_model("latency_slo", design, {R"(components.db.tables.orders.indexes=[{"column":"id"}])"},
                       kFewSeeds, shape);

    // History: in the fourth week, the fewest dashboard queries made slower
    // than the bound that break the p99; one fewer does not.
    for (const Run& run : runs) {
      const CheckOptions& options = options_of(run, "latency_slo");
      const double start_s = 3 * options.window_s;
      const auto plant = [&](bool one_fewer, std::vector<std::int64_t>& slowed) {
        History h = run.history;
        std::vector<Op*> ops = in_window(h, "yesterday", start_s, options.window_s);
        std::vector<Op*> good;
        for (Op* op : ops)
          if (op->outcome == Outcome::ok && op->complete_s - op->invoke_s <= options.latency_bound_s)
            good.push_back(op);
        const double attempts = static_cast<double>(ops.size());
        REQUIRE(attempts >= static_cast<double>(options.min_window_ops));
        std::size_t n = 0;
        while (!(static_cast<double>(good.size() - n) / attempts < options.latency_percentile))
          ++n;
        REQUIRE(n >= 1);
        if (one_fewer) --n;
        for (std::size_t i = 0; i < n; ++i) {
          good[i]->complete_s = good[i]->invoke_s + options.latency_bound_s + 1.0;
          slowed.push_back(good[i]->id);
        }
        return judge(run, h, "latency_slo");
      };
      std::vector<std::int64_t> slowed;
      const auto found = plant(false, slowed);
      REQUIRE(found.size() == 1);
      const Violation* v = violation_at(found, start_s, "endpoint yesterday:");
      REQUIRE(v != nullptr);
      CHECK(v->ops.front() == slowed.front());
      for (std::int64_t id : v->ops)
        CHECK(contains(slowed, id));
      std::vector<std::int64_t> unused;
      CHECK(plant(true, unused).empty());
    }
  }
  SECTION("lock_timeout removed") {
    // Model: alter-table-lock's migration with lock_timeout and retries,
    // then without lock_timeout: its ALTER waits behind the report and every
    // query queues behind the ALTER.
    const Design design{"alter-table-lock", "fixed-lock-timeout", {"workload.duration=45s"}};
    plant_in_model("latency_slo", design, {"components.db.queries.add_column.lock_timeout=null"}, kFewSeeds,
                   shape);
  }
}

TEST_CASE("planted: double_charge catches retries without an idempotency key") {
  const Shape shape = [](const Violation& v, const OpIndex& ops, const Run&) {
    std::size_t settled = 0;
    for (std::int64_t id : v.ops)
      if (ops.at(id).f == "settled" && ops.at(id).outcome == Outcome::ok) ++settled;
    return settled >= 2 && same_key(v, ops);
  };
  // Model: every attempt for an order carries the key pay-<order>, then none does.
  const Design design{"payment-idempotency", "idempotent", {}};
  auto runs = plant_in_model("double_charge", design, {"components.shop.charge.idempotency_key=false"},
                             kSeeds, shape);

  // History: the provider's ledger settles one order's charge a second time, a second later.
  for (const Run& run : runs) {
    History h = run.history;
    auto first = std::find_if(h.ops.begin(), h.ops.end(),
                              [](const Op& op) { return op.f == "settled" && op.outcome == Outcome::ok; });
    REQUIRE(first != h.ops.end());
    std::int64_t charge = 0;
    for (const Op& op : h.ops)
      if (op.position) charge = std::max(charge, *op.position);
    Op again = *first;
    const std::int64_t original = again.id;
    again.id = next_id(h);
    again.position = charge + 1;
    again.invoke_s = again.complete_s = first->complete_s + 1.0;
    insert_sorted(h, again);
    const auto found = judge(run, h, "double_charge");
    REQUIRE(found.size() == 1);
    CHECK(contains(found.front().ops, original));
    CHECK(found.front().ops.back() == again.id);
  }
}

TEST_CASE("planted: unpaid_shipment catches marking an order paid when the provider did not answer") {
  const Shape shape = [](const Violation& v, const OpIndex& ops, const Run& run) {
    const std::string& order = ops.at(v.ops.front()).key;
    for (std::int64_t id : v.ops) {
      const Op& op = ops.at(id);
      const bool paid = op.f == "mark_paid" || op.f == "ship" || op.f == "checkout";
      if (!paid || op.outcome != Outcome::ok || op.key != order) return false;
    }
    for (const Op& op : run.history.ops)
      if (op.f == "settled" && op.key == order && op.outcome != Outcome::fail) return false;
    return true;
  };
  // Model: webhooks settle the orders whose answer was lost (the provider
  // also restarts for 2 s, losing the charges in progress); then orders with
  // no answer are assumed paid.
  const Design design{"payment-idempotency",
                      "webhooks",
                      {R"(faults.psp-restarts={"type":"crash","node":"psp","at":"5s","duration":"2s"})"}};
  auto runs =
      plant_in_model("unpaid_shipment", design, {"components.shop.on_no_answer=assume_paid"}, kSeeds, shape);

  // History: the ledger entry of one paid order is gone.
  for (const Run& run : runs) {
    History h = run.history;
    std::string order;
    for (const Op& op : h.ops)
      if (op.f == "mark_paid" && op.outcome == Outcome::ok) {
        order = op.key;
        break;
      }
    REQUIRE(!order.empty());
    const auto removed = std::remove_if(h.ops.begin(), h.ops.end(),
                                        [&](const Op& op) { return op.f == "settled" && op.key == order; });
    REQUIRE(removed != h.ops.end());
    h.ops.erase(removed, h.ops.end());
    const auto found = judge(run, h, "unpaid_shipment");
    REQUIRE(found.size() == 1);
    CHECK(found.front().message.rfind(order + " was ", 0) == 0);
    for (std::int64_t id : found.front().ops)
      CHECK(OpIndex(h).at(id).key == order);
  }
}

TEST_CASE("planted: charged_not_fulfilled catches orders left pending with nothing to settle them") {
  const Shape shape = [](const Violation& v, const OpIndex& ops, const Run&) {
    bool charged = false;
    for (std::int64_t id : v.ops)
      charged = charged || (ops.at(id).f == "settled" && ops.at(id).outcome == Outcome::ok);
    return charged && same_key(v, ops);
  };
  // Model: orders with no answer stay pending and a job reconciles them
  // with the ledger every 3 s; then there is no such job.
  const Design design{"payment-idempotency", "reconciled", {}};
  auto runs =
      plant_in_model("charged_not_fulfilled", design, {"components.shop.reconcile=null"}, kSeeds, shape);

  // History: the reconciliation's marking of one charged order is gone.
  for (const Run& run : runs) {
    History h = run.history;
    const double bound_s = options_of(run, "charged_not_fulfilled").payment_bound_s;
    double end_s = 0;
    for (const Op& op : h.ops)
      end_s = std::max(end_s, std::isfinite(op.complete_s) ? op.complete_s : op.invoke_s);
    const Op* charged = nullptr;
    for (const Op& s : h.ops) {
      if (s.f != "settled" || s.outcome != Outcome::ok || s.complete_s + bound_s > end_s) continue;
      bool customer_told = false, marked = false;
      for (const Op& op : h.ops) {
        if (op.key != s.key) continue;
        customer_told = customer_told || (op.f == "checkout" && op.outcome == Outcome::ok);
        marked = marked || (op.f == "mark_paid" && op.outcome == Outcome::ok);
      }
      if (!customer_told && marked) {
        charged = &s;
        break;
      }
    }
    REQUIRE(charged != nullptr);
    const std::int64_t settled_id = charged->id;
    const std::string order = charged->key;
    h.ops.erase(std::remove_if(h.ops.begin(), h.ops.end(),
                               [&](const Op& op) { return op.f == "mark_paid" && op.key == order; }),
                h.ops.end());
    const auto found = judge(run, h, "charged_not_fulfilled");
    REQUIRE(found.size() == 1);
    CHECK(contains(found.front().ops, settled_id));
    CHECK(found.front().message.rfind(order + " was charged", 0) == 0);
  }
}

TEST_CASE("planted: disk_full catches a table nobody purges") {
  // Model: table-growth with its nightly purge, then without it (150 days:
  // without the purge the disk fills after about four months).
  const Design design{"table-growth", "fixed-purge", {"workload.duration=150d"}};
  auto runs = plant_in_model("disk_full", design, {"components.db.jobs.purge=null"}, kFewSeeds,
                             incident_shape("disk_full"));

  // History: the database records a full disk at day 100, and a request on
  // days 100, 110 and 120 fails; a full disk stops the database for good, so
  // the violation names all three, and the incident last.
  for (const Run& run : runs) {
    History h = run.history;
    const double day_s = 86400;
    auto [incident, failed] =
        plant_incident(h, "disk_full", "db", "db-1", 100 * day_s, {100 * day_s, 110 * day_s, 120 * day_s});
    const auto found = judge(run, h, "disk_full");
    REQUIRE(found.size() == 1);
    CHECK(found.front().ops == std::vector<std::int64_t>{failed[0], failed[1], failed[2], incident});
  }
}

TEST_CASE("planted: oom catches a node too small for the database's memory") {
  // Model: underprovisioned's fixed node (8 cores, 16 GiB), then its 4 GiB
  // of memory (60 s, without the zone outage, which comes later).
  const Design design{"underprovisioned", "fixed", {"workload.duration=60s", "faults.zone-a-outage=null"}};
  auto runs =
      plant_in_model("oom", design, {"topology.nodes.db-1.memory=4GiB"}, kFewSeeds, incident_shape("oom"));

  // History: an out-of-memory crash at 30 s; a request that fails within the
  // check's window after it is named, one that fails after the window is not.
  for (const Run& run : runs) {
    History h = run.history;
    const double window_s = options_of(run, "oom").window_s;
    auto [incident, failed] = plant_incident(h, "oom", "db", "db-1", 30, {31, 30 + window_s + 1});
    const auto found = judge(run, h, "oom");
    REQUIRE(found.size() == 1);
    CHECK(found.front().ops == std::vector<std::int64_t>{failed[0], incident});
  }
}

namespace {
// A restore violation: the disk's loss first, then the files tried, then
// (no_valid_backup) the job's op of the backup that restored.
Shape recovery_shape(bool ends_with_backup) {
  return [ends_with_backup](const Violation& v, const OpIndex& ops, const Run&) {
    if (v.ops.size() < 2 || ops.at(v.ops.front()).f != "disk_lost") return false;
    const std::size_t restores_end = ends_with_backup ? v.ops.size() - 1 : v.ops.size();
    for (std::size_t i = 1; i < restores_end; ++i)
      if (ops.at(v.ops[i]).f != "restore" || ops.at(v.ops[i]).invoke_s < ops.at(v.ops.front()).invoke_s) return false;
    return !ends_with_backup || ops.at(v.ops.back()).f == "backup";
  };
}

// The run's disk_lost op and the restore that succeeded after it.
std::pair<Op*, Op*> loss_and_restore(History& h) {
  Op* lost = nullptr;
  Op* restored = nullptr;
  for (Op& op : h.ops) {
    if (op.f == "disk_lost") lost = &op;
    if (op.f == "restore" && op.outcome == Outcome::ok && restored == nullptr) restored = &op;
  }
  REQUIRE(lost != nullptr);
  REQUIRE(restored != nullptr);
  return {lost, restored};
}
} // namespace

TEST_CASE("planted: rto_exceeded catches a restore with one pg_restore worker") {
  // Model: backup-restore fixed (eight workers: back in about 4.4 h), then
  // one worker (about 8 h of load alone).
  const Design design{"backup-restore", "fixed", {}};
  auto runs = plant_in_model("rto_exceeded", design, {"components.backups.restore.parallelism=1"}, kFewSeeds,
                             recovery_shape(false));

  // History: the restore ends one second after the RTO runs out; ending
  // exactly at it is within it.
  for (const Run& run : runs) {
    History h = run.history;
    auto [lost, restored] = loss_and_restore(h);
    const double rto_s = options_of(run, "rto_exceeded").rto_s;
    restored->complete_s = lost->invoke_s + rto_s;
    CHECK(judge(run, h, "rto_exceeded").empty());
    restored->complete_s = lost->invoke_s + rto_s + 1;
    const auto found = judge(run, h, "rto_exceeded");
    REQUIRE(found.size() == 1);
    CHECK(found.front().ops == std::vector<std::int64_t>{lost->id, restored->id});
  }
}

TEST_CASE("planted: no_valid_backup catches backups nobody restores until the disk dies") {
  // Model: backup-restore fixed (a weekly restore test gets the cut dumps
  // fixed), then without the test: the restore falls back to day 7's file.
  const Design design{"backup-restore", "fixed", {}};
  auto runs = plant_in_model("no_valid_backup", design, {"components.backups.restore_test=null"}, kFewSeeds,
                             recovery_shape(true));

  // History: last night's file fails to restore, and the restore takes the
  // file of two nights before: about 60 h of writes lost.
  for (const Run& run : runs) {
    History h = run.history;
    auto [lost, restored] = loss_and_restore(h);
    const std::string last_night = restored->key;
    const int n = std::stoi(last_night.substr(std::string("backup-").size()));
    const std::string older = "backup-" + std::to_string(n - 2);
    restored->outcome = Outcome::fail;
    restored->error = "planted";
    Op retry = *restored;
    retry.id = next_id(h);
    retry.key = older;
    retry.invoke_s = retry.complete_s = restored->complete_s + 1;
    retry.outcome = Outcome::ok;
    retry.error.clear();
    const std::int64_t failed_id = restored->id, lost_id = lost->id;
    insert_sorted(h, retry);
    const auto found = judge(run, h, "no_valid_backup");
    REQUIRE(found.size() == 1);
    CHECK(found.front().ops.front() == lost_id);
    CHECK(contains(found.front().ops, failed_id));
    CHECK(contains(found.front().ops, retry.id));
    CHECK(found.front().message.find("the newest backup that restored, " + older) != std::string::npos);
  }
}

TEST_CASE("planted: schema_mismatch catches a column dropped while code that uses it still runs") {
  // Model: rolling-rename's expand/contract, then its drop of `name` at 50 s,
  // while the read-new rollout is still replacing instances that write it.
  const Design design{"rolling-rename", "fixed-expand-contract", {}};
  auto runs = plant_in_model("schema_mismatch", design, {"components.db.jobs.drop_column.at=50s"}, kFewSeeds,
                             [](const Violation& v, const OpIndex& ops, const Run&) {
                               for (std::int64_t id : v.ops)
                                 if (ops.at(id).outcome != Outcome::fail ||
                                     ops.at(id).error.find("column \"name\" does not exist") == std::string::npos)
                                   return false;
                               return v.message.rfind("code version ", 0) == 0;
                             });

  // History: one request of the correct run, answered by app-1 after it
  // started running v2, fails as a statement naming a dropped column would;
  // the violation names it and charges it to v2.
  for (const Run& run : runs) {
    History h = run.history;
    double v2_since_s = -1;
    for (const Op& op : h.ops)
      if (op.f == "run_version" && op.node == "app-1" && op.key == "v2") v2_since_s = op.invoke_s;
    REQUIRE(v2_since_s > 0);
    auto it = std::find_if(h.ops.begin(), h.ops.end(), [&](const Op& op) {
      return op.client == "users" && op.node == "app-1" && op.invoke_s > v2_since_s && op.outcome == Outcome::ok;
    });
    REQUIRE(it != h.ops.end());
    it->outcome = Outcome::fail;
    it->error = "db: column \"full_name\" does not exist";
    const auto found = judge(run, h, "schema_mismatch");
    REQUIRE(found.size() == 1);
    CHECK(found.front().ops == std::vector<std::int64_t>{it->id});
    CHECK(found.front().message.rfind("code version v2 (on app-1): 1 request", 0) == 0);
  }
}
