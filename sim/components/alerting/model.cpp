#include "components/alerting/model.hpp"

#include "history/json_line.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <cstdio>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Envelope;
using Kind = scenario::Alerting::Monitor::Kind;

namespace {
// Monitors count in hours and days: "25.0 h" reads better than "90000.000 s".
std::string span(double seconds) {
  if (seconds < 3600) return util::format_duration(seconds);
  char text[64];
  std::snprintf(text, sizeof text, "%.1f h", seconds / 3600.0);
  return text;
}
} // namespace

AlertingModel::AlertingModel(const scenario::Alerting& spec, Context& context)
    : spec_(spec), context_(context), server_(context, context.network.node_index(spec.node), spec.name) {
  for (const auto& m : spec_.monitors) monitors_.push_back(MonitorState{&m, 0.0, false, {}, -1.0});
}

void AlertingModel::start() {
  // Its monitors' state is the service's own (a hosted dead-man's switch):
  // it survives a crash of the node.
  server_.start([this] {
    server_.serve(
        0.0, [this](std::unique_ptr<Envelope> message) { handle(std::move(message)); },
        [this] { return next_deadline(); }, [this] { check_deadlines(); });
  });
}

// The earliest moment a heartbeat monitor that is up runs out of time.
double AlertingModel::next_deadline() const {
  double next = -1;
  for (const auto& m : monitors_) {
    if (m.spec->kind != Kind::heartbeat || m.down) continue;
    const double due = m.last_ping_s + m.spec->period_s + m.spec->grace_s;
    if (next < 0 || due < next) next = due;
  }
  return next;
}

void AlertingModel::check_deadlines() {
  const double now = sg4::Engine::get_clock();
  for (auto& m : monitors_) {
    if (m.spec->kind != Kind::heartbeat || m.down) continue;
    if (now < m.last_ping_s + m.spec->period_s + m.spec->grace_s) continue;
    m.down = true;
    alert(m, "no heartbeat from job " + m.spec->job + " for " + span(now - m.last_ping_s) + " (expected every " +
                 span(m.spec->period_s) + ", grace " + span(m.spec->grace_s) + ")");
  }
}

void AlertingModel::handle(std::unique_ptr<Envelope> message) {
  const double now = sg4::Engine::get_clock();
  if (message->kind == alerting_kinds::ping) {
    const auto& ping = message->payload_as<HeartbeatPing>();
    for (auto& m : monitors_) {
      if (m.spec->kind != Kind::heartbeat || m.spec->job != ping.job) continue;
      m.last_ping_s = now;
      m.down = false; // back up: the next silence alerts again
    }
  } else if (message->kind == alerting_kinds::report) {
    const auto& report = message->payload_as<JobReport>();
    for (auto& m : monitors_) {
      if (m.spec->kind != Kind::outcome || m.spec->job != report.job) continue;
      const double least = static_cast<double>(report.expected) * (1.0 - m.spec->tolerance);
      if (static_cast<double>(report.done) >= least) continue;
      alert(m, "job " + report.job + " run " + std::to_string(report.run) + " did " + std::to_string(report.done) +
                   " of " + std::to_string(report.expected) + " " + report.unit + " (" +
                   std::to_string(report.expected - report.done) + " short)");
    }
  } else if (message->kind == alerting_kinds::error_log) {
    const auto& line = message->payload_as<ErrorLog>();
    for (auto& m : monitors_) {
      if (m.spec->kind != Kind::error_rate || m.spec->job != line.job) continue;
      m.errors_s.push_back(now);
      // Only the last `threshold` errors matter: bounded by the threshold.
      while (static_cast<std::int64_t>(m.errors_s.size()) > m.spec->threshold) m.errors_s.pop_front();
      const bool enough = static_cast<std::int64_t>(m.errors_s.size()) == m.spec->threshold &&
                          now - m.errors_s.front() <= m.spec->window_s;
      const bool quiet = m.last_alert_s < 0 || now - m.last_alert_s >= m.spec->window_s;
      if (!enough || !quiet) continue;
      m.last_alert_s = now;
      alert(m, std::to_string(m.spec->threshold) + " error" + (m.spec->threshold == 1 ? "" : "s") + " from job " +
                   line.job + " within " + span(m.spec->window_s) + ", the last: " + line.text);
    }
  }
}

void AlertingModel::alert(const MonitorState& monitor, const std::string& why) {
  const double now = sg4::Engine::get_clock();
  const std::string text = "[" + monitor.spec->name + "] " + why;
  const std::int64_t op = context_.recorder.invoke(now, 0, spec_.name, "alert", monitor.spec->job, std::nullopt);
  context_.recorder.complete(op, now, history::Outcome::ok, std::nullopt, spec_.node, text);
  if (!context_.trace) return;
  history::JsonLine line(now, "alert");
  line.str("node", spec_.node)
      .str("component", spec_.name)
      .str("monitor", monitor.spec->name)
      .str("kind", scenario::to_string(monitor.spec->kind))
      .str("job", monitor.spec->job)
      .str("why", text);
  context_.trace->add(now, line.done());
}

} // namespace faultlab::model
