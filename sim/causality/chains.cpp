#include "causality/chains.hpp"

#include "util/fixed_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace faultlab::causality::detail {

using history::Op;
using history::Outcome;

std::string seconds(double t_s) {
  if (!std::isfinite(t_s)) return "the end";
  if (t_s >= 2 * 86400.0) return util::fixed_text(t_s / 86400.0, 2, "day ", "");
  return util::fixed_text(t_s, 3, "", " s");
}

std::string duration(double d_s) {
  if (d_s < 1.0) return util::fixed_text(d_s * 1000.0, 0, "", " ms");
  if (d_s < 2 * 86400.0) return util::fixed_text(d_s, 3, "", " s");
  return util::fixed_text(d_s / 86400.0, 2, "", " days");
}

namespace {
std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string span(const LinkedFault& f) {
  if (!std::isfinite(f.end_s)) return "from " + seconds(f.start_s) + " on";
  return "from " + seconds(f.start_s) + " to " + seconds(f.end_s);
}

const Op* op_at(const Context& c, std::size_t i) {
  return i < c.violation.ops.size() ? c.evidence.op(c.violation.ops[i]) : nullptr;
}

// The last op of the violation that is a read answered by a node.
const Op* offending_read(const Context& c) {
  for (std::size_t i = c.violation.ops.size(); i-- > 0;) {
    const Op* op = op_at(c, i);
    if (op && op->is_read() && !op->node.empty()) return op;
  }
  return nullptr;
}

std::string value_text(const std::optional<std::int64_t>& v) {
  return v ? std::to_string(*v) : "nothing";
}

// The first fault of the ranking that acted on `node` (or, with `other`,
// kept the two apart), "" if none.
std::string fault_on(const Context& c, const std::string& node, const std::string& other = "") {
  const auto& spans = c.evidence.faults();
  for (const LinkedFault& l : c.faults) {
    for (const FaultSpan& f : spans)
      if (f.name == l.name && f.start_s == l.start_s &&
          (other.empty() ? f.touches(node) : f.separates(node, other)))
        return l.name;
  }
  return "";
}

// A read answered from a node that had not applied a write it should have
// seen: how far behind that node was, and since when.
Story read_story(const Context& c, const Op& read) {
  Story story;
  const Evidence& e = c.evidence;
  story.steps.push_back(Step{read.complete_s, read.node,
                             c.violation.check + ": read of " + read.key + " answered " + value_text(read.value) +
                                 " by " + read.node + " at " + seconds(read.complete_s),
                             ""});
  // The newest write of the key among the violation's ops, acknowledged before the read began.
  const Op* write = nullptr;
  for (std::int64_t id : c.violation.ops) {
    const Op* op = e.op(id);
    if (op && op->is_write() && op->key == read.key && op->outcome == Outcome::ok && op->complete_s <= read.invoke_s &&
        (!write || op->complete_s > write->complete_s))
      write = op;
  }
  std::string behind_of; // the node it lagged behind
  if (const State* fill = e.last_fill(read.node, read.key, read.complete_s); fill && write) {
    // A cache answered: which fill it served the read from, and the delete before it.
    const State* deleted = e.last_delete(read.node, read.key, write->invoke_s, fill->t_s);
    const std::string stale = read.key + "=" + (fill->value.empty() ? "nothing" : fill->value);
    story.steps.push_back(Step{fill->t_s, read.node,
                               deleted ? read.node + " deleted " + read.key + " at " + seconds(deleted->t_s) +
                                             " for the write, then a fill put " + stale + " back at " +
                                             seconds(fill->t_s)
                                       : read.node + " was filled with " + stale + " at " + seconds(fill->t_s) +
                                             " and nothing removed it after the write",
                               ""});
  } else if (write && !write->node.empty() && write->node != read.node) {
    behind_of = write->node;
    const std::string assignment = read.key + "=" + value_text(write->value);
    const State* at = e.position_at(read.node, read.complete_s);
    double behind_since_s = write->complete_s; // where the step sits: when it fell behind, if known
    const State* done = e.first_apply(read.node, read.key, value_text(write->value), write->invoke_s);
    std::string behind; // how far behind it was, when its replication positions say
    if (at) {
      // Behind since the writer applied the entry after the last one the reader had.
      const State* next = e.at_position(write->node, at->applied + 1, read.complete_s);
      if (next) behind_since_s = next->t_s;
      if (next)
        behind = " was " + duration(read.complete_s - next->t_s) + " behind " + write->node + " (at position " +
                 std::to_string(at->applied) + ", " + write->node + " wrote " + std::to_string(next->applied) +
                 " at " + seconds(next->t_s) + ")";
    }
    const std::string applied_text = done ? "applied " + assignment + " only at " + seconds(done->t_s)
                                          : "never applied " + assignment + " in this run";
    const std::string text = read.node + (behind.empty() ? " " + applied_text : behind + "; it " + applied_text);
    story.steps.push_back(Step{behind_since_s, read.node, text, ""});
  } else if (write) {
    story.steps.push_back(Step{write->complete_s, write->node,
                               read.key + "=" + value_text(write->value) + " was acknowledged at " +
                                   seconds(write->complete_s) + ", before the read began",
                               ""});
  }
  story.fault = fault_on(c, read.node, behind_of);
  if (story.fault.empty()) story.fault = fault_on(c, read.node);
  return story;
}

// The first time `node` became primary in `term` (or, without a term, at all).
const State* elected(const Evidence& e, const std::string& node, std::int64_t term) {
  for (const State& s : e.role_states())
    if (s.node == node && s.role == "primary" && (term < 0 || s.term == term)) return &s;
  return nullptr;
}

Story leader_story(const Context& c) {
  Story story;
  const Op* a = op_at(c, 0);
  const Op* b = op_at(c, 1);
  if (!a || !b) return story;
  story.steps.push_back(Step{c.violation.time_s, b->node,
                             "two primaries: " + a->node + " and " + b->node + " both acknowledged writes at " +
                                 seconds(c.violation.time_s),
                             ""});
  // The later election, then the primary that did not step down for it.
  struct Leader {
    const Op* op;
    const State* elected;
  };
  Leader first{a, elected(c.evidence, a->node, a->term.value_or(-1))};
  Leader second{b, elected(c.evidence, b->node, b->term.value_or(-1))};
  if (first.elected && second.elected && first.elected->t_s > second.elected->t_s) std::swap(first, second);
  auto term_of = [](const Op* op) { return op->term ? " of term " + std::to_string(*op->term) : std::string(); };
  if (second.elected)
    story.steps.push_back(Step{second.elected->t_s, second.op->node,
                               second.op->node + " became primary" + term_of(second.op) + " at " +
                                   seconds(second.elected->t_s) +
                                   (second.elected->why.empty() ? "" : " (" + second.elected->why + ")"),
                               ""});
  // It should have stepped down when the other was elected: the step sits there.
  story.steps.push_back(Step{second.elected ? second.elected->t_s : first.op->invoke_s, first.op->node,
                             first.op->node + ", primary" + term_of(first.op) +
                                 (first.elected ? " since " + seconds(first.elected->t_s) : "") +
                                 ", did not step down",
                             ""});
  story.fault = fault_on(c, a->node, b->node);
  if (story.fault.empty()) story.fault = fault_on(c, a->node);
  return story;
}

Story lost_write_story(const Context& c) {
  Story story;
  const Op* write = op_at(c, 0);
  const Op* final_read = op_at(c, 1);
  if (!write) return story;
  const Evidence& e = c.evidence;
  const std::string assignment = write->key + "=" + value_text(write->value);
  story.steps.push_back(Step{final_read ? final_read->invoke_s : write->complete_s,
                             final_read && !final_read->node.empty() ? final_read->node : write->node,
                             "lost write: " + assignment + " acknowledged by " + write->node + " at " +
                                 seconds(write->complete_s) +
                                 (final_read ? ", missing from the final read at " + seconds(final_read->invoke_s) : ""),
                             ""});
  if (const Discard* d = e.first_discard(write->key, value_text(write->value), write->invoke_s))
    story.steps.push_back(Step{d->t_s, d->node, d->node + " discarded " + assignment + " at " + seconds(d->t_s) +
                                                    " when logs were reconciled", ""});
  for (const State& s : e.role_states())
    if (s.t_s >= write->complete_s && s.role == "primary" && s.node != write->node) {
      story.steps.push_back(Step{s.t_s, s.node,
                                 s.node + " became primary" + (s.term >= 0 ? " of term " + std::to_string(s.term) : "") +
                                     " at " + seconds(s.t_s) + " without it",
                                 ""});
      break;
    }
  for (const NodeStatus& n : e.statuses())
    if (n.t_s >= write->complete_s && n.node == write->node && (n.status == "down" || n.status == "paused")) {
      story.steps.push_back(Step{n.t_s, n.node, write->node + " went " + n.status + " at " + seconds(n.t_s), ""});
      break;
    }
  story.fault = fault_on(c, write->node);
  return story;
}

// Failed or slow ops: where they went, what happened to their messages, the
// lock they waited for.
Story ops_story(const Context& c) {
  Story story;
  const Evidence& e = c.evidence;
  std::map<std::string, int> by_node;
  std::map<std::pair<std::string, std::string>, int> drops; // (destination, reason)
  double first_s = history::kNever, last_s = -history::kNever;
  int listed = 0;
  for (std::int64_t id : c.violation.ops) {
    const Op* op = e.op(id);
    if (!op) continue;
    ++listed;
    first_s = std::min(first_s, op->invoke_s);
    last_s = std::max(last_s, std::isfinite(op->complete_s) ? op->complete_s : op->invoke_s);
    std::string node = op->node;
    const std::string client_node = e.client_node(op->client);
    for (const MessageEvent& m : e.messages_of(id)) {
      if (node.empty() && m.ev == "send" && m.to != client_node) node = m.to;
      if (m.ev == "drop") ++drops[{m.to, m.reason.empty() ? "dropped" : m.reason}];
    }
    if (!node.empty()) ++by_node[node];
  }
  std::string busiest;
  int most = 0;
  for (const auto& [node, n] : by_node)
    if (n > most) busiest = node, most = n;
  char text[256];
  std::snprintf(text, sizeof text, "%s: %d listed ops failed or were too slow, from %s", c.violation.check.c_str(), listed,
                seconds(std::isfinite(first_s) ? first_s : c.violation.time_s).c_str());
  story.steps.push_back(Step{c.violation.time_s, busiest, text, ""});
  if (!busiest.empty()) {
    std::snprintf(text, sizeof text, "%d of them went to %s", most, busiest.c_str());
    std::string line = text;
    if (!drops.empty()) {
      line += "; messages of theirs dropped:";
      bool first = true;
      for (const auto& [where, n] : drops) {
        line += (first ? " " : ", ") + std::to_string(n) + " to " + where.first + " (" + where.second + ")";
        first = false;
      }
    }
    story.steps.push_back(Step{std::isfinite(first_s) ? first_s : c.violation.time_s, busiest, line, ""});
  }
  // The longest chain of lock waits is too much for one line: the first wait names whom it queued behind.
  for (const LockWait& w : e.lock_waits()) {
    if (w.op < 0 || std::find(c.violation.ops.begin(), c.violation.ops.end(), w.op) == c.violation.ops.end()) continue;
    story.steps.push_back(Step{w.t_s, w.node, "op " + std::to_string(w.op) + " waited for a lock on " + w.lock +
                                                  " at " + seconds(w.t_s) + " behind " + w.behind, ""});
    break;
  }
  // A database's own incident (out of memory, a full disk) just before or
  // among the ops: the latest one before the last op.
  const Op* incident = nullptr;
  for (const Op* op : e.incidents())
    if (op->invoke_s >= first_s - c.lookback_s && op->invoke_s <= last_s) incident = op;
  if (incident)
    story.steps.push_back(Step{incident->invoke_s, incident->key,
                               incident->client + " on " + incident->key + " at " + seconds(incident->invoke_s) + ": " +
                                   incident->error,
                               ""});
  // The dropped messages point at the node that could not be reached.
  std::string unreachable;
  int most_drops = 0;
  for (const auto& [where, n] : drops)
    if (n > most_drops) unreachable = where.first, most_drops = n;
  if (!unreachable.empty()) story.fault = fault_on(c, unreachable);
  if (story.fault.empty() && !busiest.empty()) story.fault = fault_on(c, busiest);
  return story;
}

// A database's own incident (out of memory, a full disk).
Story incident_story(const Context& c) {
  Story story;
  const Op* incident = c.violation.ops.empty() ? nullptr : op_at(c, c.violation.ops.size() - 1);
  if (!incident) return story;
  story.steps.push_back(Step{incident->invoke_s, incident->key, c.violation.check + ": " + incident->client + " on " +
                                                                    incident->key + " at " + seconds(incident->invoke_s),
                             ""});
  if (!incident->error.empty())
    story.steps.push_back(Step{incident->invoke_s, incident->key, incident->error, ""});
  story.fault = fault_on(c, incident->key);
  return story;
}

Story generic_story(const Context& c) {
  Story story;
  const Op* last = c.violation.ops.empty() ? nullptr : op_at(c, c.violation.ops.size() - 1);
  story.steps.push_back(Step{c.violation.time_s, last ? last->node : "",
                             c.violation.check + " at " + seconds(c.violation.time_s), ""});
  if (last && !last->node.empty()) story.fault = fault_on(c, last->node);
  return story;
}
} // namespace

