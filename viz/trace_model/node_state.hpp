// What the trace says about each node at a given time: up/down/paused, role,
// replication position (and how far behind the most advanced node it is),
// and the last key/value it applied.
#pragma once

#include "trace_model/trace.hpp"

#include <string>
#include <vector>

namespace faultlab::viz {

struct NodeState {
  LaneId lane = kNoLane;
  std::string name;
  std::string status = "up"; // up, down, paused
  std::string component;
  std::string role;
  std::int64_t term = -1; // -1: the trace gives none
  std::int64_t applied = -1; // -1: no state event yet
  std::int64_t behind = 0;   // applied positions behind the most advanced node of the component
  std::string last_key, last_value;
  double last_change_s = -1.0;
};

// One entry per node lane, in lane order. O(lanes * log events).
std::vector<NodeState> node_states_at(const Trace& trace, double t_s);

// The node's status ("up", "down", "paused") at t_s.
std::string node_status_at(const Trace& trace, LaneId lane, double t_s);

} // namespace faultlab::viz
