#include "components/lock_service/spec.hpp"

#include "scenario/read_helpers.hpp"
#include "util/input_error.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace faultlab::scenario {

using namespace detail; // the shared readers (read_helpers.hpp)
using util::quote;

std::shared_ptr<ComponentSpec> read_lock_service(const std::string& name, ObjectReader& r, const Topology& topology) {
  auto spec = std::make_shared<LockService>();
  LockService& l = *spec;
  l.name = name;
  l.type = "lock_service";
  l.node = read_node(r, topology);
  l.lease_s = positive_duration(r, "lease", l.lease_s, "a lease");
  l.service_time_s = r.duration_s_or("service_time", l.service_time_s);
  return spec;
}

std::vector<NodeRole> LockService::node_roles() const { return {{node, "locks"}}; }

std::vector<std::string> LockService::client_ops() const { return {}; }

ClientRules LockService::client_rules() const {
  ClientRules rules;
  rules.not_a_target = quote(name) + " is a lock service; clients buy from the inventory that uses it";
  return rules;
}

void LockService::add_to_design(topo::Design& design, const Scenario& scenario) const {
  (void)scenario;
  design.components.push_back(topo::Component{name, type, {node}, topo::Needs::all, {}});
}

} // namespace faultlab::scenario
