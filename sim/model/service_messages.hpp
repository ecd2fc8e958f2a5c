// What callers and service instances say to each other.
#pragma once

#include "engine/message.hpp"

#include <string>

namespace faultlab::model {

// Caller -> service instance: run `endpoint` for `user`.
struct Call final : engine::Payload {
  std::string endpoint;
  std::string user; // "user:<n>": fills the {user} in the keys the endpoint touches
};
struct CallReply final : engine::Payload {
  bool ok = true;
  bool unknown = false; // not ok, and a dependency that may have changed state did not answer
  std::string error;    // why not ok
};

namespace service_kinds {
inline const engine::MessageKind call = engine::message_kind<Call>("call");
inline const engine::MessageKind call_reply = engine::message_kind<CallReply>("call_reply");
} // namespace service_kinds

} // namespace faultlab::model
