// Leader failover inside a replica group: heartbeats, elections (with or
// without a majority vote), the primary's lease, and the rule that a higher
// term always wins.
#include "model/invariant.hpp"
#include "model/replica_group.hpp"

#include <algorithm>
#include <limits>
#include <string>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Envelope;
namespace kinds = group_kinds;

void ReplicaGroupModel::reset_election_deadline(Member& member) {
  // A random wait in [t, 2t) so that replicas rarely stand at the same time.
  member.election_deadline_s =
      sg4::Engine::get_clock() + spec_.failover.election_timeout_s * (1.0 + member.rng.uniform());
}

// The member's clock: heartbeats and the lease when primary, the election
// timeout otherwise.
//
// Like the failure detector thread of many databases, it wakes up once per
// heartbeat interval and only then reads the heartbeats and votes that
// arrived meanwhile. (This is what lets a primary that was paused serve the
// requests waiting in its buffer before it reads the news of its own
// replacement.)
void ReplicaGroupModel::tick(Member& member) {
  const auto& f = spec_.failover;
  auto* control = sg4::Mailbox::by_name(
      engine::Network::address(context_.network.node_name(member.node), control_port()));
  control->set_receiver(sg4::Actor::self());
  // Members do not tick in lockstep: each starts at its own phase.
  sg4::this_actor::sleep_for(f.heartbeat_interval_s * member.rng.uniform());
  while (true) {
    sg4::this_actor::sleep_for(f.heartbeat_interval_s);
    while (auto message = context_.network.receive(control, 0)) on_control(member, *message);
    double now = sg4::Engine::get_clock();
    if (member.role == Role::primary) {
      if (f.lease_s && !lease_valid(member)) {
        step_down(member, "lease expired: no majority answered in time");
        continue;
      }
      for (const auto& other : members_) {
        if (other.node == member.node) continue;
        auto beat = std::make_unique<Heartbeat>();
        beat->leader = member.node;
        beat->log_length = static_cast<std::int64_t>(member.log.size());
        send(member, other.node, control_port(), kinds::heartbeat, std::move(beat), 64);
      }
    } else if (now >= member.election_deadline_s) {
      start_election(member);
    }
  }
}

void ReplicaGroupModel::on_control(Member& member, const Envelope& envelope) {
  if (envelope.kind == kinds::heartbeat) {
    on_heartbeat(member, envelope);
  } else if (envelope.kind == kinds::heartbeat_ack) {
    const auto& m = envelope.payload_as<HeartbeatAck>();
    if (!observe_term(member, m.term, m.leader) && member.role == Role::primary && m.ok) {
      Member* from = member_on(envelope.from);
      if (from && !member.last_ack_s.empty())
        member.last_ack_s[from->index] = std::max(member.last_ack_s[from->index], m.echo_s);
    }
  } else if (envelope.kind == kinds::vote_request) {
    on_vote_request(member, envelope);
  } else if (envelope.kind == kinds::vote_reply) {
    on_vote_reply(member, envelope);
  }
}

double ReplicaGroupModel::lease_clock(const Member& member) const {
  using Clock = scenario::Failover::LeaseClock;
  switch (spec_.failover.lease_clock) {
  case Clock::real: return sg4::Engine::get_clock();
  case Clock::wall: return context_.network.wall_time_s(member.node);
  case Clock::local: break;
  }
  return context_.network.local_time_s(member.node);
}

bool ReplicaGroupModel::lease_valid(const Member& member) const {
  if (!spec_.failover.lease_s || member.last_ack_s.empty()) return true;
  double now = lease_clock(member);
  int fresh = 0;
  for (const auto& other : members_)
    if (other.node == member.node || now - member.last_ack_s[other.index] <= *spec_.failover.lease_s) ++fresh;
  return fresh >= majority();
}

bool ReplicaGroupModel::still_primary(Member& member) {
  if (member.role != Role::primary) return false;
  if (spec_.failover.lease_checked_on_request && !lease_valid(member)) {
    step_down(member, "lease expired (checked before serving a request)");
    return false;
  }
  return true;
}

bool ReplicaGroupModel::observe_term(Member& member, std::int64_t term, int leader) {
  if (term <= member.term) return false;
  FAULTLAB_INVARIANT(term > member.term, "a term never goes back");
  member.term = term;
  member.voted_for = -1;
  member.leader = leader;
  std::string why = "saw term " + std::to_string(term);
  if (member.role != Role::replica) step_down(member, why.c_str());
  else trace_role(member, why.c_str()); // every term change is in the trace
  return true;
}

