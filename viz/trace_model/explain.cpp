#include "trace_model/explain.hpp"

#include <algorithm>
#include <cstdio>

namespace faultlab::viz {

namespace {
// The replication message that carried the write: sent by the node that applied
// it first, when it applied it, and delivered to the answering node when that
// one applied it.
void find_carrier(const Trace& trace, AppliedAt& a) {
  LaneId origin = kNoLane;
  for (const StateEvent& s : trace.states) {
    if (s.key == a.key && s.value == a.value) {
      origin = s.lane;
      a.t_origin_s = s.t_s;
      break;
    }
  }
  if (origin == kNoLane || a.t_applied_s < 0 || origin == a.node) return;
  auto first = std::lower_bound(trace.messages.begin(), trace.messages.end(), a.t_origin_s,
                                [](const Message& m, double t) { return m.t_send_s < t; });
  for (auto it = first; it != trace.messages.end() && it->t_send_s == a.t_origin_s; ++it) {
    // Replicas apply in log order, so the carrier may have arrived before the
    // apply (waiting for an earlier entry): match on sender, receiver and send time.
    if (it->from == origin && it->to == a.node) {
      a.carrier = it - trace.messages.begin();
      if (it->delivered && it->t_end_s == a.t_applied_s) return; // the exact one
    }
  }
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
  char buf[256];
  if (a.t_applied_s < 0)
    std::snprintf(buf, sizeof buf, "%s never applied %s=%s in this run", node.c_str(), a.key.c_str(),
                  a.value.c_str());
  else if (a.t_applied_s > a.t_read_s)
    std::snprintf(buf, sizeof buf, "%s applied %s=%s at %.3f s, %.3f s after it answered the read",
                  node.c_str(), a.key.c_str(), a.value.c_str(), a.t_applied_s, a.t_applied_s - a.t_read_s);
  else
    std::snprintf(buf, sizeof buf, "%s had applied %s=%s at %.3f s, before the read", node.c_str(),
                  a.key.c_str(), a.value.c_str(), a.t_applied_s);
  return buf;
}

} // namespace faultlab::viz
