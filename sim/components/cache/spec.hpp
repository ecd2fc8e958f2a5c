// A cache-aside cache in front of a replica group.
#pragma once

#include "scenario/component.hpp"
#include "scenario/config.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace faultlab::scenario {

// A cache-aside cache in front of a database (a replica group). The
// application, not the cache, does the work: on a read it asks the cache,
// and on a miss reads the database and puts what it read into the cache; on
// a write it writes the database, then invalidates the cache entry.
struct Cache : ComponentSpec {
  enum class Invalidation { none, delete_key, update };
  // How a reader's fill is guarded: not at all; by version (the database's
  // log position the value was read at; an older one never replaces a newer
  // one or a newer delete); or by a lease the cache hands out on a miss and
  // a delete revokes (memcached's leases).
  enum class Fill { plain, versioned, lease };
  std::string node;
  std::string database; // a replica_group component
  double ttl_s = 60.0;
  Invalidation invalidation = Invalidation::delete_key;
  Fill fill = Fill::plain;
  Distribution fill_delay;   // the application's work between reading the database and filling the cache
  double lease_wait_s = 0.02;    // lease: a reader told to wait sleeps this long, then asks again
  int lease_retries = 10;        // lease: after this many waits the reader reads the database without filling
  double lease_timeout_s = 2.0;  // lease: an unused lease lapses after this long
  double service_time_s = 0.00005;
  double timeout_s = 0.1; // the application's timeout for one cache request
  std::int64_t message_bytes = 512;

  std::vector<NodeRole> node_roles() const override;
  std::vector<std::string> client_ops() const override;
  ClientRules client_rules() const override;
  void check_references(const Scenario& scenario, const Origin& origin) const override;
  void add_to_design(topo::Design& design, const Scenario& scenario) const override;
  topo::Endpoint endpoint_for(const std::string& op, const Scenario& scenario) const override;
  void add_checker_facts(check::CheckOptions& options) const override { options.cache_nodes.push_back(node); }
  std::vector<std::string> metric_names() const override;
};

// Reads one component of this type from `r` (its "type" already read).
std::shared_ptr<ComponentSpec> read_cache(const std::string& name, ObjectReader& r, const Topology& topology);

} // namespace faultlab::scenario

namespace faultlab::components {
// Registers the type: its scenario reader, its model and its client driver.
void register_cache();
} // namespace faultlab::components
