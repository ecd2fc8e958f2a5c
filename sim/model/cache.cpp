// The cache server: get, set and invalidate, with a TTL per entry, and the
// fill guards (versions, leases) that decide whether a set may land.
#include "model/cache.hpp"

#include "history/json_line.hpp"

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Message;
using engine::MsgKind;
using Fill = scenario::Cache::Fill;

CacheModel::CacheModel(const scenario::Cache& spec, Context& context)
    : spec_(spec), context_(context), node_(context.network.node_index(spec.node)) {}

void CacheModel::start() {
  auto launch = [this] { sg4::Actor::create(spec_.name, context_.network.host(node_), [this] { serve(); })->daemonize(); };
  context_.hooks.on_crash[node_].push_back([this] {
    entries_.clear(); // memory only
    leases_.clear();
    trace("", std::nullopt, "crashed: every entry lost");
  });
  context_.hooks.on_restart[node_].push_back(launch);
  launch();
}

void CacheModel::serve() {
  auto* inbox = sg4::Mailbox::by_name(engine::Network::address(spec_.node, spec_.name));
  inbox->set_receiver(sg4::Actor::self());
  while (true) {
    std::unique_ptr<Message> m = context_.network.receive(inbox);
    compute(spec_.service_time_s);
    switch (m->kind) {
    case MsgKind::cache_get: on_get(*m); break;
    case MsgKind::cache_set: on_set(*m); break;
    case MsgKind::cache_invalidate: on_invalidate(*m); break;
    default: break;
    }
  }
}

void CacheModel::on_get(const Message& m) {
  const double now = sg4::Engine::get_clock();
  auto answer = std::make_unique<Message>();
  answer->kind = MsgKind::cache_get_reply;
  answer->op = m.op;
  answer->exchange = m.exchange;
  answer->size_bytes = spec_.message_bytes;
  auto it = entries_.find(m.key);
  if (it != entries_.end() && it->second.expires_s <= now) {
    entries_.erase(it);
    it = entries_.end();
    trace(m.key, std::nullopt, "expired");
  }
  if (it != entries_.end() && !it->second.tombstone) {
    answer->hit = true;
    answer->value = it->second.value;
    answer->position = it->second.version;
  } else if (spec_.fill == Fill::lease) {
    auto lease = leases_.find(m.key);
    if (lease != leases_.end() && now - lease->second.issued_s < spec_.lease_timeout_s) {
      answer->error = "wait"; // someone is already refilling this key
    } else {
      Lease fresh{next_token_++, now};
      leases_[m.key] = fresh;
      answer->token = fresh.token;
    }
  }
  context_.network.send(node_, m.from, m.reply_to, std::move(answer));
}

void CacheModel::on_set(const Message& m) {
  const double now = sg4::Engine::get_clock();
  if (spec_.fill == Fill::lease) {
    auto lease = leases_.find(m.key);
    if (lease == leases_.end() || lease->second.token != m.token || now - lease->second.issued_s >= spec_.lease_timeout_s)
      return trace(m.key, m.value, "fill refused: its lease was revoked by a write or lapsed");
    leases_.erase(lease);
  }
  if (spec_.fill == Fill::versioned) {
    auto it = entries_.find(m.key);
    if (it != entries_.end() && it->second.expires_s > now && m.position < it->second.version)
      return trace(m.key, m.value, "fill refused: read at position " + std::to_string(m.position) +
                                       ", older than position " + std::to_string(it->second.version) + " here");
  }
  store(m.key, m.value, m.position, "fill");
}

void CacheModel::on_invalidate(const Message& m) {
  const double now = sg4::Engine::get_clock();
  auto it = entries_.find(m.key);
  const bool newer_here = spec_.fill == Fill::versioned && it != entries_.end() && it->second.expires_s > now &&
                          it->second.version > m.position;
  if (spec_.fill == Fill::lease) leases_.erase(m.key); // a fill read before this write must not land
  if (newer_here) {
    trace(m.key, m.value, "invalidation ignored: the cache already has position " + std::to_string(it->second.version));
  } else if (m.value) {
    store(m.key, m.value, m.position, "update");
  } else if (spec_.fill == Fill::versioned) {
    store(m.key, std::nullopt, m.position, "delete (tombstone)", true); // remembers the position a fill must reach
  } else {
    entries_.erase(m.key);
    trace(m.key, std::nullopt, "delete");
  }
  auto answer = std::make_unique<Message>();
  answer->kind = MsgKind::cache_invalidate_reply;
  answer->op = m.op;
  answer->exchange = m.exchange;
  answer->size_bytes = 64;
  context_.network.send(node_, m.from, m.reply_to, std::move(answer));
}

void CacheModel::store(const std::string& key, std::optional<std::int64_t> value, std::int64_t version,
                       const char* why, bool tombstone) {
  entries_[key] = Entry{value, version, sg4::Engine::get_clock() + spec_.ttl_s, tombstone};
  trace(key, value, why);
}

void CacheModel::trace(const std::string& key, std::optional<std::int64_t> value, const std::string& why) {
  if (!context_.trace) return;
  double now = sg4::Engine::get_clock();
  history::JsonLine line(now, "state");
  line.str("node", spec_.node).str("component", spec_.name);
  if (!key.empty()) line.str("key", key);
  if (value) line.integer("value", *value);
  line.integer("entries", static_cast<std::int64_t>(entries_.size())).str("why", why);
  context_.trace->add(now, line.done());
}

} // namespace faultlab::model
