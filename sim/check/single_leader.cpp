// single_leader: two nodes accepted writes as primary at the same time.
//
// This is split brain as clients see it. A write acknowledged by a node was
// accepted by that node as primary at some moment between the write's
// invoke and its completion. If node A (in term a) acknowledged one write
// that completed before a write that B (in another term or another node)
// accepted, and another write invoked after B's completed, A was acting as
// primary all across B's write: two primaries at once. Grouping by (node,
// term) keeps a node that loses and later wins leadership again from being
// mistaken for its own rival. The verdict uses only what clients saw.
#include "check/checker.hpp"
#include "check/describe.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace faultlab::check {

using history::Op;
using history::Outcome;

namespace {

struct Leadership {
  std::string node;
  std::int64_t term = 0;
  bool has_term = false;
  std::vector<const Op*> writes; // ok writes it acknowledged, by invoke time
  const Op* first_done = nullptr; // the earliest completion
  const Op* last_started = nullptr; // the latest invoke
};

std::string name_of(const Leadership& l) {
  return l.node + (l.has_term ? " (term " + std::to_string(l.term) + ")" : "");
}

} // namespace

std::vector<Violation> check_single_leader(const history::History& history, const CheckOptions&) {
  std::map<std::pair<std::string, std::int64_t>, Leadership> by_leader;
  for (const Op& op : history.ops) {
    if (!op.is_write() || op.outcome != Outcome::ok || op.node.empty()) continue;
    auto& l = by_leader[{op.node, op.term.value_or(0)}];
    l.node = op.node;
    l.term = op.term.value_or(0);
    l.has_term = op.term.has_value();
    l.writes.push_back(&op);
    if (!l.first_done || op.complete_s < l.first_done->complete_s) l.first_done = &op;
    if (!l.last_started || op.invoke_s > l.last_started->invoke_s) l.last_started = &op;
  }
  std::vector<const Leadership*> leaders;
  for (const auto& [key, l] : by_leader) leaders.push_back(&l);

  std::vector<Violation> out;
  std::set<std::pair<const Leadership*, const Leadership*>> reported;
  for (const Leadership* a : leaders) {
    // A certainly accepted writes at or before `start` and at or after `end`.
    double start = a->first_done->complete_s, end = a->last_started->invoke_s;
    if (!(start < end)) continue;
    for (const Leadership* b : leaders) {
      if (a == b || a->node == b->node) continue;
      auto pair = std::minmax(a, b);
      if (reported.count(pair)) continue;
      const Op* first = nullptr;
      const Op* last = nullptr;
      for (const Op* w : b->writes) {
        if (w->invoke_s > start && w->complete_s < end) {
          if (!first) first = w;
          last = w;
        }
      }
      if (!first) continue;
      reported.insert(pair);
      Violation v;
      v.check = "single_leader";
      v.time_s = first->invoke_s;
      v.ops = {a->first_done->id, first->id, a->last_started->id};
      v.message = "two primaries at once: " + name_of(*a) + " and " + name_of(*b) +
                  " both acknowledged writes as primary between " + format_time(first->invoke_s) + " and " +
                  format_time(last->complete_s) + " (" + name_of(*a) + " acknowledged " +
                  format_assignment(a->first_done->key, a->first_done->value) + " by " +
                  format_time(start) + " and still took " +
                  format_assignment(a->last_started->key, a->last_started->value) + " at " + format_time(end) + ")";
      out.push_back(std::move(v));
    }
  }
  sort_violations(out);
  return out;
}

} // namespace faultlab::check
