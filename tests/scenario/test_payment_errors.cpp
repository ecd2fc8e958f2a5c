// Bad input for the payment types (payment_provider, checkout) and the
// payment checks: one error each, naming the file, the JSON path and what
// was expected, word for word.
#include "../support/scenario_text.hpp"

#include <catch2/catch.hpp>

using faultlab::testing::error_of;
using faultlab::testing::replace;

namespace {

const char* kPay = R"({
  "title": "t",
  "lesson": "l",
  "topology": { "nodes": { "web": {}, "shop-1": {}, "psp": {} } },
  "components": {
    "stripe": { "type": "payment_provider", "node": "psp", "answer_loss": 0.1,
      "webhooks": { "to": "shop", "retries": 3, "backoff": "1s" } },
    "shop": { "type": "checkout", "node": "shop-1", "provider": "stripe", "amount_cents": 4999,
      "charge": { "timeout": "1s", "retries": 2, "idempotency_key": true }, "reconcile": { "every": "5s" } }
  },
  "workload": {
    "duration": "2s",
    "clients": { "customers": { "node": "web", "target": "shop", "arrival": { "rate_per_s": 10 } } }
  },
  "checks": { "double_charge": {}, "unpaid_shipment": {}, "charged_not_fulfilled": { "bound": "20s" } }
})";

} // namespace

TEST_CASE("the example scenario with a provider, webhooks, a checkout and reconciliation loads") {
  CHECK(error_of(kPay) == "no error");
}

TEST_CASE("payment_provider: node, processing and its slow tail, probabilities, key retention, sizes") {
  CHECK(error_of(replace(kPay, "\"node\": \"psp\", \"answer_loss\": 0.1", "\"node\": \"psb\", \"answer_loss\": 0.1")) ==
        "error[unknown-node]: x.json: /components/stripe/node: \"psb\" is not a node of the topology (nodes: web, shop-1, psp)");
  CHECK(error_of(replace(kPay, "\"answer_loss\": 0.1", "\"answer_loss\": 1.5")) ==
        "error[bad-value]: x.json: /components/stripe/answer_loss: expected a number from 0 to 1, got 1.5");
  CHECK(error_of(replace(kPay, "\"answer_loss\": 0.1", "\"decline\": -0.1")) ==
        "error[bad-value]: x.json: /components/stripe/decline: expected a number from 0 to 1, got -0.1");
  CHECK(error_of(replace(kPay, "\"answer_loss\": 0.1", "\"answer_lost\": 0.1")) ==
        "error[unknown-field]: x.json: /components/stripe/answer_lost: unknown field \"answer_lost\" (expected one of: answer_loss, decline, key_retention, message_size, node, processing, slow_tail, type, webhooks)");
  CHECK(error_of(replace(kPay, "\"answer_loss\": 0.1", "\"processing\": \"fast\"")) ==
        "error[bad-duration]: x.json: /components/stripe/processing: expected a duration with a unit, like \"250ms\" or \"3s\", got \"fast\"");
  CHECK(error_of(replace(kPay, "\"answer_loss\": 0.1", "\"slow_tail\": { \"time\": \"3s\" }")) ==
        "error[missing-field]: x.json: /components/stripe/slow_tail: missing required field \"probability\"");
  CHECK(error_of(replace(kPay, "\"answer_loss\": 0.1", "\"slow_tail\": { \"probability\": 2, \"time\": \"3s\" }")) ==
        "error[bad-value]: x.json: /components/stripe/slow_tail/probability: expected a number from 0 to 1, got 2");
  CHECK(error_of(replace(kPay, "\"answer_loss\": 0.1", "\"slow_tail\": { \"probability\": 0.1, \"time\": { \"distribution\": \"pareto\" } }")) ==
        "error[bad-value]: x.json: /components/stripe/slow_tail/time/distribution: expected one of \"fixed\", \"uniform\", \"exponential\", got \"pareto\"");
  CHECK(error_of(replace(kPay, "\"answer_loss\": 0.1", "\"slow_tail\": { \"probability\": 0.1, \"after\": \"3s\" }")) ==
        "error[unknown-field]: x.json: /components/stripe/slow_tail/after: unknown field \"after\" (expected one of: probability, time)");
  CHECK(error_of(replace(kPay, "\"answer_loss\": 0.1", "\"key_retention\": \"a day\"")) ==
        "error[bad-duration]: x.json: /components/stripe/key_retention: expected a duration with a unit, like \"250ms\" or \"3s\", got \"a day\"");
  CHECK(error_of(replace(kPay, "\"answer_loss\": 0.1", "\"message_size\": \"big\"")) ==
        "error[bad-value]: x.json: /components/stripe/message_size: expected a size like \"512B\" or \"4KiB\", got \"big\"");
}

