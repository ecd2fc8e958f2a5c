// An alerting system (a dead-man's-switch service like healthchecks.io or
// Cronitor, plus alert rules like Prometheus's): monitors that watch
// scheduled jobs and page someone. Three kinds:
//
//  - heartbeat: the job pings it; when no ping came for `period` + `grace`
//    it alerts (once, until the next ping). It knows only that a ping came,
//    not what the job did: a job that pings when it starts is "alive" even
//    when everything it does fails.
//  - outcome: the job reports its counts at the end (done, expected); a
//    shortfall beyond `tolerance` alerts.
//  - error_rate: the job ships its error log lines; `threshold` of them
//    within `window` alert (at most once per window).
//
// Every alert is recorded in the history as an `alert` op of the alerting
// component's name (key: the job), which is what `unnoticed_failure` reads.
#pragma once

#include "scenario/component.hpp"
#include "scenario/config.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace faultlab::scenario {

struct Alerting : ComponentSpec {
  struct Monitor {
    enum class Kind { heartbeat, outcome, error_rate };
    std::string name;
    Kind kind = Kind::heartbeat;
    std::string job;         // the scheduled job it watches
    double period_s = 86400; // heartbeat: pings expected this often
    double grace_s = 3600;   // heartbeat: and this much later at the most
    double tolerance = 0.0;  // outcome: share of the expected work that may be missing
    double window_s = 3600;  // error_rate
    std::int64_t threshold = 1; // error_rate: errors within the window that alert
  };

  std::string node;
  std::vector<Monitor> monitors;
  std::int64_t message_bytes = 512;

  std::vector<NodeRole> node_roles() const override;
  std::vector<std::string> client_ops() const override;
  ClientRules client_rules() const override;
  void check_references(const Scenario& scenario, const Origin& origin) const override;
  void add_to_design(topo::Design& design, const Scenario& scenario) const override;
};

const char* to_string(Alerting::Monitor::Kind kind);

// Reads one component of this type from `r` (its "type" already read).
std::shared_ptr<ComponentSpec> read_alerting(const std::string& name, ObjectReader& r, const Topology& topology);

} // namespace faultlab::scenario

namespace faultlab::components {
// Registers the type: its scenario reader and its model.
void register_alerting();
} // namespace faultlab::components
