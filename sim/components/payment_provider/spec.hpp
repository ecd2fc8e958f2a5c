// A payment provider (a card processor behind an HTTP API): a ledger of
// charges in integer cents, a processing time with a slow tail, answers
// that can be lost after the charge went through, optional idempotency
// keys, and webhooks delivered at least once to a checkout.
#pragma once

#include "scenario/component.hpp"
#include "scenario/config.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace faultlab::scenario {

struct PaymentProvider : ComponentSpec {
  // Where charge.succeeded / charge.failed events go, and how hard the
  // provider tries: each event is sent after `delay` (so events overtake
  // each other), waits `timeout` for an acknowledgement, and is sent again
  // after a backoff that doubles up to `backoff_max`, at most `retries`
  // more times; with probability `duplicate` a delivery is sent twice.
  struct Webhooks {
    bool enabled = false;
    std::string to; // a checkout
    Distribution delay{Distribution::Kind::uniform, 0.05, 0.5};
    int retries = 5;
    double backoff_s = 1.0;
    double backoff_max_s = 30.0;
    double timeout_s = 1.0;
    double duplicate = 0.0;
  };

  std::string node;
  Distribution processing{Distribution::Kind::uniform, 0.1, 0.3};
  double slow_probability = 0.0; // a charge takes `slow` instead of `processing`
  Distribution slow{Distribution::Kind::uniform, 2.0, 4.0};
  double answer_loss = 0.0;       // the charge is made, the answer never arrives
  double decline = 0.0;           // the card is declined (nothing is charged)
  double key_retention_s = 86400; // idempotency keys kept this long; 0: keys ignored
  Webhooks webhooks;
  std::int64_t message_bytes = 512;

  std::vector<NodeRole> node_roles() const override;
  std::vector<std::string> client_ops() const override;
  ClientRules client_rules() const override;
  void check_references(const Scenario& scenario, const Origin& origin) const override;
  void add_to_design(topo::Design& design, const Scenario& scenario) const override;
};

// Reads one component of this type from `r` (its "type" already read).
std::shared_ptr<ComponentSpec> read_payment_provider(const std::string& name, ObjectReader& r,
                                                     const Topology& topology);

} // namespace faultlab::scenario

namespace faultlab::components {
// Registers the type: its scenario reader and its model.
void register_payment_provider();
} // namespace faultlab::components
