#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "check/linearizable.hpp"
#include "history_builder.hpp"
#include "util/input_error.hpp"

using faultlab::check::check_linearizability;
using faultlab::check::check_linearizable;
using faultlab::check::find_checker;
using faultlab::check::LinearizabilityBudget;
using faultlab::check::LinResult;
using faultlab::check::LinVerdict;
using faultlab::check::Model;
using faultlab::history::History;
using faultlab::history::kNever;
using faultlab::history::Op;
using faultlab::history::Outcome;
using faultlab::testing::HistoryBuilder;
using Ids = std::vector<std::int64_t>;
using Value = std::optional<std::int64_t>;

namespace {

// HistoryBuilder has no cas: add one the same way it adds the others.
std::int64_t cas(HistoryBuilder& b, std::int64_t process, const std::string& key, Value expected, Value value,
                 double invoke_s, double complete_s, Outcome outcome = Outcome::ok) {
  const std::int64_t id = b.write(process, key, value, invoke_s, complete_s, outcome);
  b.history.ops.back().f = "cas";
  b.history.ops.back().expected = expected;
  return id;
}

LinResult check(const History& history, Model model = Model::cas_register, LinearizabilityBudget budget = {}) {
  return check_linearizability(history, model, budget);
}

} // namespace

TEST_CASE("linearizable: sequential and concurrent histories that a register explains") {
  HistoryBuilder b;
  b.read(1, "x", std::nullopt, 0.0, 0.1);
  b.write(1, "x", 1, 0.2, 0.3);
  b.read(2, "x", 1, 0.4, 0.5);
  // A write concurrent with two reads: the first sees the old value, the second the new.
  b.write(1, "x", 2, 1.0, 3.0);
  b.read(2, "x", 1, 1.1, 1.2);
  b.read(3, "x", 2, 1.5, 1.6);
  b.read(2, "x", 2, 2.0, 2.1);
  // Two concurrent writes, read in the order opposite to their invokes.
  b.write(1, "x", 3, 4.0, 5.0);
  b.write(2, "x", 4, 4.1, 5.0);
  b.read(3, "x", 4, 4.2, 4.3);
  b.read(3, "x", 3, 4.4, 6.0);
  const LinResult result = check(b.build());
  CHECK(result.verdict == LinVerdict::linearizable);
  CHECK(result.violations.empty());
  CHECK(result.states_explored > 0);
}

TEST_CASE("linearizable: a stale read is reported with what could be current") {
  HistoryBuilder b;
  b.write(1, "x", 1, 0.0, 1.0);
  const auto w2 = b.write(1, "x", 2, 2.0, 2.013);
  b.node = "db-2";
  const auto r = b.read(3, "x", 1, 2.1, 2.2);
  const LinResult result = check(b.build(), Model::kv);
  REQUIRE(result.verdict == LinVerdict::not_linearizable);
  REQUIRE(result.violations.size() == 1);
  const auto& v = result.violations[0];
  CHECK(v.check == "linearizable");
  CHECK(v.time_s == 2.1);
  CHECK(v.ops == Ids{1, w2, r});
  CHECK(v.message == "users session 3 read x at 2.100 s and got 1 from db-2, but no order of the operations "
                     "before it explains that value (the only value that could be current then: 2, written by "
                     "users session 1 at 2.000 s)");
}

TEST_CASE("linearizable: a value seen, then unseen") {
  HistoryBuilder b;
  b.write(1, "x", 1, 0.0, 10.0);
  b.read(2, "x", 1, 1.0, 2.0);              // the write took effect before 2.0…
  const auto r = b.read(3, "x", std::nullopt, 3.0, 4.0); // …so this cannot see nothing
  const LinResult result = check(b.build());
  REQUIRE(result.violations.size() == 1);
  CHECK(result.violations[0].ops == Ids{1, r});
  CHECK(result.violations[0].message ==
        "users session 3 read x at 3.000 s and got nothing (the key did not exist yet), but no order of "
        "the operations before it explains that value (the only value that could be current then: 1, written by "
        "users session 1 at 0.000 s)");
}

