#include "check/lin_search.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <cstdio>

namespace faultlab::check::lin {
namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// A 128-bit fingerprint of a (linearized set, value) pair. The set's part is
// the XOR of a random pair per linearized op (Zobrist hashing), so lifting and
// unlifting an op update it in O(1). Two different pairs share a fingerprint
// with probability 2^-128 each: even a full 5-million-entry table has a chance
// of one false "already visited" below 1e-25.
struct Fingerprint {
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  bool operator==(const Fingerprint& other) const { return a == other.a && b == other.b; }
};

Fingerprint with_value(Fingerprint set, const Value& value) {
  const std::uint64_t code = value ? static_cast<std::uint64_t>(*value) : 0x6A09E667F3BCC908ULL;
  const std::uint64_t tag = value ? 1 : 2;
  set.a ^= splitmix64(code ^ (tag * 0x3C6EF372FE94F82BULL));
  set.b ^= splitmix64(splitmix64(code + tag) ^ 0xA54FF53A5F1D36F1ULL);
  return set;
}

// Open addressing with linear probing; (0, 0) marks an empty slot.
class VisitedSet {
public:
  VisitedSet() : slots_(1024) {}
  std::size_t size() const { return size_; }

  // True if it was not there yet.
  bool insert(Fingerprint fp) {
    if (fp.a == 0 && fp.b == 0) fp.b = 1;
    if ((size_ + 1) * 4 > slots_.size() * 3) grow(); // at most 3/4 full
    if (!place(slots_, fp)) return false;
    ++size_;
    return true;
  }

private:
  static bool place(std::vector<Fingerprint>& slots, const Fingerprint& fp) {
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = fp.a & mask;; i = (i + 1) & mask) {
      if (slots[i] == fp) return false;
      if (slots[i].a == 0 && slots[i].b == 0) {
        slots[i] = fp;
        return true;
      }
    }
  }
  void grow() {
    std::vector<Fingerprint> bigger(slots_.size() * 2);
    for (const Fingerprint& fp : slots_) {
      if (fp.a != 0 || fp.b != 0) place(bigger, fp);
    }
    slots_.swap(bigger);
  }

  std::vector<Fingerprint> slots_;
  std::size_t size_ = 0;
};

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

SearchResult search(const std::vector<LinOp>& ops, const Limits& limits) {
  assert(ops.size() < std::numeric_limits<std::uint32_t>::max() / 2);
  SearchResult result;
  EventList list(ops);

  std::vector<Fingerprint> op_keys(ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    op_keys[i] = {splitmix64(2 * i + 1), splitmix64(splitmix64(2 * i + 2))};
  }

  struct Choice {
    std::uint32_t call;
    Value before;
  };
  std::vector<Choice> stack;
  VisitedSet visited;
  Fingerprint set;
  Value current;
  std::uint32_t furthest = 0; // the furthest return node any branch reached
  std::uint64_t steps = 0;

  std::uint32_t entry = list.first();
  while (entry != 0) {
    if ((++steps & 1023) == 0 && std::chrono::steady_clock::now() >= limits.deadline) {
      result.outcome = SearchOutcome::out_of_time;
      result.states = visited.size();
      return result;
    }
    const EventList::Node& node = list.nodes[entry];
    if (node.endless) break; // every ok op is placed; optional ones left over never happened
    if (node.match != 0) {
      if (ops[node.op].optional && !observed_next(list, ops, node.op)) {
        entry = node.next;
        continue;
      }
      Value next;
      if (apply(ops[node.op], current, next)) {
        Fingerprint grown = set;
        grown.a ^= op_keys[node.op].a;
        grown.b ^= op_keys[node.op].b;
        if (visited.insert(with_value(grown, next))) {
          if (visited.size() > limits.max_states) {
            result.outcome = SearchOutcome::out_of_states;
            result.states = visited.size();
            return result;
          }
          stack.push_back({entry, current});
          current = next;
          set = grown;
          list.lift(entry);
          entry = list.first();
          continue;
        }
      }
      entry = node.next;
      continue;
    }
    // A return: its op could not be placed in time on this branch.
    if (entry > furthest) {
      furthest = entry;
      result.stuck_op = node.op;
      result.candidates.clear();
      result.placed_before_stuck = 0;
    }
    if (entry == furthest) {
      auto& candidates = result.candidates;
      const auto at = std::lower_bound(candidates.begin(), candidates.end(), current);
      if ((at == candidates.end() || *at != current) && candidates.size() < kMaxCandidates) {
        candidates.insert(at, current);
      }
      result.placed_before_stuck = std::max(result.placed_before_stuck, stack.size());
    }
    if (stack.empty()) {
      result.outcome = SearchOutcome::stuck;
      result.states = visited.size();
      return result;
    }
    const Choice choice = stack.back();
    stack.pop_back();
    const std::uint32_t op = list.nodes[choice.call].op;
    set.a ^= op_keys[op].a;
    set.b ^= op_keys[op].b;
    current = choice.before;
    list.unlift(choice.call);
    entry = list.nodes[choice.call].next;
  }
  result.outcome = SearchOutcome::linearizable;
  result.states = visited.size();
  if (ops.size() > 50000) { size_t opt = 0, inf = 0; for (auto& o : ops) { opt += o.optional; inf += o.inferred; } fprintf(stderr, "DEBUG ops %zu steps %llu states %zu optional %zu inferred %zu\n", ops.size(), (unsigned long long)steps, visited.size(), opt, inf); }
  return result;
}

} // namespace faultlab::check::lin
