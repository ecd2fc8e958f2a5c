// Log replication inside a replica group: shipping entries (at once, or in
// rounds of the primary's WAL sender), applying them in order with lag,
// repairing gaps and divergent logs, and counting the acknowledgements that
// make a write committed.
#include "history/json_line.hpp"
#include "model/invariant.hpp"
#include "model/replica_group.hpp"

#include <algorithm>
#include <cassert>
#include <functional>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Envelope;
namespace kinds = group_kinds;

namespace {
// A sync request is repeated at most this often while a gap persists.
constexpr double kSyncRetry_s = 0.3;
// Entries sent per sync answer: bounds the burst one request causes.
constexpr std::size_t kSyncBatch = 2000;

bool same(const LogEntry& e, std::int64_t term, int origin) { return e.term == term && e.origin == origin; }
} // namespace

void ReplicaGroupModel::ship(Member& primary, std::int64_t position, int to) {
  assert(position >= 1 && position <= static_cast<std::int64_t>(primary.log.size()));
  auto message = std::make_unique<Replicate>();
  message->position = position;
  message->entry = primary.log[static_cast<std::size_t>(position - 1)];
  if (position > 1) {
    const LogEntry& prev = primary.log[static_cast<std::size_t>(position - 2)];
    message->prev_term = prev.term;
    message->prev_origin = prev.origin;
  }
  message->leader = primary.node;
  send(primary, to, repl_port(), kinds::replicate, std::move(message), spec_.message_bytes);
}

void ReplicaGroupModel::ship_new_entries(Member& primary) {
  assert(primary.role == Role::primary);
  auto end = static_cast<std::int64_t>(primary.log.size());
  assert(primary.shipped_position <= end); // a primary's log only grows
  for (std::int64_t position = primary.shipped_position + 1; position <= end; ++position)
    for (const auto& other : members_)
      if (other.node != primary.node) ship(primary, position, other.node);
  primary.shipped_position = end;
}

// The WAL sender of a member, with a ship interval: once per interval, if
// the member is primary, it ships what was written since its last round.
// Batching saves messages; the price is that a write, acknowledged or not,
// waits here with no copy anywhere else. If the host dies, so does the
// batch, as far as the replicas will ever know.
void ReplicaGroupModel::wal_sender(Member& member) {
  while (true) {
    sg4::this_actor::sleep_for(spec_.ship_interval_s);
    if (member.role == Role::primary) ship_new_entries(member);
  }
}

double ReplicaGroupModel::draw_lag(Member& member) { return draw(spec_.lag, member.rng); }

// The replication loop of a member: entries and sync answers, in order.
void ReplicaGroupModel::apply_stream(Member& member) {
  auto* stream = sg4::Mailbox::by_name(
      engine::Network::address(context_.network.node_name(member.node), repl_port()));
  stream->set_receiver(sg4::Actor::self());
  if (sg4::Engine::get_clock() > 0 && member.role != Role::primary) request_sync(member); // back from a crash
  while (true) {
    std::unique_ptr<Envelope> m = context_.network.receive(stream);
    if (m->kind == kinds::replicate) on_replicate(member, *m);
    else if (m->kind == kinds::sync) on_sync(member, *m);
  }
}

void ReplicaGroupModel::on_replicate(Member& member, const Envelope& envelope) {
  const auto& m = envelope.payload_as<Replicate>();
  // A primary takes entries from nobody; it learns about a newer term from
  // heartbeats, votes and refusals.
  if (member.role == Role::primary) return;
  observe_term(member, m.term, envelope.from);
  if (m.term < member.term && spec_.failover.fencing) {
    // Fencing: an entry from an older term is refused, and the answer tells
    // its sender that it has been replaced.
    auto nack = std::make_unique<ReplicateAck>();
    nack->ok = false;
    send(member, envelope.from, port(), kinds::replicate_ack, std::move(nack), 64);
    return;
  }
  member.leader = envelope.from;
  member.last_heard_s = sg4::Engine::get_clock();
  auto size = static_cast<std::int64_t>(member.log.size());
  const LogEntry& entry = m.entry;
  if (m.position <= size) {
    if (!same(member.log[static_cast<std::size_t>(m.position - 1)], entry.term, entry.origin))
      request_sync(member);
    return; // already have it (a resend)
  }
  bool fits =
      m.position == size + 1 && (m.position == 1 || same(member.log.back(), m.prev_term, m.prev_origin));
  if (!fits) return request_sync(member); // a gap, or our log went another way

  double apply_at = std::max(envelope.sent_s + draw_lag(member), member.last_apply_s);
  if (apply_at > sg4::Engine::get_clock()) sg4::this_actor::sleep_until(apply_at);
  if (static_cast<std::int64_t>(member.log.size()) != m.position - 1 || member.role == Role::primary) return;
  member.last_apply_s = sg4::Engine::get_clock();
  append(member, entry);
  if (spec_.ack != scenario::Ack::majority) return; // nobody waits for it
  auto ack = std::make_unique<ReplicateAck>();
  ack->position = static_cast<std::int64_t>(member.log.size());
  ack->echo_s = m.sender_clock_s;
  send(member, envelope.from, port(), kinds::replicate_ack, std::move(ack), 64);
}

