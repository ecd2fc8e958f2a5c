#include "components/payment_provider/spec.hpp"

#include "scenario/read_helpers.hpp"
#include "util/input_error.hpp"

namespace faultlab::scenario {

using namespace detail; // the shared readers (read_helpers.hpp)
using util::quote;

namespace {

PaymentProvider::Webhooks read_webhooks(ObjectReader r) {
  const Origin& origin = r.origin();
  PaymentProvider::Webhooks w;
  w.enabled = true;
  w.to = r.string("to");
  if (r.find("delay")) w.delay = read_distribution(r, "delay");
  w.retries = static_cast<int>(r.integer_or("retries", w.retries, 0, 20));
  w.backoff_s = positive_duration(r, "backoff", w.backoff_s, "a backoff");
  w.backoff_max_s = positive_duration(r, "backoff_max", std::max(w.backoff_max_s, w.backoff_s), "a backoff");
  if (w.backoff_max_s < w.backoff_s)
    origin.fail("bad-value", r.child("backoff_max"), "expected backoff_max to be at least backoff");
  w.timeout_s = positive_duration(r, "timeout", w.timeout_s, "a timeout");
  w.duplicate = r.number_or("duplicate", 0.0, 0.0, 1.0);
  r.finish();
  return w;
}

} // namespace

std::shared_ptr<ComponentSpec> read_payment_provider(const std::string& name, ObjectReader& r,
                                                     const Topology& topology) {
  auto spec = std::make_shared<PaymentProvider>();
  PaymentProvider& p = *spec;
  p.name = name;
  p.type = "payment_provider";
  p.node = read_node(r, topology);
  if (r.find("processing")) p.processing = read_distribution(r, "processing");
  if (r.find("slow_tail")) {
    ObjectReader tail = r.object("slow_tail");
    p.slow_probability = tail.number("probability", 0.0, 1.0);
    if (tail.find("time")) p.slow = read_distribution(tail, "time");
    tail.finish();
  }
  p.answer_loss = r.number_or("answer_loss", 0.0, 0.0, 1.0);
  p.decline = r.number_or("decline", 0.0, 0.0, 1.0);
  p.key_retention_s = r.duration_s_or("key_retention", p.key_retention_s);
  if (r.find("webhooks")) p.webhooks = read_webhooks(r.object("webhooks"));
  p.message_bytes = read_message_size(r, p.message_bytes);
  return spec;
}

std::vector<NodeRole> PaymentProvider::node_roles() const {
  return {{node, "provider"}};
}

std::vector<std::string> PaymentProvider::client_ops() const {
  return {};
}

ClientRules PaymentProvider::client_rules() const {
  ClientRules rules;
  rules.not_a_target = quote(name) + " is a payment provider; customers pay through a checkout that uses it";
  return rules;
}

void PaymentProvider::check_references(const Scenario& scenario, const Origin& origin) const {
  if (webhooks.enabled && scenario.component_type(webhooks.to) != "checkout")
    origin.fail("unknown-component", pointer_append("/components", name) + "/webhooks/to",
                quote(webhooks.to) + " is not a checkout of this scenario (checkouts: " +
                    (scenario.names_of_type("checkout").empty() ? std::string("none")
                                                                : join(scenario.names_of_type("checkout"))) +
                    ")");
}

void PaymentProvider::add_to_design(topo::Design& design, const Scenario& scenario) const {
  (void)scenario;
  design.components.push_back(topo::Component{name, type, {node}, topo::Needs::all, {}});
}

} // namespace faultlab::scenario