TEST_CASE("linearizable: a read of a value nobody wrote; fail writes never took effect") {
  HistoryBuilder b;
  b.write(1, "", 5, 0.0, 1.0, Outcome::fail);
  const auto r = b.read(2, "", 5, 2.0, 3.0); // a single-register history: no key
  const LinResult result = check(b.build());
  REQUIRE(result.violations.size() == 1);
  CHECK(result.violations[0].ops == Ids{r});
  CHECK(result.violations[0].message ==
        "users session 2 read the register at 2.000 s and got 5, but no operation ever wrote 5 to the register");
}

TEST_CASE("linearizable: info writes may take effect at any time after their invoke, or never") {
  SECTION("took effect") {
    HistoryBuilder b;
    b.write(1, "x", 1, 0.0, 0.5);
    b.write(2, "x", 2, 1.0, 1.5, Outcome::info);
    b.read(3, "x", 1, 5.0, 5.1);
    b.read(3, "x", 2, 9.0, 9.1); // long after the client gave up
    b.read(3, "x", 2, 9.2, 9.3);
    CHECK(check(b.build()).verdict == LinVerdict::linearizable);
  }
  SECTION("never took effect") {
    HistoryBuilder b;
    b.write(1, "x", 1, 0.0, 0.5);
    b.write(2, "x", 2, 1.0, 1.5, Outcome::info);
    b.read(3, "x", 1, 5.0, 5.1);
    b.read(3, "x", 1, 9.0, 9.1);
    CHECK(check(b.build()).verdict == LinVerdict::linearizable);
  }
  SECTION("took effect, then was undone: not linearizable") {
    HistoryBuilder b;
    b.write(1, "x", 1, 0.0, 0.5);
    b.write(2, "x", 2, 1.0, 1.5, Outcome::info);
    b.read(3, "x", 2, 5.0, 5.1);
    const auto r = b.read(3, "x", 1, 9.0, 9.1);
    const LinResult result = check(b.build());
    REQUIRE(result.violations.size() == 1);
    CHECK(result.violations[0].ops.back() == r);
  }
  SECTION("seen before it was invoked: not linearizable") {
    HistoryBuilder b;
    const auto r = b.read(3, "x", 2, 0.0, 0.5);
    b.write(2, "x", 2, 1.0, 1.5, Outcome::info);
    const LinResult result = check(b.build());
    REQUIRE(result.violations.size() == 1);
    CHECK(result.violations[0].ops == Ids{2, r});
    CHECK(result.violations[0].message ==
          "users session 3 read x at 0.000 s and got 2, but the first write of 2 (by users session 2) began only "
          "at 1.000 s, after that answer came back at 0.500 s");
  }
  SECTION("info and fail reads observed nothing") {
    HistoryBuilder b;
    b.write(1, "x", 1, 0.0, 0.5);
    b.read(3, "x", 7, 1.0, 1.1, Outcome::info);
    b.read(3, "x", 8, 2.0, 2.1, Outcome::fail);
    CHECK(check(b.build()).verdict == LinVerdict::linearizable);
  }
}

