// The mutex model (Knossos's `mutex`): one lock, free at the start; acquire
// takes a free lock, release frees a held one. That is exactly a cas register
// holding 0 (free) or 1 (held), so the register search checks it, with all its
// reasoning about info ops; only the words are the lock's own.
#include <algorithm>

#include "check/describe.hpp"
#include "check/lin_models.hpp"
#include "check/lin_prepare.hpp"

namespace faultlab::check::lin {
namespace {

using history::Op;
using history::Outcome;

constexpr std::int64_t kFree = 0, kHeld = 1;

// The latest acquire (or release) other than `stuck` to begin before `stuck`
// ended: the one that most plausibly left the lock as the search found it.
const Op* last_before(const history::History& locks, const Op& stuck, std::int64_t sets) {
  const Op* best = nullptr;
  for (const Op& op : locks.ops) {
    if (&op == &stuck || op.value != sets || op.invoke_s > stuck.complete_s) continue;
    if (best == nullptr || op.invoke_s >= best->invoke_s) best = &op;
  }
  return best;
}

Violation describe_lock(const history::History& locks, const SearchResult& found, const std::vector<LinOp>& ops) {
  const Op& stuck = locks.ops[ops[found.stuck_op].source];
  const bool acquire = stuck.expected == kFree;
  std::string message = describe_issuer(stuck) + (acquire ? " acquired" : " released") + " the lock at " +
                        format_time(stuck.invoke_s) + from_node(stuck) +
                        ", but no order of the operations before it explains finding the lock " +
                        (acquire ? "free" : "held");
  const bool both = found.candidates.size() > 1;
  Violation violation;
  violation.check = "linearizable";
  violation.time_s = stuck.invoke_s;
  if (!both) {
    // The lock could only be in the other state: say who left it so.
    const Op* other = last_before(locks, stuck, acquire ? kHeld : kFree);
    if (other != nullptr) {
      message += std::string(" (it could only be ") + (acquire ? "held" : "free") + " then: last " +
                 (acquire ? "acquired" : "released") + " by " + describe_issuer(*other) + " at " +
                 format_time(other->invoke_s) + ")";
      violation.ops.push_back(other->id);
    } else {
      message += acquire ? " (it could only be held then)" : " (no one could hold it then)";
    }
  }
  violation.ops.push_back(stuck.id);
  violation.message = std::move(message);
  return violation;
}

} // namespace

LinResult check_mutex(const history::History& history, const LinearizabilityBudget& budget, const Limits& limits) {
  history::History locks;
  for (const Op& op : history.ops) {
    if (op.f != "acquire" && op.f != "release") continue;
    Op cas = op;
    cas.f = "cas";
    cas.expected = op.f == "acquire" ? kFree : kHeld;
    cas.value = op.f == "acquire" ? kHeld : kFree;
    locks.ops.push_back(std::move(cas));
  }
  std::vector<std::size_t> members(locks.ops.size());
  for (std::size_t i = 0; i < members.size(); ++i) members[i] = i;

  LinResult result;
  const Value initial = kFree;
  const std::vector<LinOp> ops = prepare_ops(locks, members, initial);
  const SearchResult found = search(ops, initial, limits);
  result.states_explored = found.states;
  if (found.outcome == SearchOutcome::stuck) {
    result.violations.push_back(describe_lock(locks, found, ops));
  } else if (found.outcome != SearchOutcome::linearizable) {
    result.reason = out_of_budget_reason(found, budget, "", ops.size());
  }
  settle_verdict(result);
  return result;
}

} // namespace faultlab::check::lin
