// The database model's mechanisms, each shown to act by a run with it and a
// run without it: the FIFO lock queue, lock_timeout, OFFSET against keyset
// pagination, a disk that fills at the time computed by hand (and a purge
// that prevents it), max_connections, a service's connection pool, and the
// node's memory.
#include "../support/run_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

using faultlab::history::Op;
using faultlab::history::Outcome;
using faultlab::testing::run_text;
using faultlab::testing::TestRun;
using nlohmann::json;

namespace {

// A database on db-1, queried by a client group on web; each test adds its
// tables, queries, jobs and clients.
json db_scenario(const std::string& duration) {
  return json::parse(R"({
    "title": "t", "lesson": "l",
    "topology": { "nodes": { "web": {}, "app": {}, "db-1": { "cores": 4 } }, "latency": { "default": "100us" } },
    "components": { "db": { "type": "database", "node": "db-1", "tables": {}, "queries": {} } },
    "workload": { "duration": ")" +
                     duration + R"(", "final_reads": false, "clients": {} },
    "checks": {}
  })");
}

json client(const std::string& target, const json& mix, double rate_per_s,
            const std::string& timeout = "60s") {
  return json{{"node", "web"},  {"target", target},
              {"sessions", 50}, {"arrival", {{"rate_per_s", rate_per_s}}},
              {"mix", mix},     {"timeout", timeout}};
}

std::vector<Op> ops_of(const TestRun& run, const std::string& client, const std::string& f) {
  std::vector<Op> out;
  for (const auto& op : run.history.ops)
    if (op.client == client && op.f == f) out.push_back(op);
  return out;
}

double latency(const Op& op) {
  return op.complete_s - op.invoke_s;
}

// The most of these intervals open at one instant.
int max_overlap(const std::vector<std::pair<double, double>>& intervals) {
  std::vector<std::pair<double, int>> edges;
  for (const auto& [from, to] : intervals) {
    if (to <= from) continue;
    edges.push_back({from, +1});
    edges.push_back({to, -1});
  }
  std::sort(edges.begin(), edges.end()); // at equal times, ends (-1) before starts
  int now = 0, most = 0;
  for (const auto& [t, step] : edges)
    most = std::max(most, now += step);
  return most;
}

// Each op from `after_invoke_s` after its invoke to `before_complete_s`
// before its completion: the part of it the server certainly spent on it.
std::vector<std::pair<double, double>> inner(const std::vector<Op>& ops, double after_invoke_s,
                                             double before_complete_s) {
  std::vector<std::pair<double, double>> out;
  for (const auto& op : ops)
    out.push_back({op.invoke_s + after_invoke_s, op.complete_s - before_complete_s});
  return out;
}

// The last `span_s` of each op but a margin at its end: for calls that keep
// their connection for a known time before they answer.
std::vector<std::pair<double, double>> tails(const std::vector<Op>& ops, double span_s, double margin_s) {
  std::vector<std::pair<double, double>> out;
  for (const auto& op : ops)
    out.push_back({op.complete_s - span_s + margin_s, op.complete_s - margin_s});
  return out;
}

std::vector<json> events_of(const TestRun& run, const std::string& ev) {
  std::vector<json> out;
  for (const auto& e : run.events)
    if (e.value("ev", "") == ev) out.push_back(e);
  return out;
}

// orders: 100,000 rows (a scan is 0.2 s of CPU, all in the buffer cache); a
// report scans it at 1 s and keeps its transaction (and its ACCESS SHARE
// lock) open for 10 s; a migration adds a nullable column at 3 s; readers
// look orders up by id all along.
json lock_queue_scenario(bool with_migration) {
  json s = db_scenario("20s");
  json& db = s["components"]["db"];
  db["tables"]["orders"] = {{"rows", 100000}, {"row_size", "200B"}, {"indexes", {{{"column", "id"}}}}};
  db["queries"]["get_order"] = {{"table", "orders"}, {"shape", "point"}, {"column", "id"}};
  db["queries"]["report"] = {{"table", "orders"}, {"shape", "scan"}, {"hold", "10s"}};
  db["queries"]["add_column"] = {{"table", "orders"}, {"shape", "alter"}, {"alter", "add_column_nullable"}};
  db["jobs"]["report"] = {{"query", "report"}, {"at", "1s"}};
  db["jobs"]["migration"] = {{"query", "add_column"}, {"at", with_migration ? "3s" : "1000s"}};
  // Every read stuck in the queue holds a connection: room for all of them
  // (with the default 100, the queue would also exhaust max_connections).
  db["max_connections"] = 1000;
  s["workload"]["clients"]["readers"] = client("db", {{"get_order", 1}}, 20);
  return s;
}

} // namespace

