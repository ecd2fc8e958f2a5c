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
  // Cache (cache-aside: the application talks to the cache and the database).
  cache_get,              // app -> cache: hit, miss (maybe with a lease), or "wait"
  cache_get_reply,
  cache_set,              // app -> cache: fill after a miss (no answer)
  cache_invalidate,       // app -> cache after a database write: delete (no value) or update
  cache_invalidate_reply,
  // Services.
  call,       // caller -> service instance: run `endpoint`
  call_reply,
  // Inventory (a stock table) and the lock service.
  stock_read,
  stock_read_reply,
  stock_write,      // set the stock (commits and unlocks a row lock held by `token`)
  stock_write_reply,
  stock_lock,       // SELECT ... FOR UPDATE: answered once the row lock is granted
  stock_lock_reply,
  stock_unlock,     // give up a row lock, granted or still waited for (no answer)
  stock_decrement,  // UPDATE ... SET stock = stock - 1 WHERE stock > 0
  stock_decrement_reply,
  lock_acquire,     // -> lock service: answered once the lease is granted, with its fencing token
  lock_acquire_reply,
  lock_release,     // (no answer)
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
  std::uint64_t exchange = 0;  // one request and its answer (several per op: retries, calls); 0 if unused
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
  std::int64_t token = 0;         // a cache lease, a fencing token or a row lock id (0: none)
  bool hit = false;               // cache_get_reply: the value came from the cache
  std::string endpoint;           // call: which endpoint of the service
  double deadline_s = -1.0;       // lock_acquire / stock_lock: the requester gives up then (absolute)
  bool ok = true;
  bool unknown = false;          // call_reply, not ok: a dependency that may have changed state did not answer
  std::string error;             // why not ok: "behind", "not primary", ...
  std::int64_t size_bytes = 512;
};

} // namespace faultlab::engine
