#include "cli/design_graph.hpp"

#include <set>

namespace faultlab::cli {

// Each component adds its own part (a replica group whose replicas serve
// reads adds a component for its reads); each endpoint a client calls is
// described by its target.
topo::Design design_of(const scenario::Scenario& s) {
  topo::Design d;
  for (const auto& n : s.topology.nodes) d.nodes.push_back(n.name);
  for (const auto& component : s.components) component->add_to_design(d, s);

  std::set<std::string> seen;
  for (const auto& client : s.workload.clients) {
    const scenario::ComponentSpec& target = *s.component(client.target);
    for (const auto& [op, weight] : client.mix) {
      if (weight <= 0) continue;
      topo::Endpoint e = target.endpoint_for(op, s);
      if (!seen.insert(e.name).second) continue;
      d.endpoints.push_back(e);
    }
  }
  return d;
}

} // namespace faultlab::cli
