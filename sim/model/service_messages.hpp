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

// Deploy controller -> service instance: restart running `version`. The
// instance leaves the load balancer, finishes what it accepted for up to
// `drain_s`, exits (dropping what is left), and answers once the new
// process is up `start_s` later: that answer is the health check.
struct Restart final : engine::Payload {
  std::string version;
  double drain_s = 0;
  double start_s = 0;
};
struct Restarted final : engine::Payload {
  std::string version;      // what it runs now
  std::int64_t dropped = 0; // requests still running when the old process exited
};

namespace service_kinds {
inline const engine::MessageKind call = engine::message_kind<Call>("call");
inline const engine::MessageKind call_reply = engine::message_kind<CallReply>("call_reply");
inline const engine::MessageKind restart = engine::message_kind<Restart>("restart");
inline const engine::MessageKind restarted = engine::message_kind<Restarted>("restarted");
} // namespace service_kinds

} // namespace faultlab::model
