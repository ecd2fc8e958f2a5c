// The linearizability checker beyond faultlab's own registers: a register's
// initial value and what a read of nil means (Knossos's semantics), the mutex
// and the multi-register, each on hand-made histories and against the
// definition applied literally on small random ones.
#include <catch2/catch.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "check/linearizable.hpp"
#include "history_builder.hpp"
#include "util/input_error.hpp"

using faultlab::check::check_linearizability;
using faultlab::check::LinearizabilityBudget;
using faultlab::check::LinResult;
using faultlab::check::LinVerdict;
using faultlab::check::Model;
using faultlab::check::NilRead;
using faultlab::check::RegisterSemantics;
using faultlab::history::History;
using faultlab::history::kNever;
using faultlab::history::Op;
using faultlab::history::Outcome;
using faultlab::history::TxnStep;
using faultlab::testing::HistoryBuilder;
using Value = std::optional<std::int64_t>;

namespace {

const RegisterSemantics kKnossos{0, NilRead::unknown};

LinResult check(const History& history, Model model, const RegisterSemantics& semantics = {}) {
  return check_linearizability(history, model, LinearizabilityBudget{}, semantics);
}

std::int64_t lock_op(HistoryBuilder& b, const char* f, std::int64_t process, double invoke_s, double complete_s,
                     Outcome outcome = Outcome::ok) {
  return b.op(f, process, "", std::nullopt, invoke_s, complete_s, outcome);
}

std::int64_t txn(HistoryBuilder& b, std::int64_t process, std::vector<TxnStep> steps, double invoke_s,
                 double complete_s, Outcome outcome = Outcome::ok) {
  const std::int64_t id = b.op("txn", process, "", std::nullopt, invoke_s, complete_s, outcome);
  b.history.ops.back().txn = std::move(steps);
  return id;
}
TxnStep r(const std::string& key, Value value) { return {false, key, value}; }
TxnStep w(const std::string& key, Value value) { return {true, key, value}; }

// The definition, applied literally: some subset of the info ops plus every
// ok op, in some order that respects real time, that `step` accepts from the
// initial state. `step` returns false when an op cannot take effect.
using State = std::map<std::string, Value>;
bool brute_force(const History& history, const std::function<bool(const Op&, State&)>& step, const State& initial,
                 const std::function<bool(const Op&)>& skip) {
  std::vector<const Op*> must, may;
  for (const Op& op : history.ops) {
    if (op.outcome == Outcome::fail || skip(op)) continue;
    (op.outcome == Outcome::ok ? must : may).push_back(&op);
  }
  for (std::size_t subset = 0; subset < (std::size_t{1} << may.size()); ++subset) {
    std::vector<const Op*> chosen = must;
    for (std::size_t i = 0; i < may.size(); ++i)
      if (subset & (std::size_t{1} << i)) chosen.push_back(may[i]);
    std::vector<std::size_t> order(chosen.size());
    std::iota(order.begin(), order.end(), 0);
    do {
      State state = initial;
      bool fits = true;
      for (std::size_t i = 0; i < order.size() && fits; ++i) {
        const Op& op = *chosen[order[i]];
        for (std::size_t j = i + 1; j < order.size() && fits; ++j)
          fits = !(chosen[order[j]]->complete_s < op.invoke_s);
        fits = fits && step(op, state);
      }
      if (fits) return true;
    } while (std::next_permutation(order.begin(), order.end()));
  }
  return false;
}

} // namespace

