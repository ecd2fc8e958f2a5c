// The backup component's mechanisms, each shown to act by runs that differ
// in one setting: a file's size is the tables' rows times their row size;
// the download takes size / limit, one stream is held back by its TCP window
// per round trip and more streams add up until the link is full; pg_restore
// workers divide the load up to the node's cores and no further; a cut file
// fails its restore and the restore falls back to an older one; a failed
// restore test gets the job fixed.
#include "../support/run_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

using faultlab::history::Op;
using faultlab::history::Outcome;
using faultlab::testing::run_text;
using faultlab::testing::TestRun;
using nlohmann::json;

namespace {

// db-1 holds `tables`; backups go to s3 in another zone (40 ms away), a
// restore goes to db-2; db-1's disk dies at `lost`.
json scenario(const json& tables, const json& backup, const std::string& lost = "3h",
              const std::string& duration = "4h") {
  json s = json::parse(R"({
    "title": "t", "lesson": "l",
    "topology": {
      "nodes": {
        "app": { "zone": "eu" },
        "db-1": { "zone": "eu", "cores": 4, "disk": { "read": "3GBps", "write": "3GBps" } },
        "db-2": { "zone": "eu", "cores": 4, "disk": { "read": "3GBps", "write": "3GBps" } },
        "spare": { "zone": "eu", "cores": 4, "disk": { "read": "3GBps", "write": "3GBps" } },
        "s3": { "zone": "us" }
      },
      "latency": { "default": "500us", "zones": { "eu": { "us": "40ms" } } },
      "bandwidth": "10Gbps"
    },
    "components": {
      "db": { "type": "database", "node": "db-1", "tables": {},
              "queries": { "q": { "table": "t1", "shape": "point", "column": "id" } } }
    },
    "workload": { "final_reads": false, "settle": "1s",
      "clients": { "shop": { "node": "app", "target": "db", "arrival": { "rate_per_s": 0.001 }, "mix": { "q": 1 } } } },
    "faults": { "disk-dies": { "type": "crash", "node": "db-1" } },
    "checks": { "rto_exceeded": {}, "no_valid_backup": {} }
  })");
  s["components"]["db"]["tables"] = tables;
  json b = {{"type", "backup"}, {"database", "db"}, {"storage", "s3"}, {"at", "1h"}, {"every", "1d"}};
  b.update(backup);
  s["components"]["backups"] = b;
  s["faults"]["disk-dies"]["at"] = lost;
  s["workload"]["duration"] = duration;
  return s;
}

json table(double rows, const std::string& row_size, double growth_per_s = 0) {
  return {{"rows", rows}, {"row_size", row_size}, {"growth_per_s", growth_per_s}};
}

std::vector<Op> ops_of(const TestRun& run, const std::string& f) {
  std::vector<Op> out;
  for (const auto& op : run.history.ops)
    if (op.client == "backups" && op.f == f) out.push_back(op);
  return out;
}

std::vector<json> restores(const TestRun& run, const std::string& purpose = "restore") {
  std::vector<json> out;
  for (const auto& e : run.events)
    if (e["ev"] == "restore" && e["purpose"] == purpose) out.push_back(e);
  return out;
}

// The disaster restore's one attempt (there is one when every file is whole).
json only_restore(const json& s) {
  TestRun run = run_text(s.dump());
  auto r = restores(run);
  REQUIRE(r.size() == 1);
  REQUIRE(r[0]["outcome"] == "ok");
  return r[0];
}

} // namespace