void ReplicaGroupModel::on_heartbeat(Member& member, const Envelope& envelope) {
  const auto& m = envelope.payload_as<Heartbeat>();
  const int from = envelope.from;
  if (m.term < member.term) {
    if (spec_.failover.fencing) { // tell the old primary it was replaced
      auto nack = std::make_unique<HeartbeatAck>();
      nack->ok = false;
      send(member, from, control_port(), kinds::heartbeat_ack, std::move(nack), 64);
    }
    return;
  }
  observe_term(member, m.term, from);
  if (member.role == Role::primary && from != member.node) {
    // Two primaries in the same term: only possible without votes. The
    // node whose name comes first in the topology keeps the role.
    if (from > member.node) return;
    step_down(member, "met another primary of the same term");
  }
  if (member.role == Role::candidate) step_down(member, "another node won this term");
  bool new_leader = member.leader != from;
  member.leader = from;
  member.last_heard_s = sg4::Engine::get_clock();
  reset_election_deadline(member);
  auto ack = std::make_unique<HeartbeatAck>();
  ack->echo_s = m.sender_clock_s;
  send(member, from, control_port(), kinds::heartbeat_ack, std::move(ack), 64);
  // Following a new primary: make our log agree with its log first.
  // (Or when we hold entries past the primary's end that an older term
  // wrote: they can only be a deposed primary's.)
  bool stale_tail =
      m.log_length < static_cast<std::int64_t>(member.log.size()) && member.log.back().term < m.term;
  if (new_leader || stale_tail) request_sync(member);
}

void ReplicaGroupModel::start_election(Member& member) {
  reset_election_deadline(member);
  FAULTLAB_INVARIANT(member.term < std::numeric_limits<std::int64_t>::max(), "terms only grow");
  ++member.term;
  member.voted_for = member.node;
  member.leader = -1;
  if (!spec_.failover.quorum) return become_primary(member, "no heartbeat: promoted itself without a vote");
  member.role = Role::candidate;
  member.votes = 1;
  member.voters.assign(members_.size(), 0);
  member.voters[member.index] = 1;
  trace_role(member, "no heartbeat: asks for votes");
  for (const auto& other : members_) {
    if (other.node == member.node) continue;
    auto ask = std::make_unique<VoteRequest>();
    ask->last_log_index = static_cast<std::int64_t>(member.log.size());
    if (!member.log.empty()) ask->last_log_term = member.log.back().term;
    send(member, other.node, control_port(), kinds::vote_request, std::move(ask), 64);
  }
  if (member.votes >= majority()) become_primary(member, "won the election");
}

void ReplicaGroupModel::on_vote_request(Member& member, const Envelope& envelope) {
  const auto& m = envelope.payload_as<VoteRequest>();
  observe_term(member, m.term, -1);
  std::int64_t my_last_term = member.log.empty() ? 0 : member.log.back().term;
  auto my_size = static_cast<std::int64_t>(member.log.size());
  // Only for a candidate whose log holds at least everything ours does.
  bool up_to_date =
      m.last_log_term > my_last_term || (m.last_log_term == my_last_term && m.last_log_index >= my_size);
  bool grant = m.term == member.term && (member.voted_for < 0 || member.voted_for == envelope.from) &&
               up_to_date && member.role != Role::primary;
  if (grant) {
    member.voted_for = envelope.from;
    reset_election_deadline(member);
  }
  auto answer = std::make_unique<VoteReply>();
  answer->granted = grant;
  send(member, envelope.from, control_port(), kinds::vote_reply, std::move(answer), 64);
}

void ReplicaGroupModel::on_vote_reply(Member& member, const Envelope& envelope) {
  const auto& m = envelope.payload_as<VoteReply>();
  if (observe_term(member, m.term, -1)) return;
  if (member.role != Role::candidate || m.term != member.term || !m.granted) return;
  for (const auto& voter : members_)
    if (voter.node == envelope.from) {
      if (member.voters[voter.index]) return; // a copy of a vote already counted
      member.voters[voter.index] = 1;
    }
  if (++member.votes >= majority()) become_primary(member, "won the election");
}

void ReplicaGroupModel::become_primary(Member& member, const char* why) {
  member.role = Role::primary;
  member.leader = member.node;
  member.match.assign(members_.size(), 0);
  member.match[member.index] = static_cast<std::int64_t>(member.log.size());
  member.last_ack_s.assign(members_.size(), lease_clock(member));
  member.pending.clear();
  // Its log so far came from earlier primaries; replicas that lack some of it ask.
  member.shipped_position = static_cast<std::int64_t>(member.log.size());
  trace_role(member, why);
  if (spec_.ack == scenario::Ack::majority) {
    // Raft's rule: commit an entry of the new term (a no-op) before serving
    // reads, so that everything before it is known to be committed too.
    append(member, LogEntry{member.term, member.node, "", 0});
    member.term_start_position = static_cast<std::int64_t>(member.log.size());
    member.match[member.index] = member.term_start_position;
    if (spec_.ship_interval_s == 0) ship_new_entries(member);
    commit_pending(member);
  }
}

void ReplicaGroupModel::step_down(Member& member, const char* why) {
  member.role = Role::replica;
  apply_to_store(member, static_cast<std::int64_t>(member.log.size())); // a replica shows its whole log
  member.pending.clear(); // their clients will time out: the outcome is unknown
  if (member.leader == member.node) member.leader = -1;
  reset_election_deadline(member);
  member.last_heard_s = sg4::Engine::get_clock();
  trace_role(member, why);
}

} // namespace faultlab::model
