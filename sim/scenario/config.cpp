#include "scenario/config.hpp"

namespace faultlab::scenario {

const Node* Topology::find(const std::string& name) const {
  for (const auto& n : nodes)
    if (n.name == name) return &n;
  return nullptr;
}

double Topology::latency_s(const std::string& a, const std::string& b) const {
  auto key = a <= b ? std::make_pair(a, b) : std::make_pair(b, a);
  if (auto it = pair_latency_s.find(key); it != pair_latency_s.end()) return it->second;
  const Node* na = find(a);
  const Node* nb = find(b);
  if (na && nb) {
    auto zones = na->zone <= nb->zone ? std::make_pair(na->zone, nb->zone) : std::make_pair(nb->zone, na->zone);
    if (auto it = zone_latency_s.find(zones); it != zone_latency_s.end()) return it->second;
  }
  return default_latency_s;
}

const char* to_string(Fault::Type type) {
  switch (type) {
  case Fault::Type::partition: return "partition";
  case Fault::Type::heal: return "heal";
  case Fault::Type::drop: return "drop";
  case Fault::Type::delay: return "delay";
  case Fault::Type::crash: return "crash";
  case Fault::Type::restart: return "restart";
  case Fault::Type::pause: return "pause";
  }
  return "?";
}

const ReplicaGroup* Scenario::find_replica_group(const std::string& group) const {
  for (const auto& g : replica_groups)
    if (g.name == group) return &g;
  return nullptr;
}

std::string Scenario::component_type(const std::string& component) const {
  if (find_in(replica_groups, component)) return "replica_group";
  if (find_in(caches, component)) return "cache";
  if (find_in(services, component)) return "service";
  if (find_in(sharded_stores, component)) return "sharded_store";
  if (find_in(inventories, component)) return "inventory";
  if (find_in(lock_services, component)) return "lock_service";
  return "";
}

const Endpoint* Service::find(const std::string& endpoint) const {
  for (const auto& e : endpoints)
    if (e.name == endpoint) return &e;
  return nullptr;
}

} // namespace faultlab::scenario
