// personal_data, run: copies follow their source through the network for as
// long as it holds the data, a store the job does not cover keeps its copy,
// a copy with a retention ages out at its retention, the job erases sources
// first, a store cut off by a partition is erased once it answers again, and
// deleting the person's key makes encrypted copies unreadable.
#include "../support/run_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

using faultlab::history::Op;
using faultlab::history::Outcome;
using faultlab::testing::run_text;
using faultlab::testing::TestRun;
using nlohmann::json;

namespace {
constexpr double kDay = 86400;

json scenario() {
  return json::parse(R"({
    "title": "t", "lesson": "l",
    "topology": { "nodes": { "app": { "zone": "eu" }, "db-1": { "zone": "eu" }, "dwh-1": { "zone": "eu" },
                             "bk-1": { "zone": "eu" }, "crm-1": { "zone": "us" }, "kms-1": { "zone": "eu" } },
                  "latency": { "default": "1ms" } },
    "components": { "user-data": { "type": "personal_data", "node": "app", "request_at": "34h", "deadline": "30d",
      "stores": {
        "main-db": { "kind": "database", "node": "db-1", "erased_by_job": true },
        "analytics": { "kind": "warehouse", "node": "dwh-1", "copied_from": "main-db", "every": "1d" },
        "crm": { "kind": "third_party", "node": "crm-1", "copied_from": "main-db", "every": "1d",
                 "erase_time": "1h", "erased_by_job": true },
        "backups": { "kind": "backup", "node": "bk-1", "copied_from": "main-db", "every": "1d", "retention": "5d" }
      } } },
    "workload": { "duration": "10d", "final_reads": false, "clients": {} },
    "checks": { "erasure_incomplete": {} }
  })");
}

std::vector<Op> ops(const TestRun& run, const std::string& f, const std::string& key) {
  std::vector<Op> out;
  for (const Op& op : run.history.ops)
    if (op.client == "user-data" && op.f == f && op.key == key) out.push_back(op);
  return out;
}
} // namespace

TEST_CASE("copies follow the source until it is erased, and a store the job misses keeps its copy") {
  const TestRun run = run_text(scenario().dump());
  // The warehouse took its copy on day 1 (once: nothing ages it out) and still holds it.
  REQUIRE(ops(run, "copy", "analytics").size() == 1);
  CHECK(ops(run, "copy", "analytics")[0].invoke_s == Approx(kDay).margin(1));
  CHECK(ops(run, "erased", "analytics").empty());
  // main-db was erased at the request (it is a source: first), so the backup of day 2 took no copy.
  REQUIRE(ops(run, "erased", "main-db").size() == 1);
  CHECK(ops(run, "erased", "main-db")[0].invoke_s == Approx(34 * 3600 + 1).margin(1));
  REQUIRE(ops(run, "copy", "backups").size() == 1);
  // The only backup copy ages out 5 days after it was taken, on day 6, by itself.
  CHECK(static_cast<double>(*ops(run, "copy", "backups")[0].value) == Approx(6 * kDay).margin(2));
  REQUIRE(ops(run, "expired", "backups").size() == 1);
  CHECK(ops(run, "expired", "backups")[0].invoke_s == Approx(6 * kDay).margin(1));
  // The crm was erased after main-db, taking its one hour.
  REQUIRE(ops(run, "erased", "crm").size() == 1);
  CHECK(ops(run, "erased", "crm")[0].invoke_s == Approx(34 * 3600 + 1 + 3600).margin(2));
  CHECK(run.summary["counts"]["erasure_incomplete"] == 1); // the warehouse
}

TEST_CASE("a store the partition cuts off is erased once it answers again") {
  json s = scenario();
  s["faults"] = {{"crm-down", {{"type", "partition"}, {"at", "1d"}, {"duration", "2d"},
                               {"groups", {{"eu", {"eu"}}, {"us", {"us"}}}}}}};
  const TestRun run = run_text(s.dump());
  int failed = 0;
  for (const Op& op : run.history.ops)
    if (op.client == "user-data.job" && op.key == "crm" && op.outcome != Outcome::ok) ++failed;
  CHECK(failed >= 1);
  REQUIRE(ops(run, "erased", "crm").size() == 1);
  CHECK(ops(run, "erased", "crm")[0].invoke_s > 3 * kDay);
}

TEST_CASE("deleting the person's key makes every encrypted copy unreadable at once") {
  json s = scenario();
  auto& pd = s["components"]["user-data"];
  pd["key_store"] = "keys";
  pd["stores"]["keys"] = {{"kind", "key_store"}, {"node", "kms-1"}, {"erased_by_job", true}};
  pd["stores"]["backups"]["encrypted"] = true;
  pd["stores"]["backups"]["retention"] = "35d";
  pd["stores"]["analytics"]["erased_by_job"] = true;
  const TestRun run = run_text(s.dump());
  REQUIRE(ops(run, "unreadable", "backups").size() == 1);
  CHECK(ops(run, "unreadable", "backups")[0].invoke_s == Approx(34 * 3600).margin(5));
  CHECK(ops(run, "expired", "backups").empty());
  CHECK(run.summary["counts"]["erasure_incomplete"] == 0);
}
