// What a client and the order API say to each other: HTTP requests whose
// bodies are JSON text (the bytes on the wire are the text's length).
#pragma once

#include "engine/message.hpp"

#include <string>

namespace faultlab::model {

// POST /orders: the client's label for the order (for the history).
struct CreateOrder final : engine::Payload {
  std::string label;
};
// 201 Created, with the order as JSON text.
struct OrderCreated final : engine::Payload {
  std::string body;
};
// GET /orders/<id>: the id as the client has it, as text in the URL.
struct GetOrder final : engine::Payload {
  std::string id;
};
struct OrderFound final : engine::Payload {
  int status = 200; // 200, 404 Not Found, 400 Bad Request
  std::string body;
};

namespace order_api_kinds {
inline const engine::MessageKind create = engine::message_kind<CreateOrder>("create_order");
inline const engine::MessageKind created = engine::message_kind<OrderCreated>("create_order_reply");
inline const engine::MessageKind get = engine::message_kind<GetOrder>("get_order");
inline const engine::MessageKind found = engine::message_kind<OrderFound>("get_order_reply");
} // namespace order_api_kinds

} // namespace faultlab::model
