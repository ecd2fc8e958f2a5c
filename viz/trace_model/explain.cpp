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

std::string describe(const Trace& trace, const AppliedAt& a) {
  const std::string node = a.node == kNoLane ? "?" : trace.lanes[a.node].name;
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
