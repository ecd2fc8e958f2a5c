#include "components/checkout/model.hpp"

#include "history/json_line.hpp"
#include "model/invariant.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Envelope;
using OnNoAnswer = scenario::Checkout::OnNoAnswer;

namespace {
constexpr std::size_t kMaxReconcileOrders = 1000; // orders asked about per round
constexpr double kReconcileTimeoutS = 5.0;
} // namespace

CheckoutModel::CheckoutModel(const scenario::Checkout& spec, Components& components, Context& context)
    : spec_(spec), context_(context), provider_(components.get<PaymentProviderModel>(spec.provider)),
      server_(context, context.network.node_index(spec.node), spec.name),
      reconciler_(context, context.network.node_index(spec.node), spec.name + ".reconcile"),
      rpc_(context, context.network.node_index(spec.node), spec.name + ".out"),
      reconcile_rpc_(context, context.network.node_index(spec.node), spec.name + ".ledger"),
      rng_(context.rng("checkout/" + spec.name)) {}

void CheckoutModel::start() {
  server_.start([this] { serve(); },
                [this] {
                  rpc_.reset();
                  // The requests charging these orders died with the node: the
                  // provider may have charged them, nobody will hear.
                  for (auto& [id, order] : orders_)
                    if (order.state == State::created) {
                      order.state = State::pending;
                      order.unsure = true;
                      trace(order, "left pending: the checkout crashed while charging " + id);
                    }
                });
  if (spec_.reconcile_every_s) reconciler_.start([this] { reconcile(); }, [this] { reconcile_rpc_.reset(); });
}

// Checkout requests each in an actor of their own; webhooks answered at once.
void CheckoutModel::serve() {
  while (true) {
    std::shared_ptr<Envelope> request = server_.receive();
    if (request->kind == payment_kinds::webhook) {
      compute(spec_.service_time_s);
      on_webhook(*request);
      continue;
    }
    if (request->kind != checkout_kinds::checkout) continue;
    if (!context_.may_start_request_actor()) {
      auto refusal = std::make_unique<CheckoutReply>();
      refusal->error = "overloaded: too many requests in flight";
      server_.reply(*request, checkout_kinds::checkout_reply, std::move(refusal), spec_.message_bytes);
      continue;
    }
    ++context_.request_actors;
    sg4::Actor::create("checkout", sg4::this_actor::get_host(), [this, request] {
      daemonize_self();
      struct Leave {
        std::int64_t& count;
        ~Leave() { --count; }
      } leave{context_.request_actors};
      compute(spec_.service_time_s);
      const auto& checkout = request->payload_as<CheckoutRequest>();
      Outcome outcome = handle(checkout);
      auto reply = std::make_unique<CheckoutReply>();
      reply->ok = outcome.ok;
      reply->unknown = outcome.unknown;
      reply->error = outcome.error;
      reply->amount_cents = orders_[checkout.order].amount_cents;
      server_.reply(*request, checkout_kinds::checkout_reply, std::move(reply), spec_.message_bytes);
    });
  }
}

