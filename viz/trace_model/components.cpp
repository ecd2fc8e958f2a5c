#include "trace_model/components.hpp"

#include <string_view>

namespace faultlab::viz {

namespace {
// The types this viewer has a way of showing. Anything else is `other`.
struct KnownType {
  std::string_view type;
  ComponentKind kind;
};
constexpr KnownType kKnownTypes[] = {
    {"replica_group", ComponentKind::replica}, {"cache", ComponentKind::cache},
    {"service", ComponentKind::service},       {"sharded_store", ComponentKind::shard},
    {"inventory", ComponentKind::inventory},   {"lock_service", ComponentKind::locks},
    {"clients", ComponentKind::clients},
};

void set_components(Lane& lane, const NodeInfo& node) {
  lane.components = node.components;
  lane.subtitle = node.zone;
  for (const NodeComponent& c : node.components)
    lane.subtitle +=
        (lane.subtitle.empty() ? "" : "  ") + (c.component.empty() ? "" : c.component + ":") + c.role;
  if (const NodeComponent* main = main_component(node.components)) {
    lane.component_kind = kind_of_type(main->type);
    lane.component = main->component;
    lane.type = main->type;
    lane.role = main->role;
  }
}
} // namespace

ComponentKind kind_of_type(const std::string& type) {
  for (const KnownType& k : kKnownTypes)
    if (k.type == type) return k.kind;
  return ComponentKind::other;
}

const NodeComponent* main_component(const std::vector<NodeComponent>& components) {
  for (const NodeComponent& c : components)
    if (kind_of_type(c.type) != ComponentKind::clients) return &c;
  return components.empty() ? nullptr : &components.front();
}

ComponentKind kind_of_event(const Lane& lane, const StateEvent& s) {
  if (s.component != lane.component)
    for (const NodeComponent& c : lane.components)
      if (c.component == s.component) return kind_of_type(c.type);
  return lane.component_kind;
}

void assign_components(Trace& t) {
  for (const NodeInfo& node : t.header.nodes) {
    const LaneId id = t.lane_of(node.name);
    if (id != kNoLane && t.lanes[id].kind == LaneKind::node) set_components(t.lanes[id], node);
  }
}

void infer_components_v1(Trace& t) {
  // Roles that named a type in version 1; every other role was a shard's name.
  struct V1Role {
    std::string_view role, type;
  };
  static constexpr V1Role kV1Roles[] = {
      {"primary", "replica_group"},  {"replica", "replica_group"},   {"leader", "replica_group"},
      {"follower", "replica_group"}, {"candidate", "replica_group"}, {"cache", "cache"},
      {"service", "service"},        {"inventory", "inventory"},     {"locks", "lock_service"},
      {"clients", "clients"},
  };
  for (NodeInfo& node : t.header.nodes) {
    node.components.clear();
    for (const std::string& r : node.roles) {
      const std::size_t colon = r.find(':');
      NodeComponent c;
      c.component = colon == std::string::npos ? "" : r.substr(0, colon);
      c.role = colon == std::string::npos ? r : r.substr(colon + 1);
      c.type = "sharded_store"; // by elimination
      for (const V1Role& known : kV1Roles)
        if (known.role == c.role) c.type = std::string(known.type);
      node.components.push_back(std::move(c));
    }
  }
  assign_components(t);
  for (const StateEvent& s : t.states) {
    Lane& lane = t.lanes[s.lane];
    if ((s.applied >= 0 || !s.role.empty()) && lane.component_kind != ComponentKind::replica) {
      lane.component_kind = ComponentKind::replica;
      lane.type = "replica_group";
      if (lane.component.empty()) lane.component = s.component;
    }
  }
}

} // namespace faultlab::viz
