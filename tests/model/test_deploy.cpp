// Columns of the database's tables and the deploy controller, each shown to
// act: a rename or a drop makes the statements naming the old column fail
// at once with PostgreSQL's error while the new name works; a rolling
// deploy replaces instances wave by wave at the times the batch, the drain
// and the start time give, the load balancer keeps requests off the
// instances being replaced, a restart drops what is still running after the
// drain, and the versions say which statements an instance sends.
#include "../support/run_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using faultlab::history::Op;
using faultlab::history::Outcome;
using faultlab::testing::run_text;
using faultlab::testing::TestRun;
using nlohmann::json;

namespace {

// users(id, name) with 1,000 rows, queried directly by a client group that
// reads `name` and `full_name` (ten of each per second) for 4 s.
json columns_scenario() {
  return json::parse(R"({
    "title": "t", "lesson": "l",
    "topology": { "nodes": { "web": {}, "db-1": { "cores": 4 } }, "latency": { "default": "100us" } },
    "components": { "db": { "type": "database", "node": "db-1",
      "tables": { "users": { "rows": 1000, "columns": ["id", "name"], "indexes": [{ "column": "id" }] } },
      "queries": {
        "read_name": { "table": "users", "shape": "point", "column": "id", "columns": ["name"] },
        "read_full_name": { "table": "users", "shape": "point", "column": "id", "columns": ["full_name"] },
        "rename": { "table": "users", "shape": "alter", "alter": "rename_column", "column": "name", "to": "full_name" },
        "add": { "table": "users", "shape": "alter", "alter": "add_column_nullable", "column": "full_name" },
        "drop": { "table": "users", "shape": "alter", "alter": "drop_column", "column": "name" }
      },
      "jobs": {} } },
    "workload": { "duration": "4s", "final_reads": false, "clients": {
      "readers": { "node": "web", "target": "db", "sessions": 10, "arrival": { "rate_per_s": 20 },
                   "mix": { "read_name": 1, "read_full_name": 1 }, "timeout": "1s" } } },
    "checks": {}
  })");
}

std::vector<Op> ops_of(const TestRun& run, const std::string& client, const std::string& f) {
  std::vector<Op> out;
  for (const auto& op : run.history.ops)
    if (op.client == client && op.f == f) out.push_back(op);
  return out;
}

std::vector<json> events_of(const TestRun& run, const std::string& ev) {
  std::vector<json> out;
  for (const auto& e : run.events)
    if (e.value("ev", "") == ev) out.push_back(e);
  return out;
}

// Every op of `f` ok before `at_s` and failed with `error` after it (or the reverse).
void check_switch(const TestRun& run, const std::string& f, double at_s, bool ok_before, const std::string& error) {
  int before = 0, after = 0;
  for (const auto& op : ops_of(run, "readers", f)) {
    INFO(f << " at " << op.invoke_s << ": " << op.error);
    const bool is_before = op.complete_s < at_s - 0.001;
    const bool is_after = op.invoke_s > at_s + 0.001;
    if (!is_before && !is_after) continue;
    const bool ok_now = is_before ? ok_before : !ok_before;
    CHECK((op.outcome == Outcome::ok) == ok_now);
    if (!ok_now) CHECK(op.error == error);
    (is_before ? before : after) += 1;
  }
  CHECK(before > 5);
  CHECK(after > 5);
}

// api on four instances; v1 and v2 read through different queries, so the
// statements in the trace say which code sent them.
json deploy_scenario(int batch, const std::string& drain, const std::string& hold) {
  json s = json::parse(R"({
    "title": "t", "lesson": "l",
    "topology": { "nodes": { "web": {}, "ci": {}, "app-1": {}, "app-2": {}, "app-3": {}, "app-4": {},
                             "db-1": { "cores": 4 } }, "latency": { "default": "100us" } },
    "components": {
      "db": { "type": "database", "node": "db-1", "max_connections": 1000,
        "tables": { "users": { "rows": 1000, "indexes": [{ "column": "id" }] } },
        "queries": { "read_v1": { "table": "users", "shape": "point", "column": "id" },
                     "read_v2": { "table": "users", "shape": "point", "column": "id" } } },
      "api": { "type": "service", "instances": ["app-1", "app-2", "app-3", "app-4"],
        "endpoints": { "get": { "calls": { "db": { "to": "db", "op": "read_v1", "key": "user:{user}", "timeout": "10s" } } } },
        "versions": { "v1": {}, "v2": { "endpoints": { "get": { "db": "read_v2" } } } },
        "version": "v1" },
      "deploy": { "type": "deploy", "node": "ci", "service": "api", "start": "2s", "health_timeout": "20s",
        "rollouts": { "v2": { "at": "5s", "version": "v2" } } }
    },
    "workload": { "duration": "20s", "final_reads": false, "clients": {
      "users": { "node": "web", "target": "api", "sessions": 100, "arrival": { "rate_per_s": 40 },
                 "mix": { "get": 1 }, "timeout": "10s" } } },
    "checks": {}
  })");
  s["components"]["deploy"]["batch"] = batch;
  s["components"]["deploy"]["drain"] = drain;
  if (!hold.empty()) {
    s["components"]["db"]["queries"]["read_v1"]["hold"] = hold;
    s["components"]["db"]["queries"]["read_v2"]["hold"] = hold;
  }
  return s;
}

} // namespace