TEST_CASE("linearizable: compare-and-set") {
  SECTION("a cas that found its expected value") {
    HistoryBuilder b;
    b.write(1, "x", 1, 0.0, 1.0);
    cas(b, 2, "x", 1, 2, 2.0, 3.0);
    b.read(3, "x", 2, 4.0, 5.0);
    CHECK(check(b.build()).verdict == LinVerdict::linearizable);
  }
  SECTION("two cas from the same value: the second must have failed") {
    HistoryBuilder b;
    b.write(1, "x", 1, 0.0, 1.0);
    const auto c1 = cas(b, 2, "x", 1, 2, 2.0, 3.0);
    const auto c2 = cas(b, 3, "x", 1, 3, 4.0, 5.0);
    const LinResult result = check(b.build());
    REQUIRE(result.violations.size() == 1);
    CHECK(result.violations[0].ops == Ids{1, c1, c2});
    CHECK(result.violations[0].message ==
          "users session 3 changed x from 1 to 3 with a compare-and-set at 4.000 s, but no order of "
          "the operations before it explains finding that value there (the only value that could be current "
          "then: 2, written by users session 2 at 2.000 s)");
  }
  SECTION("concurrent cas from the same value: only one may succeed") {
    HistoryBuilder b;
    b.write(1, "x", 1, 0.0, 1.0);
    cas(b, 2, "x", 1, 2, 2.0, 3.0);
    cas(b, 3, "x", 1, 3, 2.0, 3.0);
    CHECK(check(b.build()).verdict == LinVerdict::not_linearizable);
  }
  SECTION("a failed cas took no effect") {
    HistoryBuilder b;
    b.write(1, "x", 1, 0.0, 1.0);
    cas(b, 2, "x", 1, 2, 2.0, 3.0, Outcome::fail);
    b.read(3, "x", 1, 4.0, 5.0);
    CHECK(check(b.build()).verdict == LinVerdict::linearizable);
  }
  SECTION("an info cas took effect only if it found its expected value") {
    HistoryBuilder b;
    b.write(1, "x", 1, 0.0, 1.0);
    cas(b, 2, "x", 1, 2, 2.0, 3.0, Outcome::info);
    b.read(3, "x", 2, 4.0, 5.0);
    CHECK(check(b.build()).verdict == LinVerdict::linearizable);

    HistoryBuilder c;
    c.write(1, "x", 1, 0.0, 1.0);
    cas(c, 2, "x", 7, 2, 2.0, 3.0, Outcome::info);
    c.read(3, "x", 2, 4.0, 5.0);
    CHECK(check(c.build()).verdict == LinVerdict::not_linearizable);
  }
  SECTION("a chain of info cas, each taking effect, explains the final read") {
    HistoryBuilder b;
    b.write(1, "x", 1, 0.0, 1.0);
    cas(b, 2, "x", 1, 2, 2.0, 3.0, Outcome::info);
    cas(b, 3, "x", 2, 3, 2.5, 3.0, Outcome::info);
    b.write(4, "x", 2, 2.6, 2.7, Outcome::info); // another possible origin of 2
    b.read(5, "x", 3, 4.0, 5.0);
    CHECK(check(b.build()).verdict == LinVerdict::linearizable);
    // Without the first link the chain breaks only if nothing else could set 2.
    HistoryBuilder c;
    c.write(1, "x", 1, 0.0, 1.0);
    cas(c, 3, "x", 2, 3, 2.5, 3.0, Outcome::info);
    c.read(5, "x", 3, 4.0, 5.0);
    CHECK(check(c.build()).verdict == LinVerdict::not_linearizable);
  }
  SECTION("the register model has no cas") {
    HistoryBuilder b;
    cas(b, 2, "x", 1, 2, 2.0, 3.0);
    CHECK_THROWS_WITH(check(b.build(), Model::register_),
                      "error[model]: op 1: a cas in a register history: check it with the cas-register or kv model");
  }
}

TEST_CASE("linearizable: kv checks each key alone, the register models ignore keys") {
  HistoryBuilder b;
  b.write(1, "x", 1, 0.0, 1.0);
  b.write(2, "y", 2, 0.0, 1.0);
  b.read(3, "x", 1, 2.0, 3.0);
  b.read(3, "y", 2, 2.0, 3.0);
  b.read(3, "z", std::nullopt, 2.0, 3.0);
  CHECK(check(b.build(), Model::kv).verdict == LinVerdict::linearizable);
  CHECK(check(b.build(), Model::register_).verdict == LinVerdict::not_linearizable);
  // Other functions (a shop's "buy") are not register operations: ignored.
  b.write(4, "x", 9, 2.5, 2.6);
  b.history.ops.back().f = "buy";
  CHECK(check(b.build(), Model::kv).verdict == LinVerdict::linearizable);
}

