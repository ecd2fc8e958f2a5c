#include "components/payment_provider/model.hpp"

#include "history/json_line.hpp"
#include "model/invariant.hpp"

#include <algorithm>
#include <cmath>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Envelope;

namespace {
constexpr std::size_t kMaxWaitersPerKey = 16; // requests parked behind one in progress
constexpr std::size_t kMaxLedgerQuery = 1000; // orders per reconciliation query

// "49.99" from 4999: cents stay integers all the way to the text.
std::string money(std::int64_t cents) {
  const std::int64_t whole = cents / 100, rest = std::llabs(cents % 100);
  return std::to_string(whole) + "." + (rest < 10 ? "0" : "") + std::to_string(rest);
}
} // namespace

PaymentProviderModel::PaymentProviderModel(const scenario::PaymentProvider& spec, Context& context)
    : spec_(spec), context_(context), server_(context, context.network.node_index(spec.node), spec.name),
      webhook_rpc_(context, context.network.node_index(spec.node), spec.name + ".webhooks"),
      rng_(context.rng("payment_provider/" + spec.name)) {
  if (spec_.webhooks.enabled) {
    // Validation made sure `to` is a checkout; its node is where the events go.
    const scenario::ComponentSpec* target = context_.scenario.component(spec_.webhooks.to);
    webhook_node_ = context_.network.node_index(target->node_roles().front().node);
  }
}

void PaymentProviderModel::start() {
  server_.start([this] { serve(); },
                [this] {
                  // Requests in progress die with the node and charged nothing:
                  // their keys are free again, whoever waited on them is gone.
                  for (auto it = keys_.begin(); it != keys_.end();)
                    it = it->second.done ? std::next(it) : keys_.erase(it);
                  webhook_rpc_.reset();
                });
}

// Each charge in an actor of its own; ledger queries answered at once. After
// a restart, the outbox's events are sent again.
void PaymentProviderModel::serve() {
  for (const auto& [event_id, event] : outbox_)
    send_webhook(event_id);
  while (true) {
    std::shared_ptr<Envelope> request = server_.receive();
    if (request->kind == payment_kinds::ledger) {
      answer_ledger(*request);
      continue;
    }
    if (request->kind != payment_kinds::charge) continue;
    if (!context_.may_start_request_actor()) {
      answer(*request, Result{false, 0, "overloaded: too many requests in flight"}, false);
      continue;
    }
    ++context_.request_actors;
    sg4::Actor::create("charge", sg4::this_actor::get_host(), [this, request]() mutable {
      daemonize_self();
      struct Leave {
        std::int64_t& count;
        ~Leave() { --count; }
      } leave{context_.request_actors};
      process(std::move(request));
    });
  }
}

bool PaymentProviderModel::replay_or_wait(std::shared_ptr<Envelope>& request, const std::string& key) {
  const auto& charge = request->payload_as<ChargeRequest>();
  const double now = sg4::Engine::get_clock();
  auto it = keys_.find(key);
  if (it != keys_.end() && it->second.done && now - it->second.first_seen_s > spec_.key_retention_s) {
    trace(charge, 0,
          "idempotency key " + key + " expired (kept " + std::to_string(spec_.key_retention_s) +
              " s): treated as a new charge");
    keys_.erase(it);
    it = keys_.end();
  }
  if (it == keys_.end()) {
    keys_[key].first_seen_s = now;
    return false;
  }
  KeyRecord& record = it->second;
  if (record.done) {
    trace(charge, record.result.charge_id,
          "idempotent replay for " + charge.order + " (attempt " + std::to_string(charge.attempt) + ", key " +
              key + "): the first result sent again, nothing charged");
    answer(*request, record.result, true);
  } else if (record.waiters.size() >= kMaxWaitersPerKey) {
    answer(*request, Result{false, 0, "idempotency key in use: the first request is still being processed"},
           false);
  } else {
    trace(charge, 0,
          "attempt " + std::to_string(charge.attempt) + " for " + charge.order +
              " waits for the first request with key " + key);
    record.waiters.push_back(std::move(request));
  }
  return true;
}

void PaymentProviderModel::process(std::shared_ptr<Envelope> request) {
  const ChargeRequest charge = request->payload_as<ChargeRequest>();
  const std::string key = spec_.key_retention_s > 0 ? charge.idempotency_key : "";
  if (!key.empty() && replay_or_wait(request, key)) return;

  const bool slow = rng_.uniform() < spec_.slow_probability;
  sg4::this_actor::sleep_for(std::max(0.0, draw(slow ? spec_.slow : spec_.processing, rng_)));

  Result result;
  if (rng_.uniform() < spec_.decline) {
    result.error = "card declined";
    trace(charge, 0,
          "declined " + charge.order + " (attempt " + std::to_string(charge.attempt) + "): nothing charged");
  } else {
    const double now = sg4::Engine::get_clock();
    result.ok = true;
    result.charge_id = next_charge_id_++;
    FAULTLAB_INVARIANT(ledger_.empty() || ledger_.back().charge_id < result.charge_id,
                       "a charge id is never reused");
    by_order_[charge.order].push_back(ledger_.size());
    ledger_.push_back(Charge{charge.order, result.charge_id, charge.amount_cents});
    const std::size_t charges = by_order_[charge.order].size();
    const std::int64_t op = context_.recorder.invoke(now, charge.customer, spec_.name, "settled",
                                                     charge.order, charge.amount_cents);
    context_.recorder.complete(op, now, history::Outcome::ok, charge.amount_cents, spec_.node, "",
                               result.charge_id);
    std::string why = "charged " + money(charge.amount_cents) + " for " + charge.order + " (charge " +
                      std::to_string(result.charge_id) + ", attempt " + std::to_string(charge.attempt) +
                      ", " + (key.empty() ? std::string("no idempotency key") : "key " + key) + ")";
    if (charges > 1) why += ": charge number " + std::to_string(charges) + " for this order";
    trace(charge, result.charge_id, why);
  }
  if (!key.empty()) {
    KeyRecord& record = keys_[key];
    record.done = true;
    record.result = result;
    for (auto& waiter : record.waiters)
      answer(*waiter, result, true);
    record.waiters.clear();
  }
  answer(*request, result, false);
  if (spec_.webhooks.enabled) {
    WebhookEvent event;
    event.event_id = next_event_id_++;
    event.succeeded = result.ok;
    event.order = charge.order;
    event.charge_id = result.charge_id;
    event.amount_cents = charge.amount_cents;
    outbox_[event.event_id] = event;
    send_webhook(event.event_id);
  }
}

