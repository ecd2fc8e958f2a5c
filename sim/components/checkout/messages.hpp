// What a customer and the checkout say to each other.
#pragma once

#include "engine/message.hpp"

#include <cstdint>
#include <string>

namespace faultlab::model {

// Customer -> checkout: place and pay this order.
struct CheckoutRequest final : engine::Payload {
  std::string order;
  std::int64_t customer = 0;
};
struct CheckoutReply final : engine::Payload {
  bool ok = false;      // paid
  bool unknown = false; // pending: the checkout does not know yet
  std::int64_t amount_cents = 0;
  std::string error; // why not paid
};

namespace checkout_kinds {
inline const engine::MessageKind checkout = engine::message_kind<CheckoutRequest>("checkout");
inline const engine::MessageKind checkout_reply = engine::message_kind<CheckoutReply>("checkout_reply");
} // namespace checkout_kinds

} // namespace faultlab::model
