// A replica group: a primary and N replicas holding a key-value store, with
// log replication and, when the scenario turns it on, leader failover.
//
// Writes. The primary appends each write to its log and applies it. With
// `ack: primary` it answers the client at once and ships the entry to the
// replicas afterwards (asynchronous replication: an acknowledged write is not
// yet anywhere else). With `ack: majority` it answers only once a majority
// of the group has applied the entry.
//
// Shipping. By default each entry leaves the primary the moment it is
// written. With a `ship_interval`, a WAL sender on the primary ships, once
// per interval, everything written since its last round; until then those
// entries are on the primary's disk and nowhere else.
//
// Replicas apply entries in log order, each one `lag` after the primary sent
// it, so a replica is always some distance behind. An entry is identified by
// its position, the term it was written in and the node that wrote it; a
// replica that finds a gap or a mismatch sends its log's identity to the
// primary, which answers with where the two logs part and what follows
// (entries past that point are discarded: this is how a deposed primary's
// writes disappear).
//
// Reads are served by whichever member the client picks. With read-your-
// writes sessions a read carries the position of the session's last write;
// a member that has not applied that far answers "behind".
//
// Failover (optional). The primary sends heartbeats; a replica that hears
// none for its election timeout takes over: at once (`quorum: false`), or
// by winning a majority vote in a new term (`quorum: true`, one vote per
// term, only for candidates whose log is at least as complete). With a
// `lease`, a primary that has not heard from a majority for that long steps
// down on its own. With `fencing`, replicas refuse entries and heartbeats
// from an older term, which also tells the sender it has been replaced.
// Whenever a node sees a higher term it follows it: the higher term wins.
//
// Crashes: the log and the store are durable; a node coming back asks the
// primary for what it missed. A crashed primary's unshipped entries survive
// on its disk, but if a replica took over meanwhile, the new primary's log
// wins and they are discarded when the old primary comes back: with `ack:
// primary` those are writes that clients were told had succeeded.
#pragma once

#include "components/replica_group/spec.hpp"
#include "model/components.hpp"
#include "model/context.hpp"
#include "model/replica_group_messages.hpp"

#include <simgrid/s4u.hpp>

#include <string>
#include <unordered_map>
#include <vector>

namespace faultlab::model {

class ReplicaGroupModel : public ComponentModel {
public:
  ReplicaGroupModel(const scenario::ReplicaGroup& spec, Context& context);

  void start() override; // spawns every member's actors and registers crash hooks

  const scenario::ReplicaGroup& spec() const { return spec_; }
  int primary_node() const { return members_.front().node; } // the configured first primary
  std::vector<int> replica_nodes() const;
  std::vector<int> member_nodes() const;
  std::string address(int node) const; // where clients send requests

private:
  enum class Role { primary, replica, candidate };
  struct PendingWrite {
    std::int64_t position;
    std::unique_ptr<engine::Envelope> request;
  };
  struct Member {
    int node = -1;
    int index = 0; // in members_
    Role role = Role::replica;
    std::int64_t term = 1;
    int voted_for = -1;                   // in `term`
    int leader = -1;                      // node believed to lead, -1 if unknown
    std::vector<LogEntry> log;            // durable; log.size() is the applied position
    std::unordered_map<std::string, std::int64_t> store; // durable: the log applied up to store_position
    std::int64_t store_position = 0; // a primary that acknowledges at majority applies only committed entries
    std::int64_t term_start_position = 0; // primary: position of its first entry in this term (a no-op)
    // Volatile, lost in a crash:
    double last_heard_s = 0;              // from a primary
    double election_deadline_s = 0;
    int votes = 0;
    // Who granted this member its votes in the current election: a vote is
    // counted once per voter, however many copies of it arrive.
    std::vector<char> voters;
    std::vector<std::int64_t> match;      // primary: applied position of each member
    std::vector<double> last_ack_s;       // primary: last heartbeat answer of each member
    std::vector<PendingWrite> pending;    // primary with ack: majority
    std::int64_t shipped_position = 0;    // primary: the log up to here was sent to every replica
    double sync_requested_s = -1.0;
    double last_apply_s = 0;
    util::Rng rng{0};
  };

  // Request loop, one per member: client requests and protocol messages.
  void start_member(Member& member);
  void serve(Member& member);
  void handle_read(Member& member, const engine::Envelope& request);
  void handle_write(Member& member, std::unique_ptr<engine::Envelope> request);
  void reply(Member& member, const engine::Envelope& request, engine::MessageKind kind,
             std::unique_ptr<GroupReply> answer);
  void reply_not_primary(Member& member, const engine::Envelope& request, engine::MessageKind kind);

  // Replication (replication.cpp).
  void apply_stream(Member& member);
  void on_replicate(Member& member, const engine::Envelope& message);
  void on_sync(Member& member, const engine::Envelope& message);
  void on_sync_request(Member& member, const engine::Envelope& message);
  void on_replicate_ack(Member& member, const engine::Envelope& message);
  void ship(Member& primary, std::int64_t position, int to);
  void ship_new_entries(Member& primary); // everything past shipped_position, to every replica
  void wal_sender(Member& member);        // with a ship interval: one round per interval
  void request_sync(Member& member);
  void append(Member& member, const LogEntry& entry);
  void apply_to_store(Member& member, std::int64_t upto);
  void truncate(Member& member, std::int64_t length);
  void commit_pending(Member& primary);
  double draw_lag(Member& member);

  // Failover (failover.cpp).
  void tick(Member& member);
  bool lease_valid(const Member& member) const;
  double lease_clock(const Member& member) const; // "now" as the lease sees it
  bool still_primary(Member& member); // checks the lease first when the design says so
  void on_control(Member& member, const engine::Envelope& message);
  void on_heartbeat(Member& member, const engine::Envelope& message);
  void on_vote_request(Member& member, const engine::Envelope& message);
  void on_vote_reply(Member& member, const engine::Envelope& message);
  bool observe_term(Member& member, std::int64_t term, int leader); // true if it was newer
  void become_primary(Member& member, const char* why);
  void step_down(Member& member, const char* why);
  void start_election(Member& member);
  void reset_election_deadline(Member& member);
  int majority() const { return static_cast<int>(members_.size()) / 2 + 1; }

  // To another member; fills in the PeerMessage part.
  void send(Member& from, int to_node, const std::string& port, engine::MessageKind kind,
            std::unique_ptr<PeerMessage> message, std::int64_t size_bytes);
  std::string port() const { return spec_.name; }
  std::string repl_port() const { return spec_.name + ".repl"; }
  std::string control_port() const { return spec_.name + ".ctl"; } // heartbeats and votes
  void trace_role(const Member& member, const char* why);
  void trace_applied(const Member& member, const LogEntry& entry);
  Member* member_on(int node);

  const scenario::ReplicaGroup& spec_;
  Context& context_;
  std::vector<Member> members_; // configured primary first
};

const char* role_name(int role);

} // namespace faultlab::model
