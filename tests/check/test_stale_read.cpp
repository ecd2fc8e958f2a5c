#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "check/checker.hpp"
#include "check/describe.hpp"
#include "history_builder.hpp"
#include "../support/printf_times.hpp"

using faultlab::check::check_stale_read;
using faultlab::check::CheckOptions;
using faultlab::check::find_checker;
using faultlab::check::registry;
using faultlab::history::Outcome;
using faultlab::testing::HistoryBuilder;
using Ids = std::vector<std::int64_t>;

namespace {
CheckOptions bound(double stale_bound_s) {
  CheckOptions options;
  options.stale_bound_s = stale_bound_s;
  return options;
}
} // namespace

TEST_CASE("stale_read: a read older than an acknowledged write, with its staleness") {
  HistoryBuilder b;
  b.write(1, "profile:3", 12, 0.5, 0.6);
  const auto w = b.write(2, "profile:3", 17, 2.0, 2.013);
  b.node = "db-2";
  const auto r = b.read(5, "profile:3", 12, 2.1, 2.2);

  const auto violations = check_stale_read(b.build(), {});
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].check == "stale_read");
  CHECK(violations[0].time_s == 2.1);
  CHECK(violations[0].ops == Ids{w, r});
  CHECK(violations[0].message ==
        "users session 5 read profile:3 at 2.100 s and got 12 from db-2, but "
        "profile:3=17 had been acknowledged at 2.013 s: the answer was 0.087 s stale");
}

TEST_CASE("stale_read: reading nothing after a write was acknowledged") {
  HistoryBuilder b;
  const auto w = b.write(1, "k", 3, 1.0, 1.5);
  const auto r = b.read(2, "k", std::nullopt, 4.0, 4.1);
  const auto violations = check_stale_read(b.build(), {});
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].ops == Ids{w, r});
  CHECK(violations[0].message ==
        "users session 2 read k at 4.000 s and got nothing (the key did not exist "
        "yet), but k=3 had been acknowledged at 1.500 s: the answer was 2.500 s stale");
}

TEST_CASE("stale_read: the stale bound") {
  HistoryBuilder b;
  b.write(1, "k", 1, 0.0, 0.5);
  b.write(1, "k", 2, 1.0, 1.5);
  b.read(2, "k", 1, 2.0, 2.1); // 0.5 s stale
  const auto h = b.build();

  CHECK(check_stale_read(h, bound(1.0)).empty()); // within the bound
  CHECK(check_stale_read(h, bound(0.5)).empty()); // exactly the bound is tolerated
  const auto over = check_stale_read(h, bound(0.25));
  REQUIRE(over.size() == 1);
  CHECK(over[0].message == "users session 2 read k at 2.000 s and got 1, but k=2 had been acknowledged at "
                           "1.500 s: the answer was 0.500 s stale");
}

TEST_CASE("stale_read: staleness counts from the first acknowledged write the value is older than") {
  HistoryBuilder b;
  b.write(1, "k", 10, 0.0, 1.0);
  const auto w20 = b.write(1, "k", 20, 1.5, 2.0);
  const auto w30 = b.write(1, "k", 30, 2.5, 3.0);
  const auto r10 = b.read(2, "k", 10, 4.0, 4.1);
  const auto r20 = b.read(3, "k", 20, 4.0, 4.1);
  b.read(4, "k", 30, 4.0, 4.1);

  const auto violations = check_stale_read(b.build(), bound(0.9));
  REQUIRE(violations.size() == 2);
  CHECK(violations[0].ops == Ids{w20, r10});
  CHECK_THAT(violations[0].message, Catch::EndsWith("the answer was 2.000 s stale"));
  CHECK(violations[1].ops == Ids{w30, r20});
  CHECK_THAT(violations[1].message, Catch::EndsWith("the answer was 1.000 s stale"));
}

