// shard_skew on hand-made histories: one shard taking most of the load.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "check/checker.hpp"
#include "history_builder.hpp"

using faultlab::check::check_shard_skew;
using faultlab::check::CheckOptions;
using faultlab::check::find_checker;
using faultlab::history::Outcome;
using faultlab::testing::HistoryBuilder;
using Ids = std::vector<std::int64_t>;

namespace {
CheckOptions shards(std::vector<std::string> shard_nodes) {
  CheckOptions options;
  options.shard_nodes = std::move(shard_nodes);
  return options;
}

// Adds `count` reads routed to `shard`, invoked 0.01 s apart from `start_s`,
// each taking `latency_s`; returns their ids.
Ids routed(HistoryBuilder& b, const std::string& shard, int count, double start_s, double latency_s,
           Outcome outcome = Outcome::ok) {
  b.node = shard;
  Ids ids;
  for (int i = 0; i < count; ++i) {
    const double invoke_s = start_s + 0.01 * i;
    ids.push_back(b.read(i % 5, "user:" + std::to_string(i), 1, invoke_s, invoke_s + latency_s, outcome));
  }
  return ids;
}
} // namespace

TEST_CASE("shard_skew: a hot shard, its share, its skew and its latency") {
  HistoryBuilder b;
  b.node = "shard-2";
  Ids hot;
  for (int i = 0; i < 15; ++i) // 1 ms, 2 ms, ... 15 ms
    hot.push_back(b.read(1, "user:1", 1, 10.0 + 0.25 * i, 10.0 + 0.25 * i + 0.001 * (i + 1)));
  const auto slowest = b.read(1, "user:1", 1, 14.0, 14.84);
  routed(b, "shard-1", 2, 11.0, 0.002);
  routed(b, "shard-3", 2, 12.0, 0.002);
  // shard-4 got nothing at all: it still counts in the mean.

  const auto violations = check_shard_skew(b.build(), shards({"shard-1", "shard-2", "shard-3", "shard-4"}));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].check == "shard_skew");
  CHECK(violations[0].time_s == 10.0);
  CHECK(violations[0].ops ==
        Ids{hot[6], hot[7], hot[8], hot[9], hot[10], hot[11], hot[12], hot[13], hot[14], slowest});
  CHECK(violations[0].message ==
        "shard-2 took 80.0% of the 20 requests between 10.000 s and 15.000 s, 3.20 times the mean load of "
        "the 4 shards (bound 2.00); its p99 latency was 840.000 ms against 2.000 ms on the other shards");
}

TEST_CASE("shard_skew: balanced shards, and a skew exactly at the bound, pass") {
  HistoryBuilder b;
  routed(b, "shard-1", 12, 0.0, 0.002);
  routed(b, "shard-2", 10, 0.0, 0.002);
  routed(b, "shard-3", 8, 0.0, 0.002);
  CHECK(check_shard_skew(b.build(), shards({"shard-1", "shard-2", "shard-3"})).empty());

  HistoryBuilder all_on_one; // one of two shards takes everything: exactly twice the mean
  routed(all_on_one, "shard-1", 20, 0.0, 0.002);
  CHECK(check_shard_skew(all_on_one.build(), shards({"shard-1", "shard-2"})).empty());
}

TEST_CASE("shard_skew: timed-out and failed requests are load, but have no latency") {
  HistoryBuilder b;
  routed(b, "shard-1", 15, 0.0, 1.0, Outcome::info);
  routed(b, "shard-1", 5, 1.0, 0.0, Outcome::fail);
  routed(b, "shard-2", 2, 0.0, 0.003);
  routed(b, "shard-3", 3, 0.0, 0.004);
  const auto violations = check_shard_skew(b.build(), shards({"shard-1", "shard-2", "shard-3"}));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].ops.empty()); // none of the hot shard's requests succeeded
  CHECK(violations[0].message ==
        "shard-1 took 80.0% of the 25 requests between 0.000 s and 5.000 s, 2.40 times the mean load of "
        "the 3 shards (bound 2.00); none of its requests succeeded, while the other shards had a p99 "
        "latency of 4.000 ms");

  HistoryBuilder alone; // nothing reached the other shards
  routed(alone, "shard-1", 10, 0.0, 0.005);
  const auto only = check_shard_skew(alone.build(), shards({"shard-1", "shard-2", "shard-3"}));
  REQUIRE(only.size() == 1);
  CHECK_THAT(only[0].message,
             Catch::EndsWith("3.00 times the mean load of the 3 shards (bound 2.00); its p99 "
                             "latency was 5.000 ms, and the other shards had no successful "
                             "requests"));
}

TEST_CASE("shard_skew: each window on its own; small windows, other nodes and final reads are not judged") {
  HistoryBuilder b;
  routed(b, "shard-1", 9, 0.0, 0.002); // 9 ops: too few to judge
  routed(b, "db-1", 30, 0.0, 0.002);   // not a shard
  b.node = "shard-1";
  for (int i = 0; i < 30; ++i)
    b.final_read(-1, "user:1", 1, 4.0, 4.1);
  routed(b, "shard-1", 6, 5.0, 0.002); // the next window: 6 + 4 + 4
  routed(b, "shard-2", 4, 5.0, 0.002);
  routed(b, "shard-3", 4, 5.0, 0.002);
  const auto options = shards({"shard-1", "shard-2", "shard-3"});
  CHECK(check_shard_skew(b.build(), options).empty());

  routed(b, "shard-1", 20, 7.0, 0.002); // now 26 of 34
  const auto violations = check_shard_skew(b.build(), options);
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].time_s == 5.0);
  CHECK_THAT(violations[0].message,
             Catch::StartsWith("shard-1 took 76.5% of the 34 requests between 5.000 s and "
                               "10.000 s, 2.29 times the mean load of the 3 shards"));
}

TEST_CASE("shard_skew: without declared shards there is nothing to compare") {
  HistoryBuilder b;
  routed(b, "shard-1", 50, 0.0, 0.002);
  routed(b, "shard-2", 1, 0.0, 0.002);
  CHECK(check_shard_skew(b.build(), {}).empty());
  CHECK(check_shard_skew(b.build(), shards({"shard-1", "shard-2", "shard-3"})).size() == 1);
  CHECK(find_checker("shard_skew")->run == &check_shard_skew);
}

TEST_CASE("shard_skew: rounding never makes a skew look within its bound") {
  HistoryBuilder b;
  routed(b, "shard-a", 668, 0.0, 0.001);
  routed(b, "shard-b", 167, 0.0, 0.001);
  routed(b, "shard-c", 166, 0.0, 0.001);
  CheckOptions options = shards({"shard-a", "shard-b", "shard-c"});
  options.window_s = 60.0;
  const auto violations = check_shard_skew(b.build(), options);
  REQUIRE(violations.size() == 1);
  CHECK_THAT(violations[0].message,
             Catch::Contains(", 2.002 times the mean load of the 3 shards (bound 2.00)"));
}