void ReplicaGroupModel::request_sync(Member& member) {
  double now = sg4::Engine::get_clock();
  if (member.sync_requested_s >= 0 && now - member.sync_requested_s < kSyncRetry_s) return;
  int leader = member.leader;
  if (leader < 0 || leader == member.node) return;
  member.sync_requested_s = now;
  auto message = std::make_unique<SyncRequest>();
  for (const auto& e : member.log) message->signature.emplace_back(e.term, e.origin);
  send(member, leader, port(), kinds::sync_request, std::move(message),
       64 + 16 * static_cast<std::int64_t>(member.log.size()));
}

// The primary's side: find where the two logs part, send what follows.
void ReplicaGroupModel::on_sync_request(Member& member, const Envelope& envelope) {
  const auto& m = envelope.payload_as<SyncRequest>();
  if (observe_term(member, m.term, m.leader) || member.role != Role::primary) return;
  std::size_t common = 0;
  while (common < m.signature.size() && common < member.log.size() &&
         same(member.log[common], m.signature[common].first, m.signature[common].second))
    ++common;
  // Entries the WAL sender has not shipped yet leave with its next round,
  // not earlier: a catch-up is no way around the sender.
  std::size_t end = member.log.size();
  if (spec_.ship_interval_s > 0) end = std::min(end, static_cast<std::size_t>(member.shipped_position));
  auto answer = std::make_unique<Sync>();
  answer->truncate_to = static_cast<std::int64_t>(common);
  for (std::size_t i = common; i < end && i < common + kSyncBatch; ++i)
    answer->entries.push_back(member.log[i]);
  answer->leader = member.node;
  const std::int64_t size_bytes = 64 + 64 * static_cast<std::int64_t>(answer->entries.size());
  send(member, envelope.from, repl_port(), kinds::sync, std::move(answer), size_bytes);
}

void ReplicaGroupModel::on_sync(Member& member, const Envelope& envelope) {
  const auto& m = envelope.payload_as<Sync>();
  observe_term(member, m.term, envelope.from);
  if (m.term < member.term || member.role == Role::primary) return; // from a deposed primary
  member.leader = envelope.from;
  member.last_heard_s = sg4::Engine::get_clock();
  member.sync_requested_s = -1.0;
  // Keep what already agrees (entries may have arrived since we asked), then
  // drop the first disagreeing entry and everything after it.
  auto position = static_cast<std::size_t>(std::max<std::int64_t>(m.truncate_to, 0));
  std::size_t next = 0;
  while (next < m.entries.size() && position < member.log.size() &&
         same(member.log[position], m.entries[next].term, m.entries[next].origin))
    ++position, ++next;
  if (next < m.entries.size() || position < static_cast<std::size_t>(m.truncate_to)) {
    truncate(member, static_cast<std::int64_t>(position));
    for (; next < m.entries.size(); ++next) append(member, m.entries[next]);
  }
  if (spec_.ack != scenario::Ack::majority) return;
  auto ack = std::make_unique<ReplicateAck>();
  ack->echo_s = m.sender_clock_s;
  ack->position = static_cast<std::int64_t>(member.log.size());
  send(member, envelope.from, port(), kinds::replicate_ack, std::move(ack), 64);
}