TEST_CASE("a renamed column: statements naming the old name fail at once, the new name works") {
  json s = columns_scenario();
  s["components"]["db"]["jobs"]["migration"] = {{"query", "rename"}, {"at", "2s"}};
  const TestRun run = run_text(s.dump(), 1);
  const auto migration = ops_of(run, "migration", "rename");
  REQUIRE(migration.size() == 1);
  CHECK(migration[0].outcome == Outcome::ok);
  check_switch(run, "read_name", 2.0, true, "column \"name\" does not exist");
  check_switch(run, "read_full_name", 2.0, false, "column \"full_name\" does not exist");
  const auto schema = events_of(run, "schema");
  REQUIRE(schema.size() == 1);
  CHECK(schema[0]["change"] == "rename column name to full_name");
  CHECK(schema[0]["columns"] == "id full_name");
  // A failed statement did no work: its query event says why.
  bool refused = false;
  for (const auto& q : events_of(run, "query"))
    if (q["outcome"] == "column \"name\" does not exist") refused = q["rows_examined"] == 0;
  CHECK(refused);
}

TEST_CASE("a dropped column fails the statements naming it; an added one makes them work") {
  json s = columns_scenario();
  s["components"]["db"]["jobs"]["add"] = {{"query", "add"}, {"at", "1s"}};
  s["components"]["db"]["jobs"]["drop"] = {{"query", "drop"}, {"at", "2s"}};
  const TestRun run = run_text(s.dump(), 1);
  check_switch(run, "read_full_name", 1.0, false, "column \"full_name\" does not exist");
  check_switch(run, "read_name", 2.0, true, "column \"name\" does not exist");
}

TEST_CASE("an ALTER whose column is not as it expects fails with PostgreSQL's error and changes nothing") {
  json s = columns_scenario();
  s["components"]["db"]["jobs"]["drop"] = {{"query", "drop"}, {"at", "1s"}};
  s["components"]["db"]["jobs"]["rename"] = {{"query", "rename"}, {"at", "2s"}};
  s["components"]["db"]["jobs"]["drop_again"] = {{"query", "drop"}, {"at", "3s"}};
  const TestRun run = run_text(s.dump(), 1);
  const auto rename = ops_of(run, "rename", "rename");
  REQUIRE(rename.size() == 1);
  CHECK(rename[0].outcome == Outcome::fail);
  CHECK(rename[0].error == "column \"name\" does not exist");
  const auto again = ops_of(run, "drop_again", "drop");
  REQUIRE(again.size() == 1);
  CHECK(again[0].error == "column \"name\" of relation \"users\" does not exist");
  CHECK(events_of(run, "schema").size() == 1); // only the first drop changed the table
  // full_name never came into being.
  for (const auto& op : ops_of(run, "readers", "read_full_name")) CHECK(op.outcome == Outcome::fail);
}

