// The cache server: get, set and invalidate, with a TTL per entry, and the
// fill guards (versions, leases) that decide whether a set may land.
#include "model/cache.hpp"

#include "history/json_line.hpp"

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Envelope;
using Fill = scenario::Cache::Fill;
namespace kinds = cache_kinds;

CacheModel::CacheModel(const scenario::Cache& spec, Context& context)
    : spec_(spec), context_(context), server_(context, context.network.node_index(spec.node), spec.name) {}

void CacheModel::start() {
  server_.start([this] { serve(); },
                [this] {
                  entries_.clear(); // memory only
                  leases_.clear();
                  trace("", std::nullopt, "crashed: every entry lost");
                });
}

void CacheModel::serve() {
  server_.serve(spec_.service_time_s, [this](std::unique_ptr<Envelope> request) {
    if (request->kind == kinds::get) on_get(*request);
    else if (request->kind == kinds::set) on_set(request->payload_as<CacheSet>());
    else if (request->kind == kinds::invalidate) on_invalidate(*request);
  });
}

void CacheModel::on_get(const Envelope& request) {
  const auto& m = request.payload_as<CacheGet>();
  const double now = sg4::Engine::get_clock();
  auto answer = std::make_unique<CacheGetReply>();
  auto it = entries_.find(m.key);
  if (it != entries_.end() && it->second.expires_s <= now) {
    entries_.erase(it);
    it = entries_.end();
    trace(m.key, std::nullopt, "expired");
  }
  if (it != entries_.end() && !it->second.tombstone) {
    answer->hit = true;
    answer->value = it->second.value;
    answer->version = it->second.version;
  } else if (spec_.fill == Fill::lease) {
    auto lease = leases_.find(m.key);
    if (lease != leases_.end() && now - lease->second.issued_s < spec_.lease_timeout_s) {
      answer->wait = true; // someone is already refilling this key
    } else {
      Lease fresh{next_token_++, now};
      leases_[m.key] = fresh;
      answer->lease = fresh.token;
    }
  }
  server_.reply(request, kinds::get_reply, std::move(answer), spec_.message_bytes);
}

void CacheModel::on_set(const CacheSet& m) {
  const double now = sg4::Engine::get_clock();
  if (spec_.fill == Fill::lease) {
    auto lease = leases_.find(m.key);
    if (lease == leases_.end() || lease->second.token != m.lease ||
        now - lease->second.issued_s >= spec_.lease_timeout_s)
      return trace(m.key, m.value, "fill refused: its lease was revoked by a write or lapsed");
    leases_.erase(lease);
  }
  if (spec_.fill == Fill::versioned) {
    auto it = entries_.find(m.key);
    if (it != entries_.end() && it->second.expires_s > now && m.version < it->second.version)
      return trace(m.key, m.value,
                   "fill refused: read at position " + std::to_string(m.version) + ", older than position " +
                       std::to_string(it->second.version) + " here");
  }
  store(m.key, m.value, m.version, "fill");
}

void CacheModel::on_invalidate(const Envelope& request) {
  const auto& m = request.payload_as<CacheInvalidate>();
  const double now = sg4::Engine::get_clock();
  auto it = entries_.find(m.key);
  const bool newer_here = spec_.fill == Fill::versioned && it != entries_.end() &&
                          it->second.expires_s > now && it->second.version > m.version;
  if (spec_.fill == Fill::lease) leases_.erase(m.key); // a fill read before this write must not land
  if (newer_here) {
    trace(m.key, m.value, "invalidation ignored: the cache already has position " + std::to_string(it->second.version));
  } else if (m.value) {
    store(m.key, m.value, m.version, "update");
  } else if (spec_.fill == Fill::versioned) {
    // A tombstone: remembers the position a fill must reach.
    store(m.key, std::nullopt, m.version, "delete (tombstone)", true);
  } else {
    entries_.erase(m.key);
    trace(m.key, std::nullopt, "delete");
  }
  server_.reply(request, kinds::invalidate_reply, std::make_unique<CacheInvalidateReply>(), 64);
}

void CacheModel::store(const std::string& key, std::optional<std::int64_t> value, std::int64_t version,
                       const char* why, bool tombstone) {
  entries_[key] = Entry{value, version, sg4::Engine::get_clock() + spec_.ttl_s, tombstone};
  trace(key, value, why);
}

void CacheModel::trace(const std::string& key, std::optional<std::int64_t> value, const std::string& why) {
  if (!context_.trace || !context_.trace->recording()) return;
  double now = sg4::Engine::get_clock();
  history::JsonLine line(now, "state");
  line.str("node", spec_.node).str("component", spec_.name);
  if (!key.empty()) line.str("key", key);
  if (value) line.integer("value", *value);
  line.integer("entries", static_cast<std::int64_t>(entries_.size())).str("why", why);
  context_.trace->add(now, line.done());
}

} // namespace faultlab::model
