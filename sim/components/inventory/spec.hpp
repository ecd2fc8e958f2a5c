// A stock table, and how buyers take a unit from it.
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

// A stock table and the way buyers take a unit from it.
struct Inventory : ComponentSpec {
  enum class Buy { read_then_write, row_lock, conditional, lease_lock };
  std::string node;
  std::vector<std::pair<std::string, std::int64_t>> items; // item -> units in stock, in file order
  Buy buy = Buy::read_then_write;
  Distribution think; // the shop's work between checking the stock and writing it
  std::string lock_service; // lease_lock
  bool fencing = false;     // lease_lock: the database refuses tokens older than one it has seen
  double service_time_s = 0.0002;
  double lock_timeout_s = 5.0; // row_lock: a lock held this long is broken (the holder is presumed dead)
  std::int64_t message_bytes = 256;

  std::vector<NodeRole> node_roles() const override;
  std::vector<std::string> client_ops() const override;
  ClientRules client_rules() const override;
  std::optional<int> key_count_for(const Client& client) const override;
  void check_references(const Scenario& scenario, const Origin& origin) const override;
  void add_to_design(topo::Design& design, const Scenario& scenario) const override;
  void add_checker_facts(check::CheckOptions& options) const override;
};

// Reads one component of this type from `r` (its "type" already read).
std::shared_ptr<ComponentSpec> read_inventory(const std::string& name, ObjectReader& r, const Topology& topology);

} // namespace faultlab::scenario

namespace faultlab::components {
// Registers the type: its scenario reader, its model and its client driver.
void register_inventory();
} // namespace faultlab::components
