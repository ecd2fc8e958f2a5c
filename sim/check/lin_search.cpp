#include "check/lin_search.hpp"
#include "check/lin_visited.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <map>

namespace faultlab::check::lin {
namespace {

// The event list: node 0 is the head sentinel, nodes 1..2n the events in
// time order (calls before returns at equal times, so ops that touch count
// as concurrent: the generous reading).
struct EventList {
  struct Node {
    std::uint32_t prev, next;
    std::uint32_t op;
    std::uint32_t match; // a call's return node; 0 for returns
    bool endless;        // the return of an optional op (+infinity)
  };
  std::vector<Node> nodes;

  explicit EventList(const std::vector<LinOp>& ops) {
    struct Event {
      double time_s;
      bool is_return;
      bool inferred;
      std::uint32_t op;
    };
    std::vector<Event> events;
    events.reserve(ops.size() * 2);
    for (std::uint32_t i = 0; i < ops.size(); ++i) {
      const LinOp& op = ops[i];
      const double return_s = op.optional ? std::numeric_limits<double>::infinity() : std::max(op.return_s, op.call_s);
      events.push_back({op.call_s, false, false, i});
      events.push_back({return_s, true, op.inferred, i});
    }
    std::sort(events.begin(), events.end(), [](const Event& x, const Event& y) {
      if (x.time_s != y.time_s) return x.time_s < y.time_s;
      if (x.is_return != y.is_return) return !x.is_return;
      if (x.inferred != y.inferred) return !x.inferred;
      return x.op < y.op;
    });
    const auto count = static_cast<std::uint32_t>(events.size());
    nodes.resize(count + 1);
    std::vector<std::uint32_t> return_node(ops.size(), 0);
    for (std::uint32_t i = 0; i < count; ++i) {
      if (events[i].is_return) return_node[events[i].op] = i + 1;
    }
    nodes[0] = {count, count == 0 ? 0 : 1u, 0, 0, false};
    for (std::uint32_t i = 1; i <= count; ++i) {
      const Event& event = events[i - 1];
      const bool endless = event.is_return && ops[event.op].optional;
      nodes[i] = {i - 1, i == count ? 0 : i + 1, event.op, event.is_return ? 0 : return_node[event.op], endless};
    }
  }

  std::uint32_t first() const { return nodes[0].next; }

  void lift(std::uint32_t call) {
    unlink(call);
    unlink(nodes[call].match);
  }
  void unlift(std::uint32_t call) {
    relink(nodes[call].match);
    relink(call);
  }

private:
  void unlink(std::uint32_t i) {
    nodes[nodes[i].prev].next = nodes[i].next;
    nodes[nodes[i].next].prev = nodes[i].prev;
  }
  void relink(std::uint32_t i) {
    nodes[nodes[i].prev].next = i;
    nodes[nodes[i].next].prev = i;
  }
};

// An optional op is only worth placing right before an op that observes the
// value it sets (a read of it, a cas expecting it): in any valid order, an
// optional op followed by anything else is followed by a write (a read or a
// cas would observe it) and can be dropped, leaving a valid order. So the
// search places optional ops only when such an observer is among the ops it
// could place next: the calls before the first return still in the list.
bool observed_next(const EventList& list, const std::vector<LinOp>& ops, std::uint32_t op) {
  const Value& value = ops[op].value;
  // The observers must still be unplaced: the list only holds unplaced ops.
  for (std::uint32_t i = list.first(); i != 0; i = list.nodes[i].next) {
    const EventList::Node& node = list.nodes[i];
    if (node.match == 0) return false; // a return: the end of what could come next
    if (node.op == op) continue;
    const LinOp& other = ops[node.op];
    if ((other.kind == Kind::read && other.value == value) || (other.kind == Kind::cas && other.expected == value))
      return true;
  }
  return false;
}

// Which values each op sets and observes (dense ids), and how many unplaced
// ops still set or observe each value on the current branch.
struct ValueBook {
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t> sets, sees;     // per op: value id, or kNone
  std::vector<std::uint32_t> writers;        // unplaced writes and cas setting the value
  std::vector<std::uint32_t> observers;      // unplaced reads and cas needing it
  std::vector<std::uint32_t> must_observe;   // the mandatory ones among those

  explicit ValueBook(const std::vector<LinOp>& ops) : sets(ops.size(), kNone), sees(ops.size(), kNone) {
    std::map<Value, std::uint32_t> ids;
    auto id_of = [&](const Value& value) {
      const auto [it, inserted] = ids.emplace(value, static_cast<std::uint32_t>(ids.size()));
      return it->second;
    };
    for (std::size_t i = 0; i < ops.size(); ++i) {
      if (ops[i].kind != Kind::read) sets[i] = id_of(ops[i].value);
      if (ops[i].kind != Kind::write) sees[i] = id_of(ops[i].kind == Kind::read ? ops[i].value : ops[i].expected);
    }
    writers.assign(ids.size(), 0);
    observers.assign(ids.size(), 0);
    must_observe.assign(ids.size(), 0);
    for (std::size_t i = 0; i < ops.size(); ++i) {
      if (sets[i] != kNone) ++writers[sets[i]];
      if (sees[i] != kNone) ++observers[sees[i]];
      if (sees[i] != kNone && !ops[i].optional) ++must_observe[sees[i]];
    }
    ids_ = std::move(ids);
    optional_.reserve(ops.size());
    for (const LinOp& op : ops) optional_.push_back(op.optional);
  }