TEST_CASE("lin models: a register's initial value and a read of nil") {
  // A read of 0 before any write: only a register that starts at 0 explains it.
  HistoryBuilder zero;
  zero.read(1, "", 0, 1.0, 2.0);
  zero.write(2, "", 5, 3.0, 4.0);
  CHECK(check(zero.build(), Model::cas_register).verdict == LinVerdict::not_linearizable);
  CHECK(check(zero.build(), Model::cas_register, {0, NilRead::absent}).verdict == LinVerdict::linearizable);
  CHECK(check(zero.build(), Model::cas_register, kKnossos).verdict == LinVerdict::linearizable);
  CHECK(check(zero.build(), Model::cas_register, {7, NilRead::absent}).verdict == LinVerdict::not_linearizable);

  // A read of nil after a write: absent it cannot be; unknown it tells nothing.
  HistoryBuilder nil;
  nil.write(1, "", 5, 1.0, 2.0);
  nil.read(2, "", std::nullopt, 3.0, 4.0);
  CHECK(check(nil.build(), Model::register_).verdict == LinVerdict::not_linearizable);
  CHECK(check(nil.build(), Model::register_, kKnossos).verdict == LinVerdict::linearizable);
  CHECK(check(nil.build(), Model::kv, {std::nullopt, NilRead::unknown}).verdict == LinVerdict::linearizable);

  // With a start at 0, nothing can make the register absent, and the words say so.
  HistoryBuilder absent;
  absent.read(1, "", std::nullopt, 1.0, 2.0);
  const LinResult result = check(absent.build(), Model::register_, {0, NilRead::absent});
  REQUIRE(result.violations.size() == 1);
  CHECK(result.violations[0].message == "users session 1 read the register at 1.000 s and got nothing (the key did "
                                        "not exist yet), but the register starts at 0 and no operation can make it "
                                        "absent");

  // A cas from the initial value, and the words for a stale one.
  HistoryBuilder from_zero;
  from_zero.write(1, "", 3, 0.0, 1.0);
  const auto stale = from_zero.write(2, "", 4, 2.0, 3.0);
  from_zero.history.ops.back().f = "cas";
  from_zero.history.ops.back().expected = 0;
  const LinResult cas = check(from_zero.build(), Model::cas_register, kKnossos);
  REQUIRE(cas.violations.size() == 1);
  CHECK(cas.violations[0].ops.back() == stale);
  CHECK(cas.violations[0].message.find("(the only value that could be current then: 3, written by users session 1 "
                                       "at 0.000 s)") != std::string::npos);
}

TEST_CASE("lin models: the initial value and nil reads agree with the definition on random histories") {
  std::mt19937 rng(11);
  int linearizable = 0;
  for (int round = 0; round < 1500; ++round) {
    const RegisterSemantics semantics{static_cast<std::int64_t>(rng() % 2), rng() % 2 ? NilRead::unknown : NilRead::absent};
    HistoryBuilder b;
    const int ops = 2 + static_cast<int>(rng() % 5);
    for (int i = 0; i < ops; ++i) {
      const double invoke_s = static_cast<double>(rng() % 8);
      const double complete_s = invoke_s + static_cast<double>(rng() % 4);
      const Value value = rng() % 4 == 0 ? Value{} : Value{static_cast<std::int64_t>(rng() % 3)};
      const auto dice = rng() % 10;
      const Outcome outcome = dice < 7 ? Outcome::ok : dice < 9 ? Outcome::info : Outcome::fail;
      const auto f = rng() % 3;
      if (f == 0) b.read(i, "x", value, invoke_s, complete_s, outcome);
      else b.write(i, "x", value ? value : Value{1}, invoke_s, complete_s, outcome);
      if (f == 2) {
        b.history.ops.back().f = "cas";
        b.history.ops.back().expected = rng() % 3 == 0 ? Value{} : Value{static_cast<std::int64_t>(rng() % 3)};
      }
      if (outcome == Outcome::info) b.history.ops.back().complete_s = kNever;
    }
    const History history = b.build();
    auto step = [](const Op& op, State& state) {
      Value& current = state["x"];
      if (op.is_read()) return current == op.value;
      if (op.f == "cas" && current != op.expected) return false;
      current = op.value;
      return true;
    };
    auto skip = [&](const Op& op) {
      return op.is_read() && (op.outcome == Outcome::info || (!op.value && semantics.nil_read == NilRead::unknown));
    };
    const bool expected = brute_force(history, step, {{"x", semantics.initial}}, skip);
    linearizable += expected ? 1 : 0;
    INFO("round " << round);
    REQUIRE(check(history, Model::kv, semantics).verdict ==
            (expected ? LinVerdict::linearizable : LinVerdict::not_linearizable));
  }
  CHECK(linearizable > 150);
  CHECK(linearizable < 1350);
}

