// A replica group: one primary and N replicas holding a key-value store,
// with asynchronous replication.
//
// The primary appends every write to its log, applies it, acknowledges the
// client, and only then ships the entry to each replica: an acknowledged
// write is not yet on the replicas. Each replica applies entries in log
// order, each one `lag` after the primary committed it, so a replica is
// always some distance behind. Reads are served by whichever member the
// client picks (see the client's read policy); with read-your-writes
// sessions a read carries the log position of the session's last write and
// a replica that has not applied that far answers "behind" instead of
// answering with old data.
//
// Crashes: the store and the applied position are durable (a database keeps
// them on disk); entries still waiting to be applied are lost, and a replica
// coming back asks the primary for what it missed.
#pragma once

#include "model/context.hpp"

#include <simgrid/s4u.hpp>

#include <string>
#include <unordered_map>
#include <vector>

namespace faultlab::model {

class ReplicaGroupModel {
public:
  ReplicaGroupModel(const scenario::ReplicaGroup& spec, Context& context);

  void start(); // spawns every member's actors and registers crash hooks

  const scenario::ReplicaGroup& spec() const { return spec_; }
  int primary_node() const { return members_.front().node; }
  std::vector<int> replica_nodes() const;
  std::vector<int> member_nodes() const;
  std::string address(int node) const; // where clients send requests

private:
  struct Entry {
    std::int64_t position;
    std::string key;
    std::int64_t value;
  };
  struct Member {
    int node = -1;
    bool primary = false;
    std::unordered_map<std::string, std::int64_t> store; // durable
    std::int64_t applied = 0;                            // durable
    std::vector<Entry> log;                              // primary only
    double catchup_requested_s = -1.0;
    util::Rng rng{0};
  };

  void start_member(Member& member);
  void serve(Member& member);      // the request loop of a member
  void apply_stream(Member& member); // the replication loop of a replica
  void apply(Member& member, const Entry& entry);
  void request_catchup(Member& member);
  void ship(Member& primary, const Entry& entry, int to);
  void reply(Member& member, const engine::Message& request, std::unique_ptr<engine::Message> answer);
  void trace_state(const Member& member, const char* role);
  double draw_lag(Member& member);

  const scenario::ReplicaGroup& spec_;
  Context& context_;
  std::vector<Member> members_; // primary first
};

} // namespace faultlab::model