TEST_CASE("a backup file holds the tables' rows times their row size at its snapshot") {
  // 10,000,000 rows of 1000 B, plus 100 rows a second until the dump starts at 1 h.
  TestRun run =
      run_text(scenario({{"t1", table(1e7, "1000B", 100)}}, {{"restore", {{"node", "db-2"}}}}).dump());
  auto backups = ops_of(run, "backup");
  REQUIRE(backups.size() == 1);
  CHECK(backups[0].outcome == Outcome::ok);
  CHECK(backups[0].invoke_s == Approx(3600));
  REQUIRE(backups[0].value);
  CHECK(static_cast<double>(*backups[0].value) == Approx(1e10 + 100 * 3600 * 1000.0).epsilon(1e-9));
  // The disk died at 3 h: one disk_lost incident, then the restore of that file.
  auto lost = ops_of(run, "disk_lost");
  REQUIRE(lost.size() == 1);
  CHECK(lost[0].invoke_s == Approx(3 * 3600));
  auto restored = ops_of(run, "restore");
  REQUIRE(restored.size() == 1);
  CHECK(restored[0].key == "backup-1");
  CHECK(restored[0].outcome == Outcome::ok);
}

TEST_CASE("with a limit, the download takes the file's size over the limit") {
  auto download_s = [](double rows) {
    json s = scenario(
        {{"t1", table(rows, "1000B")}},
        {{"part_size", "64MiB"}, {"restore", {{"node", "db-2"}, {"limit", "50MBps"}, {"streams", 4}}}});
    return only_restore(s)["download_s"].get<double>();
  };
  const double ten_gb = download_s(1e7);
  const double twenty_gb = download_s(2e7);
  CHECK(ten_gb == Approx(1e10 / 50e6).epsilon(0.02));
  CHECK(twenty_gb == Approx(2e10 / 50e6).epsilon(0.02));
}

TEST_CASE(
    "one stream is held back by its TCP window per round trip; more streams add up until the link is full") {
  auto download_s = [](int streams, const std::string& bandwidth) {
    json s = scenario({{"t1", table(1e7, "1000B")}},
                      {{"part_size", "64MiB"}, {"restore", {{"node", "db-2"}, {"streams", streams}}}});
    s["topology"]["bandwidth"] = bandwidth;
    return only_restore(s)["download_s"].get<double>();
  };
  // SimGrid's TCP window (4 MiB) per round trip (2 x 40 ms): about 52 MB/s a
  // stream; and each 64 MiB part is asked for, a round trip before it comes.
  const double window_Bps = 4194304.0 / (2 * 0.040);
  const double part = 64.0 * 1024 * 1024, round_trip = 2 * 0.040;
  const double parts = std::ceil(1e10 / part); // 150, the last one small
  const double per_part = round_trip + part / window_Bps;
  const double one = download_s(1, "10Gbps");
  const double four = download_s(4, "10Gbps");
  CHECK(one == Approx((parts - 1) * per_part).epsilon(0.01));
  CHECK(four == Approx(std::ceil(parts / 4) * per_part).epsilon(0.02));
  // On a 1 Gbps link four streams (210 MB/s) are capped by the link (125 MB/s).
  const double capped = download_s(4, "1Gbps");
  CHECK(capped >= 1e10 / 125e6);
  CHECK(capped < 1.15 * 1e10 / 125e6);
  CHECK(capped > four * 1.5);
}

TEST_CASE("pg_restore workers divide the load up to the node's cores, and no further") {
  // Four tables of 10,000,000 rows: 100 s of CPU each (10 us a row written).
  json tables = {{"t1", table(1e7, "100B")},
                 {"t2", table(1e7, "100B")},
                 {"t3", table(1e7, "100B")},
                 {"t4", table(1e7, "100B")}};
  auto load_s = [&](int parallelism) {
    return only_restore(
               scenario(tables, {{"restore", {{"node", "db-2"}, {"parallelism", parallelism}}}}))["load_s"]
        .get<double>();
  };
  const double one = load_s(1), four = load_s(4), eight = load_s(8);
  CHECK(one == Approx(400).epsilon(0.02));
  CHECK(four == Approx(100).epsilon(0.03));
  // db-2 has four cores: eight workers share them.
  CHECK(eight == Approx(four).epsilon(0.02));
  // Two tables and four cores: two workers busy, whatever the parallelism.
  json two = {{"t1", table(1e7, "100B")}, {"t2", table(1e7, "100B")}};
  CHECK(only_restore(scenario(two, {{"restore", {{"node", "db-2"}, {"parallelism", 4}}}}))["load_s"]
            .get<double>() == Approx(100).epsilon(0.03));
}

