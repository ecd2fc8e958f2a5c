// How a program talks to a replica group, the way a database driver does:
// send a read or a write to a member, wait for the answer until a deadline,
// follow "not primary" hints to the leader, go to the primary when a replica
// is behind the session, and after a timeout try another member next time.
//
// Each user of a group (a client group, a service instance, an application
// server in front of a cache) has its own GroupClient, so each has its own,
// possibly stale, idea of who the primary is.
#pragma once

#include "history/op.hpp"
#include "model/replica_group.hpp"
#include "model/rpc.hpp"

#include <optional>
#include <string>

namespace faultlab::model {

class GroupClient {
public:
  GroupClient(const ReplicaGroupModel& group, Context& context, Rpc& rpc, util::Rng& rng);

  struct Request {
    bool write = false;
    std::string key;
    std::optional<std::int64_t> value; // write
    std::int64_t op = -1;              // the client op it serves, for the trace
    std::int64_t min_position = 0;     // read-your-writes: answer only from this position on
    bool final_read = false;           // read the final state from the primary
  };
  struct Answer {
    history::Outcome outcome = history::Outcome::info; // info: no answer before the deadline
    std::optional<std::int64_t> value;
    std::string node;  // who answered
    std::string error; // "timeout", "not primary", "behind", ...
    std::int64_t position = 0; // write: its log position; read: the member's applied position
    std::int64_t term = 0;
  };

  Answer call(const Request& request, double deadline_s);
  // The same on a reply mailbox the caller already holds.
  Answer call(Rpc::Slot& slot, const Request& request, double deadline_s);

  const ReplicaGroupModel& group() const { return group_; }
  int leader() const { return leader_; }
  void forget_leader() { leader_ = group_.primary_node(); } // after a crash of the caller

private:
  struct Reply {
    Answer answer;
    int leader_hint = -1;
  };
  Reply exchange(Rpc::Slot& slot, const Request& request, int target, double deadline_s);
  int choose_read_target();
  int next_member(int node) const;

  const ReplicaGroupModel& group_;
  Context& context_;
  Rpc& rpc_;
  util::Rng& rng_; // the caller's stream: replica choices interleave with its other draws
  int leader_ = -1;
  int nearest_ = -1;
};

} // namespace faultlab::model
