// A deploy controller: it rolls a service's instances over to another code
// version, a few at a time (a Kubernetes Deployment's rolling update, a
// Capistrano or Spinnaker pipeline).
#pragma once

#include "scenario/component.hpp"
#include "scenario/config.hpp"

#include <memory>
#include <string>
#include <vector>

namespace faultlab::scenario {

struct Deploy : ComponentSpec {
  // One rolling update: at `at_s`, every instance of the service, `batch` at
  // a time, is restarted running `version` (a rollback is a rollout to the
  // version that ran before).
  struct Rollout {
    std::string name;
    double at_s = 0;
    std::string version;
  };

  std::string node;    // where the controller runs: its orders cross the network
  std::string service; // the service whose instances it replaces
  int batch = 1;       // instances restarted at once (one wave)
  // How long an instance being replaced keeps serving the requests it has
  // already accepted (the load balancer sends it no new ones); what is still
  // running after it is dropped (Kubernetes' terminationGracePeriodSeconds).
  double drain_s = 5;
  // From the old process's exit to the new one answering its health check.
  double start_s = 2;
  // A wave whose instances are not healthy this long after it started
  // stops the rollout (the rest keep the version they run).
  double health_timeout_s = 60;
  std::vector<Rollout> rollouts; // sorted by time
  std::int64_t message_bytes = 256;

  std::vector<NodeRole> node_roles() const override;
  std::vector<std::string> client_ops() const override { return {}; }
  ClientRules client_rules() const override;
  void check_references(const Scenario& scenario, const Origin& origin) const override;
  void add_to_design(topo::Design& design, const Scenario& scenario) const override;
  std::string analyze_note() const override;
};

// Reads one component of this type from `r` (its "type" already read).
std::shared_ptr<ComponentSpec> read_deploy(const std::string& name, ObjectReader& r, const Topology& topology);

} // namespace faultlab::scenario

namespace faultlab::components {
// Registers the type: its scenario reader and its model.
void register_deploy();
} // namespace faultlab::components