namespace {

// Simulates a correct (linearizable) key-value store: each op takes effect at
// a random instant inside its interval, in that order. Some ops time out (info,
// taking effect or not); some cas find another value and fail.
History correct_history(std::size_t keys, std::size_t processes_per_key, std::size_t ops_per_process,
                        std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> gap(0.0, 1.0), length(0.1, 3.0), unit(0.0, 1.0);
  struct Pending {
    Op op;
    double effect_s;
    bool takes_effect;
  };
  std::vector<Pending> pending;
  std::int64_t next_id = 1, next_value = 1, process = 0;
  for (std::size_t k = 0; k < keys; ++k) {
    for (std::size_t p = 0; p < processes_per_key; ++p, ++process) {
      double t = gap(rng);
      for (std::size_t i = 0; i < ops_per_process; ++i) {
        Op op;
        op.id = next_id++;
        op.process = process;
        op.key = "k" + std::to_string(k);
        const double dice = unit(rng);
        op.f = dice < 0.5 ? "read" : dice < 0.8 ? "write" : "cas";
        if (op.f != "read") op.value = next_value++;
        if (op.f == "cas") op.expected = next_value - 1 - static_cast<std::int64_t>(rng() % 3);
        op.invoke_s = t;
        op.complete_s = t + length(rng);
        op.outcome = unit(rng) < 0.05 ? Outcome::info : Outcome::ok;
        const double effect_s = op.invoke_s + unit(rng) * (op.complete_s - op.invoke_s);
        const bool takes_effect = op.outcome == Outcome::ok || unit(rng) < 0.5;
        if (op.outcome == Outcome::info) op.complete_s = kNever;
        t = (op.outcome == Outcome::info ? op.invoke_s + 3.0 : op.complete_s) + gap(rng);
        pending.push_back({op, effect_s, takes_effect});
      }
    }
  }
  std::sort(pending.begin(), pending.end(),
            [](const Pending& a, const Pending& c) { return a.effect_s < c.effect_s; });
  std::map<std::string, Value> state;
  History history;
  for (Pending& p : pending) {
    Op& op = p.op;
    Value& current = state[op.key];
    if (op.f == "read") {
      op.value = current;
    } else if (op.f == "write") {
      if (p.takes_effect) current = op.value;
    } else if (current != op.expected) {
      if (op.outcome == Outcome::ok) op.outcome = Outcome::fail; // it found another value
    } else if (p.takes_effect) {
      current = op.value;
    }
    history.ops.push_back(op);
  }
  std::sort(history.ops.begin(), history.ops.end(), [](const Op& a, const Op& c) {
    return a.invoke_s != c.invoke_s ? a.invoke_s < c.invoke_s : a.id < c.id;
  });
  return history;
}

} // namespace

TEST_CASE("linearizable: 30 keys of concurrent ops are quick when checked key by key") {
  const History history = correct_history(30, 8, 60, 11);
  REQUIRE(history.ops.size() == 30 * 8 * 60);
  LinearizabilityBudget budget;
  budget.time_s = 60;
  budget.max_states = 100'000; // per key: plenty for 480 ops, hopeless for 14,400 in one search
  const LinResult result = check(history, Model::kv, budget);
  CHECK(result.verdict == LinVerdict::linearizable);
  CHECK(result.reason.empty());
  CHECK(result.states_explored < 1'000'000);

  // One bad read on one key is found, and only there.
  History broken = history;
  for (Op& op : broken.ops) {
    if (op.key == "k17" && op.is_read() && op.outcome == Outcome::ok && op.invoke_s > 20) {
      op.value = 999'999;
      break;
    }
  }
  const LinResult bad = check(broken, Model::kv, budget);
  CHECK(bad.verdict == LinVerdict::not_linearizable);
  REQUIRE(bad.violations.size() == 1);
  CHECK(bad.violations[0].message.find("read k17") != std::string::npos);
  CHECK(bad.violations[0].message.find("no operation ever wrote 999999 to k17") != std::string::npos);
}

TEST_CASE("linearizable: when the budget runs out the answer is unknown") {
  // Many concurrent writes of distinct values, then reads that no order
  // explains (5, 6, 5): the search has to try every order of the writes.
  HistoryBuilder b;
  for (int i = 0; i < 20; ++i) b.write(i, "x", i, 0.0, 10.0);
  b.read(20, "x", 5, 11.0, 12.0);
  b.read(20, "x", 6, 13.0, 14.0);
  b.read(20, "x", 5, 15.0, 16.0);
  LinearizabilityBudget tight;
  tight.max_states = 1000;
  const LinResult result = check(b.build(), Model::kv, tight);
  CHECK(result.verdict == LinVerdict::unknown);
  CHECK(result.violations.empty());
  CHECK(result.reason == "the state budget of 1000 remembered states ran out on key x (23 ops)");

  LinearizabilityBudget no_time;
  no_time.time_s = 0;
  const History big = correct_history(1, 40, 200, 3);
  const LinResult timed_out = check(big, Model::kv, no_time);
  CHECK(timed_out.verdict == LinVerdict::unknown);
  CHECK(timed_out.reason.rfind("the time budget of 0 s ran out on key k0 (", 0) == 0);

}

