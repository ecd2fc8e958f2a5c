// The checkout as SimGrid actors, and the customers' driver.
//
// Each checkout request runs in an actor of its own: create the order,
// charge it (each attempt with a timeout; retries after a backoff that
// doubles; every attempt of one order with the same idempotency key when
// the design says so), then mark it paid on an answer, cancel it on a
// decline, and when no attempt got an answer do what `on_no_answer` says:
// cancel it (and tell the customer the payment failed), leave it pending,
// or assume it was paid. Webhooks from the provider and the reconciliation
// job (which asks the provider's ledger about every order the checkout is
// unsure of) mark orders paid later.
//
// The orders table is durable. The history gets what the checkout did, as
// ops of its own client name: `charge` (one per attempt, as the checkout saw
// it: ok with the charge id as position, fail, or info after a timeout),
// `mark_paid` and `cancel` (instant ops when the order changes state).
#pragma once

#include "components/checkout/messages.hpp"
#include "components/checkout/spec.hpp"
#include "components/payment_provider/model.hpp"
#include "model/components.hpp"
#include "model/driver.hpp"
#include "model/server.hpp"

#include <map>
#include <memory>
#include <string>

namespace faultlab::model {

class CheckoutModel : public ComponentModel {
public:
  CheckoutModel(const scenario::Checkout& spec, Components& components, Context& context);
  void start() override;
  const scenario::Checkout& spec() const { return spec_; }
  int node() const { return server_.node(); }

private:
  enum class State { created, pending, paid, cancelled };
  struct Order {
    std::string id;
    std::int64_t customer = 0;
    std::int64_t amount_cents = 0;
    State state = State::created;
    bool unsure = false; // some attempt got no answer: the provider may have charged it
  };
  struct Outcome {
    bool ok = false, unknown = false;
    std::string error;
  };
  void serve();
  Outcome handle(const CheckoutRequest& request);
  void on_webhook(const engine::Envelope& request);
  void reconcile();
  void mark_paid(Order& order, const std::string& why);
  void cancel(Order& order, const std::string& why);
  void record(const Order& order, const char* f);
  void trace(const Order& order, const std::string& why);

  const scenario::Checkout& spec_;
  Context& context_;
  const PaymentProviderModel& provider_;
  Server server_;
  Server reconciler_; // the reconciliation job, restarted with the node
  Rpc rpc_;
  Rpc reconcile_rpc_;
  util::Rng rng_;
  std::map<std::string, Order> orders_; // durable
};

class CheckoutClient : public ClientDriver {
public:
  CheckoutClient(const scenario::Client& spec, Context& context, int node, util::Rng& rng,
                 const CheckoutModel& checkout)
      : ClientDriver(spec, context, node, rng), checkout_(checkout) {}
  // A new order per request: "<keys.prefix><n>", n counting from 1.
  std::string key_for(std::size_t index, const ClientRequest& request) override;
  void perform(const ClientRequest& request) override;

private:
  const CheckoutModel& checkout_;
  std::int64_t next_order_ = 1;
};

} // namespace faultlab::model