TEST_CASE("lin models: a mutex") {
  // Taken, given back, taken again: fine.
  HistoryBuilder turns;
  lock_op(turns, "acquire", 1, 0.0, 1.0);
  lock_op(turns, "release", 1, 2.0, 3.0);
  lock_op(turns, "acquire", 2, 4.0, 5.0);
  lock_op(turns, "acquire", 3, 4.5, 6.0, Outcome::fail); // refused: took no effect
  CHECK(check(turns.build(), Model::mutex).verdict == LinVerdict::linearizable);

  // An acquire that timed out may have taken the lock: someone else's
  // release of it is then explained.
  HistoryBuilder timed_out;
  lock_op(timed_out, "acquire", 1, 0.0, kNever, Outcome::info);
  lock_op(timed_out, "release", 2, 2.0, 3.0);
  CHECK(check(timed_out.build(), Model::mutex).verdict == LinVerdict::linearizable);

  // Two holders at once.
  HistoryBuilder both;
  const auto first = lock_op(both, "acquire", 1, 0.0, 1.0);
  const auto second = lock_op(both, "acquire", 2, 2.0, 3.0);
  const LinResult result = check(both.build(), Model::mutex);
  REQUIRE(result.verdict == LinVerdict::not_linearizable);
  REQUIRE(result.violations.size() == 1);
  CHECK(result.violations[0].message ==
        "users session 2 acquired the lock at 2.000 s, but no order of the operations before it explains finding the "
        "lock free (it could only be held then: last acquired by users session 1 at 0.000 s)");
  CHECK(result.violations[0].ops == std::vector<std::int64_t>{first, second});

  // A release of a lock nobody held.
  HistoryBuilder stray;
  lock_op(stray, "release", 1, 0.0, 1.0);
  const LinResult released = check(stray.build(), Model::mutex);
  REQUIRE(released.violations.size() == 1);
  CHECK(released.violations[0].message == "users session 1 released the lock at 0.000 s, but no order of the "
                                          "operations before it explains finding the lock held (no one could hold "
                                          "it then)");
}

TEST_CASE("lin models: a mutex agrees with the definition on random histories") {
  std::mt19937 rng(3);
  int linearizable = 0;
  for (int round = 0; round < 1500; ++round) {
    HistoryBuilder b;
    const int ops = 2 + static_cast<int>(rng() % 5);
    for (int i = 0; i < ops; ++i) {
      const double invoke_s = static_cast<double>(rng() % 8);
      const auto dice = rng() % 10;
      const Outcome outcome = dice < 7 ? Outcome::ok : dice < 9 ? Outcome::info : Outcome::fail;
      lock_op(b, rng() % 2 ? "acquire" : "release", i, invoke_s,
              outcome == Outcome::info ? kNever : invoke_s + static_cast<double>(rng() % 4), outcome);
    }
    const History history = b.build();
    auto step = [](const Op& op, State& state) {
      Value& held = state["lock"];
      if ((op.f == "acquire") == (held == Value{1})) return false;
      held = op.f == "acquire" ? 1 : 0;
      return true;
    };
    const bool expected = brute_force(history, step, {{"lock", 0}}, [](const Op&) { return false; });
    linearizable += expected ? 1 : 0;
    INFO("round " << round);
    REQUIRE(check(history, Model::mutex).verdict == (expected ? LinVerdict::linearizable : LinVerdict::not_linearizable));
  }
  CHECK(linearizable > 150);
  CHECK(linearizable < 1350);
}

