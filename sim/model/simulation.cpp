#include "model/simulation.hpp"

#include "engine/faults.hpp"
#include "engine/network.hpp"
#include "engine/platform.hpp"
#include "history/recorder.hpp"
#include "model/client.hpp"
#include "model/context.hpp"
#include "model/replica_group.hpp"
#include "util/input_error.hpp"

#include <simgrid/s4u.hpp>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

RunOutput simulate(const scenario::Scenario& scenario, const RunOptions& options) {
  // SimGrid's own log lines stay off unless asked for: the threshold comes
  // first so that even configuration messages are silenced.
  // CM02: a link costs its latency plus size / bandwidth, with no hidden
  // TCP correction factors, so "1ms" in a scenario means 1 ms on the wire.
  std::vector<std::string> args{"faultlab", "--log=root.thres:critical", "--cfg=network/model:CM02",
                                "--cfg=contexts/stack-size:256"};
  for (const auto& flag : options.simgrid_flags) args.push_back(flag);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  sg4::Engine engine(&argc, argv.data());

  RunOutput output;
  output.trace = std::make_unique<history::TraceWriter>(scenario.limits.max_trace_events, options.record_messages);
  history::TraceWriter* trace = output.trace.get();

  std::vector<std::string> names;
  for (const auto& n : scenario.topology.nodes) names.push_back(n.name);
  auto hosts = engine::build_platform(scenario.topology);
  engine::Network network(names, hosts, util::Rng::stream(options.seed, "network"), trace);
  engine::NodeHooks hooks;
  hooks.on_restart.resize(names.size());
  hooks.on_crash.resize(names.size());
  history::Recorder recorder(trace);
  Context context{scenario, network, hooks, recorder, trace, options.seed};

  std::vector<std::unique_ptr<ReplicaGroupModel>> groups;
  for (const auto& spec : scenario.replica_groups) groups.push_back(std::make_unique<ReplicaGroupModel>(spec, context));
  std::vector<std::unique_ptr<ClientGroupModel>> clients;
  for (const auto& spec : scenario.workload.clients) {
    const ReplicaGroupModel* target = nullptr;
    for (const auto& g : groups)
      if (g->spec().name == spec.target) target = g.get();
    clients.push_back(std::make_unique<ClientGroupModel>(spec, *target, context));
  }
  for (auto& g : groups) g->start();
  for (auto& c : clients) c->start();
  engine::start_fault_schedule(scenario.faults, network, hooks, trace);

  engine.run();

  output.sim_time_s = sg4::Engine::get_clock();
  output.history = recorder.finish(output.sim_time_s);
  output.messages_sent = network.messages_sent();
  output.messages_delivered = network.messages_delivered();
  output.messages_dropped = network.messages_dropped();
  if (trace->overflowed())
    throw util::InputError("over-limit", scenario.file + ": /limits/max_trace_events",
                           "the run produced more than " + std::to_string(trace->max_events()) +
                               " trace events; raise the limit or shorten the workload");
  return output;
}

} // namespace faultlab::model
