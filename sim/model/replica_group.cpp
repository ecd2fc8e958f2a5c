#include "model/replica_group.hpp"

#include "history/json_line.hpp"

#include <algorithm>
#include <cassert>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Envelope;
namespace kinds = group_kinds;

const char* role_name(int role) {
  switch (role) {
  case 0: return "primary";
  case 1: return "replica";
  default: return "candidate";
  }
}

ReplicaGroupModel::ReplicaGroupModel(const scenario::ReplicaGroup& spec, Context& context)
    : spec_(spec), context_(context) {
  auto add = [&](const std::string& name, bool primary) {
    Member m;
    m.node = context_.network.node_index(name);
    m.index = static_cast<int>(members_.size());
    m.role = primary ? Role::primary : Role::replica;
    m.rng = context_.rng(spec_.name + "/" + name);
    members_.push_back(std::move(m));
  };
  add(spec_.primary, true);
  for (const auto& r : spec_.replicas) add(r, false);
  for (auto& m : members_) m.leader = members_.front().node;
}

std::vector<int> ReplicaGroupModel::replica_nodes() const {
  std::vector<int> out;
  for (std::size_t i = 1; i < members_.size(); ++i) out.push_back(members_[i].node);
  return out;
}

std::vector<int> ReplicaGroupModel::member_nodes() const {
  std::vector<int> out;
  for (const auto& m : members_) out.push_back(m.node);
  return out;
}

std::string ReplicaGroupModel::address(int node) const {
  return engine::Network::address(context_.network.node_name(node), port());
}

ReplicaGroupModel::Member* ReplicaGroupModel::member_on(int node) {
  for (auto& m : members_)
    if (m.node == node) return &m;
  return nullptr;
}

void ReplicaGroupModel::start() {
  for (auto& member : members_) {
    context_.hooks.on_restart[member.node].push_back([this, &member] { start_member(member); });
    context_.hooks.on_crash[member.node].push_back([this, &member] {
      // What lives only in memory is gone; the log, the store, the term and
      // the vote were on disk.
      if (spec_.failover.enabled) member.role = Role::replica, member.leader = -1;
      member.pending.clear();
      member.shipped_position = 0;
      member.match.clear();
      member.last_ack_s.clear();
      member.votes = 0;
      member.sync_requested_s = -1.0;
      member.last_apply_s = 0;
    });
    start_member(member);
  }
}

void ReplicaGroupModel::start_member(Member& member) {
  sg4::Host* host = context_.network.host(member.node);
  if (member.role == Role::primary) {
    member.match.assign(members_.size(), 0);
    member.last_ack_s.assign(members_.size(), lease_clock(member));
    // What the replicas lack they ask for when the next entry shows them a gap.
    member.shipped_position = static_cast<std::int64_t>(member.log.size());
  }
  if (spec_.failover.enabled) reset_election_deadline(member);
  member.last_heard_s = sg4::Engine::get_clock();
  sg4::Actor::create(spec_.name, host, [this, &member] { serve(member); })->daemonize();
  sg4::Actor::create(spec_.name + ".apply", host, [this, &member] { apply_stream(member); })->daemonize();
  if (spec_.failover.enabled)
    sg4::Actor::create(spec_.name + ".tick", host, [this, &member] { tick(member); })->daemonize();
  if (spec_.ship_interval_s > 0) // on every member: any of them may become primary
    sg4::Actor::create(spec_.name + ".sender", host, [this, &member] { wal_sender(member); })->daemonize();
  trace_role(member, sg4::Engine::get_clock() > 0 ? "restarted" : "initial role");
}

void ReplicaGroupModel::send(Member& from, int to_node, const std::string& to_port, engine::MessageKind kind,
                             std::unique_ptr<PeerMessage> message, std::int64_t size_bytes) {
  message->term = from.term;
  message->sender_clock_s = lease_clock(from);
  if (message->leader < 0) message->leader = from.leader;
  // 512 bytes was once every message's default size, replaced here by the
  // group's own; sizes computed to exactly 512 still are (traces unchanged).
  if (size_bytes == 512) size_bytes = spec_.message_bytes;
  context_.network.send(from.node, to_node,
                        engine::Network::address(context_.network.node_name(to_node), to_port),
                        engine::envelope(kind, std::move(message), size_bytes));
}

