#include "engine/platform.hpp"

namespace sg4 = simgrid::s4u;

namespace faultlab::engine {

std::vector<sg4::Host*> build_platform(const scenario::Topology& topology) {
  auto* zone = sg4::create_full_zone("world");
  std::vector<sg4::Host*> hosts;
  for (const auto& node : topology.nodes) {
    sg4::Host* host = zone->create_host(node.name, node.speed_flops);
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
