#include "trace_model/explain.hpp"

#include <algorithm>
#include <cstdio>

namespace faultlab::viz {

namespace {
constexpr int kMaxScan = 200000; // messages looked at per search: a bound on the work

// The replication position of `lane` at time `t_s` (its last state event then).
std::int64_t position_at(const Trace& trace, LaneId lane, double t_s) {
  std::int64_t position = -1;
  for (std::uint32_t i : trace.lanes[lane].states) {
    const StateEvent& s = trace.states[i];
    if (s.t_s > t_s) break;
    if (s.applied >= 0) position = s.applied;
  }
  return position;
}

// The replicate message that carried entry `position` from `origin` to the
// answering node. The primary ships entries in log order, one message per
// entry and follower, at once or in rounds of its WAL sender: the first round
// to that node at or after the primary's apply holds it, and a round at time T
// carries the positions up to the primary's position at T, in order.
std::int64_t find_replicate(const Trace& trace, const AppliedAt& a, LaneId origin, std::int64_t position) {
  auto is_replicate = [&](const Message& m) {
    return m.from == origin && m.to == a.node && trace.message_kinds[m.kind] == "replicate";
  };
  const auto end = trace.messages.end();
  auto it = std::lower_bound(trace.messages.begin(), end, a.t_origin_s,
                             [](const Message& m, double t) { return m.t_send_s < t; });
  for (int n = 0; it != end && !is_replicate(*it); ++n, ++it)
    if (n == kMaxScan || (a.t_applied_s >= 0 && it->t_send_s > a.t_applied_s)) return -1;
  if (it == end) return -1;
  const double round_s = it->t_send_s;
  // A primary that went down before the round lost the entries it had not shipped.
  for (std::uint32_t i : trace.lanes[origin].status_spans)
    if (trace.status_spans[i].t_start_s >= a.t_origin_s && trace.status_spans[i].t_start_s <= round_s)
      return -1;
  std::vector<std::int64_t> round;
  for (; it != end && it->t_send_s == round_s; ++it)
    if (is_replicate(*it)) round.push_back(it - trace.messages.begin());
  const auto n = static_cast<std::int64_t>(round.size());
  const std::int64_t k = n - 1 - (position_at(trace, origin, round_s) - position);
  return round[static_cast<std::size_t>(k >= 0 && k < n ? k : 0)];
}

// The message that carried the write to the answering node, and when it
// arrived. No replicate message arrived before the apply: the entry came in a
// catch-up (sync), the last one delivered before the apply.
void find_carrier(const Trace& trace, AppliedAt& a) {
  LaneId origin = kNoLane;
  std::int64_t position = -1;
  for (const StateEvent& s : trace.states) {
    if (s.key == a.key && s.value == a.value) {
      origin = s.lane;
      a.t_origin_s = s.t_s;
      position = s.applied;
      break;
    }
  }
  if (origin == kNoLane || a.node == kNoLane || origin == a.node) return;
  a.carrier = find_replicate(trace, a, origin, position);
  auto arrived = [&](const Message& m) {
    return m.delivered && (a.t_applied_s < 0 || m.t_end_s <= a.t_applied_s);
  };
  if (a.t_applied_s >= 0 &&
      (a.carrier < 0 || !arrived(trace.messages[static_cast<std::size_t>(a.carrier)]))) {
    auto back = std::upper_bound(trace.messages.begin(), trace.messages.end(), a.t_applied_s,
                                 [](double t, const Message& m) { return t < m.t_send_s; });
    for (int n = 0; back != trace.messages.begin() && n < kMaxScan; ++n) {
      --back;
      if (back->t_send_s < a.t_origin_s) break;
      if (back->to == a.node && arrived(*back) && trace.message_kinds[back->kind] == "sync") {
        a.carrier = back - trace.messages.begin();
        break;
      }
    }
  }
  if (a.carrier >= 0 && trace.messages[static_cast<std::size_t>(a.carrier)].delivered)
    a.t_arrival_s = trace.messages[static_cast<std::size_t>(a.carrier)].t_end_s;
}

bool starts_with(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

// A cache answered the read: find the fill it served it from (the last fill of
// the key before the read), the delete before that fill, and the cache_set
// message that made the fill.
void explain_cache(const Trace& trace, const Op& write, AppliedAt& a) {
  a.cache = true;
  const Lane& lane = trace.lanes[a.node];
  for (std::uint32_t i : lane.states) {
    const StateEvent& s = trace.states[i];
    if (s.t_s > a.t_read_s) break;
    if (s.key != a.key) continue;
    if (starts_with(s.why, "fill") && !starts_with(s.why, "fill refused")) {
      a.t_applied_s = s.t_s;
      a.filled_value = s.value;
    }
  }
  if (a.t_applied_s < 0) return;
  for (std::uint32_t i : lane.states) {
    const StateEvent& s = trace.states[i];
    if (s.t_s >= a.t_applied_s) break;
    if (s.key == a.key && starts_with(s.why, "delete") && s.t_s >= write.t_invoke_s) a.t_delete_s = s.t_s;
  }
  // The cache_set delivered last before the fill. Sends are time-sorted: walk
  // back from the fill a bounded number of messages.
  auto it = std::lower_bound(trace.messages.begin(), trace.messages.end(), a.t_applied_s,
                             [](const Message& m, double t) { return m.t_send_s < t; });
  double best_s = -1.0;
  for (int n = 0; it != trace.messages.begin() && n < 4096; ++n) {
    --it;
    if (it->to != a.node || !it->delivered || it->t_end_s > a.t_applied_s || it->t_end_s <= best_s) continue;
    if (trace.message_kinds[it->kind] != "cache_set") continue;
    best_s = it->t_end_s;
    a.carrier = it - trace.messages.begin();
    a.filler_op = it->op;
  }
}
} // namespace

std::vector<AppliedAt> explain_violation(const Trace& trace, const Violation& v) {
  std::vector<AppliedAt> out;
  for (std::int64_t w : v.ops) {
    const Op* write = trace.find_op(w);
    if (!write || write->f != "write" || write->key.empty()) continue;
    for (std::int64_t r : v.ops) {
      const Op* read = trace.find_op(r);
      if (!read || read->f != "read" || read->node.empty() || read->key != write->key) continue;
      AppliedAt a;
      a.write_op = w;
      a.read_op = r;
      a.node = trace.lane_of(read->node);
      a.key = write->key;
      a.value = write->value;
      a.t_read_s = read->t_complete_s;
      // Several reads answered by one node tell one story: keep the first.
      if (std::any_of(out.begin(), out.end(),
                      [&](const AppliedAt& o) { return o.write_op == w && o.node == a.node; }))
        continue;
      if (a.node != kNoLane && trace.lanes[a.node].component_kind == ComponentKind::cache) {
        explain_cache(trace, *write, a);
        out.push_back(std::move(a));
        continue;
      }
      if (a.node != kNoLane) {
        for (std::uint32_t i : trace.lanes[a.node].states) { // time-sorted: the first match
          const StateEvent& s = trace.states[i];
          if (s.key == a.key && s.value == a.value) {
            a.t_applied_s = s.t_s;
            break;
          }
        }
      }
      find_carrier(trace, a);
      out.push_back(std::move(a));
    }
  }
  return out;
}

namespace {
std::string describe_cache(const Trace& trace, const std::string& node, const AppliedAt& a) {
  char buf[320];
  const std::string old = a.filled_value.empty() ? "nothing" : a.filled_value;
  if (a.t_applied_s < 0) {
    std::snprintf(buf, sizeof buf, "%s has no fill of %s before the read", node.c_str(), a.key.c_str());
    return buf;
  }
  std::string filler = "a fill";
  if (a.filler_op >= 0) {
    filler = "op " + std::to_string(a.filler_op);
    const Op* w = trace.find_op(a.write_op);
    const Op* f = trace.find_op(a.filler_op);
    if (w && f && f->t_invoke_s < w->t_invoke_s) {
      std::snprintf(buf, sizeof buf, " (a read begun at %.3f s, before the write)", f->t_invoke_s);
      filler += buf;
    }
  }
  if (a.t_delete_s >= 0)
    std::snprintf(buf, sizeof buf, "%s deleted %s at %.3f s, then %s filled it with %s=%s at %.3f s",
                  node.c_str(), a.key.c_str(), a.t_delete_s, filler.c_str(), a.key.c_str(), old.c_str(),
                  a.t_applied_s);
  else
    std::snprintf(buf, sizeof buf, "%s served %s=%s from a fill at %.3f s, with no delete after the write",
                  node.c_str(), a.key.c_str(), old.c_str(), a.t_applied_s);
  return buf;
}
} // namespace

std::string describe(const Trace& trace, const AppliedAt& a) {
  const std::string node = a.node == kNoLane ? "?" : trace.lanes[a.node].name;
  if (a.cache) return describe_cache(trace, node, a);
  char buf[384];
  if (a.t_applied_s < 0)
    std::snprintf(buf, sizeof buf, "%s never applied %s=%s in this run", node.c_str(), a.key.c_str(),
                  a.value.c_str());
  else if (a.t_applied_s > a.t_read_s && a.t_arrival_s >= 0 && a.t_arrival_s < a.t_applied_s)
    // The lag story: the entry was there before the read, waiting to be applied.
    std::snprintf(buf, sizeof buf,
                  "%s=%s reached %s at %.3f s, %s the read, but %s applied it only at %.3f s, "
                  "%.3f s after it answered the read",
                  a.key.c_str(), a.value.c_str(), node.c_str(), a.t_arrival_s,
                  a.t_arrival_s < a.t_read_s ? "before" : "after", node.c_str(), a.t_applied_s,
                  a.t_applied_s - a.t_read_s);
  else if (a.t_applied_s > a.t_read_s)
    std::snprintf(buf, sizeof buf, "%s applied %s=%s at %.3f s, %.3f s after it answered the read",
                  node.c_str(), a.key.c_str(), a.value.c_str(), a.t_applied_s, a.t_applied_s - a.t_read_s);
  else
    std::snprintf(buf, sizeof buf, "%s had applied %s=%s at %.3f s, before the read", node.c_str(),
                  a.key.c_str(), a.value.c_str(), a.t_applied_s);
  return buf;
}

} // namespace faultlab::viz
