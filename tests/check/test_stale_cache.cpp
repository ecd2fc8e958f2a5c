// stale_cache on hand-made histories: caches that kept serving old values.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "check/checker.hpp"
#include "history_builder.hpp"

using faultlab::check::check_stale_cache;
using faultlab::check::CheckOptions;
using faultlab::check::find_checker;
using faultlab::check::registry;
using faultlab::history::Outcome;
using faultlab::testing::HistoryBuilder;
using Ids = std::vector<std::int64_t>;

namespace {
CheckOptions caches(std::vector<std::string> cache_nodes, double stale_bound_s = 0.0) {
  CheckOptions options;
  options.cache_nodes = std::move(cache_nodes);
  options.stale_bound_s = stale_bound_s;
  return options;
}
} // namespace

TEST_CASE("stale_cache: one episode for a cache that kept serving an old value") {
  HistoryBuilder b;
  b.node = "db-1";
  b.write(1, "price:7", 12, 0.5, 0.6);
  const auto w = b.write(1, "price:7", 15, 3.0, 3.1);
  b.node = "cache-1";
  b.read(2, "price:7", 12, 2.0, 2.1); // before the new price was acknowledged: fine
  const auto first = b.read(3, "price:7", 12, 3.2, 3.3);
  b.read(4, "price:7", 15, 4.0, 4.1); // a fresh answer in between does not end the episode
  b.read(5, "price:7", 12, 5.0, 5.1);
  const auto last = b.read(3, "price:7", 12, 11.5, 11.6);

  const auto violations = check_stale_cache(b.build(), caches({"cache-1"}));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].check == "stale_cache");
  CHECK(violations[0].time_s == 3.2);
  CHECK(violations[0].ops == Ids{w, first, last});
  CHECK(violations[0].message ==
        "cache-1 kept serving price:7=12 for 8.400 s after price:7=15 was acknowledged "
        "at 3.100 s: 3 reads between 3.200 s and 11.500 s got the old value");
}

TEST_CASE("stale_cache: the episode starts with the first read beyond the stale bound") {
  HistoryBuilder b;
  b.write(1, "k", 1, 0.0, 0.1);
  const auto w = b.write(1, "k", 2, 3.0, 3.1);
  b.node = "cache-1";
  b.read(2, "k", 1, 3.5, 3.6); // 0.4 s behind: tolerated
  b.read(2, "k", 1, 4.1, 4.2); // exactly the bound: tolerated
  const auto first = b.read(2, "k", 1, 4.5, 4.6);
  const auto last = b.read(2, "k", 1, 6.0, 6.1);
  const auto h = b.build();

  const auto violations = check_stale_cache(h, caches({"cache-1"}, 1.0));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].time_s == 4.5);
  CHECK(violations[0].ops == Ids{w, first, last});
  CHECK(violations[0].message ==
        "cache-1 kept serving k=1 for 2.900 s after k=2 was acknowledged at 3.100 s: "
        "2 reads between 4.500 s and 6.000 s got the old value");
  CHECK(check_stale_cache(h, caches({"cache-1"}, 2.9)).empty());
}

TEST_CASE("stale_cache: only the cache nodes are judged, unless none are named") {
  HistoryBuilder b;
  b.write(1, "k", 1, 0.0, 0.1);
  const auto w = b.write(1, "k", 2, 1.0, 1.1);
  b.node = "db-2";
  const auto r = b.read(2, "k", 1, 2.0, 2.1); // a lagging replica, not a cache
  b.node = "cache-1";
  b.read(2, "k", 2, 2.0, 2.1);
  const auto h = b.build();

  CHECK(check_stale_cache(h, caches({"cache-1", "cache-2"})).empty());
  const auto all = check_stale_cache(h, {});
  REQUIRE(all.size() == 1);
  CHECK(all[0].ops == Ids{w, r});
  CHECK(all[0].message == "db-2 kept serving k=1 for 0.900 s after k=2 was acknowledged at 1.100 s: "
                          "1 read at 2.000 s got the old value");

  HistoryBuilder unnamed; // reads that do not say which node answered
  unnamed.write(1, "k", 1, 0.0, 0.1);
  unnamed.read(2, "k", std::nullopt, 1.0, 1.1);
  const auto miss = check_stale_cache(unnamed.build(), {});
  REQUIRE(miss.size() == 1);
  CHECK(miss[0].message == "the cache kept serving k=nothing for 0.900 s after k=1 was acknowledged at "
                           "0.100 s: 1 read at 1.000 s got the old value");
}

