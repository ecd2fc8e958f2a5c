// latency_slo, disk_full and oom on hand-made histories with known verdicts:
// a window's percentile against its bound (failures count as slow), and a
// database's incidents with the requests that failed after them.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "check/checker.hpp"
#include "history_builder.hpp"

using faultlab::check::check_disk_full;
using faultlab::check::check_latency_slo;
using faultlab::check::check_oom;
using faultlab::check::CheckOptions;
using faultlab::check::find_checker;
using faultlab::history::Outcome;
using faultlab::testing::HistoryBuilder;
using Ids = std::vector<std::int64_t>;

namespace {
// Adds `count` requests to `endpoint`, invoked 0.01 s apart from `start_s`,
// each taking `latency_s`; returns their ids.
Ids requests(HistoryBuilder& b, const std::string& endpoint, int count, double latency_s, double start_s,
             Outcome outcome = Outcome::ok) {
  Ids ids;
  for (int i = 0; i < count; ++i) {
    const double invoke_s = start_s + 0.01 * i;
    ids.push_back(b.op(endpoint, i % 7, "", std::nullopt, invoke_s, invoke_s + latency_s, outcome));
  }
  return ids;
}

Ids concat(Ids a, const Ids& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The database's own record of an incident, as its model writes it: an op
// of the database's name, f "disk_full" or "oom", key its node, ok, the
// reason in its error.
std::int64_t incident(HistoryBuilder& b, const std::string& f, double at_s, const std::string& why,
                      Outcome outcome = Outcome::ok) {
  const std::string client = b.client;
  b.client = "db";
  const std::int64_t id = b.op(f, 0, "db-1", std::nullopt, at_s, at_s, outcome);
  b.history.ops.back().error = why;
  b.client = client;
  return id;
}
} // namespace

TEST_CASE("latency_slo: the checkers are registered, the incident ones for databases only") {
  REQUIRE(find_checker("latency_slo") != nullptr);
  CHECK(find_checker("latency_slo")->needs_component_type == nullptr);
  REQUIRE(find_checker("disk_full") != nullptr);
  CHECK(std::string(find_checker("disk_full")->needs_component_type) == "database");
  REQUIRE(find_checker("oom") != nullptr);
  CHECK(std::string(find_checker("oom")->needs_component_type) == "database");
}

TEST_CASE("latency_slo: a window whose p99 is within the bound passes") {
  HistoryBuilder b;
  requests(b, "get_order", 100, 0.050, 0.0);
  requests(b, "get_order", 100, 0.499, 5.0); // just under the 500 ms bound
  // Exactly the bound is within it (times a double holds exactly, so the
  // latency is 0.5, not 0.5000000001).
  for (int i = 0; i < 100; ++i)
    b.op("get_order", i, "", std::nullopt, 10.0 + i / 32.0, 10.5 + i / 32.0);
  CHECK(check_latency_slo(b.build(), {}).empty());
  b.op("get_order", 1, "", std::nullopt, 14.0, 14.5 + 1.0 / 1024);
  b.op("get_order", 2, "", std::nullopt, 14.5, 15.0 + 1.0 / 1024);
  CHECK(check_latency_slo(b.build(), {}).size() == 1); // two of 102 a millisecond over: 98.0%
}

TEST_CASE("latency_slo: one slow request of 100 keeps the p99 within the bound, two do not") {
  HistoryBuilder b;
  requests(b, "get_order", 99, 0.050, 0.0);
  requests(b, "get_order", 1, 1.0, 2.0);
  CHECK(check_latency_slo(b.build(), {}).empty());

  HistoryBuilder two;
  requests(two, "get_order", 98, 0.050, 0.0);
  const auto slow = requests(two, "get_order", 2, 1.0, 2.0);
  const auto violations = check_latency_slo(two.build(), {});
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].check == "latency_slo");
  CHECK(violations[0].time_s == 0.0);
  CHECK(violations[0].ops == slow);
  CHECK(violations[0].message ==
        "endpoint get_order: p99 was 1000 ms between 0.000 s and 5.000 s, above its 500 ms "
        "SLO (2 of 100 requests slow or failed, 0 of them failed)");
}

TEST_CASE("latency_slo: failed and timed-out requests count as slower than any bound") {
  HistoryBuilder one;
  requests(one, "get_order", 99, 0.010, 0.0);
  requests(one, "get_order", 1, 0.001, 1.0, Outcome::fail); // fast, but failed: one of 100 is allowed
  CHECK(check_latency_slo(one.build(), {}).empty());

  HistoryBuilder b;
  requests(b, "get_order", 98, 0.010, 0.0);
  const auto failed =
      requests(b, "get_order", 1, 0.001, 1.0, Outcome::fail); // answered in 1 ms, but an error
  const auto timed_out = requests(b, "get_order", 1, 1.0, 2.0, Outcome::info);
  const auto violations = check_latency_slo(b.build(), {});
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].ops == concat(failed, timed_out));
  CHECK(violations[0].message ==
        "endpoint get_order: p99 was a failure (failed or timed out) between 0.000 s and "
        "5.000 s, above its 500 ms SLO (2 of 100 requests slow or failed, 2 of them failed)");
}

