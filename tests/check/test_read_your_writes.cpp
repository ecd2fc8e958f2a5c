#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "check/checker.hpp"
#include "history_builder.hpp"

using faultlab::check::check_read_your_writes;
using faultlab::check::check_stale_read;
using faultlab::check::CheckOptions;
using faultlab::check::Violation;
using faultlab::history::Outcome;
using faultlab::testing::HistoryBuilder;
using Ids = std::vector<std::int64_t>;

TEST_CASE("read_your_writes: a session that reads an older value after its own write") {
  HistoryBuilder b;
  b.write(1, "profile:3", 12, 0.5, 0.6);
  const auto w = b.write(3, "profile:3", 17, 2.0, 2.013);
  b.node = "db-2";
  const auto r = b.read(3, "profile:3", 12, 2.1, 2.15);

  const std::vector<Violation> violations = check_read_your_writes(b.build(), {});
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].check == "read_your_writes");
  CHECK(violations[0].time_s == 2.1);
  CHECK(violations[0].ops == Ids{w, r});
  CHECK(violations[0].message == "users session 3 wrote profile:3=17 (acknowledged at 2.013 s), then read "
                                 "profile:3 at 2.100 s and got 12 from db-2, an older value: its own write "
                                 "was not visible to it");
}

TEST_CASE("read_your_writes: reading nothing after an own write, worded without client or node") {
  HistoryBuilder b;
  b.client = "";
  const auto w = b.write(4, "", 5, 1.0, 1.25);
  const auto r = b.read(4, "", std::nullopt, 2.0, 2.5);

  const auto violations = check_read_your_writes(b.build(), {});
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].ops == Ids{w, r});
  CHECK(violations[0].time_s == 2.0);
  CHECK(violations[0].message ==
        "process 4 wrote the value 5 (acknowledged at 1.250 s), then read the register "
        "at 2.000 s and got nothing (the key did not exist yet): its own write was "
        "not visible to it");
}

TEST_CASE("read_your_writes: reads that see the own write or a newer one pass") {
  HistoryBuilder b;
  b.write(3, "k", 1, 1.0, 1.1);
  b.read(3, "k", 1, 1.2, 1.3);
  b.write(2, "k", 2, 1.4, 1.5); // someone else's newer write
  b.read(3, "k", 2, 1.6, 1.7);
  CHECK(check_read_your_writes(b.build(), {}).empty());
}

TEST_CASE("read_your_writes: a read concurrent with the own write may see either value") {
  HistoryBuilder b;
  b.write(1, "k", 1, 0.0, 0.1);
  b.write(3, "k", 2, 1.0, 2.0);
  b.read(3, "k", 1, 1.5, 1.6); // invoked before the write was acknowledged
  b.read(3, "k", 1, 2.0, 2.1); // invoked at the very instant of the ack: not strictly after
  b.read(3, "k", 2, 1.5, 1.7);
  CHECK(check_read_your_writes(b.build(), {}).empty());
}

TEST_CASE("read_your_writes: only the same session counts; stale_read still sees the rest") {
  HistoryBuilder b;
  b.write(1, "k", 1, 0.0, 0.1);
  const auto w = b.write(3, "k", 2, 1.0, 1.5);
  const auto other_process = b.read(4, "k", 1, 2.0, 2.1);
  b.client = "admins";
  const auto other_client = b.read(3, "k", 1, 3.0, 3.1);
  const auto h = b.build();

  CHECK(check_read_your_writes(h, {}).empty());
  const auto stale = check_stale_read(h, {});
  REQUIRE(stale.size() == 2);
  CHECK(stale[0].ops == Ids{w, other_process});
  CHECK(stale[1].ops == Ids{w, other_client});
}

TEST_CASE("read_your_writes: own info and fail writes promise nothing") {
  HistoryBuilder b;
  b.write(1, "k", 1, 0.0, 0.1);
  b.write(3, "k", 2, 1.0, 1.5, Outcome::info); // timed out: may never take effect
  b.write(3, "k", 3, 2.0, 2.1, Outcome::fail);
  b.read(3, "k", 1, 3.0, 3.1);
  b.read(3, "k", 2, 3.2, 3.3); // the info write's value: fine as well
  CHECK(check_read_your_writes(b.build(), {}).empty());
}

TEST_CASE("read_your_writes: the newest own write older than the read is named") {
  HistoryBuilder b;
  const auto w1 = b.write(3, "k", 1, 0.0, 0.1);
  b.write(3, "k", 2, 0.2, 0.3);
  const auto w3 = b.write(3, "k", 3, 0.4, 0.5);
  b.write(3, "k", 4, 0.6, 5.0); // acknowledged after the read began: not counted
  const auto r = b.read(3, "k", 1, 1.0, 1.1);
  const auto r_nothing = b.read(3, "k", std::nullopt, 0.15, 0.18);

  const auto violations = check_read_your_writes(b.build(), {});
  REQUIRE(violations.size() == 2);
  CHECK(violations[0].ops == Ids{w1, r_nothing});
  CHECK(violations[1].ops == Ids{w3, r});
}