TEST_CASE("an ALTER waiting behind a report makes later reads wait until the report ends (FIFO)") {
  const TestRun run = run_text(lock_queue_scenario(true).dump(), 1);
  // The report's statement ends at about 1.2 s, its transaction at about 11.2 s.
  const auto report = ops_of(run, "report", "report");
  REQUIRE(report.size() == 1);
  CHECK(report[0].outcome == Outcome::ok);
  CHECK(report[0].complete_s == Approx(11.2).margin(0.05));
  const auto migration = ops_of(run, "migration", "add_column");
  REQUIRE(migration.size() == 1);
  CHECK(migration[0].outcome == Outcome::ok);
  CHECK(migration[0].complete_s == Approx(report[0].complete_s).margin(0.01));

  // Reads do not conflict with the report, but they queue behind the ALTER
  // that does: each read issued while the ALTER waits ends when the report does.
  int waited = 0;
  for (const auto& op : ops_of(run, "readers", "get_order")) {
    INFO("read " << op.id << " invoked at " << op.invoke_s << ", completed at " << op.complete_s << ": "
                 << op.error);
    CHECK(op.outcome == Outcome::ok);
    if (op.invoke_s > 3.01 && op.invoke_s < 11.0) {
      CHECK(op.complete_s >= report[0].complete_s - 0.01);
      ++waited;
    } else if (op.invoke_s < 2.99 || op.invoke_s > 11.5) {
      CHECK(latency(op) < 0.05);
    }
  }
  CHECK(waited > 100); // about 20 per second for 8 s
  // The trace says why: a read waits behind the migration, which waits behind the report.
  bool read_behind_migration = false, migration_behind_report = false;
  for (const auto& e : events_of(run, "lock_wait")) {
    const std::string who = e["who"], behind = e["behind"];
    if (who.find("get_order") != std::string::npos && behind.rfind("migration (op ", 0) == 0 &&
        behind.find(") add_column waits for ACCESS EXCLUSIVE") != std::string::npos)
      read_behind_migration = true;
    if (who == "migration (op " + std::to_string(migration[0].id) + ") add_column" &&
        behind.find("report") == 0 && behind.find("holds ACCESS SHARE") != std::string::npos)
      migration_behind_report = true;
  }
  CHECK(read_behind_migration);
  CHECK(migration_behind_report);
  CHECK(run.summary["metrics"]["db_lock_wait_max_s"].get<double>() == Approx(8.2).margin(0.1));
}

TEST_CASE("without the ALTER, reads go on beside the report's ACCESS SHARE lock") {
  const TestRun run = run_text(lock_queue_scenario(false).dump(), 1);
  REQUIRE(ops_of(run, "report", "report").size() == 1);
  CHECK(ops_of(run, "migration", "add_column").empty());
  const auto reads = ops_of(run, "readers", "get_order");
  REQUIRE(reads.size() > 300);
  double slowest_s = 0;
  for (const auto& op : reads) {
    CHECK(op.outcome == Outcome::ok);
    slowest_s = std::max(slowest_s, latency(op));
  }
  CHECK(slowest_s < 0.05);
  CHECK(events_of(run, "lock_wait").empty());
  CHECK(run.summary["metrics"]["db_lock_wait_max_s"].get<double>() == 0.0);
}

