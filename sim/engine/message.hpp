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
#include <vector>

namespace faultlab::engine {

enum class MsgKind {
  read,          // client -> replica group member
  read_reply,    // member -> client
  write,         // client -> primary
  write_reply,   // primary -> client
  replicate,     // primary -> replica: one log entry
  replicate_ack, // replica -> primary: applied up to `position` (or a newer term seen)
  sync_request,  // replica -> primary: "here is my log, send me what I miss"
  sync,          // primary -> replica: truncate to `truncate_to`, then these entries
  heartbeat,     // primary -> everyone: "I lead in `term`"
  heartbeat_ack, // -> primary
  vote_request,  // candidate -> everyone
  vote_reply,    // -> candidate
};

// One entry of a replicated log. `term` and `origin` (the node that created
// it) identify it: two entries at the same position are the same entry only
// if both match.
struct LogEntry {
  std::int64_t term = 0;
  int origin = -1;
  std::string key;
  std::int64_t value = 0;
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
  std::int64_t term = 0;          // the sender's term (fencing token)
  int leader = -1;                // who the sender believes leads, -1 if nobody
  bool want_primary = false;      // a read that must be served by the primary
  bool granted = false;           // vote_reply
  double sender_clock_s = 0.0;    // the sender's own clock when it sent this (see Network::local_time_s)
  double echo_s = 0.0;            // acks: sender_clock_s of the acknowledged message (leases count from then)
  std::optional<LogEntry> entry;  // replicate
  std::int64_t prev_term = 0;     // replicate: identity of the entry before it
  int prev_origin = -1;
  std::vector<std::pair<std::int64_t, int>> signature; // sync_request: (term, origin) of every entry
  std::vector<LogEntry> entries;  // sync
  std::int64_t truncate_to = 0;   // sync
  bool ok = true;
  std::string error;             // why not ok: "behind", "not primary", ...
  std::int64_t size_bytes = 512;
};

} // namespace faultlab::engine