TEST_CASE("a rolling deploy replaces the instances wave by wave at the times its settings give") {
  const TestRun run = run_text(deploy_scenario(2, "1s", "").dump(), 1);
  const auto waves = events_of(run, "deploy_wave");
  REQUIRE(waves.size() == 4); // two waves, a start and an end each
  CHECK(waves[0]["phase"] == "start");
  CHECK(waves[0]["instances"] == "app-1 app-2");
  CHECK(waves[0]["t"].get<double>() == Approx(5.0));
  // Drained in a moment (the requests take a millisecond), then 2 s to start.
  CHECK(waves[1]["phase"] == "end");
  CHECK(waves[1]["outcome"] == "healthy");
  const double first_end = waves[1]["t"].get<double>();
  CHECK(first_end >= 7.0);
  CHECK(first_end <= 7.2);
  CHECK(waves[2]["instances"] == "app-3 app-4");
  CHECK(waves[2]["t"].get<double>() == Approx(first_end));
  CHECK(waves[3]["t"].get<double>() == Approx(first_end + 2.0).margin(0.2));
  // The history says which instance runs what from when.
  std::vector<std::string> started;
  for (const auto& op : ops_of(run, "api", "run_version")) {
    if (op.invoke_s == 0) continue; // what each ran from the start
    started.push_back(op.node + " " + op.key);
    const bool first_wave = op.node == "app-1" || op.node == "app-2";
    CHECK(op.invoke_s == Approx(first_wave ? first_end : waves[3]["t"].get<double>()).margin(0.01));
  }
  std::sort(started.begin(), started.end()); // within a wave, whichever answers first
  CHECK(started == std::vector<std::string>{"app-1 v2", "app-2 v2", "app-3 v2", "app-4 v2"});
  const auto wave_ops = ops_of(run, "deploy", "deploy_wave");
  REQUIRE(wave_ops.size() == 2);
  CHECK(wave_ops[0].outcome == Outcome::ok);
  // No request went to an instance being replaced: every one succeeded, and
  // the statements switched from v1's query to v2's as the instances did.
  for (const auto& op : ops_of(run, "users", "get")) CHECK(op.outcome == Outcome::ok);
  double last_v1 = 0, first_v2 = 1e9;
  for (const auto& q : events_of(run, "query")) {
    const double t = q["t"].get<double>();
    if (q["query"] == "read_v1") last_v1 = std::max(last_v1, t);
    if (q["query"] == "read_v2") first_v2 = std::min(first_v2, t);
  }
  CHECK(first_v2 >= first_end - 0.01);
  CHECK(last_v1 <= waves[3]["t"].get<double>() - 1.9);
}

TEST_CASE("a restart drops the requests still running when the drain time is over") {
  // Each statement keeps its transaction for 3 s; the drain waits only 0.5 s.
  const TestRun run = run_text(deploy_scenario(4, "500ms", "3s").dump(), 1);
  const auto waves = events_of(run, "deploy_wave");
  REQUIRE(waves.size() == 2);
  CHECK(waves[1]["t"].get<double>() == Approx(5.0 + 0.5 + 2.0).margin(0.01));
  CHECK(waves[1]["outcome"].get<std::string>().find("dropped") != std::string::npos);
  int dropped = 0;
  for (const auto& op : ops_of(run, "users", "get"))
    if (op.invoke_s > 2.6 && op.invoke_s < 4.9) {
      CHECK(op.outcome == Outcome::info); // accepted by the old process, never answered
      ++dropped;
    }
  CHECK(dropped > 20);
  // Without the deploy, the same requests are answered.
  json s = deploy_scenario(4, "500ms", "3s");
  s["components"]["deploy"]["rollouts"]["v2"]["at"] = "100s";
  const TestRun quiet = run_text(s.dump(), 1);
  for (const auto& op : ops_of(quiet, "users", "get"))
    if (op.invoke_s < 15) CHECK(op.outcome == Outcome::ok);
}

TEST_CASE("the deploy's orders cross the network: a partition stops the rollout at the wave it cuts") {
  // ci cannot reach app-3 from 4 s to 20 s: the second wave (app-3 and app-4)
  // is not healthy within its 6 s, the rollout stops, and app-3 keeps v1
  // while app-4, which got its order, runs v2.
  json s = deploy_scenario(2, "1s", "");
  s["components"]["deploy"]["health_timeout"] = "6s";
  s["faults"] = {{"cut", {{"type", "partition"}, {"at", "4s"}, {"duration", "16s"},
                          {"groups", {{"controller", {"ci"}}, {"instance", {"app-3"}}}}}}};
  const TestRun run = run_text(s.dump(), 1);
  const auto waves = ops_of(run, "deploy", "deploy_wave");
  REQUIRE(waves.size() == 2);
  CHECK(waves[0].outcome == Outcome::ok);
  CHECK(waves[1].outcome == Outcome::fail);
  CHECK(waves[1].error == "app-3 not healthy within 6.000 s");
  CHECK(waves[1].complete_s == Approx(waves[1].invoke_s + 6.0).margin(0.01));
  std::vector<std::string> started;
  for (const auto& op : ops_of(run, "api", "run_version"))
    if (op.invoke_s > 0) started.push_back(op.node + " " + op.key);
  std::sort(started.begin(), started.end());
  CHECK(started == std::vector<std::string>{"app-1 v2", "app-2 v2", "app-4 v2"});
}