void PaymentProviderModel::answer(const Envelope& request, const Result& result, bool replayed) {
  const auto& charge = request.payload_as<ChargeRequest>();
  if (rng_.uniform() < spec_.answer_loss) {
    trace(charge, result.charge_id,
          "answer to attempt " + std::to_string(charge.attempt) + " for " + charge.order + " lost" +
              (result.ok ? " after charging it (charge " + std::to_string(result.charge_id) + ")" : ""));
    return;
  }
  auto reply = std::make_unique<ChargeReply>();
  reply->ok = result.ok;
  reply->charge_id = result.charge_id;
  reply->error = result.error;
  reply->replayed = replayed;
  server_.reply(request, payment_kinds::charge_reply, std::move(reply), spec_.message_bytes);
}

void PaymentProviderModel::answer_ledger(const Envelope& request) {
  auto reply = std::make_unique<LedgerReply>();
  const auto& query = request.payload_as<LedgerQuery>();
  for (std::size_t i = 0; i < query.orders.size() && i < kMaxLedgerQuery; ++i) {
    auto it = by_order_.find(query.orders[i]);
    if (it == by_order_.end()) continue;
    for (std::size_t at : it->second)
      reply->charges.push_back(
          LedgerEntry{ledger_[at].order, ledger_[at].charge_id, ledger_[at].amount_cents});
  }
  const std::int64_t size = spec_.message_bytes + 64 * static_cast<std::int64_t>(reply->charges.size());
  server_.reply(request, payment_kinds::ledger_reply, std::move(reply), size);
}

void PaymentProviderModel::send_webhook(std::int64_t event_id) {
  if (!context_.may_start_request_actor()) return; // stays in the outbox; sent again after a restart
  ++context_.request_actors;
  sg4::Actor::create("webhook", sg4::this_actor::get_host(), [this, event_id] {
    daemonize_self();
    struct Leave {
      std::int64_t& count;
      ~Leave() { --count; }
    } leave{context_.request_actors};
    deliver(event_id);
  });
}

// At least once: sent after a random delay (so events overtake each other),
// sometimes twice, and again after a growing backoff until acknowledged or
// out of retries.
void PaymentProviderModel::deliver(std::int64_t event_id) {
  const auto& w = spec_.webhooks;
  const std::string& port = w.to;
  for (int attempt = 0; attempt <= w.retries; ++attempt) {
    if (attempt > 0)
      sg4::this_actor::sleep_for(std::min(w.backoff_max_s, w.backoff_s * std::pow(2.0, attempt - 1)));
    sg4::this_actor::sleep_for(std::max(0.0, draw(w.delay, rng_)));
    auto found = outbox_.find(event_id);
    if (found == outbox_.end()) return; // a copy of this delivery was acknowledged
    const WebhookEvent event = found->second;
    const int copies = rng_.uniform() < w.duplicate ? 2 : 1;
    bool acknowledged = false;
    for (int copy = 0; copy < copies; ++copy) {
      auto message = std::make_unique<WebhookEvent>(event);
      auto answer =
          webhook_rpc_.call(webhook_node_, port,
                            engine::envelope(payment_kinds::webhook, std::move(message), spec_.message_bytes),
                            sg4::Engine::get_clock() + w.timeout_s);
      acknowledged = acknowledged || answer != nullptr;
    }
    if (acknowledged) {
      outbox_.erase(event_id);
      return;
    }
  }
  const WebhookEvent& event = outbox_[event_id];
  ChargeRequest about;
  about.order = event.order;
  about.amount_cents = event.amount_cents;
  trace(about, event.charge_id,
        "webhook " + std::to_string(event_id) + " for " + event.order + " given up after " +
            std::to_string(w.retries + 1) + " deliveries");
  outbox_.erase(event_id);
}

void PaymentProviderModel::trace(const ChargeRequest& charge, std::int64_t charge_id,
                                 const std::string& why) {
  if (!context_.trace) return;
  const double now = sg4::Engine::get_clock();
  history::JsonLine line(now, "state");
  line.str("node", spec_.node)
      .str("component", spec_.name)
      .str("key", charge.order)
      .integer("value", charge.amount_cents)
      .str("order", charge.order)
      .integer("amount_cents", charge.amount_cents);
  if (charge_id > 0) line.integer("charge", charge_id);
  if (!charge.idempotency_key.empty()) line.str("idempotency_key", charge.idempotency_key);
  line.integer("attempt", charge.attempt).str("why", why);
  context_.trace->add(now, line.done());
}

} // namespace faultlab::model
