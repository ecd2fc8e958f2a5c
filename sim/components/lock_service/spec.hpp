// A lock service granting leases with fencing tokens.
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

// A lock service that grants leases with a fencing token (increasing).
struct LockService : ComponentSpec {
  std::string node;
  double lease_s = 1.0;
  double service_time_s = 0.0001;

  std::vector<NodeRole> node_roles() const override;
  std::vector<std::string> client_ops() const override;
  ClientRules client_rules() const override;
  void add_to_design(topo::Design& design, const Scenario& scenario) const override;
};

// Reads one component of this type from `r` (its "type" already read).
std::shared_ptr<ComponentSpec> read_lock_service(const std::string& name, ObjectReader& r, const Topology& topology);

} // namespace faultlab::scenario

namespace faultlab::components {
// Registers the type: its scenario reader, its model and its client driver.
void register_lock_service();
} // namespace faultlab::components
