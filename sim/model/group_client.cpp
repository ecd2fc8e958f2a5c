#include "model/group_client.hpp"

#include <algorithm>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Envelope;
using history::Outcome;

GroupClient::GroupClient(const ReplicaGroupModel& group, Context& context, Rpc& rpc, util::Rng& rng)
    : group_(group), context_(context), rpc_(rpc), rng_(rng), leader_(group.primary_node()) {
  // Nearest member by latency from the caller's node; the primary wins ties.
  const std::string& here = context_.network.node_name(rpc_.node());
  double best = 1e300;
  for (int member : group_.member_nodes()) {
    double latency = context_.scenario.topology.latency_s(here, context_.network.node_name(member));
    if (member == rpc_.node()) latency = 0;
    if (latency < best) best = latency, nearest_ = member;
  }
}

int GroupClient::choose_read_target() {
  switch (group_.spec().read_policy) {
  case scenario::ReadPolicy::primary: return leader_;
  case scenario::ReadPolicy::nearest: return nearest_;
  case scenario::ReadPolicy::any_replica: {
    auto replicas = group_.replica_nodes();
    return replicas[rng_.below(replicas.size())];
  }
  }
  return leader_;
}

int GroupClient::next_member(int node) const {
  auto members = group_.member_nodes();
  auto it = std::find(members.begin(), members.end(), node);
  if (it == members.end() || ++it == members.end()) return members.front();
  return *it;
}

GroupClient::Reply GroupClient::exchange(Rpc::Slot& slot, const Request& request, int target, double deadline_s) {
  std::unique_ptr<Envelope> message;
  const std::int64_t size_bytes = group_.spec().message_bytes;
  if (request.write) {
    auto write = std::make_unique<GroupWrite>();
    write->key = request.key;
    write->value = *request.value;
    message = engine::envelope(group_kinds::write, std::move(write), size_bytes, request.op);
  } else {
    auto read = std::make_unique<GroupRead>();
    read->key = request.key;
    if (!request.final_read) read->min_position = request.min_position;
    read->want_primary = (request.final_read || target == leader_) &&
                         (request.final_read || group_.spec().read_policy == scenario::ReadPolicy::primary);
    message = engine::envelope(group_kinds::read, std::move(read), size_bytes, request.op);
  }
  std::unique_ptr<Envelope> envelope =
      rpc_.call(slot, target, group_.spec().name, std::move(message), deadline_s);

  Reply out;
  if (!envelope) {
    out.answer.error = "timeout";
    return out; // info: we cannot know whether it happened
  }
  const auto& reply = envelope->payload_as<GroupReply>();
  out.answer.node = context_.network.node_name(envelope->from);
  out.answer.position = reply.position;
  out.answer.term = reply.term;
  out.leader_hint = reply.leader;
  if (!reply.ok) {
    out.answer.outcome = Outcome::fail;
    out.answer.error = reply.error;
    return out;
  }
  out.answer.outcome = Outcome::ok;
  out.answer.value = reply.value;
  return out;
}

GroupClient::Answer GroupClient::call(const Request& request, double deadline_s) {
  Rpc::Slot slot(rpc_); // one reply mailbox for every attempt of this request
  return call(slot, request, deadline_s);
}

GroupClient::Answer GroupClient::call(Rpc::Slot& slot, const Request& request, double deadline_s) {
  bool to_primary = request.write || request.final_read || group_.spec().read_policy == scenario::ReadPolicy::primary;
  int target = to_primary ? leader_ : choose_read_target();
  Reply reply;
  // A few attempts within the deadline: follow "not primary" hints, go to
  // the primary when a replica is behind this session.
  for (std::size_t attempt = 0; attempt <= group_.member_nodes().size(); ++attempt) {
    reply = exchange(slot, request, target, deadline_s);
    const Answer& answer = reply.answer;
    if (answer.outcome == Outcome::info) {
      // No answer: next time, try someone else (the cached leader may be gone).
      if (to_primary && target == leader_) leader_ = next_member(target);
      break;
    }
    if (answer.outcome == Outcome::fail && answer.error == "not primary") {
      int next = reply.leader_hint >= 0 && reply.leader_hint != target ? reply.leader_hint : next_member(target);
      leader_ = next;
      target = next;
      to_primary = true;
      continue;
    }
    if (answer.outcome == Outcome::fail && answer.error == "behind" && target != leader_) {
      target = leader_; // the replica is not caught up with this session: ask the primary
      continue;
    }
    break;
  }
  return reply.answer;
}

} // namespace faultlab::model