void ReplicaGroupModel::on_replicate_ack(Member& member, const Envelope& envelope) {
  const auto& m = envelope.payload_as<ReplicateAck>();
  if (observe_term(member, m.term, m.leader) || member.role != Role::primary || !m.ok) return;
  if (m.term != member.term) return; // an answer to an earlier reign: it says nothing about this log
  Member* from = member_on(envelope.from);
  if (from == nullptr || member.match.empty()) return;
  member.match[from->index] = std::max(member.match[from->index], m.position);
  // The lease counts from when we sent what was acknowledged, not from when
  // the answer arrived: an answer that waited in a buffer proves nothing new.
  member.last_ack_s[from->index] = std::max(member.last_ack_s[from->index], m.echo_s);
  commit_pending(member);
}

// A write is committed once a majority of the group has applied it.
void ReplicaGroupModel::commit_pending(Member& primary) {
  if (primary.role != Role::primary || primary.match.empty()) return;
  std::vector<std::int64_t> sorted = primary.match;
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  std::int64_t committed =
      std::min(sorted[static_cast<std::size_t>(majority() - 1)], static_cast<std::int64_t>(primary.log.size()));
  apply_to_store(primary, committed);
  auto done = std::stable_partition(primary.pending.begin(), primary.pending.end(),
                                    [&](const PendingWrite& p) { return p.position > committed; });
  for (auto it = done; it != primary.pending.end(); ++it) {
    auto answer = std::make_unique<GroupReply>();
    answer->position = it->position;
    reply(primary, *it->request, kinds::write_reply, std::move(answer));
  }
  primary.pending.erase(done, primary.pending.end());
}

void ReplicaGroupModel::append(Member& member, const LogEntry& entry) {
  FAULTLAB_INVARIANT(member.store_position <= static_cast<std::int64_t>(member.log.size()),
                     spec_.name + ": " + context_.network.node_name(member.node) + " applied past the end of its log");
  member.log.push_back(entry);
  // A primary that waits for a majority shows a write to readers only once
  // it is committed: reading it earlier would be reading something that may
  // still be thrown away.
  if (member.role == Role::primary && spec_.ack == scenario::Ack::majority) return;
  apply_to_store(member, static_cast<std::int64_t>(member.log.size()));
}

// Entries are applied once each, in log order: the store's position only
// moves forward, one entry at a time, and never past the log's end.
void ReplicaGroupModel::apply_to_store(Member& member, std::int64_t upto) {
  FAULTLAB_INVARIANT(upto <= static_cast<std::int64_t>(member.log.size()),
                     spec_.name + ": " + context_.network.node_name(member.node) + " asked to apply up to position " +
                         std::to_string(upto) + " of a log of " + std::to_string(member.log.size()));
  while (member.store_position < upto) {
    const LogEntry& e = member.log[static_cast<std::size_t>(member.store_position)];
    if (!e.key.empty()) member.store[e.key] = e.value; // an empty key is a new primary's no-op
    ++member.store_position;
    trace_applied(member, e);
  }
}

// Drops the log past `length` (divergent entries of a deposed primary) and
// rebuilds the store from what is left. Each dropped write is traced.
void ReplicaGroupModel::truncate(Member& member, std::int64_t length) {
  auto keep = static_cast<std::size_t>(std::max<std::int64_t>(length, 0));
  if (keep >= member.log.size()) return;
  double now = sg4::Engine::get_clock();
  for (std::size_t i = keep; i < member.log.size(); ++i) {
    const LogEntry& e = member.log[i];
    if (context_.trace)
      context_.trace->add(now, history::JsonLine(now, "discard")
                                   .str("node", context_.network.node_name(member.node))
                                   .str("component", spec_.name)
                                   .integer("position", static_cast<std::int64_t>(i + 1))
                                   .str("key", e.key)
                                   .integer("value", e.value)
                                   .integer("term", e.term)
                                   .str("origin", context_.network.node_name(e.origin))
                                   .done());
  }
  member.log.resize(keep);
  member.store.clear();
  for (const auto& e : member.log)
    if (!e.key.empty()) member.store[e.key] = e.value;
  member.store_position = static_cast<std::int64_t>(keep);
}

} // namespace faultlab::model
