// The multi-register model (Knossos's `multi-register`): registers named by
// keys, and txn ops, each a list of reads and writes that take effect at one
// instant, in order (a read after a write in the same txn sees that write).
//
// A txn can read several registers at once, so keys cannot be checked one by
// one as the kv model does; this is a plain Wing–Gong–Lowe search over the
// whole state (one value per key), remembering visited (linearized set,
// state) pairs. Before it, info txns lose their reads (they observed
// nothing), and an info txn none of whose writes is ever read is left out: in
// any valid order, taking it out changes only values nobody reads.
#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "check/describe.hpp"
#include "check/lin_models.hpp"
#include "check/lin_visited.hpp"

namespace faultlab::check::lin {
namespace {

using history::Op;
using history::Outcome;

struct Step {
  bool write;
  std::uint32_t key;
  Value value;
};

struct TxnOp {
  std::vector<Step> steps;
  double call_s, return_s; // return: +infinity for an info txn
  bool optional;
  const Op* source;
};

// One (key, value) pair's share of a state's fingerprint.
Fingerprint pair_print(std::uint32_t key, const Value& value) {
  return with_value({splitmix64(0x51ED270B27D5B1A3ULL + key), splitmix64(key * 0x9E37ULL + 7)}, value);
}

class TxnSearch {
public:
  TxnSearch(std::vector<TxnOp> ops, std::size_t keys, const Value& initial, const Limits& limits)
      : ops_(std::move(ops)), state_(keys, initial), limits_(limits) {
    for (std::uint32_t k = 0; k < keys; ++k) xor_into(state_print_, pair_print(k, initial));
    build_list();
  }

  SearchResult run() {
    SearchResult result;
    std::uint32_t entry = next_[0];
    std::uint64_t steps = 0;
    std::uint32_t furthest = 0;
    for (;;) {
      if ((++steps & 1023) == 0 && std::chrono::steady_clock::now() >= limits_.deadline) {
        result.outcome = SearchOutcome::out_of_time;
        break;
      }
      if (entry == 0 || endless_[entry]) break; // every ok txn is placed
      const std::uint32_t op = op_[entry];
      if (match_[entry] != 0) { // a call: try to place its txn now
        std::vector<std::pair<std::uint32_t, Value>> undo;
        if (apply(ops_[op], undo)) {
          Fingerprint grown = set_print_;
          xor_into(grown, op_print(op));
          Fingerprint whole = grown;
          xor_into(whole, state_print_);
          if (visited_.insert(whole)) {
            if (visited_.size() > limits_.max_states) {
              result.outcome = SearchOutcome::out_of_states;
              break;
            }
            stack_.push_back({entry, std::move(undo)});
            set_print_ = grown;
            lift(entry);
            entry = next_[0];
            continue;
          }
        }
        restore(undo);
        entry = next_[entry];
        continue;
      }
      // A return: this txn could not be placed in time on this branch.
      if (entry >= furthest) {
        furthest = entry;
        result.stuck_op = op;
        stuck_state_ = state_;
      }
      if (stack_.empty()) {
        result.outcome = SearchOutcome::stuck;
        break;
      }
      Frame frame = std::move(stack_.back());
      stack_.pop_back();
      restore(frame.undo);
      xor_into(set_print_, op_print(op_[frame.call]));
      unlift(frame.call);
      entry = next_[frame.call];
    }
    result.states = visited_.size();
    return result;
  }

  const std::vector<Value>& stuck_state() const { return stuck_state_; }

private:
  struct Frame {
    std::uint32_t call;
    std::vector<std::pair<std::uint32_t, Value>> undo;
  };

  static void xor_into(Fingerprint& into, const Fingerprint& part) {
    into.a ^= part.a;
    into.b ^= part.b;
  }
  Fingerprint op_print(std::uint32_t op) const { return {splitmix64(2 * op + 1), splitmix64(splitmix64(2 * op + 2))}; }

  // Runs a txn's steps on the state; on a read that does not match, the
  // state is left changed and `undo` says how to take it back.
  bool apply(const TxnOp& txn, std::vector<std::pair<std::uint32_t, Value>>& undo) {
    for (const Step& step : txn.steps) {
      if (!step.write) {
        if (state_[step.key] != step.value) return false;
        continue;
      }
      undo.emplace_back(step.key, state_[step.key]);
      set(step.key, step.value);
    }
    return true;
  }
  void restore(const std::vector<std::pair<std::uint32_t, Value>>& undo) {
    for (auto it = undo.rbegin(); it != undo.rend(); ++it) set(it->first, it->second);
  }
  void set(std::uint32_t key, const Value& value) {
    xor_into(state_print_, pair_print(key, state_[key]));
    state_[key] = value;
    xor_into(state_print_, pair_print(key, value));
  }

