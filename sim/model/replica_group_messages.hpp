// What the members of a replica group and their clients say to each other.
#pragma once

#include "engine/message.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace faultlab::model {

// One entry of a replicated log. `term` and `origin` (the node that created
// it) identify it: two entries at the same position are the same entry only
// if both match.
struct LogEntry {
  std::int64_t term = 0;
  int origin = -1;
  std::string key;
  std::int64_t value = 0;
};

// Client -> member.
struct GroupRead final : engine::Payload {
  std::string key;
  std::int64_t min_position = 0; // read-your-writes: answer only if caught up to this
  bool want_primary = false;     // only the primary may answer
};
struct GroupWrite final : engine::Payload {
  std::string key;
  std::int64_t value = 0;
};
// Member -> client, for both.
struct GroupReply final : engine::Payload {
  bool ok = true;
  std::string error; // why not ok: "behind", "not primary", "not ready"
  std::optional<std::int64_t> value;
  std::int64_t position = 0; // write: its log position; read: the member's applied position
  std::int64_t term = 0;
  int leader = -1; // who the member believes leads, -1 if nobody
};

// Member -> member: every one carries the sender's term, whom it believes
// leads, and its own clock (leases count from when a message was sent).
struct PeerMessage : engine::Payload {
  std::int64_t term = 0;
  int leader = -1;
  double sender_clock_s = 0.0; // see Network::local_time_s
};
struct Replicate final : PeerMessage { // one log entry
  std::int64_t position = 0;
  LogEntry entry;
  std::int64_t prev_term = 0; // identity of the entry before it
  int prev_origin = -1;
};
struct ReplicateAck final : PeerMessage { // applied up to `position`, or (not ok) a newer term seen
  bool ok = true;
  std::int64_t position = 0;
  double echo_s = 0.0; // sender_clock_s of the acknowledged message
};
struct SyncRequest final : PeerMessage { // "here is my log, send me what I miss"
  std::vector<std::pair<std::int64_t, int>> signature; // (term, origin) of every entry
};
struct Sync final : PeerMessage { // truncate to `truncate_to`, then these entries
  std::int64_t truncate_to = 0;
  std::vector<LogEntry> entries;
};
struct Heartbeat final : PeerMessage { // "I lead in `term`"
  std::int64_t log_length = 0;
};
struct HeartbeatAck final : PeerMessage {
  bool ok = true; // not ok: refused, the sender's term is over
  double echo_s = 0.0;
};
struct VoteRequest final : PeerMessage {
  std::int64_t last_log_term = 0;
  std::int64_t last_log_index = 0;
};
struct VoteReply final : PeerMessage {
  bool granted = false;
};

namespace group_kinds {
inline const engine::MessageKind read = engine::message_kind<GroupRead>("read");
inline const engine::MessageKind read_reply = engine::message_kind<GroupReply>("read_reply");
inline const engine::MessageKind write = engine::message_kind<GroupWrite>("write");
inline const engine::MessageKind write_reply = engine::message_kind<GroupReply>("write_reply");
inline const engine::MessageKind replicate = engine::message_kind<Replicate>("replicate");
inline const engine::MessageKind replicate_ack = engine::message_kind<ReplicateAck>("replicate_ack");
inline const engine::MessageKind sync_request = engine::message_kind<SyncRequest>("sync_request");
inline const engine::MessageKind sync = engine::message_kind<Sync>("sync");
inline const engine::MessageKind heartbeat = engine::message_kind<Heartbeat>("heartbeat");
inline const engine::MessageKind heartbeat_ack = engine::message_kind<HeartbeatAck>("heartbeat_ack");
inline const engine::MessageKind vote_request = engine::message_kind<VoteRequest>("vote_request");
inline const engine::MessageKind vote_reply = engine::message_kind<VoteReply>("vote_reply");
} // namespace group_kinds

} // namespace faultlab::model
