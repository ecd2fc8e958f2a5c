// Recovery per fault on small hand-made histories and traces whose recovery
// times are known: a crash with a failover, one that never recovers,
// overlapping faults, faults ended by a restart or a heal, a database.
#include "analysis/recovery.hpp"
#include "history/json_line.hpp"

#include "../check/history_builder.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace faultlab;
using analysis::Recovery;
using analysis::TraceFacts;
using Catch::Detail::Approx;
using history::Outcome;

namespace {

// Three nodes forming the replica group "accounts" (db-1 primary), and a
// client node.
nlohmann::json group_nodes() {
  auto node = [](const std::string& name, const std::string& type, const std::string& component,
                 const std::string& role) {
    return nlohmann::json{{"name", name},
                          {"zone", "eu"},
                          {"roles", {component + ":" + role}},
                          {"components", {{{"component", component}, {"type", type}, {"role", role}}}}};
  };
  return nlohmann::json::array({node("db-1", "replica_group", "accounts", "primary"),
                                node("db-2", "replica_group", "accounts", "replica"),
                                node("db-3", "replica_group", "accounts", "replica"),
                                node("app", "clients", "users", "clients")});
}

struct Trace {
  TraceFacts facts;
  explicit Trace(const nlohmann::json& nodes = group_nodes()) : facts(nodes) {}
  void fault(double t, const std::string& name, const std::string& type, const std::string& phase,
             const std::string& node = "", const std::string& heals = "") {
    nlohmann::ordered_json j{{"t", t}, {"ev", "fault"}, {"name", name}, {"type", type}, {"phase", phase}};
    if (!node.empty()) j["node"] = node;
    if (!heals.empty()) j["details"] = {{"partition", heals}};
    facts.add_line(j.dump());
  }
  void status(double t, const std::string& node, const std::string& status) {
    facts.add_line(history::JsonLine(t, "node").str("node", node).str("status", status).done());
  }
  void role(double t, const std::string& node, const std::string& role) {
    facts.add_line(history::JsonLine(t, "state")
                       .str("node", node)
                       .str("component", "accounts")
                       .str("role", role)
                       .integer("term", 1)
                       .integer("applied", 0)
                       .str("why", "test")
                       .done());
  }
  void applied(double t, const std::string& node, std::int64_t position) {
    facts.add_line(history::JsonLine(t, "state")
                       .str("node", node)
                       .str("component", "accounts")
                       .integer("applied", position)
                       .str("key", "k")
                       .integer("value", position)
                       .integer("term", 1)
                       .done());
  }
  void initial_roles() {
    role(0, "db-1", "primary");
    role(0, "db-2", "replica");
    role(0, "db-3", "replica");
  }
};

// Reads every 50 ms from 0 to `end_s`; those invoked in [fail_from, fail_until) fail.
history::History reads(double end_s, double fail_from, double fail_until) {
  testing::HistoryBuilder b;
  for (int i = 0; 0.05 * i < end_s; ++i) {
    const double t = 0.05 * i;
    const bool fails = t >= fail_from && t < fail_until;
    b.read(i % 7, "k", 1, t, t + 0.01, fails ? Outcome::fail : Outcome::ok);
  }
  return b.build();
}

const analysis::SignalRecovery& signal(const Recovery& r, const std::string& name) {
  for (const auto& s : r.signals)
    if (s.signal == name) return s;
  FAIL("no signal " << name << " for " << r.fault);
  throw std::logic_error("unreachable");
}

analysis::RecoveryOptions options() {
  analysis::RecoveryOptions o;
  o.client_groups = {"users"};
  return o;
}

} // namespace