TEST_CASE("an index is rebuilt after the data: a scan and a sort of its table's rows") {
  json plain = {{"t1", table(1e6, "100B")}};
  json indexed = plain;
  indexed["t1"]["indexes"] = json::array({{{"column", "id"}}});
  const double without =
      only_restore(scenario(plain, {{"restore", {{"node", "db-2"}}}}))["load_s"].get<double>();
  const double with =
      only_restore(scenario(indexed, {{"restore", {{"node", "db-2"}}}}))["load_s"].get<double>();
  // (n + n log2 n / 8) rows x 2 us, n = 1,000,000: about 2 + 5 s; and 32 MB of entries written.
  const double n = 1e6;
  CHECK(with - without == Approx((n + n * std::log2(n) / 8) * 2e-6 + n * 32 / 3e9).epsilon(0.01));
}

TEST_CASE("a file cut by a full staging volume fails its restore, which falls back to an older file") {
  // 10 GB growing by 8.64 GB a day; a 15 GiB staging volume: the first
  // dump fits, the second and third are cut; the disk dies at 60 h.
  json tables = {{"t1", table(1e7, "1000B", 100)}};
  json backup = {{"staging", "15GiB"}, {"restore", {{"node", "db-2"}}}};
  TestRun run = run_text(scenario(tables, backup, "60h", "3d").dump());
  auto backups = ops_of(run, "backup");
  REQUIRE(backups.size() == 3);
  const double staging = 15.0 * 1024 * 1024 * 1024;
  // The job says ok every time; only the file's size tells.
  for (const auto& b : backups)
    CHECK(b.outcome == Outcome::ok);
  CHECK(static_cast<double>(*backups[0].value) < staging);
  CHECK(static_cast<double>(*backups[1].value) == staging);
  CHECK(static_cast<double>(*backups[2].value) == staging);
  auto tried = ops_of(run, "restore");
  REQUIRE(tried.size() == 3);
  CHECK(tried[0].key == "backup-3");
  CHECK(tried[0].outcome == Outcome::fail);
  CHECK(tried[0].error ==
        "pg_restore: error: could not read from input file: end of file (in the data of table t1)");
  CHECK(tried[1].key == "backup-2");
  CHECK(tried[1].outcome == Outcome::fail);
  CHECK(tried[2].key == "backup-1");
  CHECK(tried[2].outcome == Outcome::ok);
  // The restore came back with data from 1 h: 59 h lost.
  CHECK(run.summary["counts"].value("no_valid_backup", 0) == 1);

  // Without the staging volume every file is whole: last night's restores.
  json streamed = backup;
  streamed.erase("staging");
  TestRun whole = run_text(scenario(tables, streamed, "60h", "3d").dump());
  auto first = ops_of(whole, "restore");
  REQUIRE(first.size() == 1);
  CHECK(first[0].key == "backup-3");
  CHECK(first[0].outcome == Outcome::ok);
  CHECK(whole.summary["counts"].value("no_valid_backup", 0) == 0);
}

