#include "components/deploy/spec.hpp"

#include "components/service/spec.hpp"
#include "scenario/read_helpers.hpp"
#include "util/input_error.hpp"

#include <algorithm>

namespace faultlab::scenario {

using namespace detail; // the shared readers (read_helpers.hpp)
using util::quote;

std::shared_ptr<ComponentSpec> read_deploy(const std::string& name, ObjectReader& r, const Topology& topology) {
  auto spec = std::make_shared<Deploy>();
  Deploy& d = *spec;
  d.name = name;
  d.type = "deploy";
  d.node = read_node(r, topology);
  d.service = r.string("service");
  d.batch = static_cast<int>(r.integer_or("batch", d.batch, 1, 10'000));
  d.drain_s = r.duration_s_or("drain", d.drain_s);
  d.start_s = r.duration_s_or("start", d.start_s);
  d.health_timeout_s = positive_duration(r, "health_timeout", d.health_timeout_s, "a health check timeout");
  for (auto& [rollout, rr] : r.members("rollouts")) {
    check_name(r.origin(), rollout, rr.pointer());
    Deploy::Rollout x;
    x.name = rollout;
    x.at_s = rr.duration_s("at");
    x.version = rr.string("version");
    rr.describe({{"at", "when the rolling update starts"}, {"version", "the code version every instance runs after it"}});
    rr.finish();
    d.rollouts.push_back(x);
  }
  if (d.rollouts.empty() && !r.origin().probe)
    r.origin().fail("missing-field", r.child("rollouts"),
                    "a deploy needs at least one rollout, like {\"v2\": {\"at\": \"20s\", \"version\": \"v2\"}}");
  // One rollout at a time, in time order (names break ties, so the order never depends on the file).
  std::stable_sort(d.rollouts.begin(), d.rollouts.end(), [](const Deploy::Rollout& a, const Deploy::Rollout& b) {
    return a.at_s != b.at_s ? a.at_s < b.at_s : a.name < b.name;
  });
  d.message_bytes = read_message_size(r, d.message_bytes);
  r.describe({{"service", "the service whose instances it replaces"},
              {"batch", "instances restarted at once (one wave)"},
              {"drain", "how long an instance being replaced finishes the requests it accepted; what is left is dropped"},
              {"start", "from the old process's exit to the new one passing its health check"},
              {"health_timeout", "a wave not healthy this long after it started stops the rollout"},
              {"rollouts", "{name: {\"at\", \"version\"}}: rolling updates, one at a time in time order"}});
  return spec;
}

std::vector<NodeRole> Deploy::node_roles() const { return {{node, "deploy"}}; }

ClientRules Deploy::client_rules() const {
  ClientRules rules;
  rules.not_a_target = quote(name) + " is a deploy controller; clients call the service it deploys";
  return rules;
}

void Deploy::check_references(const Scenario& scenario, const Origin& origin) const {
  const std::string here = pointer_append("/components", name);
  const ComponentSpec* target = scenario.component(service);
  const Service* s = dynamic_cast<const Service*>(target);
  if (s == nullptr)
    origin.fail("unknown-component", here + "/service",
                quote(service) + (target == nullptr ? " is not a component of this scenario"
                                                    : " is of type " + target->type + ", not a service") +
                    " (a deploy replaces the instances of a service)");
  if (s->versions.empty())
    origin.fail("bad-value", here + "/service",
                "service " + quote(service) + " has no code versions to deploy (give it \"versions\" and \"version\")");
  for (const auto& rollout : rollouts)
    if (s->find_version(rollout.version) == nullptr) {
      std::vector<std::string> names;
      for (const auto& v : s->versions) names.push_back(v.name);
      origin.fail("bad-value", pointer_append(here + "/rollouts", rollout.name) + "/version",
                  quote(rollout.version) + " is not a version of service " + quote(service) + " (versions: " +
                      join(names) + ")");
    }
  for (const Deploy* other : scenario.components_of<Deploy>())
    if (other != this && other->service == service)
      origin.fail("bad-value", here + "/service",
                  "service " + quote(service) + " is already deployed by " + quote(other->name) +
                      " (one controller per service, or two rollouts would fight)");
}

void Deploy::add_to_design(topo::Design& design, const Scenario& scenario) const {
  (void)scenario;
  // Nothing depends on the controller while no rollout runs.
  design.components.push_back(topo::Component{name, type, {node}, topo::Needs::all, {}});
}

std::string Deploy::analyze_note() const {
  return "rolls " + service + " over, " + std::to_string(batch) + " instance" + (batch == 1 ? "" : "s") +
         " at a time; nothing calls it";
}

} // namespace faultlab::scenario