TEST_CASE("linearizable: in the registry, reporting like the other checkers") {
  const auto* checker = find_checker("linearizable");
  REQUIRE(checker != nullptr);
  CHECK(checker->run == &check_linearizable);
  HistoryBuilder b;
  b.write(1, "x", 1, 0.0, 1.0);
  b.write(1, "y", 1, 0.0, 1.0);
  b.read(2, "y", 2, 2.0, 3.0);
  b.read(2, "x", 2, 1.5, 3.0);
  const auto violations = checker->run(b.build(), {});
  REQUIRE(violations.size() == 2);
  CHECK(violations[0].time_s == 1.5); // sorted by time
  CHECK(violations[1].time_s == 2.0);
  const auto again = checker->run(b.build(), {});
  REQUIRE(again.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(again[i].message == violations[i].message);
    CHECK(again[i].ops == violations[i].ops);
  }
}

namespace {

// The definition, applied literally: some subset of the info ops plus every
// ok op, in some order that respects real time, explains every result.
bool brute_force_linearizable(const History& history) {
  std::vector<const Op*> must, may;
  for (const Op& op : history.ops) {
    if (op.outcome == Outcome::fail || (op.outcome == Outcome::info && op.is_read())) continue;
    (op.outcome == Outcome::ok ? must : may).push_back(&op);
  }
  for (std::size_t subset = 0; subset < (std::size_t{1} << may.size()); ++subset) {
    std::vector<const Op*> chosen = must;
    for (std::size_t i = 0; i < may.size(); ++i)
      if (subset & (std::size_t{1} << i)) chosen.push_back(may[i]);
    std::vector<std::size_t> order(chosen.size());
    std::iota(order.begin(), order.end(), 0);
    do {
      Value current;
      bool fits = true;
      for (std::size_t i = 0; i < order.size() && fits; ++i) {
        const Op& op = *chosen[order[i]];
        for (std::size_t j = i + 1; j < order.size() && fits; ++j)
          fits = !(chosen[order[j]]->complete_s < op.invoke_s); // a later op may not have ended before it began
        if (op.is_read()) fits = fits && current == op.value;
        else if (op.is_write()) current = op.value;
        else if (current == op.expected) current = op.value;
        else fits = false;
      }
      if (fits) return true;
    } while (std::next_permutation(order.begin(), order.end()));
  }
  return false;
}

} // namespace

TEST_CASE("linearizable: agrees with the definition on 3000 small random histories") {
  std::mt19937 rng(5);
  int linearizable = 0;
  for (int round = 0; round < 3000; ++round) {
    HistoryBuilder b;
    const int ops = 2 + static_cast<int>(rng() % 6);
    for (int i = 0; i < ops; ++i) {
      const double invoke_s = static_cast<double>(rng() % 8);
      const double complete_s = invoke_s + static_cast<double>(rng() % 4);
      const Value value = rng() % 4 == 0 ? Value{} : Value{static_cast<std::int64_t>(rng() % 3)};
      const auto dice = rng() % 10;
      const Outcome outcome = dice < 7 ? Outcome::ok : dice < 9 ? Outcome::info : Outcome::fail;
      const auto f = rng() % 3;
      if (f == 0) b.read(i, "x", value, invoke_s, complete_s, outcome);
      else if (f == 1) b.write(i, "x", value, invoke_s, complete_s, outcome);
      else cas(b, i, "x", Value{static_cast<std::int64_t>(rng() % 3)}, value, invoke_s, complete_s, outcome);
      if (outcome == Outcome::info) b.history.ops.back().complete_s = kNever;
    }
    const History history = b.build();
    const bool expected = brute_force_linearizable(history);
    linearizable += expected ? 1 : 0;
    const LinResult result = check(history);
    INFO("round " << round);
    REQUIRE(result.verdict == (expected ? LinVerdict::linearizable : LinVerdict::not_linearizable));
  }
  // Both verdicts are well represented.
  CHECK(linearizable > 300);
  CHECK(linearizable < 2700);
}
