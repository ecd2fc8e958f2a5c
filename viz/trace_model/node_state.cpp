#include "trace_model/node_state.hpp"

#include <algorithm>
#include <map>

namespace faultlab::viz {

std::string node_status_at(const Trace& trace, LaneId lane, double t_s) {
  for (std::uint32_t i : trace.lanes[lane].status_spans) {
    const StatusSpan& s = trace.status_spans[i];
    if (s.t_start_s > t_s) break;
    if (t_s < s.t_end_s) return s.status;
  }
  return "up";
}

std::vector<NodeState> node_states_at(const Trace& trace, double t_s) {
  std::vector<NodeState> out;
  for (std::size_t l = 0; l < trace.lanes.size(); ++l) {
    const Lane& lane = trace.lanes[l];
    if (lane.kind != LaneKind::node) continue;
    NodeState ns;
    ns.lane = static_cast<LaneId>(l);
    ns.name = lane.name;
    ns.status = node_status_at(trace, ns.lane, t_s);
    // The last state event at or before t_s, found by binary search.
    auto it = std::upper_bound(lane.states.begin(), lane.states.end(), t_s,
                               [&](double t, std::uint32_t i) { return t < trace.states[i].t_s; });
    if (it != lane.states.begin()) {
      const StateEvent& last = trace.states[*(it - 1)];
      ns.component = last.component;
      ns.applied = last.applied;
      ns.last_change_s = last.t_s;
      // The role (and term) from the last role event, however long ago.
      auto role_it = std::upper_bound(lane.role_states.begin(), lane.role_states.end(), t_s,
                                      [&](double t, std::uint32_t i) { return t < trace.states[i].t_s; });
      if (role_it != lane.role_states.begin()) {
        const StateEvent& r = trace.states[*(role_it - 1)];
        ns.role = r.role;
        ns.term = r.term;
      }
      // The last key/value may be missing from the latest event: walk back a little.
      for (auto back = it; back != lane.states.begin() && ns.last_key.empty();) {
        --back;
        const StateEvent& s = trace.states[*back];
        if (ns.last_key.empty() && !s.key.empty()) {
          ns.last_key = s.key;
          ns.last_value = s.value;
        }
        if (it - back > 64) break; // a limit: older history is not worth a frame
      }
    }
    out.push_back(std::move(ns));
  }
  std::map<std::string, std::int64_t> most;
  for (const auto& ns : out)
    if (ns.applied >= 0) most[ns.component] = std::max(most[ns.component], ns.applied);
  for (auto& ns : out)
    if (ns.applied >= 0) ns.behind = most[ns.component] - ns.applied;
  return out;
}

} // namespace faultlab::viz
