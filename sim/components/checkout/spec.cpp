#include "components/checkout/spec.hpp"

#include "scenario/read_helpers.hpp"
#include "util/input_error.hpp"

#include <algorithm>

namespace faultlab::scenario {

using namespace detail; // the shared readers (read_helpers.hpp)
using util::quote;

namespace {
constexpr long long kMaxAmountCents = 100'000'000'00LL; // a hundred million, in cents

void read_amount(ObjectReader& r, Checkout& c) {
  const Origin& origin = r.origin();
  static const Shape shape{
      {{"anyOf", Json::array({{{"type", "integer"}, {"minimum", 1}, {"maximum", kMaxAmountCents}}, {{"$probe", ""}}})}},
      Json::object()};
  const Json* amount = r.find("amount_cents", shape);
  if (amount == nullptr) return;
  if (amount->is_number_integer()) {
    c.amount_min_cents = c.amount_max_cents = r.integer_or("amount_cents", 0, 1, kMaxAmountCents);
    return;
  }
  if (!amount->is_object())
    origin.fail("wrong-type", r.child("amount_cents"),
                "expected a whole number of cents, like 4999, or {\"min\": 500, \"max\": 20000}, got " +
                    describe_json(*amount));
  ObjectReader a = r.object("amount_cents");
  c.amount_min_cents = a.integer_or("min", 0, 1, kMaxAmountCents);
  if (!a.has("min")) origin.fail("missing-field", a.pointer(), "missing required field \"min\"");
  c.amount_max_cents = a.integer_or("max", c.amount_min_cents, 1, kMaxAmountCents);
  if (c.amount_max_cents < c.amount_min_cents)
    origin.fail("bad-value", a.child("max"), "expected max to be at least min");
  a.finish();
}

void read_charge(ObjectReader r, Checkout& c) {
  const Origin& origin = r.origin();
  c.timeout_s = positive_duration(r, "timeout", c.timeout_s, "a timeout");
  c.retries = static_cast<int>(r.integer_or("retries", 0, 0, 10));
  if (const Json* backoff = r.find("backoff", duration_or_object_shape())) {
    if (backoff->is_object()) {
      ObjectReader b = r.object("backoff");
      c.backoff_s = b.duration_s("base");
      c.backoff_max_s = b.duration_s_or("max", std::max(c.backoff_max_s, c.backoff_s));
      c.jitter = b.boolean_or("jitter", false);
      if (c.backoff_max_s < c.backoff_s)
        origin.fail("bad-value", b.child("max"), "expected max to be at least base");
      b.finish();
    } else {
      c.backoff_s = read_duration_s(origin, *backoff, r.child("backoff"));
      c.backoff_max_s = c.backoff_s; // a constant wait
    }
  }
  c.idempotency_key = r.boolean_or("idempotency_key", false);
  r.finish();
}
} // namespace

std::shared_ptr<ComponentSpec> read_checkout(const std::string& name, ObjectReader& r,
                                             const Topology& topology) {
  auto spec = std::make_shared<Checkout>();
  Checkout& c = *spec;
  c.name = name;
  c.type = "checkout";
  c.node = read_node(r, topology);
  c.provider = r.string("provider");
  read_amount(r, c);
  if (r.find("charge")) read_charge(r.object("charge"), c);
  const std::string on = r.choice("on_no_answer", {"cancel", "pending", "assume_paid"}, "cancel");
  c.on_no_answer = on == "cancel"    ? Checkout::OnNoAnswer::cancel
                   : on == "pending" ? Checkout::OnNoAnswer::pending
                                     : Checkout::OnNoAnswer::assume_paid;
  if (r.find("reconcile")) {
    ObjectReader job = r.object("reconcile");
    c.reconcile_every_s = job.duration_s("every");
    if (*c.reconcile_every_s < 0.01)
      r.origin().fail("bad-duration", job.child("every"), "expected a period of at least 10ms");
    job.finish();
  }
  c.service_time_s = r.duration_s_or("service_time", c.service_time_s);
  c.message_bytes = read_message_size(r, c.message_bytes);
  return spec;
}

std::vector<NodeRole> Checkout::node_roles() const {
  return {{node, "checkout"}};
}

std::vector<std::string> Checkout::client_ops() const {
  return {"checkout"};
}

ClientRules Checkout::client_rules() const {
  ClientRules rules;
  rules.no_key_count = "each checkout request is a new order; drop keys.count";
  rules.default_key_prefix = "order-";
  return rules;
}

void Checkout::check_references(const Scenario& scenario, const Origin& origin) const {
  if (scenario.component_type(provider) != "payment_provider") {
    const auto providers = scenario.names_of_type("payment_provider");
    origin.fail("unknown-component", pointer_append("/components", name) + "/provider",
                quote(provider) + " is not a payment_provider of this scenario (payment providers: " +
                    (providers.empty() ? std::string("none") : join(providers)) + ")");
  }
}

void Checkout::add_to_design(topo::Design& design, const Scenario& scenario) const {
  (void)scenario;
  design.components.push_back(
      topo::Component{name, type, {node}, topo::Needs::all, {topo::Dependency{provider, true, "charge"}}});
}

} // namespace faultlab::scenario