TEST_CASE("lock_timeout makes the ALTER give up fast and lets the reads through") {
  json s = lock_queue_scenario(true);
  s["components"]["db"]["queries"]["add_column"]["lock_timeout"] = "100ms";
  const TestRun run = run_text(s.dump(), 1);
  const auto migration = ops_of(run, "migration", "add_column");
  REQUIRE(migration.size() == 1); // no retries
  CHECK(migration[0].outcome == Outcome::fail);
  CHECK(migration[0].error == "canceling statement due to lock timeout (orders)");
  CHECK(latency(migration[0]) == Approx(0.1).margin(0.01));
  double slowest_s = 0;
  for (const auto& op : ops_of(run, "readers", "get_order")) {
    CHECK(op.outcome == Outcome::ok);
    slowest_s = std::max(slowest_s, latency(op));
  }
  CHECK(slowest_s < 0.15); // at most the 100 ms the ALTER stood in the queue
  CHECK(run.summary["metrics"]["db_lock_timeouts"].get<double>() == 1);
  CHECK(run.summary["metrics"]["db_statement_timeouts"].get<double>() == 0);

  // Retried every 5 s, the attempt after the report ends succeeds.
  s["components"]["db"]["jobs"]["migration"]["retries"] = 5;
  s["components"]["db"]["jobs"]["migration"]["backoff"] = "5s";
  const TestRun retried = run_text(s.dump(), 1);
  const auto attempts = ops_of(retried, "migration", "add_column");
  REQUIRE(attempts.size() == 3); // at 3 s and 8.1 s during the report, at 13.2 s after it
  CHECK(attempts[0].outcome == Outcome::fail);
  CHECK(attempts[1].outcome == Outcome::fail);
  CHECK(attempts[2].outcome == Outcome::ok);
  CHECK(attempts[2].invoke_s > 11.2);
  CHECK(latency(attempts[2]) < 0.01);
  CHECK(retried.summary["metrics"]["db_lock_timeouts"].get<double>() == 2);
}

TEST_CASE("OFFSET pagination examines more rows each page, keyset pagination the same") {
  json s = db_scenario("30s");
  json& db = s["components"]["db"];
  db["tables"]["items"] = {{"rows", 1000000}, {"row_size", "200B"}, {"indexes", {{{"column", "id"}}}}};
  db["queries"]["get_item"] = {{"table", "items"}, {"shape", "point"}, {"column", "id"}};
  db["queries"]["page_offset"] = {{"table", "items"}, {"shape", "offset"}, {"column", "id"}, {"limit", 1000}};
  db["queries"]["page_keyset"] = {{"table", "items"}, {"shape", "keyset"}, {"column", "id"}, {"limit", 1000}};
  db["jobs"]["export_offset"] = {{"query", "page_offset"}, {"at", "1s"}, {"batches", 20}};
  db["jobs"]["export_keyset"] = {{"query", "page_keyset"}, {"at", "1s"}, {"batches", 20}};
  s["workload"]["clients"]["readers"] = client("db", {{"get_item", 1}}, 2);
  const TestRun run = run_text(s.dump(), 1);

  std::map<std::string, std::vector<double>> rows; // per query, in the order the pages ran
  double traced_total = 0;
  for (const auto& e : events_of(run, "query")) {
    rows[e["query"]].push_back(e["rows_examined"].get<double>());
    traced_total += e["rows_examined"].get<double>();
    CHECK(e["outcome"] == "ok");
  }
  REQUIRE(rows["page_offset"].size() == 20);
  REQUIRE(rows["page_keyset"].size() == 20);
  // Descending the index costs log2(entries) rows; then OFFSET reads and
  // throws away every earlier page, keyset starts where the last page ended.
  const double descent = std::log2(1e6);
  for (int page = 0; page < 20; ++page) {
    INFO("page " << page);
    CHECK(rows["page_offset"][page] == std::round(descent + 1000.0 * (page + 1)));
    CHECK(rows["page_keyset"][page] == std::round(descent + 1000.0));
  }
  CHECK(rows["page_offset"].back() > 15 * rows["page_keyset"].back());
  // The summary's total is the same rows, before the trace's rounding.
  CHECK(run.summary["metrics"]["db_rows_examined"].get<double>() ==
        Approx(traced_total).margin(run.events.size()));
}

