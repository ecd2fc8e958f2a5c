// A store whose records are spread over shards by a placement rule.
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

// Records spread over shard nodes by a placement rule; each shard is a
// single server with finite speed, so load beyond it queues.
struct ShardedStore : ComponentSpec {
  enum class Placement { hash, range, directory };
  enum class ShardKey { tenant, tenant_and_record, date };
  struct Shard {
    std::string name;
    std::string node;
  };
  std::vector<Shard> shards; // in file order (range placement follows it)
  Placement placement = Placement::hash;
  ShardKey shard_key = ShardKey::tenant;
  double period_s = 10.0; // range on date: each shard holds this long a stretch of dates, in shard order
  // directory: tenants placed by hand (on one or several shards); the rest by hash.
  std::vector<std::pair<std::string, std::vector<int>>> directory;
  double service_time_s = 0.001;
  int records_per_tenant = 1000;
  std::int64_t message_bytes = 512;

  std::vector<NodeRole> node_roles() const override;
  std::vector<std::string> client_ops() const override;
  ClientRules client_rules() const override;
  void add_to_design(topo::Design& design, const Scenario& scenario) const override;
  std::string analyze_note() const override;
  void add_checker_facts(check::CheckOptions& options) const override;
  std::string load_split_label() const override { return "shards"; }
};

// Reads one component of this type from `r` (its "type" already read).
std::shared_ptr<ComponentSpec> read_sharded_store(const std::string& name, ObjectReader& r, const Topology& topology);

} // namespace faultlab::scenario

namespace faultlab::components {
// Registers the type: its scenario reader, its model and its client driver.
void register_sharded_store();
} // namespace faultlab::components
