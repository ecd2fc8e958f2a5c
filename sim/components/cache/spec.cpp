#include "components/cache/spec.hpp"

#include "scenario/read_helpers.hpp"
#include "util/input_error.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace faultlab::scenario {

using namespace detail; // the shared readers (read_helpers.hpp)
using util::quote;

std::shared_ptr<ComponentSpec> read_cache(const std::string& name, ObjectReader& r, const Topology& topology) {
  auto spec = std::make_shared<Cache>();
  Cache& c = *spec;
  c.name = name;
  c.type = "cache";
  c.node = read_node(r, topology);
  c.database = r.string("database");
  c.ttl_s = positive_duration(r, "ttl", c.ttl_s, "a time to live");
  std::string invalidation = r.choice("invalidation", {"delete", "update", "none"}, "delete");
  c.invalidation = invalidation == "delete"   ? Cache::Invalidation::delete_key
                   : invalidation == "update" ? Cache::Invalidation::update
                                              : Cache::Invalidation::none;
  std::string fill = r.choice("fill", {"plain", "versioned", "lease"}, "plain");
  c.fill = fill == "plain" ? Cache::Fill::plain : fill == "versioned" ? Cache::Fill::versioned : Cache::Fill::lease;
  if (r.find("fill_delay")) c.fill_delay = read_distribution(r, "fill_delay");
  c.lease_wait_s = positive_duration(r, "lease_wait", c.lease_wait_s, "a lease wait");
  c.lease_retries = static_cast<int>(r.integer_or("lease_retries", c.lease_retries, 0, 1000));
  c.lease_timeout_s = positive_duration(r, "lease_timeout", c.lease_timeout_s, "a lease timeout");
  c.service_time_s = r.duration_s_or("service_time", c.service_time_s);
  c.timeout_s = positive_duration(r, "timeout", c.timeout_s, "a timeout");
  c.message_bytes = read_message_size(r, c.message_bytes);
  return spec;
}

std::vector<NodeRole> Cache::node_roles() const { return {{node, "cache"}}; }

std::vector<std::string> Cache::client_ops() const { return {"read", "write"}; }

ClientRules Cache::client_rules() const {
  ClientRules rules;
  rules.key_value = true;
  return rules;
}

void Cache::check_references(const Scenario& scenario, const Origin& origin) const {
  if (scenario.component_type(database) != "replica_group")
    origin.fail("unknown-component", pointer_append("/components", name) + "/database",
                quote(database) + " is not a replica_group of this scenario (replica groups: " +
                    join(scenario.names_of_type("replica_group")) + ")");
}

void Cache::add_to_design(topo::Design& design, const Scenario& scenario) const {
  (void)scenario;
  design.components.push_back(topo::Component{name, type, {node}, topo::Needs::all, {}});
}

// Reads go around a cache that does not answer; writes need the database.
topo::Endpoint Cache::endpoint_for(const std::string& op, const Scenario& scenario) const {
  (void)scenario;
  topo::Endpoint e{name + ":" + op, database, {}};
  if (op == "read") e.deps.push_back(topo::Dependency{name, false, "cache-aside read"});
  return e;
}

std::vector<std::string> Cache::metric_names() const { return {"cache_hit_ratio", "db_reads", "db_reads_peak_per_s"}; }

} // namespace faultlab::scenario