namespace {
// events: 1 KiB rows, 64 more each second, on a 1 MiB disk: full after
// 1 MiB / (64 * 1 KiB) = 16 s. Partitioned by 2 s, so a purge of rows older
// than 4 s every second keeps it to about (4 + 2 + 1) * 64 KiB.
json disk_scenario(bool purge) {
  json s = db_scenario("60s");
  s["workload"]["settle"] = "0s"; // the table would grow on, unpurged, while the run settles
  s["topology"]["nodes"]["db-1"]["disk"] = {{"size", "1MiB"}};
  json& db = s["components"]["db"];
  db["tables"]["events"] = {
      {"rows", 0}, {"row_size", "1KiB"}, {"growth_per_s", 64}, {"partition_by", {{"age", "2s"}}}};
  db["queries"]["recent"] = {{"table", "events"}, {"shape", "function"}, {"column", "at"}};
  db["queries"]["purge_events"] = {{"table", "events"}, {"shape", "purge"}, {"older_than", "4s"}};
  db["jobs"]["purge"] = {{"query", "purge_events"}, {"at", purge ? "1s" : "1000s"}, {"every", "1s"}};
  s["workload"]["clients"]["readers"] = client("db", {{"recent", 1}}, 5, "1s");
  s["checks"]["disk_full"] = json::object();
  return s;
}
} // namespace

TEST_CASE("a growing table fills the disk when the hand computation says, and the database stops") {
  const TestRun run = run_text(disk_scenario(false).dump(), 1);
  const auto incidents = ops_of(run, "db", "disk_full");
  REQUIRE(incidents.size() == 1);
  const double predicted_s = 1048576.0 / (64 * 1024.0);
  CHECK(incidents[0].invoke_s == Approx(predicted_s).margin(0.05));
  CHECK(incidents[0].error.rfind("disk full: 1.0 MiB of 1.0 MiB used", 0) == 0);
  CHECK(run.summary["counts"]["disk_full"] == 1);
  // Before it every read succeeds; after it none does.
  int before = 0, after = 0;
  for (const auto& op : ops_of(run, "readers", "recent")) {
    if (op.complete_s < predicted_s - 0.05) {
      CHECK(op.outcome == Outcome::ok);
      ++before;
    }
    if (op.invoke_s > predicted_s + 0.05) {
      CHECK(op.outcome == Outcome::fail);
      CHECK(op.error == "could not write to the write-ahead log: No space left on device");
      ++after;
    }
  }
  CHECK(before > 40);
  CHECK(after > 100);
  CHECK(run.summary["metrics"]["db_disk_used_fraction_max"].get<double>() >= 1.0);
}

TEST_CASE("a purge job dropping old partitions keeps the disk from filling") {
  const TestRun run = run_text(disk_scenario(true).dump(), 1);
  CHECK(ops_of(run, "db", "disk_full").empty());
  CHECK(run.summary["counts"]["disk_full"] == 0);
  const auto purges = ops_of(run, "purge", "purge_events");
  CHECK(purges.size() >= 58);
  for (const auto& op : purges) {
    INFO("purge at " << op.invoke_s << ": " << op.error);
    CHECK(op.outcome == Outcome::ok);
  }
  const double used = run.summary["metrics"]["db_disk_used_fraction_max"].get<double>();
  CHECK(used > 0.25); // it did grow...
  CHECK(used < 0.5);  // ...but never past about 7 s of rows (448 KiB)
  for (const auto& op : ops_of(run, "readers", "recent"))
    CHECK(op.outcome == Outcome::ok);
}

namespace {
// A table that is not partitioned, over a day: 100 rows of 1 KiB a second
// fill a 4 GiB disk after 4 GiB / (100 * 1 KiB) = 41,943 s (11.7 h). A
// DELETE of rows older than 2 h every hour leaves free space inside the
// table that new rows reuse, so the table stops growing at about 4 h of rows.
json delete_scenario(bool purge) {
  json s = db_scenario("1d");
  s["workload"]["settle"] = "0s";
  s["topology"]["nodes"]["db-1"]["disk"] = {{"size", "4GiB"}};
  json& db = s["components"]["db"];
  db["tables"]["audit"] = {{"rows", 0}, {"row_size", "1KiB"}, {"growth_per_s", 100}};
  db["tables"]["users"] = {{"rows", 1000}, {"row_size", "1KiB"}, {"indexes", {{{"column", "id"}}}}};
  db["queries"]["get_user"] = {{"table", "users"}, {"shape", "point"}, {"column", "id"}};
  db["queries"]["purge_audit"] = {{"table", "audit"}, {"shape", "purge"}, {"older_than", "2h"}};
  db["jobs"]["purge"] = {{"query", "purge_audit"}, {"at", purge ? "1h" : "2d"}, {"every", "1h"}};
  s["workload"]["clients"]["readers"] = client("db", {{"get_user", 1}}, 0.02, "10s");
  s["checks"]["disk_full"] = json::object();
  return s;
}
} // namespace

