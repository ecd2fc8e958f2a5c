#include "components/alerting/spec.hpp"

#include "components/scheduler/spec.hpp"
#include "scenario/read_helpers.hpp"
#include "util/input_error.hpp"

#include <algorithm>

namespace faultlab::scenario {

using namespace detail; // the shared readers (read_helpers.hpp)
using util::quote;

namespace {

const std::vector<std::string>& kind_names() {
  static const std::vector<std::string> names{"heartbeat", "outcome", "error_rate"};
  return names;
}

Alerting::Monitor read_monitor(const std::string& name, ObjectReader& r) {
  r.describe({{"kind", "heartbeat (a dead-man's switch), outcome (the job's reported counts) or error_rate (its error log)"},
              {"job", "the scheduled job it watches"},
              {"period", "heartbeat: how often the job is expected to ping"},
              {"grace", "heartbeat: how late a ping may be before it alerts"},
              {"tolerance", "outcome: the share of the expected work that may be missing without an alert"},
              {"window", "error_rate: the window errors are counted in"},
              {"threshold", "error_rate: errors within the window that alert"}});
  check_name(r.origin(), name, r.pointer());
  Alerting::Monitor m;
  m.name = name;
  const std::string kind = r.kind("kind", kind_names());
  for (std::size_t i = 0; i < kind_names().size(); ++i)
    if (kind_names()[i] == kind) m.kind = static_cast<Alerting::Monitor::Kind>(i);
  m.job = r.string("job");
  if (m.kind == Alerting::Monitor::Kind::heartbeat) {
    m.period_s = positive_duration(r, "period", m.period_s, "a period");
    m.grace_s = r.duration_s_or("grace", m.grace_s);
  } else if (m.kind == Alerting::Monitor::Kind::outcome) {
    m.tolerance = r.number_or("tolerance", m.tolerance, 0.0, 1.0);
  } else {
    m.window_s = positive_duration(r, "window", m.window_s, "a window");
    m.threshold = r.integer_or("threshold", m.threshold, 1, 1'000'000);
  }
  r.finish();
  return m;
}

} // namespace

const char* to_string(Alerting::Monitor::Kind kind) {
  return kind_names()[static_cast<std::size_t>(kind)].c_str();
}

std::shared_ptr<ComponentSpec> read_alerting(const std::string& name, ObjectReader& r, const Topology& topology) {
  r.describe({{"node", "the node the alerting system runs on"},
              {"monitors", "{name: {kind, job, ...}}: what it watches"},
              {"message_size", "the size of a ping, a report or a log line"}});
  auto spec = std::make_shared<Alerting>();
  Alerting& a = *spec;
  a.name = name;
  a.type = "alerting";
  a.node = read_node(r, topology);
  for (auto& [monitor, mr] : r.members("monitors")) a.monitors.push_back(read_monitor(monitor, mr));
  a.message_bytes = read_message_size(r, a.message_bytes);
  return spec;
}

std::vector<NodeRole> Alerting::node_roles() const {
  return {{node, "alerting"}};
}

std::vector<std::string> Alerting::client_ops() const {
  return {};
}

ClientRules Alerting::client_rules() const {
  ClientRules rules;
  rules.not_a_target = quote(name) + " is an alerting system; scheduled jobs report to it, clients do not";
  return rules;
}

void Alerting::check_references(const Scenario& scenario, const Origin& origin) const {
  std::vector<std::string> jobs;
  for (const auto& scheduler : scenario.names_of_type("scheduler"))
    for (const auto& job : scenario.component_as<Scheduler>(scheduler)->jobs) jobs.push_back(job.name);
  for (const auto& m : monitors) {
    if (std::find(jobs.begin(), jobs.end(), m.job) != jobs.end()) continue;
    origin.fail("unknown-component", pointer_append(pointer_append("/components", name) + "/monitors", m.name) + "/job",
                quote(m.job) + " is not a job of any scheduler of this scenario (jobs: " +
                    (jobs.empty() ? std::string("none") : join(jobs)) + ")");
  }
}

void Alerting::add_to_design(topo::Design& design, const Scenario& scenario) const {
  (void)scenario;
  design.components.push_back(topo::Component{name, type, {node}, topo::Needs::all, {}});
}

} // namespace faultlab::scenario