TEST_CASE("payment_provider: webhooks go to a checkout, with bounded retries and sane timings") {
  CHECK(error_of(replace(kPay, "\"to\": \"shop\"", "\"to\": \"stripe\"")) ==
        "error[unknown-component]: x.json: /components/stripe/webhooks/to: \"stripe\" is not a checkout of this scenario (checkouts: shop)");
  CHECK(error_of(replace(kPay, "\"to\": \"shop\"", "\"to\": \"shp\"")) ==
        "error[unknown-component]: x.json: /components/stripe/webhooks/to: \"shp\" is not a checkout of this scenario (checkouts: shop)");
  CHECK(error_of(replace(kPay, "\"to\": \"shop\", ", "")) ==
        "error[missing-field]: x.json: /components/stripe/webhooks: missing required field \"to\"");
  CHECK(error_of(replace(kPay, "\"retries\": 3, \"backoff\": \"1s\"", "\"retries\": 30")) ==
        "error[bad-value]: x.json: /components/stripe/webhooks/retries: expected a whole number from 0 to 20, got 30");
  CHECK(error_of(replace(kPay, "\"retries\": 3, \"backoff\": \"1s\"", "\"backoff\": \"0s\"")) ==
        "error[bad-duration]: x.json: /components/stripe/webhooks/backoff: expected a backoff above zero");
  CHECK(error_of(replace(kPay, "\"retries\": 3, \"backoff\": \"1s\"", "\"backoff\": \"2s\", \"backoff_max\": \"1s\"")) ==
        "error[bad-value]: x.json: /components/stripe/webhooks/backoff_max: expected backoff_max to be at least backoff");
  CHECK(error_of(replace(kPay, "\"retries\": 3, \"backoff\": \"1s\"", "\"timeout\": \"0s\"")) ==
        "error[bad-duration]: x.json: /components/stripe/webhooks/timeout: expected a timeout above zero");
  CHECK(error_of(replace(kPay, "\"retries\": 3, \"backoff\": \"1s\"", "\"duplicate\": 1.2")) ==
        "error[bad-value]: x.json: /components/stripe/webhooks/duplicate: expected a number from 0 to 1, got 1.2");
  CHECK(error_of(replace(kPay, "\"retries\": 3, \"backoff\": \"1s\"", "\"delay\": { \"distribution\": \"uniform\", \"min\": \"2s\", \"max\": \"1s\" }")) ==
        "error[bad-value]: x.json: /components/stripe/webhooks/delay/max: expected max to be at least min");
  CHECK(error_of(replace(kPay, "\"retries\": 3, \"backoff\": \"1s\"", "\"url\": \"https://shop/hooks\"")) ==
        "error[unknown-field]: x.json: /components/stripe/webhooks/url: unknown field \"url\" (expected one of: backoff, backoff_max, delay, duplicate, retries, timeout, to)");
}

