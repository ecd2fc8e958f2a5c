// What the trace says about each node at a given time: up/down/paused, and
// then by the kind of its component's type (components.hpp). A replica: role,
// replication position (and how far behind the most advanced node of its
// group), the last key/value it applied. Anything else (a cache, a stock
// table, a lock service, a service instance, a type this viewer does not
// know): its last state event, as one line built from the event's fields,
// with `why` kept whole as a description ("42 entries; last: price:7=12,
// fill"). An autoscaled instance out of service or provisioning says that
// instead. Every node: how many messages were sent to it in the second before.
#pragma once

#include "trace_model/trace.hpp"

#include <string>
#include <vector>

namespace faultlab::viz {

struct NodeState {
  LaneId lane = kNoLane;
  std::string name;
  std::string status = "up"; // up, down, paused
  ComponentKind kind = ComponentKind::none;
  std::string component;
  std::string type; // of the component, from the header: "cache", or one this viewer does not know
  std::string role;
  std::int64_t term = -1;    // -1: the trace gives none
  std::int64_t applied = -1; // -1: no state event yet
  std::int64_t behind = 0;   // applied positions behind the most advanced node of the component
  std::string last_key, last_value;
  double last_change_s = -1.0;    // time of the last state event (-1: none yet)
  std::string why;                // of the last state event
  std::int64_t entries = -1;      // a cache's entry count, -1 when not given
  std::string summary;            // one line: the last state event, or what the node is
  std::size_t messages_in_1s = 0; // messages sent to it in (t - 1 s, t]
};

// One entry per node lane, in lane order. O(lanes * (channels + log events)).
std::vector<NodeState> node_states_at(const Trace& trace, double t_s);

// The node's status ("up", "down", "paused") at t_s.
std::string node_status_at(const Trace& trace, LaneId lane, double t_s);

// One state event as a line for a room, from its fields, `why` whole:
// "42 entries; last: price:7=12, fill", "sneaker-42 = 37 (stock written)",
// "sneaker-42: lease granted to shop-2 with token 7", "fallback: rate_limit
// failed (timeout), failing open"; for a kind without words of its own
// (ComponentKind::other), every field it has: "card-9 = 20 (charged)".
std::string describe_state(const StateEvent& s, ComponentKind kind);

// Messages sent to `lane` with a send time in (t0, t1].
std::size_t messages_into(const Trace& trace, LaneId lane, double t0_s, double t1_s);

} // namespace faultlab::viz