TEST_CASE("an hourly DELETE keeps a table that is not partitioned from filling the disk") {
  const TestRun unpurged = run_text(delete_scenario(false).dump(), 1);
  const auto incidents = ops_of(unpurged, "db", "disk_full");
  REQUIRE(incidents.size() == 1);
  // users' 1,000 rows (and their index entries) take their share of the disk too.
  const double predicted_s = (4.0 * 1024 * 1024 * 1024 - 1000 * (1024 + 32)) / (100 * 1024.0);
  CHECK(incidents[0].invoke_s == Approx(predicted_s).margin(1.0));

  const TestRun purged = run_text(delete_scenario(true).dump(), 1);
  CHECK(ops_of(purged, "db", "disk_full").empty());
  const auto purges = ops_of(purged, "purge", "purge_audit");
  CHECK(purges.size() >= 22);
  for (const auto& op : purges) {
    INFO("purge at " << op.invoke_s << ": " << op.error);
    CHECK(op.outcome == Outcome::ok);
  }
  // At most 2 h of rows, the hour being filled and the one since the last
  // purge: about 4 h of 351.6 MiB, a third of the disk.
  const double used = purged.summary["metrics"]["db_disk_used_fraction_max"].get<double>();
  CHECK(used > 0.25);
  CHECK(used < 0.45);
  // The DELETEs did the work: rows examined by the purges are the rows deleted.
  double purged_rows = 0;
  for (const auto& e : events_of(purged, "query"))
    if (e["query"] == "purge_audit") purged_rows += e["rows_examined"].get<double>();
  CHECK(purged_rows > 100 * 3600 * 18);
}

namespace {
// One core; each count scans 1,000,000 rows (2 s of CPU) without an index.
json connections_scenario(int max_connections) {
  json s = db_scenario("10s");
  s["topology"]["nodes"]["db-1"]["cores"] = 1;
  json& db = s["components"]["db"];
  db["max_connections"] = max_connections;
  db["tables"]["orders"] = {{"rows", 1000000}, {"row_size", "200B"}};
  db["queries"]["count_orders"] = {{"table", "orders"}, {"shape", "function"}, {"column", "status"}};
  s["workload"]["clients"]["analysts"] = client("db", {{"count_orders", 1}}, 5, "120s");
  return s;
}
} // namespace

TEST_CASE("max_connections refuses connections beyond it, at once") {
  const TestRun limited = run_text(connections_scenario(3).dump(), 1);
  const auto ops = ops_of(limited, "analysts", "count_orders");
  std::vector<Op> served;
  int refused = 0;
  for (const auto& op : ops) {
    if (op.outcome == Outcome::ok)
      served.push_back(op);
    else {
      CHECK(op.outcome == Outcome::fail);
      CHECK(op.error == "sorry, too many clients already (max_connections 3)");
      CHECK(latency(op) < 0.01);
      ++refused;
    }
  }
  CHECK(refused > 10);
  CHECK(served.size() >= 3);
  CHECK(max_overlap(inner(served, 0.001, 0.001)) <= 3);

  const TestRun unlimited = run_text(connections_scenario(100).dump(), 1);
  std::vector<Op> all;
  for (const auto& op : ops_of(unlimited, "analysts", "count_orders")) {
    CHECK(op.outcome == Outcome::ok);
    all.push_back(op);
  }
  CHECK(max_overlap(inner(all, 0.001, 0.001)) > 3); // the same arrivals: without the limit more run at once
}

