#include "check/lin_prepare.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

namespace faultlab::check::lin {
namespace {

using history::Op;
using history::Outcome;

// Conversions of info ops to mandatory can chain (an info cas expects what
// an info write set, and an ok read saw what the cas set). A few passes find
// the chains that occur; any left over stay optional, which is still correct.
constexpr int kMaxInferencePasses = 8;

Kind kind_of(const Op& op) {
  if (op.f == "write") return Kind::write;
  if (op.f == "cas") return Kind::cas;
  return Kind::read;
}

// What an op needs the register to hold: a read its value, a cas its expected one.
bool observes(const LinOp& op, Value& value) {
  if (op.kind == Kind::write) return false;
  value = op.kind == Kind::read ? op.value : op.expected;
  return true;
}

} // namespace

std::vector<LinOp> prepare_ops(const history::History& history, const std::vector<std::size_t>& members,
                               const Value& initial) {
  std::vector<LinOp> ops;
  ops.reserve(members.size());
  for (std::size_t index : members) {
    const Op& op = history.ops[index];
    const Kind kind = kind_of(op);
    if (op.outcome == Outcome::fail) continue;
    if (op.outcome == Outcome::info && kind == Kind::read) continue;
    LinOp entry;
    entry.kind = kind;
    entry.optional = op.outcome == Outcome::info;
    entry.value = op.value;
    entry.expected = op.expected;
    entry.call_s = op.invoke_s;
    entry.return_s = op.complete_s;
    entry.source = index;
    ops.push_back(entry);
  }

  // How many ops could set each value (the initial value is always a
  // possible origin of itself, so it is never inferred).
  std::map<Value, std::size_t> writers;
  for (const LinOp& op : ops) {
    if (op.kind != Kind::read) ++writers[op.value];
  }

  // Info ops that must have taken effect.
  for (int pass = 0; pass < kMaxInferencePasses; ++pass) {
    std::map<Value, double> first_return_s; // value -> earliest return of a mandatory observer
    for (const LinOp& op : ops) {
      Value seen;
      if (op.optional || !observes(op, seen) || seen == initial) continue;
      auto [it, inserted] = first_return_s.emplace(seen, op.return_s);
      if (!inserted) it->second = std::min(it->second, op.return_s);
    }
    bool changed = false;
    for (LinOp& op : ops) {
      if (!op.optional || op.value == initial || writers[op.value] != 1) continue;
      const auto it = first_return_s.find(op.value);
      if (it == first_return_s.end()) continue;
      op.optional = false;
      op.inferred = true;
      op.return_s = std::max(it->second, op.call_s);
      changed = true;
    }
    if (!changed) break;
  }

  // Optional ops worth keeping: their value is observed by a mandatory op, or
  // by an optional cas worth keeping (found backwards from the mandatory ops).
  std::map<Value, std::vector<std::size_t>> optional_writers;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].optional) optional_writers[ops[i].value].push_back(i);
  }
  std::set<Value> wanted;
  std::deque<Value> to_visit;
  for (const LinOp& op : ops) {
    Value seen;
    if (!op.optional && observes(op, seen) && wanted.insert(seen).second) to_visit.push_back(seen);
  }
  std::vector<bool> keep(ops.size(), true);
  for (std::size_t i = 0; i < ops.size(); ++i) keep[i] = !ops[i].optional;
  while (!to_visit.empty()) {
    const Value value = to_visit.front();
    to_visit.pop_front();
    const auto it = optional_writers.find(value);
    if (it == optional_writers.end()) continue;
    for (std::size_t i : it->second) {
      keep[i] = true;
      if (ops[i].kind == Kind::cas && wanted.insert(ops[i].expected).second) to_visit.push_back(ops[i].expected);
    }
  }
  std::vector<LinOp> kept;
  kept.reserve(ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (keep[i]) kept.push_back(ops[i]);
  }
  return kept;
}

} // namespace faultlab::check::lin
