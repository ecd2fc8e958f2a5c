#include "model/kv_client.hpp"

#include <algorithm>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using history::Outcome;

KvClient::KvClient(const scenario::Client& spec, Context& context, int node, util::Rng& rng,
                   const ReplicaGroupModel& group)
    : ClientDriver(spec, context, node, rng), group_(group, context, rpc_, rng),
      session_position_(static_cast<std::size_t>(spec.sessions), 0) {}

void KvClient::perform(const ClientRequest& request) {
  const Outcome outcome = once(request);
  // "Reload the page": the same user reads back what they just wrote.
  if (request.f == "write" && outcome == Outcome::ok && spec_.reload_after_write_s) {
    sg4::this_actor::sleep_for(*spec_.reload_after_write_s);
    ClientRequest again = request;
    again.f = "read";
    perform(again);
  }
}

history::Outcome KvClient::once(const ClientRequest& request) {
  // The reply mailbox first: taking it yields to the scheduler, and runs
  // have always done so at this point (same seed, same trace).
  Rpc::Slot slot(rpc_);
  const bool write = request.f == "write";
  const double start_s = now();
  std::optional<std::int64_t> value;
  if (write) value = context_.next_value++;
  std::int64_t process = request.final_read ? -1 : request.session;
  std::int64_t op =
      context_.recorder.invoke(start_s, process, spec_.name, request.f, request.key, value, request.final_read);
  const double deadline_s = start_s + spec_.timeout_s;

  GroupClient::Request call;
  call.write = write;
  call.key = request.key;
  call.value = value;
  call.op = op;
  call.final_read = request.final_read;
  if (group_.group().spec().read_your_writes && !write && !request.final_read)
    call.min_position = session_position_[static_cast<std::size_t>(request.session)];
  GroupClient::Answer answer = group_.call(slot, call, deadline_s);

  double done_s = answer.outcome == Outcome::info ? deadline_s : now();
  std::optional<std::int64_t> position;
  if (write && answer.outcome == Outcome::ok) {
    position = answer.position;
    auto& last = session_position_[static_cast<std::size_t>(request.session)];
    last = std::max(last, answer.position);
    written_keys_.insert(request.key);
  } else if (write && answer.outcome == Outcome::info) {
    written_keys_.insert(request.key); // it may have happened
  }
  std::optional<std::int64_t> term;
  if (answer.outcome == Outcome::ok && group_.group().spec().failover.enabled) term = answer.term;
  context_.recorder.complete(op, done_s, answer.outcome, write ? value : answer.value, answer.node, answer.error,
                             position, term);
  return answer.outcome;
}

} // namespace faultlab::model
