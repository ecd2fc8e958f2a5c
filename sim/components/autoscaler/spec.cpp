#include "components/autoscaler/spec.hpp"

#include "components/service/spec.hpp"
#include "scenario/read_helpers.hpp"
#include "util/input_error.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <cstdio>

namespace faultlab::scenario {

using namespace detail; // the shared readers (read_helpers.hpp)
using util::quote;

std::shared_ptr<ComponentSpec> read_autoscaler(const std::string& name, ObjectReader& r, const Topology& topology) {
  auto spec = std::make_shared<Autoscaler>();
  Autoscaler& a = *spec;
  a.name = name;
  a.type = "autoscaler";
  a.node = read_node(r, topology);
  a.service = r.string("service");
  const std::string metric = r.choice("metric", {"in_flight", "cpu", "p99_latency"}, "in_flight");
  a.metric = metric == "cpu"           ? Autoscaler::Metric::cpu
             : metric == "p99_latency" ? Autoscaler::Metric::p99_latency
                                       : Autoscaler::Metric::in_flight;
  // A latency target is a duration ("300ms"); the others are numbers.
  const bool latency = a.metric == Autoscaler::Metric::p99_latency;
  a.target = r.number_or("target", 0, 0, 1e9);
  const double target_latency_s = r.optional_duration_s("target_latency").value_or(0.0);
  if (!r.probing()) {
    if (latency && r.has("target"))
      r.origin().fail("bad-value", r.child("target"),
                      "with metric p99_latency the target is target_latency, a duration like \"300ms\"");
    if (!latency && r.has("target_latency"))
      r.origin().fail("bad-value", r.child("target_latency"), "target_latency goes with metric p99_latency");
    if (latency && target_latency_s <= 0)
      r.origin().fail("bad-value", r.child("target_latency"), "expected a target_latency above zero, like \"300ms\"");
    if (!latency && a.target <= 0) r.origin().fail("bad-value", r.child("target"), "expected a target above zero");
  }
  if (latency) a.target = target_latency_s;
  if (a.metric == Autoscaler::Metric::cpu && a.target > 1)
    r.origin().fail("bad-value", r.child("target"), "a CPU target is a utilization between 0 and 1, like 0.6");
  a.tolerance = r.number_or("tolerance", a.tolerance, 0, 1);
  a.interval_s = positive_duration(r, "interval", a.interval_s, "an interval");
  a.window_s = positive_duration(r, "window", a.window_s, "a window");
  a.scrape_timeout_s = positive_duration(r, "scrape_timeout", a.scrape_timeout_s, "a scrape timeout");
  a.cooldown_s = r.duration_s_or("cooldown", a.cooldown_s);
  a.provisioning_s = r.duration_s_or("provisioning", a.provisioning_s);
  a.min = static_cast<int>(r.integer_or("min", a.min, 1, 10'000));
  a.max = static_cast<int>(r.integer_or("max", a.max, 1, 10'000));
  for (auto& [entry, sr] : r.members("scheduled")) {
    check_name(r.origin(), entry, sr.pointer());
    Autoscaler::Scheduled s;
    s.name = entry;
    s.at_s = sr.duration_s("at");
    s.min = static_cast<int>(sr.integer_or("min", 1, 1, 10'000));
    sr.describe({{"at", "from this time on the minimum is raised"},
                 {"min", "the least number of instances from then on"}});
    sr.finish();
    a.schedule.push_back(s);
  }
  std::stable_sort(a.schedule.begin(), a.schedule.end(),
                   [](const Autoscaler::Scheduled& x, const Autoscaler::Scheduled& y) {
                     return x.at_s != y.at_s ? x.at_s < y.at_s : x.name < y.name;
                   });
  a.message_bytes = read_message_size(r, a.message_bytes);
  r.describe({{"service", "the service whose instances it scales; its spares are the nodes it adds"},
              {"metric", "what it watches: in_flight (requests in progress per instance), cpu (utilization per "
                         "instance, 0 to 1) or p99_latency (the 99th percentile of the time the instances took per "
                         "request, from their latency histograms)"},
              {"target", "for in_flight and cpu: the value per instance it aims at, averaged over the window"},
              {"target_latency", "for p99_latency: the 99th percentile it aims at, e.g. \"300ms\""},
              {"tolerance", "no change while the average is within target*(1 +- tolerance)"},
              {"interval", "how often it scrapes the instances' metrics and decides"},
              {"window", "the samples of this long are averaged for a decision"},
              {"scrape_timeout", "a scrape of one instance not answered in this time is missing from the sample"},
              {"cooldown", "the least time between two decisions the metric makes"},
              {"provisioning", "from a decision to add an instance to it joining the load balancer (boot and "
                               "health check)"},
              {"min", "the least number of instances (default: the service's instances)"},
              {"max", "the most instances (default: instances plus spare nodes)"},
              {"scheduled", "{name: {\"at\", \"min\"}}: scheduled scaling, the minimum raised from a time on"}});
  return spec;
}

const char* to_string(Autoscaler::Metric metric) {
  switch (metric) {
  case Autoscaler::Metric::cpu:
    return "cpu";
  case Autoscaler::Metric::p99_latency:
    return "p99_latency";
  case Autoscaler::Metric::in_flight:
    break;
  }
  return "in_flight";
}

std::vector<NodeRole> Autoscaler::node_roles() const { return {{node, "autoscaler"}}; }

ClientRules Autoscaler::client_rules() const {
  ClientRules rules;
  rules.not_a_target = quote(name) + " is an autoscaler; clients call the service it scales";
  return rules;
}

void Autoscaler::check_references(const Scenario& scenario, const Origin& origin) const {
  const std::string here = pointer_append("/components", name);
  const ComponentSpec* target_spec = scenario.component(service);
  const Service* s = dynamic_cast<const Service*>(target_spec);
  if (s == nullptr)
    origin.fail("unknown-component", here + "/service",
                quote(service) + (target_spec == nullptr ? " is not a component of this scenario"
                                                         : " is of type " + target_spec->type + ", not a service") +
                    " (an autoscaler adds and removes the instances of a service)");
  const int nodes = static_cast<int>(s->instances.size() + s->spares.size());
  const int least = min < 0 ? static_cast<int>(s->instances.size()) : min;
  const int most = max < 0 ? nodes : max;
  if (most > nodes)
    origin.fail("bad-value", here + "/max",
                "service " + quote(service) + " has " + std::to_string(nodes) +
                    " nodes (instances and spares); an autoscaler cannot run more instances than that");
  if (least > most)
    origin.fail("bad-value", here + (min < 0 ? "/max" : "/min"),
                "min (" + std::to_string(least) + ") is above max (" + std::to_string(most) + ")");
  for (const auto& entry : schedule)
    if (entry.min > most)
      origin.fail("bad-value", pointer_append(here + "/scheduled", entry.name) + "/min",
                  "a scheduled minimum of " + std::to_string(entry.min) + " is above max (" + std::to_string(most) +
                      ")");
  for (const Autoscaler* other : scenario.components_of<Autoscaler>())
    if (other != this && other->service == service)
      origin.fail("bad-value", here + "/service",
                  "service " + quote(service) + " is already scaled by " + quote(other->name) +
                      " (two autoscalers of one service would fight)");
}

void Autoscaler::add_to_design(topo::Design& design, const Scenario& scenario) const {
  (void)scenario;
  // Nothing calls it: the service runs on without it, only at the size it has.
  design.components.push_back(topo::Component{name, type, {node}, topo::Needs::all, {}});
}

std::string Autoscaler::analyze_note() const {
  const std::string on = metric == Metric::p99_latency
                             ? "its p99 latency (target " + util::format_duration(target) + ")"
                             : to_string(metric) + std::string(" per instance");
  return "scales " + service + " on " + on + "; a new instance takes " +
         util::format_duration(provisioning_s) + " to join; nothing calls it";
}

std::vector<std::string> Autoscaler::metric_names() const {
  return {"autoscaler_decisions", "autoscaler_max_instances", "autoscaler_mean_instances", "autoscaler_blind_scrapes"};
}

std::string Autoscaler::report_line(const std::map<std::string, double>& metrics) const {
  auto value = [&](const char* key) {
    auto it = metrics.find(key);
    return it == metrics.end() ? 0.0 : it->second;
  };
  char line[256];
  std::snprintf(line, sizeof line,
                "autoscaler: %.0f decisions; at most %.0f instances in service, %.2f on average; %.0f scrapes with no "
                "answer",
                value("autoscaler_decisions"), value("autoscaler_max_instances"), value("autoscaler_mean_instances"),
                value("autoscaler_blind_scrapes"));
  return line;
}

} // namespace faultlab::scenario