TEST_CASE("checkout: node, provider, amounts in whole cents, the charge policy, on_no_answer, reconcile") {
  CHECK(error_of(replace(kPay, "\"provider\": \"stripe\"", "\"provider\": \"shop\"")) ==
        "error[unknown-component]: x.json: /components/shop/provider: \"shop\" is not a payment_provider of this scenario (payment providers: stripe)");
  CHECK(error_of(replace(kPay, "\"provider\": \"stripe\", ", "")) ==
        "error[missing-field]: x.json: /components/shop: missing required field \"provider\"");
  CHECK(error_of(replace(kPay, "\"node\": \"shop-1\"", "\"node\": \"shop-2\"")) ==
        "error[unknown-node]: x.json: /components/shop/node: \"shop-2\" is not a node of the topology (nodes: web, shop-1, psp)");
  CHECK(error_of(replace(kPay, "\"amount_cents\": 4999", "\"amount_cents\": 49.99")) ==
        "error[wrong-type]: x.json: /components/shop/amount_cents: expected a whole number of cents, like 4999, or {\"min\": 500, \"max\": 20000}, got 49.99");
  CHECK(error_of(replace(kPay, "\"amount_cents\": 4999", "\"amount_cents\": \"49.99\"")) ==
        "error[wrong-type]: x.json: /components/shop/amount_cents: expected a whole number of cents, like 4999, or {\"min\": 500, \"max\": 20000}, got \"49.99\"");
  CHECK(error_of(replace(kPay, "\"amount_cents\": 4999", "\"amount_cents\": 0")) ==
        "error[bad-value]: x.json: /components/shop/amount_cents: expected a whole number from 1 to 10000000000, got 0");
  CHECK(error_of(replace(kPay, "\"amount_cents\": 4999", "\"amount_cents\": { \"min\": 500, \"max\": 100 }")) ==
        "error[bad-value]: x.json: /components/shop/amount_cents/max: expected max to be at least min");
  CHECK(error_of(replace(kPay, "\"amount_cents\": 4999", "\"amount_cents\": { \"max\": 100 }")) ==
        "error[missing-field]: x.json: /components/shop/amount_cents: missing required field \"min\"");
  CHECK(error_of(replace(kPay, "\"amount_cents\": 4999", "\"amount_cents\": { \"min\": 500, \"avg\": 100 }")) ==
        "error[unknown-field]: x.json: /components/shop/amount_cents/avg: unknown field \"avg\" (expected one of: max, min)");
  CHECK(error_of(replace(kPay, "\"amount_cents\": 4999", "\"amount_cents\": 100000000000")) ==
        "error[bad-value]: x.json: /components/shop/amount_cents: expected a whole number from 1 to 10000000000, got 100000000000");
  CHECK(error_of(replace(kPay, "\"timeout\": \"1s\", \"retries\": 2", "\"timeout\": \"0s\", \"retries\": 2")) ==
        "error[bad-duration]: x.json: /components/shop/charge/timeout: expected a timeout above zero");
  CHECK(error_of(replace(kPay, "\"timeout\": \"1s\", \"retries\": 2", "\"timeout\": \"1s\", \"retries\": 11")) ==
        "error[bad-value]: x.json: /components/shop/charge/retries: expected a whole number from 0 to 10, got 11");
  CHECK(error_of(replace(kPay, "\"timeout\": \"1s\", \"retries\": 2", "\"timeout\": \"1s\", \"backoff\": \"soon\"")) ==
        "error[bad-duration]: x.json: /components/shop/charge/backoff: expected a duration with a unit, like \"250ms\" or \"3s\", got \"soon\"");
  CHECK(error_of(replace(kPay, "\"timeout\": \"1s\", \"retries\": 2", "\"timeout\": \"1s\", \"backoff\": { \"base\": \"2s\", \"max\": \"1s\" }")) ==
        "error[bad-value]: x.json: /components/shop/charge/backoff/max: expected max to be at least base");
  CHECK(error_of(replace(kPay, "\"timeout\": \"1s\", \"retries\": 2", "\"timeout\": \"1s\", \"backoff\": { \"max\": \"1s\" }")) ==
        "error[missing-field]: x.json: /components/shop/charge/backoff: missing required field \"base\"");
  CHECK(error_of(replace(kPay, "\"idempotency_key\": true", "\"idempotency_key\": \"order\"")) ==
        "error[wrong-type]: x.json: /components/shop/charge/idempotency_key: expected true or false, got \"order\"");
  CHECK(error_of(replace(kPay, "\"idempotency_key\": true", "\"idempotency\": true")) ==
        "error[unknown-field]: x.json: /components/shop/charge/idempotency: unknown field \"idempotency\" (expected one of: backoff, idempotency_key, retries, timeout)");
  CHECK(error_of(replace(kPay, "\"reconcile\": { \"every\": \"5s\" }", "\"on_no_answer\": \"retry\"")) ==
        "error[bad-value]: x.json: /components/shop/on_no_answer: expected one of \"cancel\", \"pending\", \"assume_paid\", got \"retry\"");
  CHECK(error_of(replace(kPay, "\"reconcile\": { \"every\": \"5s\" }", "\"reconcile\": { }")) ==
        "error[missing-field]: x.json: /components/shop/reconcile: missing required field \"every\"");
  CHECK(error_of(replace(kPay, "\"reconcile\": { \"every\": \"5s\" }", "\"reconcile\": { \"every\": \"1ms\" }")) ==
        "error[bad-duration]: x.json: /components/shop/reconcile/every: expected a period of at least 10ms");
  CHECK(error_of(replace(kPay, "\"reconcile\": { \"every\": \"5s\" }", "\"reconcile\": { \"every\": \"5s\", \"limit\": 100 }")) ==
        "error[unknown-field]: x.json: /components/shop/reconcile/limit: unknown field \"limit\" (expected one of: every)");
  CHECK(error_of(replace(kPay, "\"reconcile\": { \"every\": \"5s\" }", "\"reconcile\": true")) ==
        "error[wrong-type]: x.json: /components/shop/reconcile: expected an object, got true");
}

