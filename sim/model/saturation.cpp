#include "model/saturation.hpp"

#include "util/units.hpp"


#include <map>
#include <string>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

namespace {
// The CPU work each host did, counted by faultlab from SimGrid's activity
// signals. (Not SimGrid's host_load plugin: in 3.32 it keeps a pointer to
// every execution it saw start and crashes once a cancelled one is freed,
// as a database statement that times out is.)
struct CpuAccount {
  struct Started {
    const sg4::Host* host = nullptr;
    double flops = 0;
  };
  // Executions running, by address (looked up, never iterated): SimGrid
  // knows an execution's cost only while it runs.
  std::map<const void*, Started> running;
  std::map<const sg4::Host*, double> flops_done; // looked up by host, read per node at the end
  bool connected = false;
};
CpuAccount& account() {
  static CpuAccount a;
  return a;
}
} // namespace

void start_cpu_accounting() {
  CpuAccount& a = account();
  a.running.clear();
  a.flops_done.clear();
  if (a.connected) return; // the signals outlive the engine; one simulation per process anyway
  a.connected = true;
  sg4::Exec::on_start_cb([](const sg4::Exec& exec) {
    const double flops = exec.get_cost();
    if (flops > 0) account().running[&exec] = {exec.get_host(), flops};
  });
  sg4::Activity::on_completion_cb([](const sg4::Activity& activity) {
    CpuAccount& acc = account();
    auto it = acc.running.find(static_cast<const void*>(dynamic_cast<const sg4::Exec*>(&activity)));
    if (it == acc.running.end()) return;
    // Only executions that finished: how far a cancelled or failed one got
    // is not known from here (asking is a simcall, which SimGrid 3.32 does
    // not survive inside this signal). So a statement cancelled by its
    // timeout, or work cut short by a crash, is not counted: an
    // undercount, never more.
    if (activity.get_state() == sg4::Activity::State::FINISHED) acc.flops_done[it->second.host] += it->second.flops;
    acc.running.erase(it);
  });
}

void measure_platform(const scenario::Topology& topology, const std::vector<sg4::Host*>& hosts,
                      const engine::Network& network, double end_s, std::vector<analysis::ResourceUse>& out) {
  for (std::size_t i = 0; i < hosts.size() && i < topology.nodes.size(); ++i) {
    analysis::ResourceUse r;
    r.id = "cpu:" + topology.nodes[i].name;
    r.kind = "cpu";
    const int cores = topology.nodes[i].cores;
    r.capacity = std::to_string(cores) + (cores == 1 ? " core" : " cores");
    // Flops computed / what its cores could compute at their nominal speed in the run.
    const auto done = account().flops_done.find(hosts[i]);
    const double capacity_flops = hosts[i]->get_pstate_speed(0) * cores * end_s;
    r.utilization = done == account().flops_done.end() || !(capacity_flops > 0) ? 0 : done->second / capacity_flops;
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