TEST_CASE("a failed restore test gets the job fixed, so later files are whole") {
  json tables = {{"t1", table(1e7, "1000B", 100)}};
  json backup = {{"staging", "15GiB"},
                 {"restore", {{"node", "db-2"}}},
                 {"restore_test", {{"node", "spare"}, {"at", "30h"}, {"every", "1d"}, {"respond", "1h"}}}};
  TestRun run = run_text(scenario(tables, backup, "60h", "3d").dump());
  auto tests = ops_of(run, "restore_test");
  REQUIRE(!tests.empty());
  CHECK(tests[0].key == "backup-2");
  CHECK(tests[0].outcome == Outcome::fail);
  auto fixes = ops_of(run, "fix");
  REQUIRE(fixes.size() == 1);
  CHECK(fixes[0].invoke_s == Approx(tests[0].complete_s + 3600));
  auto backups = ops_of(run, "backup");
  REQUIRE(backups.size() == 3);
  CHECK(static_cast<double>(*backups[2].value) > 15.0 * 1024 * 1024 * 1024); // whole again
  auto tried = ops_of(run, "restore");
  REQUIRE(tried.size() == 1);
  CHECK(tried[0].key == "backup-3");
  CHECK(tried[0].outcome == Outcome::ok);
}

TEST_CASE("a crash the scenario restarts is not a lost disk") {
  json s = scenario({{"t1", table(1e6, "1000B")}}, {{"restore", {{"node", "db-2"}}}});
  s["faults"]["disk-dies"]["duration"] = "10min";
  TestRun run = run_text(s.dump());
  CHECK(ops_of(run, "disk_lost").empty());
  CHECK(ops_of(run, "restore").empty());
}

TEST_CASE("the same seed gives the same trace, and the jitter follows the seed") {
  json s = scenario({{"t1", table(1e6, "1000B", 10)}}, {{"jitter", "1h"}, {"restore", {{"node", "db-2"}}}},
                    "50h", "3d");
  TestRun a = run_text(s.dump(), 4), b = run_text(s.dump(), 4), c = run_text(s.dump(), 5);
  CHECK(a.events == b.events); // every line after the header, which names the scenario's (temporary) file
  CHECK(ops_of(a, "backup")[0].invoke_s != ops_of(c, "backup")[0].invoke_s);
  CHECK(ops_of(a, "backup")[0].invoke_s >= 3600);
  CHECK(ops_of(a, "backup")[0].invoke_s <= 7200);
}

TEST_CASE("an empty database's dump restores (its schema), and a cut file with no bytes does not") {
  json empty = {{"t1", table(0, "1000B")}};
  TestRun run = run_text(scenario(empty, {{"restore", {{"node", "db-2"}}}}).dump());
  auto tried = ops_of(run, "restore");
  REQUIRE(tried.size() == 1);
  CHECK(tried[0].outcome == Outcome::ok);
  // A staging volume of one byte: every file is cut to almost nothing.
  TestRun cut = run_text(
      scenario({{"t1", table(1e6, "1000B")}}, {{"staging", "1B"}, {"restore", {{"node", "db-2"}}}}).dump());
  auto failed = ops_of(cut, "restore");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].outcome == Outcome::fail);
  CHECK(failed[0].error == "pg_restore: error: input file is too short (read 1, expected 5)");
}

TEST_CASE("the restore talks to the storage over the network: a partition holds it up") {
  json s = scenario({{"t1", table(1e6, "1000B")}}, {{"restore", {{"node", "db-2"}}}}, "3h", "8h");
  const double plain = only_restore(s)["download_s"].get<double>();
  // db-2 cannot reach the storage for the first hour after the loss.
  s["faults"]["cut"] = {{"type", "partition"},
                        {"at", "3h"},
                        {"duration", "1h"},
                        {"groups", {{"restore", {"db-2"}}, {"storage", {"s3"}}}}};
  TestRun run = run_text(s.dump());
  auto tried = restores(run);
  REQUIRE(tried.size() == 1);
  CHECK(tried[0]["outcome"] == "ok");
  // The list of files is asked for once a minute until the partition heals;
  // then the download takes what it takes without it.
  const double first_try_s = ops_of(run, "restore")[0].invoke_s;
  CHECK(first_try_s > 4 * 3600.0);
  CHECK(first_try_s < 4 * 3600.0 + 61);
  CHECK(tried[0]["download_s"].get<double>() == Approx(plain).epsilon(0.01));
}