TEST_CASE("a job that runs again and again does not use up max_connections") {
  json s = db_scenario("20s");
  json& db = s["components"]["db"];
  db["max_connections"] = 5;
  db["tables"]["audit"] = {{"rows", 100}, {"row_size", "200B"}, {"indexes", {{{"column", "id"}}}}};
  db["queries"]["get_entry"] = {{"table", "audit"}, {"shape", "point"}, {"column", "id"}};
  db["queries"]["purge_audit"] = {{"table", "audit"}, {"shape", "purge"}, {"older_than", "1d"}};
  db["jobs"]["cleanup"] = {{"query", "purge_audit"}, {"at", "0s"}, {"every", "1s"}};
  // (The run lasts as long as some client is active: the jobs alone would not keep it going.)
  s["workload"]["clients"]["readers"] = client("db", {{"get_entry", 1}}, 5);
  const TestRun run = run_text(s.dump(), 1);
  const auto runs = ops_of(run, "cleanup", "purge_audit");
  CHECK(runs.size() >= 19);
  for (const auto& op : runs) {
    INFO("run at " << op.invoke_s << ": " << op.error);
    CHECK(op.outcome == Outcome::ok);
  }
  for (const auto& op : ops_of(run, "readers", "get_entry")) {
    INFO("read at " << op.invoke_s << ": " << op.error);
    CHECK(op.outcome == Outcome::ok);
  }
}

namespace {
// api calls the database through a pool; each call keeps its transaction
// (and so its connection) for 1 s.
json pool_scenario(int pool_size) {
  json s = db_scenario("10s");
  json& db = s["components"]["db"];
  db["tables"]["orders"] = {{"rows", 1000}, {"row_size", "200B"}, {"indexes", {{{"column", "id"}}}}};
  db["queries"]["get_order"] = {{"table", "orders"}, {"shape", "point"}, {"column", "id"}, {"hold", "1s"}};
  s["components"]["api"] = {
      {"type", "service"},
      {"instances", {"app"}},
      {"pools", {{"db", {{"size", pool_size}, {"wait_timeout", "200ms"}}}}},
      {"endpoints",
       {{"get_order",
         {{"calls",
           {{"db", {{"to", "db"}, {"op", "get_order"}, {"key", "order:{user}"}, {"timeout", "5s"}}}}}}}}}};
  s["workload"]["clients"]["users"] = client("api", {{"get_order", 1}}, 10, "10s");
  return s;
}
} // namespace

TEST_CASE("service pools: with N connections busy, the next call waits wait_timeout and fails") {
  const TestRun run = run_text(pool_scenario(2).dump(), 1);
  std::vector<Op> served;
  int waited_in_vain = 0;
  for (const auto& op : ops_of(run, "users", "get_order")) {
    INFO("op " << op.id << " at " << op.invoke_s << ": " << op.error);
    if (op.outcome == Outcome::ok) {
      CHECK(latency(op) >= 1.0);
      served.push_back(op);
      continue;
    }
    CHECK(op.outcome == Outcome::fail);
    CHECK(op.error == "db: no connection to db within 200.0 ms (pool of 2, all in use)");
    CHECK(latency(op) == Approx(0.2).margin(0.01)); // it waited for a connection, then gave up
    ++waited_in_vain;
  }
  CHECK(waited_in_vain > 30);
  CHECK(served.size() >= 10);
  CHECK(max_overlap(tails(served, 1.0, 0.01)) == 2); // each holds its connection for its last second
  CHECK(!events_of(run, "pool_wait").empty());

  const TestRun large = run_text(pool_scenario(50).dump(), 1);
  std::vector<Op> all;
  for (const auto& op : ops_of(large, "users", "get_order")) {
    CHECK(op.outcome == Outcome::ok);
    all.push_back(op);
  }
  CHECK(max_overlap(tails(all, 1.0, 0.01)) > 2);
}

namespace {
// 1 GiB of memory: 512 MiB of shared_buffers, 100 MiB per connection and
// 100 MiB of work_mem per sorting statement; three reports at once need
// 512 + 3 * 200 = 1112 MiB.
json memory_scenario(int max_connections, const std::string& node_memory) {
  json s = db_scenario("10s");
  s["topology"]["nodes"]["db-1"]["memory"] = node_memory;
  // 20 reports a second of 0.2 s of CPU each keep about 4 of the 8 cores busy.
  s["topology"]["nodes"]["db-1"]["cores"] = 8;
  json& db = s["components"]["db"];
  db["max_connections"] = max_connections;
  db["memory"] = {{"shared_buffers", "512MiB"}, {"per_connection", "100MiB"}, {"work_mem", "100MiB"}};
  db["tables"]["orders"] = {{"rows", 100000}, {"row_size", "200B"}};
  db["queries"]["totals"] = {{"table", "orders"}, {"shape", "scan"}};
  s["workload"]["clients"]["analysts"] = client("db", {{"totals", 1}}, 20, "30s");
  s["checks"]["oom"] = json::object();
  return s;
}
} // namespace

