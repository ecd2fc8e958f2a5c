#include "components/mail_provider/spec.hpp"

#include "scenario/read_helpers.hpp"

namespace faultlab::scenario {

using namespace detail; // the shared readers (read_helpers.hpp)

std::shared_ptr<ComponentSpec> read_mail_provider(const std::string& name, ObjectReader& r,
                                                  const Topology& topology) {
  r.describe({{"node", "the node the provider runs on"},
              {"daily_quota", "messages accepted per day and sender (days start at 0s, 1d, 2d...); 0: no quota"},
              {"batch_limit", "recipients per request; a bigger request is refused"},
              {"per_message", "CPU time the provider spends on each accepted message"},
              {"message_size", "one email on the wire: a request carries one per recipient"}});
  auto spec = std::make_shared<MailProvider>();
  MailProvider& m = *spec;
  m.name = name;
  m.type = "mail_provider";
  m.node = read_node(r, topology);
  m.daily_quota = r.integer_or("daily_quota", m.daily_quota, 0, 1'000'000'000'000LL);
  m.batch_limit = r.integer_or("batch_limit", m.batch_limit, 1, 100'000);
  m.per_message_s = r.duration_s_or("per_message", m.per_message_s);
  m.message_bytes = read_message_size(r, m.message_bytes);
  return spec;
}

std::vector<NodeRole> MailProvider::node_roles() const {
  return {{node, "mail"}};
}

// Clients send transactional emails (a password reset, a receipt) one at a time.
std::vector<std::string> MailProvider::client_ops() const {
  return {"send"};
}

ClientRules MailProvider::client_rules() const {
  ClientRules rules;
  rules.default_key_prefix = "user-";
  return rules;
}

void MailProvider::add_to_design(topo::Design& design, const Scenario& scenario) const {
  (void)scenario;
  design.components.push_back(topo::Component{name, type, {node}, topo::Needs::all, {}});
}

} // namespace faultlab::scenario