TEST_CASE("recovery: a crashed primary, a failover during the crash, replicas catching up after it") {
  Trace trace;
  trace.initial_roles();
  for (int p = 1; p <= 50; ++p)
    for (const char* n : {"db-1", "db-2", "db-3"}) trace.applied(0.1 * p, n, p);
  trace.fault(10, "db-1-dies", "crash", "start", "db-1");
  trace.status(10, "db-1", "down");
  trace.role(11.5, "db-2", "primary"); // elected while db-1 is down
  for (int p = 51; p <= 55; ++p) trace.applied(11.5 + 0.1 * (p - 50), "db-2", p); // 11.6 .. 12.0
  trace.fault(12, "db-1-dies", "crash", "end", "db-1");
  trace.status(12, "db-1", "up");
  trace.role(12, "db-1", "replica");
  trace.applied(12.4, "db-3", 55);
  trace.applied(12.9, "db-1", 55); // the last one to catch up with what db-2 had at 12 s

  // Reads fail from 10 s until 12.27 s: the last failure is invoked at 12.25 s.
  auto recoveries = analysis::analyze_recovery(reads(20, 10, 12.27), trace.facts, options(), 20, 22);
  REQUIRE(recoveries.size() == 1);
  const Recovery& r = recoveries[0];
  CHECK(r.fault == "db-1-dies");
  CHECK(r.type == "crash");
  CHECK(r.node == "db-1");
  CHECK(r.start_s == 10);
  REQUIRE(r.end_s);
  CHECK(*r.end_s == 12);
  CHECK(r.from == "end");
  CHECK(r.from_s == 12);
  CHECK(r.overlaps.empty());
  REQUIRE(r.signals.size() == 3);
  // The first window start after 12.25 s on the 0.1 s grid is 12.3 s.
  REQUIRE(signal(r, "availability").recovered_s);
  CHECK(*signal(r, "availability").recovered_s == Approx(0.3).margin(1e-9));
  REQUIRE(signal(r, "availability").impact_s);
  CHECK(*signal(r, "availability").impact_s == 0);
  // The new primary was elected during the crash: at its end there is one leader already.
  REQUIRE(signal(r, "leader").recovered_s);
  CHECK(*signal(r, "leader").recovered_s == 0);
  REQUIRE(signal(r, "leader").impact_s);
  CHECK(*signal(r, "leader").impact_s == 0);
  REQUIRE(signal(r, "replicas").recovered_s);
  CHECK(*signal(r, "replicas").recovered_s == Approx(0.9).margin(1e-9));

  // The summary's entry and the trace's events say the same.
  auto json = analysis::recovery_json(recoveries);
  CHECK(json[0]["availability_s"].get<double>() == Approx(0.3).margin(1e-9));
  CHECK(json[0]["leader_s"] == 0.0);
  CHECK(json[0]["replicas_s"].get<double>() == Approx(0.9).margin(1e-9));
  CHECK(json[0]["end_s"] == 12.0);
  CHECK(json[0]["impact_s"]["leader"] == 0.0);
  CHECK_FALSE(json[0].contains("database_s"));
  auto events = analysis::recovered_events(recoveries, 22);
  REQUIRE(events.size() == 3);
  CHECK(events[2].t == Approx(12.9));
  CHECK(events[2].line.find("\"ev\":\"recovered\",\"fault\":\"db-1-dies\",\"signal\":\"replicas\"") !=
        std::string::npos);
}

TEST_CASE("recovery: a fault the system never recovers from has no number") {
  Trace trace;
  trace.initial_roles();
  trace.fault(10, "db-1-dies", "crash", "start", "db-1");
  trace.status(10, "db-1", "down"); // never restarted, and nobody takes over
  auto recoveries = analysis::analyze_recovery(reads(20, 10, 99), trace.facts, options(), 20, 22);
  REQUIRE(recoveries.size() == 1);
  const Recovery& r = recoveries[0];
  CHECK_FALSE(r.end_s);
  CHECK(r.from == "start");
  CHECK_FALSE(signal(r, "availability").recovered_s);
  CHECK_FALSE(signal(r, "leader").recovered_s);
  CHECK_FALSE(signal(r, "replicas").recovered_s);
  auto json = analysis::recovery_json(recoveries);
  CHECK(json[0]["availability_s"].is_null());
  CHECK(json[0]["end_s"].is_null());
  auto events = analysis::recovered_events(recoveries, 22);
  REQUIRE(events.size() == 3);
  CHECK(events[0].t == 22);
  CHECK(events[0].line.find("\"after_s\":null") != std::string::npos);
}

TEST_CASE("recovery: a fault that never ends is measured from its first harm, not from its start") {
  // The primary dies for good at 10 s; an election at 11.5 s restores a leader.
  Trace trace;
  trace.initial_roles();
  trace.fault(10, "db-1-dies", "crash", "start", "db-1");
  trace.status(10, "db-1", "down");
  trace.role(11.5, "db-2", "primary");
  auto recoveries = analysis::analyze_recovery(reads(20, 10, 11.57), trace.facts, options(), 20, 22);
  REQUIRE(recoveries.size() == 1);
  REQUIRE(signal(recoveries[0], "leader").recovered_s);
  CHECK(*signal(recoveries[0], "leader").recovered_s == Approx(1.5));
  REQUIRE(signal(recoveries[0], "availability").recovered_s);
  CHECK(*signal(recoveries[0], "availability").recovered_s == Approx(1.6).margin(1e-9));
}

