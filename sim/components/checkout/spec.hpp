// A checkout: the shop's order service. It creates an order, charges the
// customer through a payment provider (with a timeout, retries and maybe an
// idempotency key), and marks the order paid on an answer, on a webhook, or
// when its reconciliation job finds the charge in the provider's ledger.
#pragma once

#include "scenario/component.hpp"
#include "scenario/config.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace faultlab::scenario {

struct Checkout : ComponentSpec {
  // What the checkout does with an order when no attempt got an answer.
  enum class OnNoAnswer { cancel, pending, assume_paid };
  std::string node;
  std::string provider;                 // a payment_provider
  std::int64_t amount_min_cents = 4999; // each order's amount: uniform, whole cents
  std::int64_t amount_max_cents = 4999;
  double timeout_s = 1.0; // per charge attempt
  int retries = 0;
  double backoff_s = 0.5;     // before the first retry; doubles per retry
  double backoff_max_s = 4.0; // up to this
  bool jitter = false;
  bool idempotency_key = false; // every attempt for an order carries the same key
  OnNoAnswer on_no_answer = OnNoAnswer::cancel;
  std::optional<double> reconcile_every_s; // the reconciliation job's period
  double service_time_s = 0.0005;
  std::int64_t message_bytes = 512;

  std::vector<NodeRole> node_roles() const override;
  std::vector<std::string> client_ops() const override;
  ClientRules client_rules() const override;
  void check_references(const Scenario& scenario, const Origin& origin) const override;
  void add_to_design(topo::Design& design, const Scenario& scenario) const override;
};

// Reads one component of this type from `r` (its "type" already read).
std::shared_ptr<ComponentSpec> read_checkout(const std::string& name, ObjectReader& r,
                                             const Topology& topology);

} // namespace faultlab::scenario

namespace faultlab::components {
// Registers the type: its scenario reader, its model and the customers' driver.
void register_checkout();
} // namespace faultlab::components
