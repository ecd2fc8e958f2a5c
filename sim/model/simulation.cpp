#include "model/simulation.hpp"

#include "engine/faults.hpp"
#include "engine/network.hpp"
#include "engine/platform.hpp"
#include "history/recorder.hpp"
#include "model/client.hpp"
#include "model/context.hpp"
#include "model/cache.hpp"
#include "model/components.hpp"
#include "model/inventory.hpp"
#include "model/replica_group.hpp"
#include "model/service.hpp"
#include "model/sharded_store.hpp"
#include "util/input_error.hpp"

#include <simgrid/s4u.hpp>

#include <algorithm>

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

  Components components;
  for (const auto& spec : scenario.replica_groups)
    components.groups.push_back(std::make_unique<ReplicaGroupModel>(spec, context));
  for (const auto& spec : scenario.caches) components.caches.push_back(std::make_unique<CacheModel>(spec, context));
  for (const auto& spec : scenario.sharded_stores)
    components.sharded_stores.push_back(std::make_unique<ShardedStoreModel>(spec, context));
  for (const auto& spec : scenario.inventories)
    components.inventories.push_back(std::make_unique<InventoryModel>(spec, context));
  for (const auto& spec : scenario.lock_services)
    components.lock_services.push_back(std::make_unique<LockServiceModel>(spec, context));
  // Services last: their instances hold handles to what they call.
  for (const auto& spec : scenario.services)
    components.services.push_back(std::make_unique<ServiceModel>(spec, components, context));
  std::vector<std::unique_ptr<ClientGroupModel>> clients;
  for (const auto& spec : scenario.workload.clients)
    clients.push_back(std::make_unique<ClientGroupModel>(spec, components, context));
  for (auto& g : components.groups) g->start();
  for (auto& c : components.caches) c->start();
  for (auto& s : components.sharded_stores) s->start();
  for (auto& i : components.inventories) i->start();
  for (auto& l : components.lock_services) l->start();
  for (auto& s : components.services) s->start();
  for (auto& c : clients) c->start();
  engine::start_fault_schedule(scenario.faults, network, hooks, trace);

  engine.run();

  output.sim_time_s = sg4::Engine::get_clock();
  output.history = recorder.finish(output.sim_time_s);
  output.messages_sent = network.messages_sent();
  output.messages_delivered = network.messages_delivered();
  output.messages_dropped = network.messages_dropped();
  output.refused_in_flight = context.refused_in_flight;
  ModelStats stats;
  for (const auto& c : clients) c->driver().report(stats);
  if (!scenario.caches.empty()) {
    const double lookups = static_cast<double>(stats.cache_hits + stats.cache_misses);
    output.model_metrics.emplace_back("cache_hit_ratio",
                                      lookups > 0 ? static_cast<double>(stats.cache_hits) / lookups : 0.0);
    auto& reads = stats.database_read_times_s;
    output.model_metrics.emplace_back("db_reads", static_cast<double>(reads.size()));
    // The database's busiest second, as the applications loaded it.
    std::sort(reads.begin(), reads.end());
    std::size_t peak = 0;
    for (std::size_t i = 0, j = 0; j < reads.size(); ++j) {
      while (reads[j] - reads[i] >= 1.0) ++i;
      peak = std::max(peak, j - i + 1);
    }
    output.model_metrics.emplace_back("db_reads_peak_per_s", static_cast<double>(peak));
  }
  if (trace->overflowed())
    throw util::InputError("over-limit", scenario.file + ": /limits/max_trace_events",
                           "the run produced more than " + std::to_string(trace->max_events()) +
                               " trace events; raise the limit or shorten the workload");
  return output;
}

} // namespace faultlab::model
