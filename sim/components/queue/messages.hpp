// What producers, consumers and brokers of a queue say to each other.
#pragma once

#include "engine/message.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace faultlab::model {

// Producer -> the partition's broker: append one message.
struct QueueProduce final : engine::Payload {
  int topic = 0; // index in the queue's topics
  int partition = 0;
  std::string key;
  std::int64_t produce_op = -1; // the user's request that produced it
};
struct QueueProduceReply final : engine::Payload {
  std::int64_t offset = -1;
  std::string error; // "" when appended
};

// One message as a fetch returns it.
struct QueueEntry {
  std::int64_t offset = 0;
  std::string key;
  std::int64_t produce_op = -1;
  double appended_s = 0;
};

// Consumer -> the partition's broker: messages from `offset` on.
struct QueueFetch final : engine::Payload {
  int topic = 0;
  int partition = 0;
  std::int64_t offset = 0;
  std::int64_t max = 1;
};
struct QueueFetchReply final : engine::Payload {
  std::vector<QueueEntry> entries;
  std::int64_t log_start = 0; // the oldest offset still kept
  std::int64_t log_end = 0;   // the offset the next message will get
  bool out_of_range = false;  // `offset` was deleted by retention
};

// Consumer -> the group coordinator: alive; which partitions are mine?
struct QueueHeartbeat final : engine::Payload {
  int group = 0; // index in the queue's groups
  std::string member;
  std::vector<int> released; // partitions it was asked to give up and has (after its last commit)
};
struct QueueHeartbeatReply final : engine::Payload {
  std::vector<int> owned;              // partitions this member owns and keeps
  std::vector<std::int64_t> committed; // their committed offsets, in the same order
  std::vector<int> revoke;             // partitions it owns that go to another member: finish, commit, release
};

// Consumer -> the group coordinator: the group has processed `partition`
// up to (not including) `offset`.
struct QueueCommit final : engine::Payload {
  int group = 0;
  std::string member;
  int partition = 0;
  std::int64_t offset = 0;
};
struct QueueCommitReply final : engine::Payload {
  std::string error; // "" when stored; else the member no longer owns the partition
};

namespace queue_kinds {
inline const engine::MessageKind produce = engine::message_kind<QueueProduce>("queue_produce");
inline const engine::MessageKind produce_reply = engine::message_kind<QueueProduceReply>("queue_produce_reply");
inline const engine::MessageKind fetch = engine::message_kind<QueueFetch>("queue_fetch");
inline const engine::MessageKind fetch_reply = engine::message_kind<QueueFetchReply>("queue_fetch_reply");
inline const engine::MessageKind heartbeat = engine::message_kind<QueueHeartbeat>("queue_heartbeat");
inline const engine::MessageKind heartbeat_reply = engine::message_kind<QueueHeartbeatReply>("queue_heartbeat_reply");
inline const engine::MessageKind commit = engine::message_kind<QueueCommit>("queue_commit");
inline const engine::MessageKind commit_reply = engine::message_kind<QueueCommitReply>("queue_commit_reply");
} // namespace queue_kinds

} // namespace faultlab::model
