// An autoscaler: it watches one metric of a service's instances and adds
// or removes instances to keep it near a target (a Kubernetes
// HorizontalPodAutoscaler, an AWS Auto Scaling group with target tracking).
#pragma once

#include "scenario/component.hpp"
#include "scenario/config.hpp"

#include <memory>
#include <string>
#include <vector>

namespace faultlab::scenario {

struct Autoscaler : ComponentSpec {
  enum class Metric {
    in_flight, // requests in progress per instance (the instance's own gauge)
    cpu,       // CPU utilization of the instance's node, 0 to 1
    // The 99th percentile of request durations over the service, from the
    // instances' latency histograms (the requests between two scrapes).
    p99_latency,
  };
  // Scheduled scaling: from `at_s` on, at least `min` instances ("pre-scaling").
  struct Scheduled {
    std::string name;
    double at_s = 0;
    int min = 1;
  };

  std::string node;    // where the controller runs: its scrapes and orders cross the network
  std::string service; // whose instances it scales; its spare nodes are the spares
  Metric metric = Metric::in_flight;
  double target = 0;          // per instance (p99_latency: seconds), averaged over the window
  double tolerance = 0.1;     // no change while the ratio to the target is within 1 +- this
  double interval_s = 15;     // a scrape and an evaluation this often
  double window_s = 60;       // the samples of this long are averaged
  double scrape_timeout_s = 1;
  double cooldown_s = 180;    // between two metric decisions
  double provisioning_s = 240; // from the decision to the instance joining the load balancer
  int min = -1;               // -1: the service's instances
  int max = -1;               // -1: instances plus spare nodes
  std::vector<Scheduled> schedule; // by time
  std::int64_t message_bytes = 256;

  std::vector<NodeRole> node_roles() const override;
  std::vector<std::string> client_ops() const override { return {}; }
  ClientRules client_rules() const override;
  void check_references(const Scenario& scenario, const Origin& origin) const override;
  void add_to_design(topo::Design& design, const Scenario& scenario) const override;
  std::string analyze_note() const override;
  std::vector<std::string> metric_names() const override;
  std::string report_line(const std::map<std::string, double>& metrics) const override;
};

const char* to_string(Autoscaler::Metric metric);

// Reads one component of this type from `r` (its "type" already read).
std::shared_ptr<ComponentSpec> read_autoscaler(const std::string& name, ObjectReader& r, const Topology& topology);

} // namespace faultlab::scenario

namespace faultlab::components {
// Registers the type: its scenario reader, its model and its metrics.
void register_autoscaler();
} // namespace faultlab::components
