// An order API in front of its database, and the JSON between it and a
// JavaScript client. The database is exact (prices in DECIMAL, ids in
// BIGINT from a Snowflake-style generator); what the client reads depends on
// how the API puts numbers in JSON: money as a double summed in floating
// point or as integer minor units (cents), ids as JSON numbers or strings.
#pragma once

#include "scenario/component.hpp"
#include "scenario/config.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace faultlab::scenario {

struct OrderApi : ComponentSpec {
  struct Product {
    std::string name;
    std::string price; // as written in the catalog, "19.99"
    std::int64_t cents = 0;
  };
  std::string node;
  std::vector<Product> catalog; // in scenario order
  int items_min = 1;
  int items_max = 5;
  bool money_as_double = true; // else integer minor units ("total_cents")
  bool ids_as_numbers = true;  // else strings
  // The id generator: milliseconds since `id_epoch` (from the node's wall
  // clock, simulated time 0 being midnight UTC of `start_date`) in the top
  // 41 bits, the worker in the next 10, a per-millisecond sequence in the
  // last 12 (Twitter's Snowflake layout).
  std::int64_t id_epoch_day = 0;
  std::int64_t start_day = 0;
  int worker_id = 1;
  double service_time_s = 0.0005;

  std::vector<NodeRole> node_roles() const override;
  std::vector<std::string> client_ops() const override;
  ClientRules client_rules() const override;
  void add_to_design(topo::Design& design, const Scenario& scenario) const override;
};

std::shared_ptr<ComponentSpec> read_order_api(const std::string& name, ObjectReader& r, const Topology& topology);

} // namespace faultlab::scenario

namespace faultlab::components {
// Registers the type: its scenario reader, its model and the clients' driver.
void register_order_api();
} // namespace faultlab::components