TEST_CASE("customers target a checkout, not a provider, and charged_not_fulfilled takes a bound") {
  CHECK(error_of(replace(kPay, "\"rate_per_s\": 10 }", "\"rate_per_s\": 10 }, \"keys\": { \"count\": 5 }")) ==
        "error[bad-value]: x.json: /workload/clients/customers/keys/count: each checkout request is a new order; drop keys.count");
  CHECK(error_of(replace(kPay, "\"target\": \"shop\"", "\"target\": \"stripe\"")) ==
        "error[bad-value]: x.json: /workload/clients/customers/target: \"stripe\" is a payment provider; customers pay through a checkout that uses it");
  CHECK(error_of(replace(kPay, "\"bound\": \"20s\"", "\"bound\": \"long\"")) ==
        "error[bad-duration]: x.json: /checks/charged_not_fulfilled/bound: expected a duration with a unit, like \"250ms\" or \"3s\", got \"long\"");
  CHECK(error_of(replace(kPay, "\"bound\": \"20s\"", "\"bond\": \"20s\"")) ==
        "error[unknown-field]: x.json: /checks/charged_not_fulfilled/bond: unknown field \"bond\" (expected one of: bound)");
}

TEST_CASE("the payment checks need a payment_provider in the scenario") {
  const std::string no_provider = R"({ "title": "t", "lesson": "l", "topology": { "nodes": { "app": {}, "db-1": {} } },
  "components": { "db": { "type": "replica_group", "primary": "db-1" } },
  "workload": { "duration": "2s", "clients": { "c": { "node": "app", "target": "db", "arrival": { "rate_per_s": 10 } } } },
  "checks": { "double_charge": {} } })";
  CHECK(error_of(replace(no_provider, "\"double_charge\": {}", "\"double_charge\": {}")) ==
        "error[bad-value]: x.json: /checks/double_charge: \"double_charge\" needs a payment_provider component in the scenario");
  CHECK(error_of(replace(no_provider, "\"double_charge\": {}", "\"unpaid_shipment\": {}")) ==
        "error[bad-value]: x.json: /checks/unpaid_shipment: \"unpaid_shipment\" needs a payment_provider component in the scenario");
  CHECK(error_of(replace(no_provider, "\"double_charge\": {}", "\"charged_not_fulfilled\": {}")) ==
        "error[bad-value]: x.json: /checks/charged_not_fulfilled: \"charged_not_fulfilled\" needs a payment_provider component in the scenario");
  // Webhooks name a checkout, not any component.
  CHECK(error_of(replace(replace(kPay, "\"to\": \"shop\"", "\"to\": \"db\""), "\"shop\": { \"type\": \"checkout\"",
                         "\"db\": { \"type\": \"replica_group\", \"primary\": \"web\" },\n    \"shop\": { \"type\": \"checkout\"")) ==
        "error[unknown-component]: x.json: /components/stripe/webhooks/to: \"db\" is not a checkout of this scenario (checkouts: shop)");
}