TEST_CASE("read_your_writes: repeated values get the most favourable reading") {
  HistoryBuilder b;
  b.write(1, "k", 5, 0.0, 0.2);
  b.write(3, "k", 7, 1.0, 1.1);
  SECTION("a second write of 5, concurrent with the own write, may be what was read") {
    b.write(2, "k", 5, 1.05, 1.5);
    b.read(3, "k", 5, 2.0, 2.1);
    CHECK(check_read_your_writes(b.build(), {}).empty());
  }
  SECTION("a second write of 5 that is an info write may have landed late") {
    b.write(2, "k", 5, 0.3, 0.4, Outcome::info);
    b.read(3, "k", 5, 2.0, 2.1);
    CHECK(check_read_your_writes(b.build(), {}).empty());
  }
  SECTION("a failed second write of 5 does not help") {
    b.write(2, "k", 5, 1.05, 1.5, Outcome::fail);
    b.read(3, "k", 5, 2.0, 2.1);
    CHECK(check_read_your_writes(b.build(), {}).size() == 1);
  }
  SECTION("every write of 5 preceding the own write: a violation") {
    b.write(2, "k", 5, 0.3, 0.9);
    b.read(3, "k", 5, 2.0, 2.1);
    CHECK(check_read_your_writes(b.build(), {}).size() == 1);
  }
}

TEST_CASE("read_your_writes: not judged: unknown values, final reads, reads not ok, other keys") {
  HistoryBuilder b;
  b.write(1, "k", 1, 0.0, 0.1);
  b.write(3, "k", 2, 1.0, 1.1);
  b.read(3, "k", 99, 2.0, 2.1);               // no write produced 99
  b.read(3, "k", 1, 2.2, 2.3, Outcome::info); // no answer
  b.read(3, "k", 1, 2.4, 2.5, Outcome::fail);
  b.read(3, "other", std::nullopt, 2.6, 2.7);
  b.final_read(3, "k", 1, 9.0, 9.1); // lost_writes' business
  CHECK(check_read_your_writes(b.build(), {}).empty());
}

namespace {

// The definition, applied literally: quadratic, for cross-checking.
std::vector<Ids> reference(const faultlab::history::History& h) {
  const auto& ops = h.ops;
  std::vector<Ids> found;
  for (const auto& r : ops) {
    if (!r.is_read() || r.outcome != Outcome::ok || r.final_read) continue;
    bool produced = !r.value.has_value();
    for (const auto& c : ops)
      if (c.is_write() && c.key == r.key && c.value == r.value && c.outcome != Outcome::fail) produced = true;
    if (!produced) continue;
    const faultlab::history::Op* newest = nullptr;
    for (const auto& w : ops) {
      if (!w.is_write() || w.outcome != Outcome::ok || w.key != r.key || w.process != r.process ||
          w.client != r.client || !(w.complete_s < r.invoke_s))
        continue;
      bool older = true; // every candidate producing r.value precedes w
      for (const auto& c : ops)
        if (c.is_write() && c.key == r.key && c.value == r.value && c.outcome != Outcome::fail &&
            !(c.outcome == Outcome::ok && c.complete_s < w.invoke_s))
          older = false;
      if (older && (!newest || w.complete_s > newest->complete_s ||
                    (w.complete_s == newest->complete_s && w.id > newest->id)))
        newest = &w;
    }
    if (newest) found.push_back({newest->id, r.id});
  }
  std::sort(found.begin(), found.end(), [&](const Ids& a, const Ids& b) {
    auto time = [&](std::int64_t id) { return h.ops[static_cast<std::size_t>(id - 1)].invoke_s; };
    return time(a[1]) != time(b[1]) ? time(a[1]) < time(b[1]) : a < b;
  });
  return found;
}

} // namespace

TEST_CASE("read_your_writes: agrees with the literal definition on random histories") {
  std::mt19937 random(7);
  std::size_t total = 0;
  auto pick = [&](std::uint32_t n) { return static_cast<std::int64_t>(random() % n); };
  for (int round = 0; round < 300; ++round) {
    HistoryBuilder b;
    for (int i = 0; i < 40; ++i) {
      b.client = pick(4) == 0 ? "admins" : "users";
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
    // ids equal positions + 1 in b.history (unsorted), which reference() relies on.
    std::vector<Ids> got;
    for (const auto& v : check_read_your_writes(b.history, {}))
      got.push_back(v.ops);
    INFO("round " << round);
    CHECK(got == reference(b.history));
    total += got.size();
  }
  CHECK(total > 100); // the histories do contain violations to agree on
}
