#include "trace_model/node_state.hpp"

#include "trace_model/components.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

namespace faultlab::viz {

namespace {
// "payment_provider" -> "payment provider".
std::string words(std::string type) {
  for (char& c : type)
    if (c == '_') c = ' ';
  return type;
}

// What the panel says of a node before it has reported anything. A shard and
// a service instance say what they are (a shard reports nothing, a service
// only trouble), and so does a component of a type this viewer does not know;
// the others are named in their lane already.
std::string what_it_is(const Lane& lane) {
  if (lane.idle()) return "unused in this run";
  switch (lane.component_kind) {
  case ComponentKind::none:
    return "";
  case ComponentKind::clients:
    return "client host";
  case ComponentKind::shard:
    return lane.component + " " + lane.role; // "orders shard-1"
  case ComponentKind::service:
    return lane.component + " service";
  case ComponentKind::other: { // "orders-db database, primary"; "stripe payment provider" (role "provider")
    const std::string type = words(lane.type);
    const bool role_said = lane.role.empty() || (" " + type + " ").find(" " + lane.role + " ") != std::string::npos;
    return lane.component + " " + type + (role_said ? "" : ", " + lane.role);
  }
  default:
    return "no change yet";
  }
}

// Any state event, from its fields: "sneaker-42 = 37 (stock written)",
// "primary t3, applied 12 (won the election)"; `why` is a description, kept whole.
std::string describe_fields(const StateEvent& s) {
  std::string out;
  auto add = [&out](const std::string& part) { out += (out.empty() ? "" : ", ") + part; };
  if (!s.key.empty()) add(s.key + (s.value.empty() ? "" : " = " + s.value));
  if (!s.role.empty()) add(s.role + (s.term >= 0 ? " t" + std::to_string(s.term) : ""));
  if (s.applied >= 0) add("applied " + std::to_string(s.applied));
  if (s.entries >= 0) add(std::to_string(s.entries) + (s.entries == 1 ? " entry" : " entries"));
  if (out.empty()) return s.why.empty() ? "state changed" : s.why;
  return s.why.empty() ? out : out + " (" + s.why + ")";
}
} // namespace

std::string node_status_at(const Trace& trace, LaneId lane, double t_s) {
  for (std::uint32_t i : trace.lanes[lane].status_spans) {
    const StatusSpan& s = trace.status_spans[i];
    if (s.t_start_s > t_s) break;
    if (t_s < s.t_end_s) return s.status;
  }
  return "up";
}

std::string describe_state(const StateEvent& s, ComponentKind kind) {
  const std::string kv = s.key.empty() ? "" : s.key + (s.value.empty() ? "" : "=" + s.value);
  switch (kind) {
  case ComponentKind::replica:
    return "applied " + std::to_string(s.applied) + (kv.empty() ? "" : ", last " + kv);
  case ComponentKind::cache: {
    // "42 entries; last: price:7=12, fill", "0 entries; last: crashed: every entry lost"
    std::string out;
    if (s.entries >= 0) out = std::to_string(s.entries) + (s.entries == 1 ? " entry; " : " entries; ");
    out += "last: ";
    if (kv.empty()) return out + (s.why.empty() ? "change" : s.why);
    return out + kv + (s.why.empty() ? "" : ", " + s.why);
  }
  case ComponentKind::locks: // "sneaker-42: lease granted to shop-2 with token 7"
    if (!s.why.empty() && !s.key.empty()) return s.key + ": " + s.why;
    break;
  default:
    break;
  }
  return describe_fields(s);
}

std::size_t messages_into(const Trace& trace, LaneId lane, double t0_s, double t1_s) {
  std::size_t n = 0;
  for (const Lane& from : trace.lanes)
    for (const Channel& c : from.channels)
      if (c.to == lane) n += c.messages.count_starting(t0_s, t1_s);
  return n;
}

std::vector<NodeState> node_states_at(const Trace& trace, double t_s) {
  std::vector<NodeState> out;
  for (std::size_t l = 0; l < trace.lanes.size(); ++l) {
    const Lane& lane = trace.lanes[l];
    if (lane.kind != LaneKind::node) continue;
    NodeState ns;
    ns.lane = static_cast<LaneId>(l);
    ns.name = lane.name;
    ns.kind = lane.component_kind;
    ns.component = lane.component;
    ns.type = lane.type;
    ns.status = node_status_at(trace, ns.lane, t_s);
    ns.summary = what_it_is(lane);
    ns.messages_in_1s = lane.messages_in == 0 ? 0 : messages_into(trace, ns.lane, t_s - 1.0, t_s);
    // The last state event at or before t_s, found by binary search.
    auto it = std::upper_bound(lane.states.begin(), lane.states.end(), t_s,
                               [&](double t, std::uint32_t i) { return t < trace.states[i].t_s; });
    if (it != lane.states.begin()) {
      const StateEvent& last = trace.states[*(it - 1)];
      if (!last.component.empty()) ns.component = last.component;
      ns.applied = last.applied;
      ns.last_change_s = last.t_s;
      ns.why = last.why;
      ns.entries = last.entries;
      if (ns.kind != ComponentKind::replica) ns.summary = describe_state(last, kind_of_event(lane, last));
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
    if (ns.role.empty() && ns.kind == ComponentKind::replica) ns.role = lane.role;
    // An autoscaled instance out of service, or on its way in, says so.
    for (std::uint32_t i : lane.scaling_spans) {
      const ScalingSpan& span = trace.scaling_spans[i];
      if (span.t_start_s > t_s) break;
      if (t_s >= span.t_end_s) continue;
      char since[48];
      std::snprintf(since, sizeof since, " since %.3f s", span.t_start_s);
      ns.summary = span.phase == ScalingSpan::Phase::spare
                       ? "spare, out of " + span.service + "'s load balancer" + (span.t_start_s > 0 ? since : "")
                       : "provisioning" + std::string(since) + (span.why.empty() ? "" : ": " + span.why);
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