TEST_CASE("stale_cache: one episode per cache, key, old value and newer write") {
  HistoryBuilder b;
  b.write(1, "k", 1, 0.0, 0.1);
  const auto w2 = b.write(1, "k", 2, 1.0, 1.1);
  const auto w3 = b.write(1, "k", 3, 2.0, 2.1);
  b.write(1, "other", 1, 0.0, 0.1);
  const auto o2 = b.write(1, "other", 2, 1.0, 1.1);
  b.node = "cache-1";
  const auto a = b.read(2, "k", 1, 3.0, 3.1); // older than 2 (and 3): counts from 2
  const auto a2 = b.read(2, "k", 1, 4.0, 4.1);
  const auto c = b.read(2, "k", 2, 3.5, 3.6);     // older than 3 only
  const auto d = b.read(2, "other", 1, 3.0, 3.1); // another key
  b.node = "cache-2";
  const auto e = b.read(2, "k", 1, 5.0, 5.1); // another cache

  const auto violations = check_stale_cache(b.build(), caches({"cache-1", "cache-2"}));
  REQUIRE(violations.size() == 4);
  CHECK(violations[0].ops == Ids{w2, a, a2});
  CHECK(violations[0].message ==
        "cache-1 kept serving k=1 for 2.900 s after k=2 was acknowledged at 1.100 s: "
        "2 reads between 3.000 s and 4.000 s got the old value");
  CHECK(violations[1].ops == Ids{o2, d});
  CHECK(violations[2].ops == Ids{w3, c});
  CHECK(violations[2].message ==
        "cache-1 kept serving k=2 for 1.400 s after k=3 was acknowledged at 2.100 s: "
        "1 read at 3.500 s got the old value");
  CHECK(violations[3].ops == Ids{w2, e});
  CHECK(violations[3].time_s == 5.0);
}

TEST_CASE("stale_cache: info and failed writes, concurrent writes") {
  HistoryBuilder b;
  b.write(1, "k", 1, 0.0, 0.1);
  b.write(1, "k", 2, 1.0, 1.5, Outcome::info); // timed out: may land at any time, or never
  b.write(1, "k", 3, 2.0, 2.1, Outcome::fail); // never took effect
  b.write(1, "k", 4, 3.0, 6.0);                // acknowledged only after the reads began
  b.node = "cache-1";
  b.read(2, "k", 1, 5.0, 5.1); // no acknowledged write is newer yet
  b.read(2, "k", 2, 7.0, 7.1); // the info write may have landed after 4
  b.read(2, "k", 3, 7.0, 7.1); // a value no write produced: not judged
  CHECK(check_stale_cache(b.build(), caches({"cache-1"})).empty());

  HistoryBuilder late; // but 1 is older than 4 whatever the info write did
  late.write(1, "k", 1, 0.0, 0.1);
  late.write(1, "k", 2, 1.0, 1.5, Outcome::info);
  const auto w4 = late.write(1, "k", 4, 3.0, 6.0);
  late.node = "cache-1";
  const auto r = late.read(2, "k", 1, 7.0, 7.1);
  const auto violations = check_stale_cache(late.build(), caches({"cache-1"}));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].ops == Ids{w4, r});
}

TEST_CASE("stale_cache: not judged: reads that did not succeed, final reads, keys never written") {
  HistoryBuilder b;
  b.node = "cache-1";
  b.write(1, "k", 1, 0.0, 0.1);
  b.write(1, "k", 2, 1.0, 1.1);
  b.read(2, "k", 1, 2.0, 2.1, Outcome::info);
  b.read(2, "k", 1, 2.2, 2.3, Outcome::fail);
  b.read(2, "never-written", std::nullopt, 2.6, 2.7);
  b.final_read(2, "k", 1, 9.0, 9.1);
  CHECK(check_stale_cache(b.build(), caches({"cache-1"})).empty());
}

