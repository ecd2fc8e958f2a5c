#include "model/replica_group.hpp"

#include "history/json_line.hpp"

#include <algorithm>
#include <cassert>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Message;
using engine::MsgKind;

namespace {
// Catch-up requests are repeated at most this often while a gap persists.
constexpr double kCatchupRetry_s = 0.5;
// Entries re-sent per catch-up request: bounds the burst a request causes.
constexpr std::int64_t kCatchupBatch = 1000;
} // namespace

ReplicaGroupModel::ReplicaGroupModel(const scenario::ReplicaGroup& spec, Context& context)
    : spec_(spec), context_(context) {
  auto add = [&](const std::string& name, bool primary) {
    Member m;
    m.node = context_.network.node_index(name);
    m.primary = primary;
    m.rng = context_.rng(spec_.name + "/" + name);
    members_.push_back(std::move(m));
  };
  add(spec_.primary, true);
  for (const auto& r : spec_.replicas) add(r, false);
}

std::vector<int> ReplicaGroupModel::replica_nodes() const {
  std::vector<int> out;
  for (const auto& m : members_)
    if (!m.primary) out.push_back(m.node);
  return out;
}

std::vector<int> ReplicaGroupModel::member_nodes() const {
  std::vector<int> out;
  for (const auto& m : members_) out.push_back(m.node);
  return out;
}

std::string ReplicaGroupModel::address(int node) const {
  return engine::Network::address(context_.network.node_name(node), spec_.name);
}

void ReplicaGroupModel::start() {
  for (auto& member : members_) {
    context_.hooks.on_restart[member.node].push_back([this, &member] { start_member(member); });
    context_.hooks.on_crash[member.node].push_back([&member] { member.catchup_requested_s = -1.0; });
    start_member(member);
  }
}

void ReplicaGroupModel::start_member(Member& member) {
  sg4::Host* host = context_.network.host(member.node);
  sg4::Actor::create(spec_.name, host, [this, &member] { serve(member); })->daemonize();
  if (!member.primary)
    sg4::Actor::create(spec_.name + ".apply", host, [this, &member] { apply_stream(member); })->daemonize();
  trace_state(member, member.primary ? "primary" : "replica");
}

void ReplicaGroupModel::trace_state(const Member& member, const char* role) {
  if (!context_.trace) return;
  double now = sg4::Engine::get_clock();
  context_.trace->add(now, history::JsonLine(now, "state")
                               .str("node", context_.network.node_name(member.node))
                               .str("component", spec_.name)
                               .str("role", role)
                               .integer("applied", member.applied)
                               .done());
}

void ReplicaGroupModel::reply(Member& member, const Message& request, std::unique_ptr<Message> answer) {
  answer->op = request.op;
  answer->size_bytes = spec_.message_bytes;
  context_.network.send(member.node, request.from, request.reply_to, std::move(answer));
}

// The request loop: receive, do the work, reply.
void ReplicaGroupModel::serve(Member& member) {
  auto* inbox = sg4::Mailbox::by_name(address(member.node));
  inbox->set_receiver(sg4::Actor::self()); // requests queue here even while we are busy
  while (true) {
    std::unique_ptr<Message> request = context_.network.receive(inbox);
    sg4::this_actor::execute(spec_.service_time_s * sg4::this_actor::get_host()->get_speed());
    switch (request->kind) {
    case MsgKind::read: {
      auto answer = std::make_unique<Message>();
      answer->kind = MsgKind::read_reply;
      if (request->min_position > member.applied) {
        // Read-your-writes: this member has not applied the session's last
        // write yet, so any answer could be older than what the user wrote.
        answer->ok = false;
        answer->error = "behind";
      } else if (auto it = member.store.find(request->key); it != member.store.end()) {
        answer->value = it->second;
      }
      answer->position = member.applied;
      reply(member, *request, std::move(answer));
      break;
    }
    case MsgKind::write: {
      auto answer = std::make_unique<Message>();
      answer->kind = MsgKind::write_reply;
      if (!member.primary) {
        answer->ok = false;
        answer->error = "not primary";
        reply(member, *request, std::move(answer));
        break;
      }
      Entry entry{static_cast<std::int64_t>(member.log.size()) + 1, request->key, *request->value};
      member.log.push_back(entry);
      apply(member, entry);
      answer->position = entry.position;
      reply(member, *request, std::move(answer));
      // Asynchronous replication: the client already has its answer.
      for (int replica : replica_nodes()) ship(member, entry, replica);
      break;
    }
    case MsgKind::catchup: {
      if (!member.primary) break;
      std::int64_t from = std::max<std::int64_t>(request->position, 1);
      std::int64_t to = std::min<std::int64_t>(static_cast<std::int64_t>(member.log.size()), from + kCatchupBatch - 1);
      for (std::int64_t p = from; p <= to; ++p) ship(member, member.log[static_cast<std::size_t>(p - 1)], request->from);
      break;
    }
    default:
      break;
    }
  }
}

