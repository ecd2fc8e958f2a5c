#include "components/replica_group/spec.hpp"

#include "scenario/read_helpers.hpp"
#include "util/input_error.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace faultlab::scenario {

using namespace detail; // the shared readers (read_helpers.hpp)
using util::quote;

std::shared_ptr<ComponentSpec> read_replica_group(const std::string& name, ObjectReader& r, const Topology& topology) {
  const Origin& origin = r.origin();
  auto spec = std::make_shared<ReplicaGroup>();
  ReplicaGroup& g = *spec;
  g.name = name;
  g.type = "replica_group";
  g.primary = read_node(r, topology, "primary");
  if (r.has("replicas")) g.replicas = read_node_list(r, topology, "replicas", true);
  if (std::find(g.replicas.begin(), g.replicas.end(), g.primary) != g.replicas.end())
    origin.fail("bad-value", r.child("replicas"), quote(g.primary) + " is the primary and cannot also be a replica");
  g.lag = r.find("lag") ? read_distribution(r, "lag") : Distribution{};
  g.ship_interval_s = r.duration_s_or("ship_interval", g.ship_interval_s);
  if (g.ship_interval_s > 0 && g.ship_interval_s < 0.001) // a sender waking up more often only costs run time
    origin.fail("bad-duration", r.child("ship_interval"),
                "expected a ship interval of 0 (ship each write at once) or at least 1ms");
  std::string policy = r.choice("read_policy", {"primary", "any_replica", "nearest"}, "primary");
  g.read_policy = policy == "primary"       ? ReadPolicy::primary
                  : policy == "any_replica" ? ReadPolicy::any_replica
                                            : ReadPolicy::nearest;
  if (g.read_policy == ReadPolicy::any_replica && g.replicas.empty())
    origin.fail("bad-value", r.child("read_policy"), "\"any_replica\" needs at least one replica");
  g.read_your_writes = r.boolean_or("read_your_writes", false);
  g.ack = r.choice("ack", {"primary", "majority"}, "primary") == "majority" ? Ack::majority : Ack::primary;
  if (r.find("failover")) {
    ObjectReader f = r.object("failover");
    g.failover.enabled = f.boolean_or("enabled", true);
    g.failover.heartbeat_interval_s = f.duration_s_or("heartbeat_interval", g.failover.heartbeat_interval_s);
    g.failover.election_timeout_s = f.duration_s_or("election_timeout", g.failover.election_timeout_s);
    g.failover.quorum = f.boolean_or("quorum", false);
    g.failover.lease_s = f.optional_duration_s("lease");
    g.failover.lease_checked_on_request =
        f.choice("lease_check", {"timer", "every_request"}, "timer") == "every_request";
    const std::string lease_clock = f.choice("lease_clock", {"local", "real", "wall"}, "local");
    g.failover.lease_clock = lease_clock == "real"   ? Failover::LeaseClock::real
                             : lease_clock == "wall" ? Failover::LeaseClock::wall
                                                     : Failover::LeaseClock::local;
    g.failover.fencing = f.boolean_or("fencing", false);
    if (g.failover.heartbeat_interval_s < 0.001)
      origin.fail("bad-duration", f.child("heartbeat_interval"), "expected a heartbeat interval of at least 1ms");
    if (g.failover.lease_s && *g.failover.lease_s >= g.failover.election_timeout_s)
      origin.fail("bad-value", f.child("lease"),
                  "expected a lease shorter than the election timeout (or a new primary could be elected while "
                  "the old one still holds its lease)");
    if (g.failover.election_timeout_s <= g.failover.heartbeat_interval_s)
      origin.fail("bad-value", f.child("election_timeout"), "expected an election timeout longer than the heartbeat interval");
    f.finish();
  }
  g.service_time_s = r.duration_s_or("service_time", g.service_time_s);
  g.message_bytes = read_message_size(r, g.message_bytes);
  return spec;
}

std::vector<NodeRole> ReplicaGroup::node_roles() const {
  std::vector<NodeRole> roles{{primary, "primary"}};
  for (const auto& r : replicas) roles.push_back({r, "replica"});
  return roles;
}

std::vector<std::string> ReplicaGroup::client_ops() const { return {"read", "write"}; }

ClientRules ReplicaGroup::client_rules() const {
  ClientRules rules;
  rules.key_value = true;
  return rules;
}

// What it needs to accept writes: without failover its fixed primary; with
// failover by vote a majority; with failover without a vote any member (it
// promotes itself). Reads that replicas may serve survive the primary's loss.
void ReplicaGroup::add_to_design(topo::Design& design, const Scenario& scenario) const {
  (void)scenario;
  topo::Needs needs = !failover.enabled ? topo::Needs::first
                      : failover.quorum ? topo::Needs::majority
                                        : topo::Needs::any;
  topo::Component c{name, type, {primary}, needs, {}};
  c.nodes.insert(c.nodes.end(), replicas.begin(), replicas.end());
  design.components.push_back(c);
  if (replicas_serve_reads()) design.components.push_back(topo::Component{name + "/reads", type, c.nodes, topo::Needs::any, {}});
}

topo::Endpoint ReplicaGroup::endpoint_for(const std::string& op, const Scenario& scenario) const {
  (void)scenario;
  return topo::Endpoint{name + ":" + op, op == "read" && replicas_serve_reads() ? name + "/reads" : name, {}};
}

} // namespace faultlab::scenario