TEST_CASE("recovery: the hold period refuses a recovery that does not last") {
  // Reads fail in [10, 12) and again in [13.5, 14): the window from 12 s is
  // clean, but the next failure comes within the 1 s hold after it, so
  // recovery is at 14 s, 3 s after the fault's end.
  testing::HistoryBuilder b;
  for (int i = 0; 0.05 * i < 20; ++i) {
    const double t = 0.05 * i;
    const bool fails = (t >= 10 && t < 11.99) || (t >= 13.47 && t < 13.97);
    b.read(1, "k", 1, t, t + 0.01, fails ? Outcome::fail : Outcome::ok);
  }
  Trace trace(nlohmann::json::array());
  trace.fault(10, "lossy", "drop", "start");
  trace.fault(11, "lossy", "drop", "end");
  auto recoveries = analysis::analyze_recovery(b.build(), trace.facts, options(), 20, 22);
  REQUIRE(recoveries.size() == 1);
  REQUIRE(recoveries[0].signals.size() == 1); // no replica group, no database
  REQUIRE(signal(recoveries[0], "availability").recovered_s);
  CHECK(*signal(recoveries[0], "availability").recovered_s == Approx(3.0).margin(1e-9));
}

TEST_CASE("recovery: overlapping faults are measured together, from the end of the last one") {
  Trace trace(nlohmann::json::array());
  trace.fault(5, "cut", "partition", "start");
  trace.fault(7, "lossy", "drop", "start");
  trace.fault(8, "cut", "partition", "end");
  trace.fault(9, "lossy", "drop", "end");
  // Reads fail in [5, 9.5).
  auto recoveries = analysis::analyze_recovery(reads(20, 5, 9.47), trace.facts, options(), 20, 22);
  REQUIRE(recoveries.size() == 2);
  for (const auto& r : recoveries) {
    CHECK(r.from_s == 9);
    REQUIRE(signal(r, "availability").recovered_s);
    CHECK(*signal(r, "availability").recovered_s == Approx(0.5).margin(1e-9));
  }
  CHECK(recoveries[0].fault == "cut");
  CHECK(recoveries[0].from == "end of lossy");
  CHECK(recoveries[0].overlaps == std::vector<std::string>{"lossy"});
  CHECK(recoveries[1].from == "end");
  CHECK(recoveries[1].overlaps == std::vector<std::string>{"cut"});
  // Each fault's impact counts from its own start.
  REQUIRE(signal(recoveries[1], "availability").impact_s);
  CHECK(*signal(recoveries[1], "availability").impact_s == 0);
}

TEST_CASE("recovery: a fault that starts before the system recovered from the one before joins it") {
  Trace trace(nlohmann::json::array());
  trace.fault(2, "first", "drop", "start");
  trace.fault(3, "first", "drop", "end");
  trace.fault(4, "second", "drop", "start"); // reads still fail then (until 4.5 s)
  trace.fault(5, "second", "drop", "end");
  auto recoveries = analysis::analyze_recovery(reads(20, 2, 6.47), trace.facts, options(), 20, 22);
  REQUIRE(recoveries.size() == 2);
  CHECK(recoveries[0].from == "end of second");
  CHECK(recoveries[0].from_s == 5);
  CHECK(*signal(recoveries[0], "availability").recovered_s == Approx(1.5).margin(1e-9));

  // Apart, each is measured on its own.
  auto apart = analysis::analyze_recovery(reads(20, 2, 3.47), trace.facts, options(), 20, 22);
  CHECK(apart[0].from == "end");
  CHECK(apart[0].from_s == 3);
  CHECK(*signal(apart[0], "availability").recovered_s == Approx(0.5).margin(1e-9));
  CHECK(apart[1].from_s == 5);
  CHECK(*signal(apart[1], "availability").recovered_s == 0);
}

TEST_CASE("recovery: a restart ends a crash without a duration, a heal ends its partition") {
  Trace trace;
  trace.initial_roles();
  trace.fault(3, "split", "partition", "start");
  trace.fault(6, "mend", "heal", "start", "", "split");
  trace.fault(10, "db-1-dies", "crash", "start", "db-1");
  trace.status(10, "db-1", "down");
  trace.fault(15, "db-1-back", "restart", "start", "db-1");
  trace.status(15, "db-1", "up");
  auto recoveries = analysis::analyze_recovery(reads(20, 10, 15.07), trace.facts, options(), 20, 22);
  REQUIRE(recoveries.size() == 4);
  CHECK(recoveries[0].fault == "split");
  REQUIRE(recoveries[0].end_s);
  CHECK(*recoveries[0].end_s == 6);
  CHECK(recoveries[0].from == "start of mend");
  CHECK(recoveries[1].fault == "mend");
  CHECK(recoveries[1].from == "start");
  CHECK(*signal(recoveries[1], "availability").recovered_s == 0);
  CHECK(recoveries[2].fault == "db-1-dies");
  REQUIRE(recoveries[2].end_s);
  CHECK(*recoveries[2].end_s == 15);
  CHECK(recoveries[2].from_s == 15);
  CHECK(*signal(recoveries[2], "leader").recovered_s == 0); // db-1 is back, still the primary
  CHECK(*signal(recoveries[2], "availability").recovered_s == Approx(0.1).margin(1e-9));
}

