// The deploy controller as a SimGrid actor on its own node.
//
// At each rollout's time it replaces the service's instances wave by wave,
// `batch` instances per wave, in the service's instance order: it sends each
// instance of the wave a `restart` order over the network (so a partition
// can cut it) and waits for every one to answer from its new process (the
// health check). The instance does the rest itself (ServiceModel::restart):
// it leaves the load balancer, drains, exits, starts the new code. A wave
// that is not healthy within `health_timeout` stops the rollout; the next
// rollout starts at its own time, after the previous one is over.
//
// The trace gets a `deploy_wave` event when each wave starts and ends (and
// a `state` event of the controller saying the same in words); the
// history gets each wave as an op of the deploy's name (f "deploy_wave",
// key "<rollout>/<wave>", ok when every instance came back healthy).
#pragma once

#include "components/deploy/spec.hpp"
#include "model/components.hpp"
#include "model/rpc.hpp"
#include "model/service.hpp"

#include <memory>
#include <string>
#include <vector>

namespace faultlab::model {

class DeployModel : public ComponentModel {
public:
  DeployModel(const scenario::Deploy& spec, Components& components, Context& context);
  void start() override;

private:
  // Returns false when a wave failed and the rollout stopped.
  bool roll(const scenario::Deploy::Rollout& rollout);
  void trace_wave(const scenario::Deploy::Rollout& rollout, int wave, int waves, const std::string& instances,
                  const char* phase, const std::string& outcome);

  const scenario::Deploy& spec_;
  Context& context_;
  const ServiceModel& service_;
  int node_ = -1;
  std::unique_ptr<Rpc> rpc_;
};

} // namespace faultlab::model
