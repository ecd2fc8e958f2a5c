// The payment provider as SimGrid actors.
//
// Every charge request is processed in an actor of its own (the provider is
// a big, concurrent system): it waits its processing time (now and then a
// slow one), then either declines or settles the charge in the ledger, then
// answers, unless the answer is lost on the way back. With an idempotency
// key, the first request with that key does the work; later ones with the
// same key get its result (they wait for it if it is still being
// processed) for as long as the key is kept.
//
// The ledger, the idempotency keys of finished requests and the webhook
// outbox are durable (a crash loses only requests in progress, which
// charged nothing: a charge settles in one step at the end). Every settled
// charge is recorded in the history as a `settled` op of the provider's
// client name (key: the order, value: the amount in cents, position: the
// charge id), so checkers can compare the ledger with what the checkout did.
#pragma once

#include "components/payment_provider/messages.hpp"
#include "components/payment_provider/spec.hpp"
#include "model/components.hpp"
#include "model/rpc.hpp"
#include "model/server.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace faultlab::model {

class PaymentProviderModel : public ComponentModel {
public:
  PaymentProviderModel(const scenario::PaymentProvider& spec, Context& context);
  void start() override;
  const scenario::PaymentProvider& spec() const { return spec_; }
  int node() const { return server_.node(); }

private:
  struct Result {
    bool ok = false;
    std::int64_t charge_id = 0;
    std::string error;
  };
  struct KeyRecord {
    double first_seen_s = 0;
    bool done = false;
    Result result;
    std::vector<std::shared_ptr<engine::Envelope>> waiters; // same key, first still in progress
  };
  struct Charge {
    std::string order;
    std::int64_t charge_id = 0;
    std::int64_t amount_cents = 0;
  };
  void serve();
  void process(std::shared_ptr<engine::Envelope> request);
  // Looks the key up: true when the request was answered or parked.
  bool replay_or_wait(std::shared_ptr<engine::Envelope>& request, const std::string& key);
  void answer(const engine::Envelope& request, const Result& result, bool replayed);
  void answer_ledger(const engine::Envelope& request);
  void send_webhook(std::int64_t event_id);
  void deliver(std::int64_t event_id);
  void trace(const ChargeRequest& charge, std::int64_t charge_id, const std::string& why);

  const scenario::PaymentProvider& spec_;
  Context& context_;
  Server server_;
  Rpc webhook_rpc_;
  util::Rng rng_;
  int webhook_node_ = -1;
  std::vector<Charge> ledger_;                               // in settlement order
  std::map<std::string, std::vector<std::size_t>> by_order_; // order -> its charges in the ledger
  std::map<std::string, KeyRecord> keys_;                    // idempotency key -> first request
  std::map<std::int64_t, WebhookEvent> outbox_;              // events not acknowledged yet
  std::int64_t next_charge_id_ = 1;
  std::int64_t next_event_id_ = 1;
};

} // namespace faultlab::model