TEST_CASE("connections and work_mem beyond the node's memory are an out-of-memory crash") {
  const TestRun run = run_text(memory_scenario(100, "1GiB").dump(), 1);
  const auto incidents = ops_of(run, "db", "oom");
  REQUIRE(!incidents.empty());
  CHECK(incidents[0].error.rfind("out of memory: ", 0) == 0);
  CHECK(incidents[0].error.find("on a node with 1.0 GiB") != std::string::npos);
  CHECK(run.summary["counts"]["oom"].get<int>() >= 1);
  // Then crash recovery (10 s by default): requests meanwhile are refused.
  int in_recovery = 0;
  for (const auto& op : ops_of(run, "analysts", "totals"))
    if (op.invoke_s > incidents[0].invoke_s + 0.1 && op.invoke_s < incidents[0].invoke_s + 9.9) {
      CHECK(op.outcome == Outcome::fail);
      in_recovery += op.error == "the database system is in recovery mode";
    }
  CHECK(in_recovery > 10);

  // Two connections at most: 512 + 2 * 200 = 912 MiB fits.
  const TestRun bounded = run_text(memory_scenario(2, "1GiB").dump(), 1);
  CHECK(ops_of(bounded, "db", "oom").empty());
  CHECK(bounded.summary["counts"]["oom"] == 0);
  // The same load on a node with 8 GiB.
  const TestRun large = run_text(memory_scenario(100, "8GiB").dump(), 1);
  CHECK(ops_of(large, "db", "oom").empty());
  for (const auto& op : ops_of(large, "analysts", "totals"))
    CHECK(op.outcome == Outcome::ok);
}

TEST_CASE("a disk_fill fault takes the free space the purge kept, and the database stops") {
  json s = disk_scenario(true);
  // Left alone the purged table never passes half of the 1 MiB disk; a core
  // dump of 700 KiB at 20 s leaves it too little.
  s["faults"]["core-dump"] = {{"type", "disk_fill"}, {"node", "db-1"}, {"at", "20s"}, {"duration", "10s"}, {"size", "700KiB"}};
  const TestRun run = run_text(s.dump(), 1);
  const auto incidents = ops_of(run, "db", "disk_full");
  REQUIRE(incidents.size() == 1);
  CHECK(incidents[0].invoke_s >= 20.0);
  CHECK(incidents[0].invoke_s < 20.0 + 60.0 / 500 + 0.01); // the next level sample at the latest
  CHECK(run.summary["counts"]["disk_full"] == 1);
}

TEST_CASE("a slow_disk fault makes the reads that miss the cache that many times slower") {
  json s = db_scenario("20s");
  json& db = s["components"]["db"];
  db["tables"]["items"] = {{"rows", 10000000}, {"row_size", "1KiB"}, {"indexes", {{{"column", "id"}}}}};
  db["queries"]["get_item"] = {{"table", "items"}, {"shape", "point"}, {"column", "id"}};
  s["workload"]["clients"]["readers"] = client("db", {{"get_item", 1}}, 20, "10s");
  s["faults"]["noisy-neighbour"] = {{"type", "slow_disk"}, {"node", "db-1"}, {"at", "5s"}, {"duration", "10s"}, {"factor", 50}};
  const TestRun run = run_text(s.dump(), 1);
  double inside = 0, outside = 0;
  int n_inside = 0, n_outside = 0;
  for (const auto& e : run.events) {
    if (e["ev"] != "query" || e.value("io_bytes", 0.0) <= 0) continue;
    const double t = e["t"].get<double>(), run_s = e["run_s"].get<double>();
    if (t > 5.5 && t < 14.5) inside += run_s, ++n_inside;
    if (t > 15.5) outside += run_s, ++n_outside;
  }
  REQUIRE(n_inside > 50);
  REQUIRE(n_outside > 50);
  INFO("mean run time: " << inside / n_inside << " s with the slow disk, " << outside / n_outside << " s after");
  CHECK(inside / n_inside > 10 * (outside / n_outside));
}
