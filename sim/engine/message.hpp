// One message on the simulated network. Models fill in the fields their
// protocol uses; the network layer only looks at the addressing fields.
//
// Ownership: a message is always owned by exactly one party: the sender
// until send(), then the Network (while it is in flight), then the receiver
// as a std::unique_ptr. Messages that are never received (dropped, or left in
// a mailbox when the simulation ends) are freed by the Network.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace faultlab::engine {

enum class MsgKind {
  read,          // client -> replica group member
  read_reply,    // member -> client
  write,         // client -> primary
  write_reply,   // primary -> client
  replicate,     // primary -> replica: one log entry
  catchup,       // replica -> primary: "send me entries from `position`"
};

const char* to_string(MsgKind kind);

struct Message {
  // Set by the network layer.
  std::uint64_t id = 0;
  int from = -1; // node index
  int to = -1;
  std::uint32_t to_incarnation = 0; // messages to an older life of the node are lost
  double sent_s = 0.0;

  // Set by the model.
  MsgKind kind = MsgKind::read;
  std::int64_t op = -1;        // the client op this belongs to, if any
  std::string reply_to;        // mailbox name for the answer
  std::string key;
  std::optional<std::int64_t> value;
  std::int64_t position = 0;     // log position (write ack, replicate, catchup)
  std::int64_t min_position = 0; // read-your-writes: answer only if caught up to this
  bool ok = true;
  std::string error;             // why not ok: "behind", "not primary", ...
  std::int64_t size_bytes = 512;
};

} // namespace faultlab::engine
