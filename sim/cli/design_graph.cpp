#include "cli/design_graph.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace faultlab::cli {

using topo::Dependency;
using topo::Needs;

namespace {

// What a replica group needs to accept writes: without failover its fixed
// primary; with failover by vote a majority; with failover without a vote
// any member (it promotes itself).
Needs write_needs(const scenario::ReplicaGroup& g) {
  if (!g.failover.enabled) return Needs::first;
  return g.failover.quorum ? Needs::majority : Needs::any;
}

// An endpoint's calls; hard unless the call has a fallback.
std::vector<Dependency> calls_of(const scenario::Endpoint& endpoint) {
  std::vector<Dependency> deps;
  for (const auto& call : endpoint.calls)
    deps.push_back(Dependency{call.to, call.fallback == scenario::Call::Fallback::none,
                              call.op + (call.key.empty() ? "" : " " + call.key)});
  return deps;
}

} // namespace

topo::Design design_of(const scenario::Scenario& s) {
  topo::Design d;
  for (const auto& n : s.topology.nodes) d.nodes.push_back(n.name);

  for (const auto& g : s.replica_groups) {
    topo::Component c{g.name, "replica_group", {g.primary}, write_needs(g), {}};
    c.nodes.insert(c.nodes.end(), g.replicas.begin(), g.replicas.end());
    d.components.push_back(c);
    // Reads that replicas may serve survive the primary's loss.
    if (g.read_policy != scenario::ReadPolicy::primary && !g.replicas.empty())
      d.components.push_back(topo::Component{g.name + "/reads", "replica_group", c.nodes, Needs::any, {}});
  }
  for (const auto& c : s.caches)
    d.components.push_back(topo::Component{c.name, "cache", {c.node}, Needs::all, {}});
  for (const auto& l : s.lock_services)
    d.components.push_back(topo::Component{l.name, "lock_service", {l.node}, Needs::all, {}});
  for (const auto& inv : s.inventories) {
    topo::Component c{inv.name, "inventory", {inv.node}, Needs::all, {}};
    if (!inv.lock_service.empty()) c.deps.push_back(Dependency{inv.lock_service, true, "lease"});
    d.components.push_back(c);
  }
  for (const auto& store : s.sharded_stores) {
    // Each shard holds its own records: losing any shard loses requests.
    topo::Component c{store.name, "sharded_store", {}, Needs::all, {}};
    for (const auto& shard : store.shards) c.nodes.push_back(shard.node);
    d.components.push_back(c);
  }
  // A service called by another service needs what the endpoints it is
  // called on need.
  std::map<std::string, std::set<std::string>> called; // service -> endpoints others call
  for (const auto& service : s.services)
    for (const auto& e : service.endpoints)
      for (const auto& call : e.calls)
        if (s.component_type(call.to) == "service") called[call.to].insert(call.op);
  for (const auto& service : s.services) {
    topo::Component c{service.name, "service", service.instances, Needs::any, {}};
    for (const auto& e : service.endpoints) {
      if (!called[service.name].count(e.name)) continue;
      for (const auto& dep : calls_of(e))
        if (std::none_of(c.deps.begin(), c.deps.end(), [&](const Dependency& x) { return x.component == dep.component; }))
          c.deps.push_back(dep);
    }
    d.components.push_back(c);
  }

  std::set<std::string> seen;
  for (const auto& client : s.workload.clients) {
    const std::string type = s.component_type(client.target);
    for (const auto& [op, weight] : client.mix) {
      if (weight <= 0) continue;
      std::string name = client.target + ":" + op;
      if (!seen.insert(name).second) continue;
      topo::Endpoint e{name, client.target, {}};
      if (type == "service") {
        const auto& service = *scenario::Scenario::find_in(s.services, client.target);
        e.deps = calls_of(*service.find(op));
      } else if (type == "cache") {
        const auto& cache = *scenario::Scenario::find_in(s.caches, client.target);
        // Reads go around a cache that does not answer; writes need the database.
        e.component = cache.database;
        if (op == "read") e.deps.push_back(Dependency{cache.name, false, "cache-aside read"});
      } else if (type == "replica_group" && op == "read") {
        const auto& g = *scenario::Scenario::find_in(s.replica_groups, client.target);
        if (g.read_policy != scenario::ReadPolicy::primary && !g.replicas.empty()) e.component = g.name + "/reads";
      }
      d.endpoints.push_back(e);
    }
  }
  return d;
}

} // namespace faultlab::cli
