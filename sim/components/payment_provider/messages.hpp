// What a checkout and a payment provider say to each other. Amounts are
// integer cents everywhere: no floating point comes near money.
#pragma once

#include "engine/message.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace faultlab::model {

// Checkout -> provider: charge the customer for an order.
struct ChargeRequest final : engine::Payload {
  std::string order;
  std::int64_t customer = 0;
  std::int64_t amount_cents = 0;
  std::string idempotency_key; // "" for none
  int attempt = 1;             // which attempt of the checkout this is (for the trace)
};
struct ChargeReply final : engine::Payload {
  bool ok = false;            // charged
  std::int64_t charge_id = 0; // when ok
  std::string error;          // "card declined", "overloaded", ...
  bool replayed = false;      // the first result for this idempotency key, sent again
};

// Checkout -> provider: the settled charges of these orders (reconciliation).
struct LedgerQuery final : engine::Payload {
  std::vector<std::string> orders;
};
struct LedgerEntry {
  std::string order;
  std::int64_t charge_id = 0;
  std::int64_t amount_cents = 0;
};
struct LedgerReply final : engine::Payload {
  std::vector<LedgerEntry> charges;
};

// Provider -> checkout: an event about a charge, delivered at least once.
struct WebhookEvent final : engine::Payload {
  std::int64_t event_id = 0;
  bool succeeded = true; // charge.succeeded, else charge.failed
  std::string order;
  std::int64_t charge_id = 0;
  std::int64_t amount_cents = 0;
};
struct WebhookAck final : engine::Payload {
  std::int64_t event_id = 0;
};

namespace payment_kinds {
inline const engine::MessageKind charge = engine::message_kind<ChargeRequest>("charge");
inline const engine::MessageKind charge_reply = engine::message_kind<ChargeReply>("charge_reply");
inline const engine::MessageKind ledger = engine::message_kind<LedgerQuery>("ledger_query");
inline const engine::MessageKind ledger_reply = engine::message_kind<LedgerReply>("ledger_query_reply");
inline const engine::MessageKind webhook = engine::message_kind<WebhookEvent>("webhook");
inline const engine::MessageKind webhook_reply = engine::message_kind<WebhookAck>("webhook_reply");
} // namespace payment_kinds

} // namespace faultlab::model