TEST_CASE("registry: the new checkers follow single_leader, in order") {
  const auto& checkers = registry();
  const std::vector<std::string> expected{"read_your_writes", "stale_read",    "lost_writes",
                                          "linearizable",     "single_leader", "stale_cache",
                                          "availability",     "shard_skew",    "oversell",
                                          "double_charge",    "unpaid_shipment", "charged_not_fulfilled",
                                          "latency_slo",      "disk_full",     "oom",
                                          "rto_exceeded",     "no_valid_backup", "schema_mismatch",
                                          "unnoticed_failure", "unintended_deletion", "erasure_incomplete",
                                          "outside_local_window", "wrong_day_report", "value_corruption"};
  REQUIRE(checkers.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    CHECK(checkers[i].name == expected[i]);
  CHECK(find_checker("stale_cache")->run == &check_stale_cache);
}

namespace {

// The definition, applied literally: every stale read beyond the bound,
// grouped by (node, key, value, first newer write), as sorted episodes.
using Episode = std::tuple<double, Ids>;
std::vector<Episode> reference(const faultlab::history::History& h, double stale_bound_s) {
  const auto& ops = h.ops;
  std::map<std::tuple<std::string, std::string, std::optional<std::int64_t>, std::int64_t>, Ids> reads;
  for (const auto& r : ops) {
    if (!r.is_read() || r.outcome != Outcome::ok || r.final_read) continue;
    bool produced = !r.value.has_value();
    for (const auto& c : ops)
      if (c.is_write() && c.key == r.key && c.value == r.value && c.outcome != Outcome::fail) produced = true;
    if (!produced) continue;
    const faultlab::history::Op* first = nullptr;
    for (const auto& w : ops) {
      if (!w.is_write() || w.outcome != Outcome::ok || w.key != r.key) continue;
      bool older = true;
      for (const auto& c : ops)
        if (c.is_write() && c.key == r.key && c.value == r.value && c.outcome != Outcome::fail &&
            !(c.outcome == Outcome::ok && c.complete_s < w.invoke_s))
          older = false;
      if (older && (!first || w.complete_s < first->complete_s ||
                    (w.complete_s == first->complete_s && w.id < first->id)))
        first = &w;
    }
    if (first && first->complete_s < r.invoke_s && r.invoke_s - first->complete_s > stale_bound_s)
      reads[{r.node, r.key, r.value, first->id}].push_back(r.id); // ops are in invoke order
  }
  std::vector<Episode> episodes;
  for (const auto& [key, ids] : reads) {
    Ids found{std::get<3>(key), ids.front()};
    if (ids.size() > 1) found.push_back(ids.back());
    double time_s = 0;
    for (const auto& op : ops)
      if (op.id == ids.front()) time_s = op.invoke_s;
    episodes.emplace_back(time_s, found);
  }
  std::sort(episodes.begin(), episodes.end());
  return episodes;
}

} // namespace

TEST_CASE("stale_cache: agrees with the literal definition on random histories") {
  std::mt19937 random(23);
  auto pick = [&](std::uint32_t n) { return static_cast<std::int64_t>(random() % n); };
  std::size_t total = 0;
  for (int round = 0; round < 200; ++round) {
    HistoryBuilder b;
    for (int i = 0; i < 40; ++i) {
      const double invoke_s = static_cast<double>(pick(40)) / 4.0;
      const double complete_s = invoke_s + static_cast<double>(pick(12)) / 4.0;
      const Outcome outcome = pick(5) == 0 ? Outcome::info : pick(6) == 0 ? Outcome::fail : Outcome::ok;
      const std::string key = pick(2) == 0 ? "a" : "b";
      b.node = pick(3) == 0 ? "db-1" : pick(2) == 0 ? "cache-1" : "cache-2";
      std::optional<std::int64_t> value = pick(6);
      if (pick(2) == 0)
        b.write(pick(3), key, value, invoke_s, complete_s, outcome);
      else
        b.read(pick(3), key, pick(6) == 0 ? std::nullopt : value, invoke_s, complete_s, outcome);
    }
    const auto h = b.build();
    const double stale_bound_s = static_cast<double>(pick(4)) / 4.0;
    std::vector<Episode> got;
    for (const auto& v : check_stale_cache(h, caches({}, stale_bound_s)))
      got.emplace_back(v.time_s, v.ops);
    INFO("round " << round);
    CHECK(got == reference(h, stale_bound_s));
    total += got.size();
  }
  CHECK(total > 100); // the histories do contain episodes to agree on
}
