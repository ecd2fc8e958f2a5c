// The autoscaler as SimGrid actors.
//
// Every instance node of the service (its instances and its spare nodes)
// runs a small agent on the port "<service>.agent": it answers metric
// scrapes with what the instance's process counts (the requests in progress
// now, the CPU seconds its requests used so far: the controller turns two
// scrapes of it into a utilization, as Prometheus' rate() does), and it carries out
// the controller's orders: "provision" (the machine boots and passes its
// health check `provisioning` later, then joins the load balancer) and
// "release" (it leaves the load balancer; requests in progress finish).
//
// The controller runs on its own node. Every `interval` it scrapes the
// instances in service over the network (so a partition can blind it),
// averages the metric per instance over the `window`, and decides like a
// Kubernetes HorizontalPodAutoscaler: desired = ceil(in service * average /
// target), left alone within the tolerance, kept between the minimum (raised
// by the schedule) and max. A decision the metric makes waits for the
// cooldown after the previous one; a minimum does not.
//
// Trace: an `autoscale` event for every evaluation (action "sample"), every
// decision ("scale_up", "scale_down"), every instance ordered up
// ("provisioning"), joining ("joined") or leaving ("left"), and a scrape
// that nobody answered ("blind"); the controller's `state` says the same in
// words.
#pragma once

#include "components/autoscaler/spec.hpp"
#include "model/components.hpp"
#include "model/rpc.hpp"
#include "model/server.hpp"
#include "model/service.hpp"

#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace faultlab::model {

struct MetricsRequest final : engine::Payload {};
struct MetricsReply final : engine::Payload {
  double in_flight = 0;   // requests in progress now (a gauge)
  double cpu_seconds = 0; // CPU time used since the start (a counter)
  std::vector<std::uint64_t> latency_counts; // its latency histogram (counters per bucket)
  int cores = 1;
};
struct ScaleOrder final : engine::Payload {
  bool add = true;         // provision and join, or leave
  double provisioning_s = 0;
};
struct ScaleDone final : engine::Payload {};

namespace autoscaler_kinds {
inline const engine::MessageKind scrape = engine::message_kind<MetricsRequest>("metrics_scrape");
inline const engine::MessageKind metrics = engine::message_kind<MetricsReply>("metrics");
inline const engine::MessageKind order = engine::message_kind<ScaleOrder>("scale_order");
inline const engine::MessageKind done = engine::message_kind<ScaleDone>("scale_done");
} // namespace autoscaler_kinds

class AutoscalerModel : public ComponentModel {
public:
  AutoscalerModel(const scenario::Autoscaler& spec, Components& components, Context& context);
  void start() override;
  void report(ModelStats& stats) const override;

private:
  enum class NodeState { spare, provisioning, serving };
  struct Node {
    int node = -1;
    NodeState state = NodeState::spare;
    std::unique_ptr<Server> agent;
    // The previous scrape's CPU counter: utilization is its rate.
    double cpu_seconds = 0;
    std::vector<std::uint64_t> latency_counts; // its histogram at the last scrape
    double scraped_s = -1;
  };

  void agent(Node& node);
  void evaluate();
  // The average per instance in service now (`answered`: how many
  // instances answered); false when there is no sample.
  bool scrape(double& value, int& answered);
  void add(int count, const std::string& reason);
  void remove(int count, const std::string& reason);
  int count(NodeState state) const;
  int minimum_now(std::string& why) const;
  void account(); // instance-seconds up to now
  void trace(const std::string& action, const std::string& why, int instances, const std::string& node = "",
             double value = -1, double average = -1, int desired = -1);

  const scenario::Autoscaler& spec_;
  Context& context_;
  ServiceModel& service_;
  int node_ = -1;
  std::unique_ptr<Rpc> rpc_;
  std::vector<std::unique_ptr<Node>> nodes_; // the service's order: instances, then spares
  std::deque<std::pair<double, double>> samples_; // (time, average per instance)
  double last_decision_s_ = -1e300;
  int min_ = 1;
  int max_ = 1;
  // For the summary.
  std::int64_t decisions_ = 0;
  std::int64_t blind_ = 0;
  int max_serving_ = 0;
  double instance_seconds_ = 0;
  double accounted_s_ = 0;
};

} // namespace faultlab::model
