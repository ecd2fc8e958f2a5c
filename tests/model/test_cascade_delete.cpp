// The database's DELETE with foreign keys, run: the rows each table loses
// come from the row counts, the statement's time from the rows it examines
// and writes (a missing index on a referencing column makes it scan the
// child table once per parent row), RESTRICT makes it fail and delete
// nothing, and what it deleted is in the history for the checkers.
#include "../support/run_support.hpp"

#include <catch2/catch.hpp>

#include <string>

using faultlab::history::Op;
using faultlab::history::Outcome;
using faultlab::testing::run_text;
using faultlab::testing::TestRun;
using nlohmann::json;

namespace {

// 10 organizations with 10 users each; 10,000 tasks whose assignee is set
// to NULL when the user goes; 50 invoices (5 per organization).
json scenario(bool assignee_index, const std::string& invoices_rule) {
  json s = json::parse(R"({
    "title": "t", "lesson": "l",
    "topology": { "nodes": { "web": {}, "db-1": { "cores": 4 } }, "latency": { "default": "100us" } },
    "components": { "db": { "type": "database", "node": "db-1",
      "tables": {
        "orgs": { "rows": 10, "indexes": [{ "column": "id" }] },
        "users": { "rows": 100, "indexes": [{ "column": "org_id" }],
                   "foreign_keys": { "org_id": { "references": "orgs", "on_delete": "cascade" } } },
        "tasks": { "rows": 10000, "foreign_keys": { "assignee_id": { "references": "users", "on_delete": "set_null" } } },
        "invoices": { "rows": 50, "keep": "10 years", "indexes": [{ "column": "org_id" }],
                      "foreign_keys": { "org_id": { "references": "orgs", "on_delete": "cascade" } } }
      },
      "queries": { "read_org": { "table": "orgs", "shape": "point", "column": "id" },
                   "delete_org": { "table": "orgs", "shape": "delete", "column": "id" },
                   "delete_users": { "table": "users", "shape": "delete", "column": "org_id" } },
      "jobs": { "delete": { "query": "delete_org", "key": "org-1", "at": "1s" } } } },
    "workload": { "duration": "60s", "final_reads": false, "clients": {
      "app": { "node": "web", "target": "db", "arrival": { "rate_per_s": 1 }, "mix": { "read_org": 1 } } } },
    "checks": { "unintended_deletion": {} }
  })");
  if (assignee_index) s["components"]["db"]["tables"]["tasks"]["indexes"] = json::array({{{"column", "assignee_id"}}});
  s["components"]["db"]["tables"]["invoices"]["foreign_keys"]["org_id"]["on_delete"] = invoices_rule;
  return s;
}

std::map<std::string, std::int64_t> recorded(const TestRun& run, const std::string& f) {
  std::map<std::string, std::int64_t> rows;
  for (const Op& op : run.history.ops)
    if (op.client == "db" && op.f == f) rows[op.key] += *op.value;
  return rows;
}

json query_event(const TestRun& run, const std::string& query) {
  for (const auto& e : run.events)
    if (e.value("ev", "") == "query" && e.value("query", "") == query) return e;
  FAIL("no query event for " << query);
  return {};
}

} // namespace

TEST_CASE("a DELETE cascades by the row counts and records what it removed") {
  const TestRun run = run_text(scenario(false, "cascade").dump());
  CHECK(recorded(run, "deleted") == std::map<std::string, std::int64_t>{{"orgs", 1}, {"users", 10}, {"invoices", 5}});
  CHECK(recorded(run, "set_null") == std::map<std::string, std::int64_t>{{"tasks", 1000}});
  CHECK(run.summary["counts"]["unintended_deletion"] == 1);
}

TEST_CASE("the DELETE's time comes from its rows: without an index on tasks.assignee_id each user scans every task") {
  const TestRun slow = run_text(scenario(false, "cascade").dump());
  const TestRun fast = run_text(scenario(true, "cascade").dump());
  const json s = query_event(slow, "delete_org"), f = query_event(fast, "delete_org");
  // 10 users x 10,000 tasks scanned, against 10 index lookups and the 1,000 tasks found.
  CHECK(s["rows_examined"].get<double>() > 100000);
  CHECK(f["rows_examined"].get<double>() < 2000);
  // 2 us per row examined: the scan alone is 0.2 s of CPU.
  CHECK(s["cpu_s"].get<double>() == Approx(f["cpu_s"].get<double>() + 2e-6 * (s["rows_examined"].get<double>() -
                                                                              f["rows_examined"].get<double>()))
                                        .epsilon(0.05));
  CHECK(s["run_s"].get<double>() > 0.2);
  CHECK(f["run_s"].get<double>() < 0.1);
}

TEST_CASE("RESTRICT fails the DELETE with PostgreSQL's error and nothing is deleted") {
  const TestRun run = run_text(scenario(false, "restrict").dump());
  CHECK(recorded(run, "deleted").empty());
  CHECK(recorded(run, "set_null").empty());
  bool failed = false;
  for (const Op& op : run.history.ops)
    if (op.client == "delete") {
      failed = op.outcome == Outcome::fail &&
               op.error == "update or delete on table \"orgs\" violates foreign key constraint \"invoices_org_id_fkey\" "
                           "on table \"invoices\"";
    }
  CHECK(failed);
  CHECK(run.summary["counts"]["unintended_deletion"] == 0);
}

TEST_CASE("an explicit cleanup first: the parent's DELETE no longer reaches the rows already removed") {
  json s = scenario(true, "cascade");
  s["components"]["db"]["jobs"]["cleanup"] = {{"query", "delete_users"}, {"key", "org-1"}, {"at", "500ms"}};
  const TestRun run = run_text(s.dump());
  // The users (and their tasks' assignee) went once, by the cleanup; the org's DELETE found none left.
  CHECK(recorded(run, "deleted") == std::map<std::string, std::int64_t>{{"orgs", 1}, {"users", 10}, {"invoices", 5}});
  CHECK(recorded(run, "set_null") == std::map<std::string, std::int64_t>{{"tasks", 1000}});
  std::int64_t user_ops = 0;
  for (const Op& op : run.history.ops)
    if (op.client == "db" && op.key == "users") ++user_ops;
  CHECK(user_ops == 1);
}