void ReplicaGroupModel::reply(Member& member, const Envelope& request, engine::MessageKind kind,
                              std::unique_ptr<GroupReply> answer) {
  answer->term = member.term;
  answer->leader = member.leader;
  context_.network.send(member.node, request.from, request.reply_to,
                        engine::answer_to(request, kind, std::move(answer), spec_.message_bytes));
}

void ReplicaGroupModel::reply_not_primary(Member& member, const Envelope& request, engine::MessageKind kind) {
  auto answer = std::make_unique<GroupReply>();
  answer->ok = false;
  answer->error = "not primary";
  reply(member, request, kind, std::move(answer));
}

// The request loop: receive, do the work, reply.
void ReplicaGroupModel::serve(Member& member) {
  auto* inbox = sg4::Mailbox::by_name(address(member.node));
  inbox->set_receiver(sg4::Actor::self()); // requests queue here even while we are busy
  while (true) {
    std::unique_ptr<Envelope> m = context_.network.receive(inbox);
    if (m->kind == kinds::read) {
      compute(spec_.service_time_s);
      handle_read(member, *m);
    } else if (m->kind == kinds::write) {
      compute(spec_.service_time_s);
      handle_write(member, std::move(m));
    } else if (m->kind == kinds::replicate_ack) {
      on_replicate_ack(member, *m);
    } else if (m->kind == kinds::sync_request) {
      on_sync_request(member, *m);
    }
  }
}

void ReplicaGroupModel::handle_read(Member& member, const Envelope& envelope) {
  const auto& request = envelope.payload_as<GroupRead>();
  if (request.want_primary && !still_primary(member))
    return reply_not_primary(member, envelope, kinds::read_reply);
  if (member.role == Role::primary && member.store_position < member.term_start_position) {
    // A new primary's log may end with entries an earlier primary never
    // committed; it answers reads only once its own first entry committed.
    auto answer = std::make_unique<GroupReply>();
    answer->ok = false;
    answer->error = "not ready";
    return reply(member, envelope, kinds::read_reply, std::move(answer));
  }
  auto answer = std::make_unique<GroupReply>();
  std::int64_t applied = member.store_position;
  if (request.min_position > applied) {
    // Read-your-writes: this member has not applied the session's last
    // write yet, so any answer could be older than what the user wrote.
    answer->ok = false;
    answer->error = "behind";
  } else if (auto it = member.store.find(request.key); it != member.store.end()) {
    answer->value = it->second;
  }
  answer->position = applied;
  reply(member, envelope, kinds::read_reply, std::move(answer));
}

void ReplicaGroupModel::handle_write(Member& member, std::unique_ptr<Envelope> request) {
  if (!still_primary(member)) return reply_not_primary(member, *request, kinds::write_reply);
  const auto& write = request->payload_as<GroupWrite>();
  append(member, LogEntry{member.term, member.node, write.key, write.value});
  auto position = static_cast<std::int64_t>(member.log.size());
  member.match[member.index] = position;
  if (spec_.ack == scenario::Ack::primary) {
    auto answer = std::make_unique<GroupReply>();
    answer->position = position;
    reply(member, *request, kinds::write_reply, std::move(answer));
  } else {
    member.pending.push_back(PendingWrite{position, std::move(request)});
  }
  if (spec_.ship_interval_s == 0) ship_new_entries(member); // else it waits for the WAL sender's next round
  if (spec_.ack == scenario::Ack::majority) commit_pending(member);
}

void ReplicaGroupModel::trace_role(const Member& member, const char* why) {
  if (!context_.trace || !context_.trace->recording()) return;
  double now = sg4::Engine::get_clock();
  context_.trace->add(now, history::JsonLine(now, "state")
                               .str("node", context_.network.node_name(member.node))
                               .str("component", spec_.name)
                               .str("role", role_name(static_cast<int>(member.role)))
                               .integer("term", member.term)
                               .integer("applied", static_cast<std::int64_t>(member.log.size()))
                               .str("why", why)
                               .done());
}

void ReplicaGroupModel::trace_applied(const Member& member, const LogEntry& entry) {
  if (!context_.trace || !context_.trace->recording()) return;
  double now = sg4::Engine::get_clock();
  history::JsonLine line(now, "state");
  line.str("node", context_.network.node_name(member.node))
      .str("component", spec_.name)
      .integer("applied", member.store_position);
  if (!entry.key.empty()) line.str("key", entry.key).integer("value", entry.value); // else a new primary's no-op
  context_.trace->add(now, line.integer("term", entry.term).done());
}

} // namespace faultlab::model