TEST_CASE("stale_read: overlapping writes: order by acknowledgement, skip concurrent ones") {
  HistoryBuilder b;
  b.write(1, "k", 0, 0.0, 0.5);
  b.write(1, "k", 1, 1.0, 3.0);                 // long write
  const auto w2 = b.write(2, "k", 2, 1.5, 2.0); // acknowledged first, though invoked later
  const auto r0 = b.read(3, "k", 0, 4.0, 4.1);
  b.read(3, "k", 2, 4.2, 4.3); // 1 and 2 were concurrent: 2 may have been applied last
  b.read(3, "k", 1, 4.4, 4.5);

  const auto violations = check_stale_read(b.build(), {});
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].ops == Ids{w2, r0});
  CHECK_THAT(violations[0].message, Catch::EndsWith("the answer was 2.000 s stale"));
}

TEST_CASE("stale_read: concurrent reads and writes may see either value") {
  HistoryBuilder b;
  b.write(1, "k", 1, 0.0, 0.1);
  b.write(1, "k", 2, 1.0, 2.0);
  b.read(2, "k", 1, 1.5, 2.5); // the write was not yet acknowledged when the read began
  b.read(2, "k", 2, 1.2, 1.3); // may see the new value early, too
  CHECK(check_stale_read(b.build(), {}).empty());
}

TEST_CASE("stale_read: info writes may or may not have taken effect, at any time") {
  HistoryBuilder b;
  b.write(1, "k", 1, 0.0, 0.1);
  b.write(1, "k", 2, 1.0, 1.5, Outcome::info); // timed out at 1.5
  b.write(1, "k", 3, 2.0, 2.1);
  b.read(2, "k", 2, 5.0, 5.1); // the info write may have landed after 3
  CHECK(check_stale_read(b.build(), {}).empty());

  HistoryBuilder never;
  never.write(1, "k", 1, 0.0, 0.1);
  never.write(1, "k", 2, 1.0, 1.5, Outcome::info);
  never.read(2, "k", 1, 5.0, 5.1); // ...or never landed at all
  CHECK(check_stale_read(never.build(), {}).empty());
}

TEST_CASE("stale_read: a failed write makes nothing stale") {
  HistoryBuilder b;
  b.write(1, "k", 1, 0.0, 0.1);
  b.write(1, "k", 2, 1.0, 1.5, Outcome::fail);
  b.read(2, "k", 1, 5.0, 5.1);
  CHECK(check_stale_read(b.build(), {}).empty());
}

TEST_CASE("stale_read: repeated values get the most favourable reading") {
  HistoryBuilder b;
  b.write(1, "k", 5, 0.0, 0.2);
  b.write(1, "k", 7, 1.0, 1.1);
  b.write(2, "k", 5, 1.05, 1.5); // also 5, concurrent with 7
  b.read(3, "k", 5, 2.0, 2.1);
  CHECK(check_stale_read(b.build(), {}).empty());

  HistoryBuilder later; // the second 5 precedes 7 too: every reading is stale
  later.write(1, "k", 5, 0.0, 0.2);
  later.write(2, "k", 5, 0.3, 0.4);
  const auto w7 = later.write(1, "k", 7, 1.0, 1.1);
  const auto r = later.read(3, "k", 5, 2.0, 2.1);
  const auto violations = check_stale_read(later.build(), {});
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].ops == Ids{w7, r});
}

TEST_CASE("stale_read: not judged: unknown values, final reads, reads not ok, keys never written") {
  HistoryBuilder b;
  b.write(1, "k", 1, 0.0, 0.1);
  b.write(1, "k", 2, 1.0, 1.1);
  b.read(2, "k", 99, 2.0, 2.1);
  b.read(2, "k", 1, 2.2, 2.3, Outcome::info);
  b.read(2, "k", 1, 2.4, 2.5, Outcome::fail);
  b.read(2, "never-written", std::nullopt, 2.6, 2.7);
  b.final_read(2, "k", 1, 9.0, 9.1);
  CHECK(check_stale_read(b.build(), {}).empty());
}

TEST_CASE("registry: the checkers in a fixed order, found by name") {
  const auto& checkers = registry();
  REQUIRE(checkers.size() >= 5); // the ones after single_leader: test_stale_cache.cpp
  CHECK(std::string(checkers[0].name) == "read_your_writes");
  CHECK(std::string(checkers[1].name) == "stale_read");
  CHECK(std::string(checkers[2].name) == "lost_writes");
  CHECK(std::string(checkers[3].name) == "linearizable");
  CHECK(std::string(checkers[4].name) == "single_leader");
  for (const auto& checker : checkers) {
    CHECK(find_checker(checker.name) == &checker);
    CHECK(std::string(checker.summary).find('\n') == std::string::npos);
    CHECK(!std::string(checker.summary).empty());
  }
  CHECK(find_checker("stale_read")->run == &check_stale_read);
  CHECK(find_checker("linearizability") == nullptr);
  CHECK(find_checker("") == nullptr);
  CHECK(find_checker("stale_rea") == nullptr);
}