CheckoutModel::Outcome CheckoutModel::handle(const CheckoutRequest& request) {
  FAULTLAB_INVARIANT(orders_.count(request.order) == 0, "an order is created once");
  Order& order = orders_[request.order];
  order.id = request.order;
  order.customer = request.customer;
  order.amount_cents = spec_.amount_min_cents +
                       static_cast<std::int64_t>(rng_.below(
                           static_cast<std::uint64_t>(spec_.amount_max_cents - spec_.amount_min_cents + 1)));
  trace(order, "order " + order.id + " created");
  const std::string key = spec_.idempotency_key ? "pay-" + order.id : "";
  const std::string& provider = provider_.spec().name;
  const int attempts = spec_.retries + 1;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    if (attempt > 1) {
      double wait_s = std::min(spec_.backoff_max_s, spec_.backoff_s * std::pow(2.0, attempt - 2));
      if (spec_.jitter) wait_s = rng_.uniform(0, wait_s);
      sg4::this_actor::sleep_for(wait_s);
      if (order.state == State::paid) return Outcome{true, false, ""}; // a webhook got there first
    }
    const double sent_s = sg4::Engine::get_clock();
    const std::int64_t op =
        context_.recorder.invoke(sent_s, order.customer, spec_.name, "charge", order.id, order.amount_cents);
    auto charge = std::make_unique<ChargeRequest>();
    charge->order = order.id;
    charge->customer = order.customer;
    charge->amount_cents = order.amount_cents;
    charge->idempotency_key = key;
    charge->attempt = attempt;
    std::unique_ptr<Envelope> answer =
        rpc_.call(provider_.node(), provider,
                  engine::envelope(payment_kinds::charge, std::move(charge), spec_.message_bytes, op),
                  sent_s + spec_.timeout_s);
    if (!answer) {
      context_.recorder.complete(op, sent_s + spec_.timeout_s, history::Outcome::info, std::nullopt, "",
                                 "timeout");
      order.unsure = true;
      trace(order, "attempt " + std::to_string(attempt) + " to charge " + order.id + " timed out" +
                       (attempt < attempts ? ": retrying" + (key.empty() ? std::string(" without a key")
                                                                         : " with key " + key)
                                           : ""));
      continue;
    }
    const auto& reply = answer->payload_as<ChargeReply>();
    const double now = sg4::Engine::get_clock();
    if (reply.ok) {
      context_.recorder.complete(op, now, history::Outcome::ok, order.amount_cents, provider_.spec().node, "",
                                 reply.charge_id);
      mark_paid(order, "charge " + std::to_string(reply.charge_id) + " answered" +
                           (reply.replayed ? " (the provider's first result, replayed for the key)" : ""));
      return Outcome{true, false, ""};
    }
    context_.recorder.complete(op, now, history::Outcome::fail, std::nullopt, provider_.spec().node,
                               reply.error);
    if (reply.error == "card declined") {
      if (order.state != State::paid) cancel(order, "card declined");
      return order.state == State::paid ? Outcome{true, false, ""} : Outcome{false, false, "card declined"};
    }
  }
  if (order.state == State::paid) return Outcome{true, false, ""};
  if (!order.unsure) {
    cancel(order, "the provider refused every attempt");
    return Outcome{false, false, "payment failed: the provider refused every attempt"};
  }
  const std::string tried = std::to_string(attempts) + (attempts == 1 ? " attempt" : " attempts");
  switch (spec_.on_no_answer) {
  case OnNoAnswer::cancel:
    cancel(order, "no answer from " + provider + " after " + tried);
    return Outcome{false, false, "payment failed: no answer from the payment provider"};
  case OnNoAnswer::pending:
    order.state = State::pending;
    trace(order, order.id + " left pending: no answer from " + provider + " after " + tried);
    return Outcome{false, true, "payment pending: no answer from the payment provider yet"};
  case OnNoAnswer::assume_paid:
    mark_paid(order, "no answer after " + tried + ": assumed paid");
    return Outcome{true, false, ""};
  }
  return Outcome{};
}

void CheckoutModel::on_webhook(const Envelope& request) {
  const auto& event = request.payload_as<WebhookEvent>();
  auto found = orders_.find(event.order);
  if (found != orders_.end()) {
    Order& order = found->second;
    const std::string what =
        "webhook " + std::to_string(event.event_id) + " (charge " +
        (event.succeeded ? std::to_string(event.charge_id) + " succeeded" : std::string("failed")) + ")";
    if (event.succeeded && order.state != State::paid) {
      mark_paid(order, what);
      order.unsure = false;
    } else if (!event.succeeded && order.state == State::pending) {
      cancel(order, what);
      order.unsure = false;
    } else {
      trace(order, what + " for " + order.id + " changes nothing: already " +
                       (order.state == State::paid        ? "paid"
                        : order.state == State::cancelled ? "cancelled"
                                                          : "being charged"));
    }
  }
  auto ack = std::make_unique<WebhookAck>();
  ack->event_id = event.event_id;
  server_.reply(request, payment_kinds::webhook_reply, std::move(ack), 128);
}

