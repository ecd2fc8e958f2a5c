#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "check/checker.hpp"
#include "history_builder.hpp"

using faultlab::check::check_lost_writes;
using faultlab::check::check_read_your_writes;
using faultlab::check::check_stale_read;
using faultlab::history::Outcome;
using faultlab::testing::HistoryBuilder;
using Ids = std::vector<std::int64_t>;

TEST_CASE("lost_writes: an acknowledged write overwritten by an older value") {
  HistoryBuilder b;
  b.write(1, "profile:3", 12, 0.5, 0.6);
  const auto w = b.write(2, "profile:3", 17, 2.0, 2.013);
  const auto f = b.final_read(9, "profile:3", 12, 10.0, 10.1);

  const auto violations = check_lost_writes(b.build(), {});
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].check == "lost_writes");
  CHECK(violations[0].time_s == 2.013);
  CHECK(violations[0].ops == Ids{w, f});
  CHECK(violations[0].message == "profile:3=17 was acknowledged at 2.013 s, but the final read of profile:3 "
                                 "found 12, a value written before it: the acknowledged write was lost");
}

TEST_CASE("lost_writes: a final read of nothing loses every acknowledged write, in time order") {
  HistoryBuilder b;
  const auto w2 = b.write(2, "k", 2, 3.0, 3.5);
  const auto w1 = b.write(1, "k", 1, 1.0, 1.25);
  b.write(3, "k", 3, 4.0, 4.5, Outcome::info); // unknown outcome: never reported as lost
  b.write(3, "k", 4, 5.0, 5.5, Outcome::fail);
  b.node = "db-1";
  const auto f = b.final_read(9, "k", std::nullopt, 10.0, 10.1);

  const auto violations = check_lost_writes(b.build(), {});
  REQUIRE(violations.size() == 2);
  CHECK(violations[0].ops == Ids{w1, f});
  CHECK(violations[0].time_s == 1.25);
  CHECK(violations[1].ops == Ids{w2, f});
  CHECK(violations[1].message == "k=2 was acknowledged at 3.500 s, but the final read of k on db-1 found "
                                 "nothing (the key did not exist yet): the acknowledged write was lost");
}

TEST_CASE("lost_writes: the last acknowledged value surviving is fine") {
  HistoryBuilder b;
  b.write(1, "k", 1, 0.0, 0.1);
  b.write(1, "k", 2, 1.0, 1.1);
  b.final_read(9, "k", 2, 10.0, 10.1);
  CHECK(check_lost_writes(b.build(), {}).empty());
}

TEST_CASE("lost_writes: a final value concurrent with a write may have won") {
  HistoryBuilder b;
  b.write(1, "k", 12, 1.0, 2.5);
  b.write(2, "k", 17, 2.0, 2.013);
  b.final_read(9, "k", 12, 10.0, 10.1);
  CHECK(check_lost_writes(b.build(), {}).empty());
}

TEST_CASE("lost_writes: a final value from an info write may have landed last") {
  HistoryBuilder b;
  b.write(1, "k", 1, 0.0, 0.5, Outcome::info);
  b.write(2, "k", 2, 3.0, 3.1);
  b.final_read(9, "k", 1, 10.0, 10.1);
  CHECK(check_lost_writes(b.build(), {}).empty());
}

TEST_CASE("lost_writes: keys are judged only by an ok final read whose value some write produced") {
  HistoryBuilder b;
  b.write(1, "no-final", 1, 0.0, 0.1);
  b.write(1, "no-final", 2, 1.0, 1.1);
  b.read(2, "no-final", 1, 5.0, 5.1); // an ordinary read is not a final read

  b.write(1, "timed-out", 1, 0.0, 0.1);
  b.write(1, "timed-out", 2, 1.0, 1.1);
  b.final_read(9, "timed-out", std::nullopt, 10.0, 10.1, Outcome::info);
  b.final_read(9, "timed-out", std::nullopt, 10.2, 10.3, Outcome::fail);

  b.write(1, "unknown", 1, 0.0, 0.1);
  b.final_read(9, "unknown", 99, 10.0, 10.1);

  b.write(1, "failed", 1, 0.0, 0.1);
  b.write(1, "failed", 2, 1.0, 1.1, Outcome::fail); // only a failed write made 2
  b.final_read(9, "failed", 2, 10.0, 10.1);
  CHECK(check_lost_writes(b.build(), {}).empty());
}

TEST_CASE("lost_writes: with several final reads the latest invoked decides") {
  HistoryBuilder b;
  b.write(1, "k", 1, 0.0, 0.1);
  const auto w2 = b.write(1, "k", 2, 1.0, 1.1);
  const auto late = b.final_read(9, "k", 1, 11.0, 11.1);
  b.final_read(8, "k", 2, 10.0, 12.0); // invoked earlier, though it completed later

  const auto violations = check_lost_writes(b.build(), {});
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].ops == Ids{w2, late});
}