namespace {

// The definition, applied literally: quadratic, for cross-checking.
std::vector<Ids> reference(const faultlab::history::History& h, double stale_bound_s) {
  const auto& ops = h.ops;
  std::vector<std::pair<double, Ids>> found;
  for (const auto& r : ops) {
    if (!r.is_read() || r.outcome != Outcome::ok || r.final_read) continue;
    bool produced = !r.value.has_value();
    for (const auto& c : ops)
      if (c.is_write() && c.key == r.key && c.value == r.value && c.outcome != Outcome::fail) produced = true;
    if (!produced) continue;
    const faultlab::history::Op* first = nullptr;
    for (const auto& w : ops) {
      if (!w.is_write() || w.outcome != Outcome::ok || w.key != r.key || !(w.complete_s < r.invoke_s))
        continue;
      bool older = true;
      for (const auto& c : ops)
        if (c.is_write() && c.key == r.key && c.value == r.value && c.outcome != Outcome::fail &&
            !(c.outcome == Outcome::ok && c.complete_s < w.invoke_s))
          older = false;
      if (older && (!first || w.complete_s < first->complete_s ||
                    (w.complete_s == first->complete_s && w.id < first->id)))
        first = &w;
    }
    if (first && r.invoke_s - first->complete_s > stale_bound_s)
      found.push_back({r.invoke_s, Ids{first->id, r.id}});
  }
  std::sort(found.begin(), found.end());
  std::vector<Ids> ids;
  for (const auto& f : found)
    ids.push_back(f.second);
  return ids;
}

} // namespace

TEST_CASE("stale_read: agrees with the literal definition on random histories") {
  std::mt19937 random(11);
  auto pick = [&](std::uint32_t n) { return static_cast<std::int64_t>(random() % n); };
  std::size_t total = 0;
  for (int round = 0; round < 300; ++round) {
    HistoryBuilder b;
    for (int i = 0; i < 40; ++i) {
      const double invoke_s = static_cast<double>(pick(40)) / 4.0;
      const double complete_s = invoke_s + static_cast<double>(pick(12)) / 4.0;
      const Outcome outcome = pick(5) == 0 ? Outcome::info : pick(6) == 0 ? Outcome::fail : Outcome::ok;
      const std::string key = pick(2) == 0 ? "a" : "b";
      std::optional<std::int64_t> value = pick(8);
      if (pick(2) == 0)
        b.write(pick(3), key, value, invoke_s, complete_s, outcome);
      else
        b.read(pick(3), key, pick(6) == 0 ? std::nullopt : value, invoke_s, complete_s, outcome);
    }
    const double stale_bound_s = static_cast<double>(pick(4)) / 4.0;
    std::vector<Ids> got;
    for (const auto& v : check_stale_read(b.history, bound(stale_bound_s)))
      got.push_back(v.ops);
    INFO("round " << round);
    CHECK(got == reference(b.history, stale_bound_s));
    total += got.size();
  }
  CHECK(total > 100); // the histories do contain violations to agree on
}

TEST_CASE("violation messages write times as printf's %.3f and day %.2f would, halfway cases included") {
  using faultlab::testing::printf_text;
  for (double t : faultlab::testing::times_to_compare()) {
    CAPTURE(t);
    if (t >= 2 * 86400.0) CHECK(faultlab::check::format_time(t) == printf_text("day %.2f", t / 86400.0));
    else CHECK(faultlab::check::format_time(t) == printf_text("%.3f s", t));
  }
  CHECK(faultlab::check::format_time(1e20) == printf_text("day %.2f", 1e20 / 86400.0));
  CHECK(faultlab::check::format_time(1.0 / 0.0) == "never");
  CHECK(faultlab::check::format_time(-1.0 / 0.0) == "the beginning");
}
