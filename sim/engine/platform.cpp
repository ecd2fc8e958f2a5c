#include "engine/platform.hpp"

#include <algorithm>

namespace sg4 = simgrid::s4u;

namespace faultlab::engine {

std::vector<sg4::Host*> build_platform(const scenario::Topology& topology, const std::vector<scenario::Fault>& faults) {
  auto* zone = sg4::create_full_zone("world");
  std::vector<sg4::Host*> hosts;
  for (const auto& node : topology.nodes) {
    // Performance states: 0 is the nominal speed; one more per slow_cpu
    // factor this node will see, for the fault schedule to switch to.
    std::vector<double> speeds{node.speed_flops};
    for (const auto& f : faults)
      if (f.type == scenario::Fault::Type::slow_cpu && f.node == node.name &&
          std::find(speeds.begin(), speeds.end(), node.speed_flops / f.factor) == speeds.end())
        speeds.push_back(node.speed_flops / f.factor);
    sg4::Host* host = zone->create_host(node.name, speeds);
    host->set_core_count(node.cores);
    host->create_disk("disk", node.disk_read_Bps, node.disk_write_Bps);
    hosts.push_back(host);
  }
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    auto* loopback = zone->create_link("lo:" + topology.nodes[i].name, topology.bandwidth_Bps * 10);
    loopback->set_latency(kLoopbackLatency_s);
    zone->add_route(hosts[i]->get_netpoint(), hosts[i]->get_netpoint(), nullptr, nullptr,
                    {sg4::LinkInRoute(loopback)}, false);
    for (std::size_t j = i + 1; j < hosts.size(); ++j) {
      const auto& a = topology.nodes[i].name;
      const auto& b = topology.nodes[j].name;
      auto* link = zone->create_link(a + "<->" + b, topology.bandwidth_Bps);
      link->set_latency(topology.latency_s(a, b));
      zone->add_route(hosts[i]->get_netpoint(), hosts[j]->get_netpoint(), nullptr, nullptr,
                      {sg4::LinkInRoute(link)}, true);
    }
  }
  // A host for the fault schedule, outside the system under test.
  zone->create_host(kControlHost, 1e9);
  zone->seal();
  return hosts;
}

} // namespace faultlab::engine