// Every period: ask the provider's ledger about the orders the checkout is
// unsure of, and mark paid those it charged.
void CheckoutModel::reconcile() {
  while (true) {
    sg4::this_actor::sleep_for(*spec_.reconcile_every_s);
    auto query = std::make_unique<LedgerQuery>();
    for (const auto& [id, order] : orders_)
      if (order.unsure && order.state != State::paid && query->orders.size() < kMaxReconcileOrders)
        query->orders.push_back(id);
    if (query->orders.empty()) continue;
    std::unique_ptr<Envelope> answer =
        reconcile_rpc_.call(provider_.node(), provider_.spec().name,
                            engine::envelope(payment_kinds::ledger, std::move(query), spec_.message_bytes),
                            sg4::Engine::get_clock() + kReconcileTimeoutS);
    if (!answer) continue;
    for (const LedgerEntry& entry : answer->payload_as<LedgerReply>().charges) {
      auto found = orders_.find(entry.order);
      if (found == orders_.end() || found->second.state == State::paid) continue;
      mark_paid(found->second, "reconciliation: the ledger has charge " + std::to_string(entry.charge_id));
      found->second.unsure = false;
    }
  }
}

void CheckoutModel::mark_paid(Order& order, const std::string& why) {
  if (order.state == State::paid) return;
  order.state = State::paid;
  record(order, "mark_paid");
  trace(order, order.id + " marked paid: " + why);
}

void CheckoutModel::cancel(Order& order, const std::string& why) {
  FAULTLAB_INVARIANT(order.state != State::paid, "a paid order is never cancelled");
  order.state = State::cancelled;
  record(order, "cancel");
  trace(order, order.id + " cancelled: " + why);
}

void CheckoutModel::record(const Order& order, const char* f) {
  const double now = sg4::Engine::get_clock();
  const std::int64_t op =
      context_.recorder.invoke(now, order.customer, spec_.name, f, order.id, order.amount_cents);
  context_.recorder.complete(op, now, history::Outcome::ok, order.amount_cents, spec_.node);
}

void CheckoutModel::trace(const Order& order, const std::string& why) {
  if (!context_.trace) return;
  const double now = sg4::Engine::get_clock();
  context_.trace->add(now, history::JsonLine(now, "state")
                               .str("node", spec_.node)
                               .str("component", spec_.name)
                               .str("key", order.id)
                               .integer("value", order.amount_cents)
                               .str("order", order.id)
                               .integer("amount_cents", order.amount_cents)
                               .str("why", why)
                               .done());
}

std::string CheckoutClient::key_for(std::size_t index, const ClientRequest& request) {
  (void)index;
  (void)request;
  return spec_.key_prefix + std::to_string(next_order_++);
}

void CheckoutClient::perform(const ClientRequest& request) {
  const double start_s = now();
  const std::int64_t op =
      context_.recorder.invoke(start_s, request.session, spec_.name, "checkout", request.key, std::nullopt);
  const double deadline_s = start_s + spec_.timeout_s;
  auto message = std::make_unique<CheckoutRequest>();
  message->order = request.key;
  message->customer = request.session;
  std::unique_ptr<Envelope> answer = rpc_.call(
      checkout_.node(), checkout_.spec().name,
      engine::envelope(checkout_kinds::checkout, std::move(message), checkout_.spec().message_bytes, op),
      deadline_s);
  if (!answer) {
    context_.recorder.complete(op, deadline_s, history::Outcome::info, std::nullopt, "", "timeout");
    return;
  }
  const auto& reply = answer->payload_as<CheckoutReply>();
  const history::Outcome outcome = reply.ok        ? history::Outcome::ok
                                   : reply.unknown ? history::Outcome::info
                                                   : history::Outcome::fail;
  context_.recorder.complete(op, now(), outcome,
                             reply.ok ? std::optional<std::int64_t>(reply.amount_cents) : std::nullopt,
                             checkout_.spec().node, reply.error);
}

} // namespace faultlab::model