  void build_list() {
    struct Event {
      double time_s;
      bool is_return;
      std::uint32_t op;
    };
    std::vector<Event> events;
    for (std::uint32_t i = 0; i < ops_.size(); ++i) {
      events.push_back({ops_[i].call_s, false, i});
      events.push_back({std::max(ops_[i].return_s, ops_[i].call_s), true, i});
    }
    std::sort(events.begin(), events.end(), [](const Event& x, const Event& y) {
      if (x.time_s != y.time_s) return x.time_s < y.time_s;
      if (x.is_return != y.is_return) return !x.is_return;
      return x.op < y.op;
    });
    const auto count = static_cast<std::uint32_t>(events.size());
    prev_.resize(count + 1);
    next_.resize(count + 1);
    op_.assign(count + 1, 0);
    match_.assign(count + 1, 0);
    endless_.assign(count + 1, false);
    std::vector<std::uint32_t> return_node(ops_.size(), 0);
    for (std::uint32_t i = 0; i < count; ++i)
      if (events[i].is_return) return_node[events[i].op] = i + 1;
    prev_[0] = count;
    next_[0] = count == 0 ? 0 : 1;
    for (std::uint32_t i = 1; i <= count; ++i) {
      const Event& event = events[i - 1];
      prev_[i] = i - 1;
      next_[i] = i == count ? 0 : i + 1;
      op_[i] = event.op;
      match_[i] = event.is_return ? 0 : return_node[event.op];
      endless_[i] = event.is_return && ops_[event.op].optional;
    }
  }
  void unlink(std::uint32_t i) {
    next_[prev_[i]] = next_[i];
    prev_[next_[i]] = prev_[i];
  }
  void relink(std::uint32_t i) {
    next_[prev_[i]] = i;
    prev_[next_[i]] = i;
  }
  void lift(std::uint32_t call) {
    unlink(call);
    unlink(match_[call]);
  }
  void unlift(std::uint32_t call) {
    relink(match_[call]);
    relink(call);
  }

  std::vector<TxnOp> ops_;
  std::vector<Value> state_, stuck_state_;
  Limits limits_;
  std::vector<std::uint32_t> prev_, next_, op_, match_;
  std::vector<bool> endless_;
  std::vector<Frame> stack_;
  VisitedSet visited_;
  Fingerprint set_print_, state_print_;

public:
  const std::vector<TxnOp>& ops() const { return ops_; }
};

std::string step_text(const std::string& key, const Value& value) { return key + "=" + (value ? std::to_string(*value) : "nil"); }

Violation describe_txn(const TxnSearch& search, const SearchResult& found, const std::vector<std::string>& keys) {
  const TxnOp& txn = search.ops()[found.stuck_op];
  const Op& stuck = *txn.source;
  // The first read that the state the search got furthest with contradicts.
  std::vector<Value> state = search.stuck_state();
  std::string read, could;
  for (const Step& step : txn.steps) {
    if (step.write) {
      state[step.key] = step.value;
    } else if (state[step.key] != step.value && read.empty()) {
      read = step_text(keys[step.key], step.value);
      could = step_text(keys[step.key], state[step.key]);
    }
  }
  Violation violation;
  violation.check = "linearizable";
  violation.time_s = stuck.invoke_s;
  violation.ops.push_back(stuck.id);
  violation.message = describe_issuer(stuck) + "'s transaction at " + format_time(stuck.invoke_s) + from_node(stuck);
  if (!read.empty()) {
    violation.message += " read " + read + ", but no order of the operations before it explains that value (" + could +
                         " is what it could find then)";
  } else {
    violation.message += " could not be placed before its completion at " + format_time(stuck.complete_s) +
                         " in any order of the operations before it";
  }
  return violation;
}

} // namespace

LinResult check_multi_register(const history::History& history, const RegisterSemantics& semantics,
                               const LinearizabilityBudget& budget, const Limits& limits) {
  std::map<std::string, std::uint32_t> key_ids;
  std::vector<std::string> keys;
  auto key_id = [&](const std::string& key) {
    const auto [it, inserted] = key_ids.emplace(key, static_cast<std::uint32_t>(keys.size()));
    if (inserted) keys.push_back(key);
    return it->second;
  };
  std::vector<TxnOp> ops;
  std::set<std::pair<std::uint32_t, Value>> read_somewhere; // (key, value) some mandatory read needs
  for (const Op& op : history.ops) {
    if (op.f != "txn" || op.outcome == Outcome::fail) continue;
    TxnOp txn{{}, op.invoke_s, op.outcome == Outcome::info ? history::kNever : op.complete_s, op.outcome == Outcome::info, &op};
    for (const history::TxnStep& step : op.txn) {
      if (!step.write && (txn.optional || (!step.value && semantics.nil_read == NilRead::unknown))) continue;
      txn.steps.push_back({step.write, key_id(step.key), step.value});
      if (!step.write) read_somewhere.emplace(txn.steps.back().key, step.value);
    }
    ops.push_back(std::move(txn));
  }
  // Info txns whose writes nobody reads change nothing anyone sees.
  ops.erase(std::remove_if(ops.begin(), ops.end(),
                           [&](const TxnOp& txn) {
                             return txn.optional && std::none_of(txn.steps.begin(), txn.steps.end(), [&](const Step& s) {
                                      return read_somewhere.count({s.key, s.value}) != 0;
                                    });
                           }),
            ops.end());

  TxnSearch search(std::move(ops), keys.size(), semantics.initial, limits);
  const SearchResult found = search.run();
  LinResult result;
  result.states_explored = found.states;
  if (found.outcome == SearchOutcome::stuck) {
    result.violations.push_back(describe_txn(search, found, keys));
  } else if (found.outcome != SearchOutcome::linearizable) {
    result.reason = out_of_budget_reason(found, budget, "", search.ops().size());
  }
  settle_verdict(result);
  return result;
}

} // namespace faultlab::check::lin
