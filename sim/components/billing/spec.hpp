// A billing service with a scheduler: customers in time zones, a renewal
// charged every day at a time of day ("09:00") read from the billing node's
// wall clock, in the server's zone or in each customer's, one-off purchases
// the customers make, every charge made through a payment provider and
// stored as a row, and an end-of-day report job that sums the rows of one
// day, a day bounded by midnight in the server's zone or the business's.
#pragma once

#include "check/local_time.hpp"
#include "scenario/component.hpp"
#include "scenario/config.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace faultlab::scenario {

struct Billing : ComponentSpec {
  struct Customer {
    std::string name; // "<group>-<n>"
    int zone = 0;     // index in zones
  };
  std::string node;
  std::string provider;                        // a payment_provider
  std::vector<check::local_time::Zone> zones;  // "UTC" first
  int server_zone = 0;                         // the billing node's TZ setting
  int business_zone = 0;                       // whose days the reports are about
  std::vector<Customer> customers;             // in scenario order, then number
  std::int64_t start_day = 0;                  // date of simulated time 0 (days since 1970-01-01)
  // The daily renewal: at `renewal_at_s` after local midnight, in the
  // server's zone or in each customer's.
  double renewal_at_s = 9 * 3600.0;
  bool renewal_in_customer_zone = false;
  std::int64_t renewal_cents = 1500;
  bool idempotency_key = false; // the renewal of a customer and day carries a key
  double charge_timeout_s = 5.0;
  // Where a renewal may fall, in the customer's local time (what the
  // checker holds it to).
  double allowed_from_s = 8 * 3600.0;
  double allowed_to_s = 20 * 3600.0;
  // The end-of-day report: at `report_at_s` after midnight, for the day
  // before, in the server's zone or in the business's.
  double report_at_s = 30 * 60.0;
  bool report_in_business_zone = false;
  std::int64_t purchase_min_cents = 500;
  std::int64_t purchase_max_cents = 5000;
  double service_time_s = 0.0005;
  std::int64_t message_bytes = 512;

  std::vector<NodeRole> node_roles() const override;
  std::vector<std::string> client_ops() const override;
  ClientRules client_rules() const override;
  std::optional<int> key_count_for(const Client& client) const override;
  void check_references(const Scenario& scenario, const Origin& origin) const override;
  void add_to_design(topo::Design& design, const Scenario& scenario) const override;
  void add_checker_facts(check::CheckOptions& options) const override;
};

std::shared_ptr<ComponentSpec> read_billing(const std::string& name, ObjectReader& r, const Topology& topology);

} // namespace faultlab::scenario

namespace faultlab::components {
// Registers the type: its scenario reader, its model and the customers' driver.
void register_billing();
} // namespace faultlab::components