TEST_CASE("latency_slo: the percentile and bound are the scenario's") {
  HistoryBuilder b;
  requests(b, "search", 90, 0.100, 0.0);
  requests(b, "search", 10, 0.300, 1.0);
  CheckOptions p90;
  p90.latency_percentile = 0.9;
  p90.latency_bound_s = 0.2;
  CHECK(check_latency_slo(b.build(), p90).empty()); // 90% within 200 ms
  CheckOptions p95 = p90;
  p95.latency_percentile = 0.95;
  const auto violations = check_latency_slo(b.build(), p95);
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].message ==
        "endpoint search: p95 was 300 ms between 0.000 s and 5.000 s, above its 200 ms SLO "
        "(10 of 100 requests slow or failed, 0 of them failed)");
  CheckOptions loose = p95;
  loose.latency_bound_s = 0.31;
  CHECK(check_latency_slo(b.build(), loose).empty());
}

TEST_CASE("latency_slo: the endpoints map gives bounds of their own and restricts what is judged") {
  HistoryBuilder b;
  requests(b, "report", 50, 5.0, 0.0); // very slow, but not named: not judged
  requests(b, "get_order", 90, 0.010, 0.0);
  const auto slowish = requests(b, "get_order", 10, 0.300, 1.0); // within 500 ms, not within 200 ms

  CheckOptions all;
  const auto unrestricted = check_latency_slo(b.build(), all);
  REQUIRE(unrestricted.size() == 1); // without the map, the report is judged with the default bound
  CHECK(
      unrestricted[0].message.rfind("endpoint report: p99 was 5000 ms between 0.000 s and 5.000 s, above its "
                                    "500 ms SLO",
                                    0) == 0);

  CheckOptions named;
  named.endpoint_latency_s = {{"get_order", 0.2}};
  const auto violations = check_latency_slo(b.build(), named);
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].ops == slowish);
  CHECK(violations[0].message ==
        "endpoint get_order: p99 was 300 ms between 0.000 s and 5.000 s, above its 200 ms "
        "SLO (10 of 100 requests slow or failed, 0 of them failed)");

  CheckOptions generous;
  generous.endpoint_latency_s = {{"get_order", 0.31}};
  CHECK(check_latency_slo(b.build(), generous).empty());
}

TEST_CASE("latency_slo: windows with fewer than min_ops requests are not judged") {
  HistoryBuilder b;
  requests(b, "get_order", 9, 2.0, 0.0);
  CHECK(check_latency_slo(b.build(), {}).empty());
  requests(b, "get_order", 1, 2.0, 1.0); // the tenth: now it counts
  const auto violations = check_latency_slo(b.build(), {});
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].message ==
        "endpoint get_order: p99 was 2000 ms between 0.000 s and 5.000 s, above its 500 ms "
        "SLO (10 of 10 requests slow or failed, 0 of them failed)");

  CheckOptions fewer;
  fewer.min_window_ops = 3;
  HistoryBuilder three;
  requests(three, "get_order", 3, 2.0, 0.0);
  CHECK(check_latency_slo(three.build(), fewer).size() == 1);
  CHECK(check_latency_slo(three.build(), {}).empty());
}

TEST_CASE("latency_slo: windows are per endpoint, aligned to the window length by invoke time") {
  HistoryBuilder b;
  requests(b, "get_order", 100, 0.010, 0.0);
  const auto late = requests(b, "get_order", 20, 12.5, 9.0); // invoked in [5, 10), completed long after
  requests(b, "place_order", 100, 0.010, 9.0);
  CheckOptions options;
  options.window_s = 5.0;
  const auto violations = check_latency_slo(b.build(), options);
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].time_s == 5.0);
  CHECK(violations[0].ops == late);
  CHECK(violations[0].message ==
        "endpoint get_order: p99 was 12.5 s between 5.000 s and 10.000 s, above its 500 ms "
        "SLO (20 of 20 requests slow or failed, 0 of them failed)");
}

TEST_CASE("latency_slo: a violation lists at most 20 of its slow requests") {
  HistoryBuilder b;
  const auto slow = requests(b, "get_order", 30, 1.0, 0.0);
  const auto violations = check_latency_slo(b.build(), {});
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].ops == Ids(slow.begin(), slow.begin() + 20));
  CHECK(violations[0].message.find("(30 of 30 requests slow or failed") != std::string::npos);
}