  // delta -1: op is placed; +1: it is taken back.
  void place(std::uint32_t op, int delta) {
    const auto d = static_cast<std::uint32_t>(delta); // wraps: unsigned arithmetic adds -1 correctly
    if (sets[op] != kNone) writers[sets[op]] += d;
    if (sees[op] != kNone) {
      observers[sees[op]] += d;
      if (!optional_[op]) must_observe[sees[op]] += d;
    }
  }

  // Placing `op` moves the register away from `current` (id `current_id`):
  // if a mandatory op still needs `current` and nothing left can set it
  // again, that op can never be placed, so this branch cannot succeed.
  bool strands_observers(std::uint32_t op, const Value& current, std::uint32_t current_id, const Value& next) const {
    if (next == current || current_id == kNone) return false;
    std::uint32_t needing = must_observe[current_id];
    if (sees[op] == current_id && !optional_[op]) --needing; // a cas consuming the value it expects
    return needing > 0 && writers[current_id] == 0;
  }

  // The id of `value`, kNone if no op sets or sees it.
  std::uint32_t id_of(const Value& value) const {
    const auto found = ids_.find(value);
    return found == ids_.end() ? kNone : found->second;
  }

private:
  std::vector<bool> optional_;
  std::map<Value, std::uint32_t> ids_;
};

// The first unplaced mandatory op, other than `a` and `b`, that needs the
// register to hold the value with id `value_id`; kNone if there is none.
std::uint32_t first_needing(const EventList& list, const std::vector<LinOp>& ops, const ValueBook& book,
                            std::uint32_t value_id, std::uint32_t a, std::uint32_t b) {
  for (std::uint32_t i = list.first(); i != 0; i = list.nodes[i].next) {
    const std::uint32_t op = list.nodes[i].op;
    if (list.nodes[i].match != 0 && op != a && op != b && !ops[op].optional && book.sees[op] == value_id) return op;
  }
  return ValueBook::kNone;
}

// Who to blame when the search is stuck at the return node `stuck`: by
// default its op, which found `current`. But when that op, or the op that
// would have set the value it needs, could only be placed by stranding
// another op that needs the current value, that other op is the one no order
// explains, and the value it would have found is the new one: a read that
// contradicts an earlier one is blamed, not the earlier one.
void blame_stranded(const EventList& list, const std::vector<LinOp>& ops, const ValueBook& book, std::uint32_t stuck,
                    const Value& current, std::uint32_t current_id, std::uint32_t& blamed, Value& found) {
  const std::uint32_t op = list.nodes[stuck].op;
  Value next;
  if (apply(ops[op], current, next)) {
    if (!book.strands_observers(op, current, current_id, next)) return;
    const std::uint32_t other = first_needing(list, ops, book, current_id, op, op);
    if (other != ValueBook::kNone) {
      blamed = other;
      found = next;
    }
    return;
  }
  if (book.sees[op] == ValueBook::kNone) return;
  for (std::uint32_t i = list.first(); i != 0 && i != stuck; i = list.nodes[i].next) {
    const std::uint32_t writer = list.nodes[i].op;
    if (list.nodes[i].match == 0 || book.sets[writer] != book.sees[op]) continue;
    if (!apply(ops[writer], current, next) || !book.strands_observers(writer, current, current_id, next)) continue;
    const std::uint32_t other = first_needing(list, ops, book, current_id, op, writer);
    if (other != ValueBook::kNone) {
      blamed = other;
      found = next;
      return;
    }
  }
}

} // namespace

bool apply(const LinOp& op, const Value& current, Value& next) {
  switch (op.kind) {
  case Kind::read:
    next = current;
    return current == op.value;
  case Kind::write:
    next = op.value;
    return true;
  case Kind::cas:
    next = op.value;
    return current == op.expected;
  }
  return false;
}

SearchResult search(const std::vector<LinOp>& ops, const Value& initial, const Limits& limits) {
  assert(ops.size() < std::numeric_limits<std::uint32_t>::max() / 2);
  SearchResult result;
  EventList list(ops);

  ValueBook book(ops);
  std::vector<Fingerprint> op_keys(ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    op_keys[i] = {splitmix64(2 * i + 1), splitmix64(splitmix64(2 * i + 2))};
  }

  struct Choice {
    std::uint32_t call;
    Value before;
    std::uint32_t before_id;
    bool forced; // placed without a choice: undoing it means undoing the choice before it too
  };
  std::vector<Choice> stack;
  VisitedSet visited;
  Fingerprint set;
  Value current = initial;
  std::uint32_t current_id = book.id_of(initial);
  std::uint32_t furthest = 0; // the furthest return node any branch reached
  std::uint64_t steps = 0;
  bool over_budget = false;

  // Places the op of call node `call` (its move already checked). False when
  // the configuration it leads to was explored before (or the budget is spent).
  auto place = [&](std::uint32_t call, const Value& next, bool forced) {
    const std::uint32_t op = list.nodes[call].op;
    Fingerprint grown = set;
    grown.a ^= op_keys[op].a;
    grown.b ^= op_keys[op].b;
    if (!visited.insert(with_value(grown, next))) return false;
    if (visited.size() > limits.max_states) {
      over_budget = true;
      return false;
    }
    stack.push_back({call, current, current_id, forced});
    if (next != current) current_id = book.sets[op];
    current = next;
    set = grown;
    book.place(op, -1);
    list.lift(call);
    return true;
  };
  // Takes back placements up to and including the last real choice, and
  // resumes the scan after it. False when there is nothing left to take back.
  std::uint32_t entry = 0;
  auto undo = [&]() {
    while (!stack.empty()) {
      const Choice choice = stack.back();
      stack.pop_back();
      const std::uint32_t op = list.nodes[choice.call].op;
      set.a ^= op_keys[op].a;
      set.b ^= op_keys[op].b;
      current = choice.before;
      current_id = choice.before_id;
      book.place(op, +1);
      list.unlift(choice.call);
      if (!choice.forced) {
        entry = list.nodes[choice.call].next;
        return true;
      }
    }
    return false;
  };
  // Places, without branching, every mandatory op that never changes the
  // register (a read, or a cas from a value to itself) and can take effect
  // now. Any valid order can be rearranged to place such an op now: it is
  // concurrent with every unplaced op, and taking it out of its place changes
  // nothing anyone sees. (Not so a write of the current value: where it really
  // was, it may have changed the register.) So no choice point is needed for
  // it, and when the configuration it leads to was already explored, the one
  // before it fails too. False in that case.
  auto place_forced = [&]() {
    for (std::uint32_t i = list.first(); i != 0;) {
      const EventList::Node& node = list.nodes[i];
      if (node.match == 0) break; // the first return: nothing after it can be placed yet
      Value next;
      const LinOp& op = ops[node.op];
      const bool pure = op.kind == Kind::read || (op.kind == Kind::cas && op.expected == op.value);
      if (pure && !op.optional && apply(op, current, next)) {
        if (!place(i, next, true)) return false;
        i = list.first();
        continue;
      }
      i = node.next;
    }
    entry = list.first();
    return true;
  };

  bool settled = place_forced();
  for (;;) {
    if (!settled) {
      if (over_budget) break;
      if (!undo()) {
        result.outcome = SearchOutcome::stuck;
        result.states = visited.size();
        return result;
      }
      settled = true;
    }
    if ((++steps & 1023) == 0 && std::chrono::steady_clock::now() >= limits.deadline) {
      result.outcome = SearchOutcome::out_of_time;
      result.states = visited.size();
      return result;
    }
    if (entry == 0) break; // every op placed
    const EventList::Node& node = list.nodes[entry];
    if (node.endless) break; // every ok op is placed; optional ones left over never happened
    if (node.match != 0) {
      if (ops[node.op].optional &&
          (book.observers[book.sets[node.op]] == 0 || !observed_next(list, ops, node.op))) {
        entry = node.next;
        continue;
      }
      Value next;
      if (apply(ops[node.op], current, next) && !book.strands_observers(node.op, current, current_id, next)) {
        if (place(entry, next, false)) {
          settled = place_forced();
          continue;
        }
        if (over_budget) break;
      }
      entry = node.next;
      continue;
    }
    // A return: its op could not be placed in time on this branch.
    if (entry >= furthest) {
      std::uint32_t blamed = node.op;
      Value found = current;
      blame_stranded(list, ops, book, entry, current, current_id, blamed, found);
      if (entry > furthest || blamed != result.stuck_op) {
        furthest = entry;
        result.stuck_op = blamed;
        result.candidates.clear();
        result.placed_before_stuck = 0;
      }
      auto& candidates = result.candidates;
      const auto at = std::lower_bound(candidates.begin(), candidates.end(), found);
      if ((at == candidates.end() || *at != found) && candidates.size() < kMaxCandidates) {
        candidates.insert(at, found);
      }
      result.placed_before_stuck = std::max(result.placed_before_stuck, stack.size());
    }
    settled = false;
  }
  result.states = visited.size();
  result.outcome = over_budget ? SearchOutcome::out_of_states : SearchOutcome::linearizable;
  return result;
}

} // namespace faultlab::check::lin