void ReplicaGroupModel::ship(Member& primary, const Entry& entry, int to) {
  auto message = std::make_unique<Message>();
  message->kind = MsgKind::replicate;
  message->key = entry.key;
  message->value = entry.value;
  message->position = entry.position;
  message->size_bytes = spec_.message_bytes;
  context_.network.send(primary.node, to,
                        engine::Network::address(context_.network.node_name(to), spec_.name + ".repl"),
                        std::move(message));
}

double ReplicaGroupModel::draw_lag(Member& member) {
  const auto& lag = spec_.lag;
  switch (lag.kind) {
  case scenario::Distribution::Kind::fixed: return lag.a_s;
  case scenario::Distribution::Kind::uniform: return member.rng.uniform(lag.a_s, lag.b_s);
  case scenario::Distribution::Kind::exponential: return member.rng.exponential(lag.a_s);
  }
  return lag.a_s;
}

// The replication loop of a replica: apply entries in log order, each one
// `lag` after the primary sent it.
void ReplicaGroupModel::apply_stream(Member& member) {
  auto* stream = sg4::Mailbox::by_name(engine::Network::address(context_.network.node_name(member.node),
                                                                 spec_.name + ".repl"));
  stream->set_receiver(sg4::Actor::self());
  if (sg4::Engine::get_clock() > 0) request_catchup(member); // back from a crash: ask for what we missed
  double last_apply_s = 0.0;
  while (true) {
    std::unique_ptr<Message> m = context_.network.receive(stream);
    if (m->position <= member.applied) continue; // already have it (a catch-up resend)
    if (m->position > member.applied + 1) {      // a gap: something was lost on the way
      request_catchup(member);
      continue;
    }
    double apply_at = std::max(m->sent_s + draw_lag(member), last_apply_s);
    if (apply_at > sg4::Engine::get_clock()) sg4::this_actor::sleep_until(apply_at);
    last_apply_s = sg4::Engine::get_clock();
    apply(member, Entry{m->position, m->key, *m->value});
  }
}

void ReplicaGroupModel::request_catchup(Member& member) {
  double now = sg4::Engine::get_clock();
  if (member.catchup_requested_s >= 0 && now - member.catchup_requested_s < kCatchupRetry_s) return;
  member.catchup_requested_s = now;
  auto message = std::make_unique<Message>();
  message->kind = MsgKind::catchup;
  message->position = member.applied + 1;
  message->size_bytes = 64;
  int primary = primary_node();
  context_.network.send(member.node, primary, address(primary), std::move(message));
}

void ReplicaGroupModel::apply(Member& member, const Entry& entry) {
  // Entries apply exactly once and in order; anything else is a model bug.
  assert(entry.position == member.applied + 1);
  member.store[entry.key] = entry.value;
  member.applied = entry.position;
  if (context_.trace) {
    double now = sg4::Engine::get_clock();
    context_.trace->add(now, history::JsonLine(now, "state")
                                 .str("node", context_.network.node_name(member.node))
                                 .str("component", spec_.name)
                                 .integer("applied", member.applied)
                                 .str("key", entry.key)
                                 .integer("value", entry.value)
                                 .done());
  }
}

} // namespace faultlab::model
