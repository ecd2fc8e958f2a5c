// Leader failover inside a replica group: heartbeats, elections (with or
// without a majority vote), the primary's lease, and the rule that a higher
// term always wins.
#include "model/replica_group.hpp"

#include <algorithm>
#include <string>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Message;
using engine::MsgKind;

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
        auto beat = std::make_unique<Message>();
        beat->kind = MsgKind::heartbeat;
        beat->leader = member.node;
        beat->position = static_cast<std::int64_t>(member.log.size());
        beat->size_bytes = 64;
        send(member, other.node, control_port(), std::move(beat));
      }
    } else if (now >= member.election_deadline_s) {
      start_election(member);
    }
  }
}

void ReplicaGroupModel::on_control(Member& member, const Message& m) {
  switch (m.kind) {
  case MsgKind::heartbeat: on_heartbeat(member, m); break;
  case MsgKind::heartbeat_ack:
    if (!observe_term(member, m.term, m.leader) && member.role == Role::primary && m.ok) {
      Member* from = member_on(m.from);
      if (from && !member.last_ack_s.empty())
        member.last_ack_s[from->index] = std::max(member.last_ack_s[from->index], m.echo_s);
    }
    break;
  case MsgKind::vote_request: on_vote_request(member, m); break;
  case MsgKind::vote_reply: on_vote_reply(member, m); break;
  default: break;
  }
}

double ReplicaGroupModel::lease_clock(const Member& member) const {
  return spec_.failover.lease_real_clock ? sg4::Engine::get_clock() : context_.network.local_time_s(member.node);
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
  member.term = term;
  member.voted_for = -1;
  member.leader = leader;
  std::string why = "saw term " + std::to_string(term);
  if (member.role != Role::replica) step_down(member, why.c_str());
  else trace_role(member, why.c_str()); // every term change is in the trace
  return true;
}

void ReplicaGroupModel::on_heartbeat(Member& member, const Message& m) {
  if (m.term < member.term) {
    if (spec_.failover.fencing) { // tell the old primary it was replaced
      auto nack = std::make_unique<Message>();
      nack->kind = MsgKind::heartbeat_ack;
      nack->ok = false;
      nack->size_bytes = 64;
      send(member, m.from, control_port(), std::move(nack));
    }
    return;
  }
  observe_term(member, m.term, m.from);
  if (member.role == Role::primary && m.from != member.node) {
    // Two primaries in the same term: only possible without votes. The
    // node whose name comes first in the topology keeps the role.
    if (m.from > member.node) return;
    step_down(member, "met another primary of the same term");
  }
  if (member.role == Role::candidate) step_down(member, "another node won this term");
  bool new_leader = member.leader != m.from;
  member.leader = m.from;
  member.last_heard_s = sg4::Engine::get_clock();
  reset_election_deadline(member);
  auto ack = std::make_unique<Message>();
  ack->kind = MsgKind::heartbeat_ack;
  ack->position = static_cast<std::int64_t>(member.log.size());
  ack->echo_s = m.sender_clock_s;
  ack->size_bytes = 64;
  send(member, m.from, control_port(), std::move(ack));
  // Following a new primary: make our log agree with its log first.
  // (Or when we hold entries past the primary's end that an older term
  // wrote: they can only be a deposed primary's.)
  bool stale_tail = m.position < static_cast<std::int64_t>(member.log.size()) && member.log.back().term < m.term;
  if (new_leader || stale_tail) request_sync(member);
}

void ReplicaGroupModel::start_election(Member& member) {
  reset_election_deadline(member);
  ++member.term;
  member.voted_for = member.node;
  member.leader = -1;
  if (!spec_.failover.quorum) return become_primary(member, "no heartbeat: promoted itself without a vote");
  member.role = Role::candidate;
  member.votes = 1;
  trace_role(member, "no heartbeat: asks for votes");
  for (const auto& other : members_) {
    if (other.node == member.node) continue;
    auto ask = std::make_unique<Message>();
    ask->kind = MsgKind::vote_request;
    ask->position = static_cast<std::int64_t>(member.log.size());
    if (!member.log.empty()) ask->prev_term = member.log.back().term;
    ask->size_bytes = 64;
    send(member, other.node, control_port(), std::move(ask));
  }
  if (member.votes >= majority()) become_primary(member, "won the election");
}

void ReplicaGroupModel::on_vote_request(Member& member, const Message& m) {
  observe_term(member, m.term, -1);
  std::int64_t my_last_term = member.log.empty() ? 0 : member.log.back().term;
  auto my_size = static_cast<std::int64_t>(member.log.size());
  // Only for a candidate whose log holds at least everything ours does.
  bool up_to_date = m.prev_term > my_last_term || (m.prev_term == my_last_term && m.position >= my_size);
  bool grant = m.term == member.term && (member.voted_for < 0 || member.voted_for == m.from) && up_to_date &&
               member.role != Role::primary;
  if (grant) {
    member.voted_for = m.from;
    reset_election_deadline(member);
  }
  auto answer = std::make_unique<Message>();
  answer->kind = MsgKind::vote_reply;
  answer->granted = grant;
  answer->size_bytes = 64;
  send(member, m.from, control_port(), std::move(answer));
}

void ReplicaGroupModel::on_vote_reply(Member& member, const Message& m) {
  if (observe_term(member, m.term, -1)) return;
  if (member.role != Role::candidate || m.term != member.term || !m.granted) return;
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
    append(member, engine::LogEntry{member.term, member.node, "", 0});
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
