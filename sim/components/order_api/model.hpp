// The order API as a SimGrid actor, and its JavaScript client.
//
// POST /orders: the API draws the order's products from the catalog, writes
// the order to its database (the total exactly, in cents; the id a 64-bit
// Snowflake id from the node's wall clock) and records what it wrote as
// `stored` ops. Then it answers with JSON: with `money: double` it computes
// the total the way JavaScript code would, parseFloat of each price added up
// in IEEE doubles, and writes it with Number.prototype.toString; with
// `minor_units` it writes the integer cents as "total_cents". With `ids:
// number` the id is a JSON number, with `string` a JSON string.
//
// The client parses the JSON as JavaScript's JSON.parse does (every number a
// double), records the values as it now holds them (`received` ops), and
// fetches the order back by the id it holds: GET /orders/<id>.
//
// A stored or received op's key is "<order>/<field>=<value as text>"
// (sim/check/value_corruption.cpp).
#pragma once

#include "components/order_api/messages.hpp"
#include "components/order_api/spec.hpp"
#include "model/components.hpp"
#include "model/driver.hpp"
#include "model/server.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace faultlab::model {

class OrderApiModel : public ComponentModel {
public:
  OrderApiModel(const scenario::OrderApi& spec, Context& context);
  void start() override;
  const scenario::OrderApi& spec() const { return spec_; }
  int node() const { return server_.node(); }

  static constexpr std::int64_t kHeaderBytes = 200; // an HTTP request's or answer's headers

private:
  struct Order {
    std::uint64_t id = 0;
    std::int64_t total_cents = 0;
    std::vector<int> products; // catalog indices
  };
  void handle(const engine::Envelope& request);
  std::uint64_t next_id();
  std::string body_of(const Order& order) const;

  const scenario::OrderApi& spec_;
  Context& context_;
  Server server_;
  util::Rng rng_;
  std::map<std::uint64_t, Order> orders_; // the database, by id; survives a crash
  std::int64_t last_ms_ = -1;
  std::int64_t sequence_ = 0;
};

class OrderApiClient : public ClientDriver {
public:
  OrderApiClient(const scenario::Client& spec, Context& context, int node, util::Rng& rng, const OrderApiModel& api)
      : ClientDriver(spec, context, node, rng), api_(api) {}
  // A new order per request: "<keys.prefix><n>", n counting from 1.
  std::string key_for(std::size_t index, const ClientRequest& request) override;
  void perform(const ClientRequest& request) override;

private:
  void received(std::int64_t session, const std::string& key);
  const OrderApiModel& api_;
  std::int64_t next_order_ = 1;
};

} // namespace faultlab::model
