// The alerting component as a SimGrid actor: one server that receives the
// jobs' pings, reports and error lines, and wakes up when a heartbeat
// monitor's deadline passes (Server::serve's timed receive, no timer of its
// own). An alert is recorded in the history (an `alert` op of the
// component's name, key: the job, error: what it says) and in the trace (an
// `alert` event).
#pragma once

#include "components/alerting/messages.hpp"
#include "components/alerting/spec.hpp"
#include "model/components.hpp"
#include "model/server.hpp"

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace faultlab::model {

class AlertingModel : public ComponentModel {
public:
  AlertingModel(const scenario::Alerting& spec, Context& context);
  void start() override;
  const scenario::Alerting& spec() const { return spec_; }
  int node() const { return server_.node(); }

private:
  struct MonitorState {
    const scenario::Alerting::Monitor* spec = nullptr;
    double last_ping_s = 0;      // heartbeat: the monitor starts counting when the run starts
    bool down = false;           // heartbeat: alerted, waiting for the next ping
    std::deque<double> errors_s; // error_rate: the last `threshold` error times
    double last_alert_s = -1;    // error_rate: alerts at most once per window
  };
  double next_deadline() const;
  void check_deadlines();
  void handle(std::unique_ptr<engine::Envelope> message);
  void alert(const MonitorState& monitor, const std::string& why);

  const scenario::Alerting& spec_;
  Context& context_;
  Server server_;
  std::vector<MonitorState> monitors_; // in file order
};

} // namespace faultlab::model