Story tell(const Context& c) {
  const std::string& check = c.violation.check;
  if (check == "single_leader") return leader_story(c);
  if (check == "lost_writes") return lost_write_story(c);
  if (check == "availability" || check == "latency_slo") return ops_story(c);
  if (check == "oom" || check == "disk_full") return incident_story(c);
  if (check == "stale_read" || check == "read_your_writes" || check == "linearizable" || check == "stale_cache")
    if (const Op* read = offending_read(c)) return read_story(c, *read);
  return generic_story(c);
}

std::string describe_fault(const LinkedFault& f, const Evidence& evidence, const std::string& focus) {
  for (const FaultSpan& s : evidence.faults()) {
    if (s.name != f.name || s.start_s != f.start_s) continue;
    if (s.type == "partition") {
      // The focus node's side first: "cut db-2 off from db-1, db-3".
      std::vector<std::string> mine, others;
      for (const auto& g : s.groups) {
        const bool has = std::find(g.begin(), g.end(), focus) != g.end();
        for (const auto& n : g) (has ? mine : others).push_back(n);
      }
      if (mine.empty()) {
        if (!s.groups.empty()) mine = s.groups.front();
        others.clear();
        for (std::size_t i = 1; i < s.groups.size(); ++i) others.insert(others.end(), s.groups[i].begin(), s.groups[i].end());
      }
      return "partition " + f.name + " cut " + join(mine) + " off from " + join(others) + " " + span(f);
    }
    if (s.type == "crash") return "crash " + f.name + ": " + s.node + " down " + span(f);
    if (s.type == "pause") return "pause " + f.name + ": " + s.node + " frozen " + span(f);
    if (s.type == "drop") {
      char p[32];
      std::snprintf(p, sizeof p, "%.0f %%", s.probability * 100.0);
      return "drop " + f.name + ": " + p + " of messages" + (s.nodes.empty() ? "" : " of " + join(s.nodes)) + " lost " +
             span(f);
    }
    if (s.type == "delay")
      return "delay " + f.name + ": +" + duration(s.extra_s) + " on messages" +
             (s.nodes.empty() ? "" : " of " + join(s.nodes)) + " " + span(f);
  }
  // A fault type this analysis does not describe in detail.
  return f.type + " " + f.name + (f.nodes.empty() ? "" : " on " + join(f.nodes)) + " " + span(f);
}

} // namespace faultlab::causality::detail
