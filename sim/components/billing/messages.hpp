// What a customer's app and the billing say to each other.
#pragma once

#include "engine/message.hpp"

#include <cstdint>
#include <string>

namespace faultlab::model {

// App -> billing: a one-off purchase by a customer, charged at once.
struct PurchaseRequest final : engine::Payload {
  std::int64_t customer = 0; // index in the billing's customer list
};
struct PurchaseReply final : engine::Payload {
  bool ok = false;
  bool unknown = false; // the provider did not answer: the money may be taken
  std::int64_t amount_cents = 0;
  std::string error;
};

namespace billing_kinds {
inline const engine::MessageKind purchase = engine::message_kind<PurchaseRequest>("purchase");
inline const engine::MessageKind purchase_reply = engine::message_kind<PurchaseReply>("purchase_reply");
} // namespace billing_kinds

} // namespace faultlab::model