TEST_CASE("disk_full: the incident names the database and counts every failure after it") {
  HistoryBuilder b;
  requests(b, "get_order", 10, 0.01, 0.0);
  requests(b, "get_order", 3, 0.01, 1.0, Outcome::fail); // before the incident: not its doing
  const auto disk =
      incident(b, "disk_full", 40.0,
               "disk full: 10.0 GiB of 10.0 GiB used; the write-ahead log cannot be written (PANIC)");
  requests(b, "get_order", 5, 0.01, 40.5); // ok ones are not counted
  const auto failed = requests(b, "get_order", 4, 0.01, 41.0, Outcome::fail);
  const auto much_later = requests(b, "place_order", 2, 0.01, 500.0, Outcome::info);
  b.client = "purge";
  const auto job = requests(b, "purge_old", 1, 0.01, 600.0, Outcome::fail); // a job's statement counts too

  const auto violations = check_disk_full(b.build(), {});
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].check == "disk_full");
  CHECK(violations[0].time_s == 40.0);
  CHECK(violations[0].ops == concat(concat(concat(failed, much_later), job), {disk}));
  CHECK(violations[0].message ==
        "database db ran out of disk at 40.000 s (disk full: 10.0 GiB of 10.0 GiB used; the "
        "write-ahead log cannot be written (PANIC)); 7 requests failed from then on");
}

TEST_CASE("disk_full: no incident, no violation, however many requests fail") {
  HistoryBuilder b;
  requests(b, "get_order", 50, 0.01, 0.0, Outcome::fail);
  requests(b, "get_order", 50, 0.01, 10.0, Outcome::info);
  CHECK(check_disk_full(b.build(), {}).empty());
  CHECK(check_oom(b.build(), {}).empty());
}

TEST_CASE("disk_full and oom: an incident op that did not succeed is not an incident") {
  HistoryBuilder b;
  incident(b, "disk_full", 1.0, "x", Outcome::fail);
  incident(b, "oom", 2.0, "x", Outcome::fail);
  requests(b, "get_order", 20, 0.01, 2.0, Outcome::fail);
  CHECK(check_disk_full(b.build(), {}).empty());
  CHECK(check_oom(b.build(), {}).empty());
}

TEST_CASE("disk_full and oom each read only their own incidents") {
  HistoryBuilder b;
  incident(b, "oom", 1.0, "out of memory");
  CHECK(check_disk_full(b.build(), {}).empty());
  REQUIRE(check_oom(b.build(), {}).size() == 1);
  HistoryBuilder d;
  incident(d, "disk_full", 1.0, "disk full");
  CHECK(check_oom(d.build(), {}).empty());
  REQUIRE(check_disk_full(d.build(), {}).size() == 1);
  CHECK(check_disk_full(d.build(), {})[0].message ==
        "database db ran out of disk at 1.000 s (disk full); 0 requests failed from then on");
}

TEST_CASE("oom: failures are counted only within window_s of the incident") {
  HistoryBuilder b;
  requests(b, "get_order", 2, 0.01, 11.0, Outcome::fail); // before
  const auto oom = incident(b, "oom", 12.0, "out of memory: 9.0 GiB needed on a node with 8.0 GiB");
  const auto during = requests(b, "get_order", 3, 0.01, 12.5, Outcome::fail);
  const auto edge = b.op("place_order", 1, "", std::nullopt, 17.0, 17.2, Outcome::info); // exactly 5 s after
  requests(b, "get_order", 4, 0.01, 17.5, Outcome::fail); // after the window: not counted

  const auto violations = check_oom(b.build(), {});
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].check == "oom");
  CHECK(violations[0].time_s == 12.0);
  CHECK(violations[0].ops == concat(concat(during, {edge}), {oom}));
  CHECK(violations[0].message ==
        "database db was killed for running out of memory at 12.000 s (out of memory: 9.0 "
        "GiB needed on a node with 8.0 GiB); 4 requests failed in the 5000 ms after it");

  CheckOptions longer;
  longer.window_s = 20;
  const auto wide = check_oom(b.build(), longer);
  REQUIRE(wide.size() == 1);
  CHECK(wide[0].message.find("; 8 requests failed in the 20.0 s after it") != std::string::npos);
}

TEST_CASE("oom: two incidents are two violations, in time order") {
  HistoryBuilder b;
  const auto second = incident(b, "oom", 30.0, "second");
  const auto first = incident(b, "oom", 10.0, "first");
  const auto one = b.op("get_order", 1, "", std::nullopt, 11.0, 11.1, Outcome::fail);
  const auto violations = check_oom(b.build(), {});
  REQUIRE(violations.size() == 2);
  CHECK(violations[0].ops == Ids{one, first});
  CHECK(violations[0].message == "database db was killed for running out of memory at 10.000 s (first); 1 "
                                 "request failed in the 5000 ms after it");
  CHECK(violations[1].ops == Ids{second});
  CHECK(violations[1].time_s == 30.0);
}
