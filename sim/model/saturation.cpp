#include "model/saturation.hpp"

#include "util/units.hpp"

#include <simgrid/plugins/load.h>

#include <string>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

void init_load_plugins() {
  sg_host_load_plugin_init();
}

void measure_platform(const scenario::Topology& topology, const std::vector<sg4::Host*>& hosts,
                      const engine::Network& network, double end_s, std::vector<analysis::ResourceUse>& out) {
  for (std::size_t i = 0; i < hosts.size() && i < topology.nodes.size(); ++i) {
    analysis::ResourceUse r;
    r.id = "cpu:" + topology.nodes[i].name;
    r.kind = "cpu";
    const int cores = topology.nodes[i].cores;
    r.capacity = std::to_string(cores) + (cores == 1 ? " core" : " cores");
    // The plugin's average: flops computed / (speed x cores x time) since the start.
    r.utilization = sg_host_get_avg_load(hosts[i]);
    out.push_back(std::move(r));
  }
  if (!(end_s > 0)) return;
  // The platform has one link per pair of nodes (engine/platform.cpp), shared by both directions.
  for (const auto& [pair, bytes] : network.bytes_between()) {
    const std::string& a = topology.nodes[static_cast<std::size_t>(pair.first)].name;
    const std::string& b = topology.nodes[static_cast<std::size_t>(pair.second)].name;
    analysis::ResourceUse r;
    r.id = "link:" + a + "<->" + b;
    r.kind = "link";
    r.capacity = util::format_bytes(topology.bandwidth_Bps) + "/s";
    r.utilization = bytes / (topology.bandwidth_Bps * end_s);
    out.push_back(std::move(r));
  }
}

} // namespace faultlab::model