TEST_CASE("lost_writes: repeated values get the most favourable reading") {
  HistoryBuilder b;
  b.write(1, "k", 5, 0.0, 0.2);
  const auto w7 = b.write(1, "k", 7, 1.0, 1.1);
  SECTION("a second write of 5 concurrent with 7 may have won") {
    b.write(2, "k", 5, 1.05, 1.5);
    b.final_read(9, "k", 5, 10.0, 10.1);
    CHECK(check_lost_writes(b.build(), {}).empty());
  }
  SECTION("a second write of 5 after 7 wins legitimately") {
    b.write(2, "k", 5, 2.0, 2.5);
    b.final_read(9, "k", 5, 10.0, 10.1);
    CHECK(check_lost_writes(b.build(), {}).empty());
  }
  SECTION("every write of 5 preceding 7: 7 was lost") {
    b.write(2, "k", 5, 0.3, 0.4);
    const auto f = b.final_read(9, "k", 5, 10.0, 10.1);
    const auto violations = check_lost_writes(b.build(), {});
    REQUIRE(violations.size() == 1);
    CHECK(violations[0].ops == Ids{w7, f});
  }
}

TEST_CASE("lost_writes: final reads are left to lost_writes alone") {
  HistoryBuilder b;
  b.write(1, "k", 1, 0.0, 0.1);
  b.write(1, "k", 2, 1.0, 1.1);
  b.final_read(1, "k", 1, 10.0, 10.1);
  const auto h = b.build();
  CHECK(check_read_your_writes(h, {}).empty());
  CHECK(check_stale_read(h, {}).empty());
  CHECK(check_lost_writes(h, {}).size() == 1);
}

namespace {

// The definition, applied literally: quadratic, for cross-checking.
std::vector<Ids> reference(const faultlab::history::History& h) {
  const auto& ops = h.ops;
  std::map<std::string, const faultlab::history::Op*> finals;
  for (const auto& r : ops) {
    if (!r.is_read() || !r.final_read || r.outcome != Outcome::ok) continue;
    auto& f = finals[r.key];
    if (!f || r.invoke_s > f->invoke_s || (r.invoke_s == f->invoke_s && r.id > f->id)) f = &r;
  }
  std::vector<std::pair<double, Ids>> found;
  for (const auto& w : ops) {
    if (!w.is_write() || w.outcome != Outcome::ok || !finals.count(w.key)) continue;
    const auto& f = *finals[w.key];
    if (w.value == f.value) continue;
    bool produced = !f.value.has_value();
    bool older = true;
    for (const auto& c : ops)
      if (c.is_write() && c.key == w.key && c.value == f.value && c.outcome != Outcome::fail) {
        produced = true;
        if (!(c.outcome == Outcome::ok && c.complete_s < w.invoke_s)) older = false;
      }
    if (produced && older) found.push_back({w.complete_s, Ids{w.id, f.id}});
  }
  std::sort(found.begin(), found.end());
  std::vector<Ids> ids;
  for (const auto& f : found)
    ids.push_back(f.second);
  return ids;
}

} // namespace

TEST_CASE("lost_writes: agrees with the literal definition on random histories") {
  std::mt19937 random(13);
  auto pick = [&](std::uint32_t n) { return static_cast<std::int64_t>(random() % n); };
  std::size_t total = 0;
  for (int round = 0; round < 300; ++round) {
    HistoryBuilder b;
    for (int i = 0; i < 30; ++i) {
      const double invoke_s = static_cast<double>(pick(40)) / 4.0;
      const double complete_s = invoke_s + static_cast<double>(pick(12)) / 4.0;
      const Outcome outcome = pick(5) == 0 ? Outcome::info : pick(6) == 0 ? Outcome::fail : Outcome::ok;
      b.write(pick(3), pick(3) == 0 ? "a" : "b", pick(8), invoke_s, complete_s, outcome);
    }
    for (const char* key : {"a", "b", "c"}) {
      for (int i = 0; i < 2; ++i) {
        const double invoke_s = 20.0 + static_cast<double>(pick(4)) / 4.0;
        const Outcome outcome = pick(4) == 0 ? Outcome::info : Outcome::ok;
        b.final_read(9, key, pick(7) == 0 ? std::nullopt : std::optional<std::int64_t>(pick(8)), invoke_s,
                     invoke_s + 0.5, outcome);
      }
    }
    std::vector<Ids> got;
    for (const auto& v : check_lost_writes(b.history, {}))
      got.push_back(v.ops);
    INFO("round " << round);
    CHECK(got == reference(b.history));
    total += got.size();
  }
  CHECK(total > 100); // the histories do contain violations to agree on
}
