#include "scenario/config.hpp"

#include <algorithm>

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
  case Fault::Type::duplicate: return "duplicate";
  case Fault::Type::reorder: return "reorder";
  case Fault::Type::clock: return "clock";
  case Fault::Type::slow_cpu: return "slow_cpu";
  case Fault::Type::slow_disk: return "slow_disk";
  case Fault::Type::disk_fill: return "disk_fill";
  }
  return "?";
}

const ComponentSpec* Scenario::component(const std::string& component_name) const {
  for (const auto& c : components)
    if (c->name == component_name) return c.get();
  return nullptr;
}

std::string Scenario::component_type(const std::string& component_name) const {
  const ComponentSpec* c = component(component_name);
  return c == nullptr ? "" : c->type;
}

std::vector<std::string> Scenario::component_metric_names() const {
  std::vector<std::string> names;
  for (const auto& c : components)
    for (const auto& metric : c->metric_names())
      if (std::find(names.begin(), names.end(), metric) == names.end()) names.push_back(metric);
  return names;
}

std::vector<std::string> Scenario::names_of_type(const std::string& type) const {
  std::vector<std::string> names;
  for (const auto& c : components)
    if (c->type == type) names.push_back(c->name);
  return names;
}

} // namespace faultlab::scenario