TEST_CASE("lin models: a multi-register sees a transaction whole or not at all") {
  // Both registers written at once; readers see both or neither.
  HistoryBuilder whole;
  txn(whole, 1, {w("x", 1), w("y", 1)}, 1.0, 3.0);
  txn(whole, 2, {r("x", 0), r("y", 0)}, 0.5, 1.5);
  txn(whole, 3, {r("x", 1), r("y", 1)}, 2.0, 4.0);
  txn(whole, 4, {r("x", 1), r("y", std::nullopt)}, 5.0, 6.0); // nil: unknown, as in Knossos
  CHECK(check(whole.build(), Model::multi_register, kKnossos).verdict == LinVerdict::linearizable);

  // A torn read: x from after the write, y from before.
  HistoryBuilder torn;
  txn(torn, 1, {w("x", 1), w("y", 1)}, 1.0, 3.0);
  const auto reader = txn(torn, 2, {r("x", 1), r("y", 0)}, 2.0, 4.0);
  const LinResult result = check(torn.build(), Model::multi_register, kKnossos);
  REQUIRE(result.violations.size() == 1);
  CHECK(result.violations[0].ops == std::vector<std::int64_t>{reader});
  CHECK(result.violations[0].message.rfind("users session 2's transaction at 2.000 s read ", 0) == 0);

  // A txn that timed out may have happened: a later read of its write is fine,
  // as is one that never sees it.
  HistoryBuilder maybe;
  txn(maybe, 1, {w("x", 7)}, 0.0, kNever, Outcome::info);
  txn(maybe, 2, {r("x", 0)}, 1.0, 2.0);
  txn(maybe, 3, {r("x", 7)}, 3.0, 4.0);
  CHECK(check(maybe.build(), Model::multi_register, kKnossos).verdict == LinVerdict::linearizable);
  txn(maybe, 4, {r("x", 0)}, 5.0, 6.0);
  CHECK(check(maybe.build(), Model::multi_register, kKnossos).verdict == LinVerdict::not_linearizable);
}

TEST_CASE("lin models: a multi-register agrees with the definition on random histories") {
  std::mt19937 rng(17);
  int linearizable = 0;
  for (int round = 0; round < 1500; ++round) {
    HistoryBuilder b;
    const int ops = 2 + static_cast<int>(rng() % 5);
    for (int i = 0; i < ops; ++i) {
      const double invoke_s = static_cast<double>(rng() % 8);
      const auto dice = rng() % 10;
      const Outcome outcome = dice < 7 ? Outcome::ok : dice < 9 ? Outcome::info : Outcome::fail;
      std::vector<TxnStep> steps;
      for (std::uint32_t s = 0, n = 1 + rng() % 2; s < n; ++s) {
        const std::string key = rng() % 2 ? "x" : "y";
        const std::int64_t value = static_cast<std::int64_t>(rng() % 2);
        steps.push_back(rng() % 2 ? w(key, value) : r(key, rng() % 5 == 0 ? Value{} : Value{value}));
      }
      txn(b, i, steps, invoke_s, outcome == Outcome::info ? kNever : invoke_s + static_cast<double>(rng() % 4),
          outcome);
    }
    const History history = b.build();
    auto step = [](const Op& op, State& state) {
      for (const TxnStep& s : op.txn) {
        if (s.write) state[s.key] = s.value;
        else if (op.outcome == Outcome::ok && s.value && state[s.key] != s.value) return false;
      }
      return true;
    };
    const bool expected = brute_force(history, step, {{"x", 0}, {"y", 0}}, [](const Op&) { return false; });
    linearizable += expected ? 1 : 0;
    INFO("round " << round);
    REQUIRE(check(history, Model::multi_register, kKnossos).verdict ==
            (expected ? LinVerdict::linearizable : LinVerdict::not_linearizable));
  }
  CHECK(linearizable > 150);
  CHECK(linearizable < 1350);
}

TEST_CASE("lin models: an op of another model is refused, not ignored") {
  HistoryBuilder b;
  b.read(1, "", 1, 0.0, 1.0);
  lock_op(b, "acquire", 2, 0.0, 1.0);
  CHECK_THROWS_WITH(check(b.build(), Model::cas_register),
                    "error[model]: op 2: an acquire in a history checked with --model cas-register: check it with "
                    "--model mutex");
  CHECK_THROWS_WITH(check(b.build(), Model::mutex),
                    "error[model]: op 1: a read in a history checked with --model mutex: check it with --model "
                    "register, cas-register or kv");
  // faultlab's other ops (a purchase) are not any model's: ignored.
  HistoryBuilder shop;
  shop.op("buy", 1, "item", 1, 0.0, 1.0);
  lock_op(shop, "acquire", 2, 0.0, 1.0);
  CHECK(check(shop.build(), Model::mutex).verdict == LinVerdict::linearizable);
}