TEST_CASE("recovery: two primaries at once are not a single leader") {
  Trace trace;
  trace.initial_roles();
  trace.fault(5, "split", "partition", "start");
  trace.role(6.5, "db-3", "primary"); // the other side elects its own
  trace.fault(8, "split", "partition", "end");
  trace.role(8.3, "db-1", "replica"); // the old primary hears the newer term and steps down
  auto recoveries = analysis::analyze_recovery(reads(20, 99, 99), trace.facts, options(), 20, 22);
  REQUIRE(recoveries.size() == 1);
  REQUIRE(signal(recoveries[0], "leader").impact_s);
  CHECK(*signal(recoveries[0], "leader").impact_s == Approx(1.5));
  REQUIRE(signal(recoveries[0], "leader").recovered_s);
  CHECK(*signal(recoveries[0], "leader").recovered_s == Approx(0.3));
  // Availability never suffered.
  CHECK_FALSE(signal(recoveries[0], "availability").impact_s);
  CHECK(*signal(recoveries[0], "availability").recovered_s == 0);
}

TEST_CASE("recovery: a database serves again after its node comes back") {
  nlohmann::json nodes = nlohmann::json::array(
      {{{"name", "pg-1"},
        {"zone", "a"},
        {"components", {{{"component", "orders-db"}, {"type", "database"}, {"role", "primary"}}}}}});
  TraceFacts facts(nodes);
  auto query = [&](double t, const std::string& outcome) {
    facts.add_line(history::JsonLine(t, "query")
                       .str("node", "pg-1")
                       .str("component", "orders-db")
                       .str("query", "q")
                       .str("outcome", outcome)
                       .done());
  };
  query(1, "ok");
  facts.add_line(R"({"t":5,"ev":"fault","name":"zone-out","type":"crash","phase":"start","node":"pg-1"})");
  facts.add_line(R"({"t":5,"ev":"node","node":"pg-1","status":"down"})");
  facts.add_line(R"({"t":8,"ev":"fault","name":"zone-out","type":"crash","phase":"end","node":"pg-1"})");
  facts.add_line(R"({"t":8,"ev":"node","node":"pg-1","status":"up"})");
  query(9, "the database system is in recovery mode"); // still recovering
  query(10.5, "ok");
  query(12, "ok");
  auto recoveries = analysis::analyze_recovery(history::History{}, facts, options(), 20, 22);
  REQUIRE(recoveries.size() == 1);
  REQUIRE(recoveries[0].signals.size() == 1); // no client ops: no availability signal
  const auto& db = signal(recoveries[0], "database");
  REQUIRE(db.recovered_s);
  CHECK(*db.recovered_s == Approx(2.5));
  REQUIRE(db.impact_s);
  CHECK(*db.impact_s == 0);

  // An out-of-memory crash (a state event of the database) counts too.
  facts.add_line(R"({"t":14,"ev":"fault","name":"lossy","type":"drop","phase":"start"})");
  facts.add_line(R"({"t":14.5,"ev":"state","node":"pg-1","component":"orders-db","why":"out of memory"})");
  facts.add_line(R"({"t":15,"ev":"fault","name":"lossy","type":"drop","phase":"end"})");
  query(18, "ok");
  recoveries = analysis::analyze_recovery(history::History{}, facts, options(), 20, 22);
  REQUIRE(recoveries.size() == 2);
  CHECK(*signal(recoveries[1], "database").recovered_s == Approx(3));
}

TEST_CASE("recovery: a version 1 header (roles only) still names the replica group") {
  nlohmann::json nodes = nlohmann::json::array({{{"name", "db-1"}, {"roles", {"accounts:primary"}}},
                                                {{"name", "db-2"}, {"roles", {"accounts:replica"}}}});
  TraceFacts facts(nodes);
  REQUIRE(facts.groups().count("accounts"));
  CHECK(facts.groups().at("accounts") == std::vector<std::string>{"db-1", "db-2"});
}
