#include "model/sharded_store.hpp"

#include <cmath>
#include <deque>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Envelope;
namespace kinds = shard_kinds;
using Placement = scenario::ShardedStore::Placement;
using ShardKey = scenario::ShardedStore::ShardKey;

namespace {
// FNV-1a, then MurmurHash3's finaliser: FNV alone leaves the low bits of
// names that differ in their last digit in lockstep, so "customer-0".."-3"
// would land on four different shards by construction.
std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}
} // namespace

int place(const scenario::ShardedStore& store, int tenant_count, std::size_t tenant, const std::string& tenant_name,
          std::int64_t record, std::int64_t period) {
  const auto shards = static_cast<std::uint64_t>(store.shards.size());
  const std::string record_key = tenant_name + "/r" + std::to_string(record);
  if (store.placement == Placement::directory) {
    for (const auto& [name, listed] : store.directory)
      if (name == tenant_name) return listed[fnv1a(record_key) % listed.size()];
  }
  if (store.placement == Placement::range) {
    if (store.shard_key == ShardKey::date) return static_cast<int>(std::min<std::int64_t>(period, static_cast<std::int64_t>(shards) - 1));
    return static_cast<int>(tenant * shards / static_cast<std::uint64_t>(std::max(1, tenant_count)));
  }
  switch (store.shard_key) {
  case ShardKey::tenant: return static_cast<int>(fnv1a(tenant_name) % shards);
  case ShardKey::tenant_and_record: return static_cast<int>(fnv1a(record_key) % shards);
  case ShardKey::date: return static_cast<int>(fnv1a("p" + std::to_string(period)) % shards);
  }
  return 0;
}

ShardedStoreModel::ShardedStoreModel(const scenario::ShardedStore& spec, Context& context)
    : spec_(spec), context_(context), data_(spec.shards.size()) {
  for (const auto& shard : spec_.shards)
    servers_.push_back(
        std::make_unique<Server>(context_, context_.network.node_index(shard.node), spec_.name));
}

void ShardedStoreModel::start() {
  for (int shard = 0; shard < static_cast<int>(servers_.size()); ++shard)
    servers_[static_cast<std::size_t>(shard)]->start([this, shard] { serve(shard); }); // the data is durable
}

// One server per shard, one request at a time: what it cannot do yet waits
// in its mailbox.
void ShardedStoreModel::serve(int shard) {
  Server& server = *servers_[static_cast<std::size_t>(shard)];
  auto& data = data_[static_cast<std::size_t>(shard)];
  // The shard's backlog of accepted requests. Requests are moved here from
  // the mailbox as they arrive: a SimGrid mailbox scans its queue on every
  // send, so thousands of waiting requests there made an overloaded shard
  // quadratic to simulate. Order, and so behaviour, is the same.
  std::deque<std::unique_ptr<Envelope>> backlog;
  // A full backlog sheds what arrives (the client's request times out).
  auto take = [&](std::unique_ptr<Envelope> m) {
    if (context_.queue_has_room(backlog.size())) backlog.push_back(std::move(m));
  };
  while (true) {
    if (backlog.empty()) backlog.push_back(server.receive());
    while (auto more = server.receive(0)) take(std::move(more));
    std::unique_ptr<Envelope> m = std::move(backlog.front());
    backlog.pop_front();
    compute(spec_.service_time_s);
    while (auto more = server.receive(0)) take(std::move(more));
    auto answer = std::make_unique<ShardReply>();
    if (m->kind == kinds::write) {
      const auto& write = m->payload_as<ShardWrite>();
      data[write.key] = write.value;
      server.reply(*m, kinds::write_reply, std::move(answer), spec_.message_bytes);
    } else {
      const auto& read = m->payload_as<ShardRead>();
      if (auto it = data.find(read.key); it != data.end()) answer->value = it->second;
      server.reply(*m, kinds::read_reply, std::move(answer), spec_.message_bytes);
    }
  }
}

void ShardClient::perform(const ClientRequest& request) {
  OneExchange exchange;
  std::unique_ptr<Envelope> m = begin(request, exchange);
  finish(exchange, rpc_.call(exchange.to_node, exchange.port, std::move(m), exchange.deadline_s));
}

std::unique_ptr<Envelope> ShardClient::begin(const ClientRequest& request, OneExchange& exchange) {
  const auto& spec = store_.spec();
  const bool write = request.f == "write";
  const double start_s = now();
  // A write creates a record dated now; a read looks one up from any time so far.
  const double date_s = write ? start_s : route_rng_.uniform(0, start_s);
  const auto period = static_cast<std::int64_t>(std::floor(date_s / spec.period_s));
  const auto record = static_cast<std::int64_t>(route_rng_.below(static_cast<std::uint64_t>(spec.records_per_tenant)));
  const int shard = place(spec, spec_.key_count, request.key_index, request.key, record, period);
  std::string key = request.key + (spec.shard_key == scenario::ShardedStore::ShardKey::date
                                       ? "/p" + std::to_string(period) : std::string()) +
                    "/r" + std::to_string(record);
  std::optional<std::int64_t> value;
  if (write) value = context_.next_value++;
  const std::int64_t op = context_.recorder.invoke(start_s, request.session, spec_.name, request.f, key, value);
  std::unique_ptr<Envelope> m;
  if (write) {
    auto payload = std::make_unique<ShardWrite>();
    payload->key = key;
    payload->value = *value;
    m = engine::envelope(kinds::write, std::move(payload), spec.message_bytes, op);
  } else {
    auto payload = std::make_unique<ShardRead>();
    payload->key = key;
    m = engine::envelope(kinds::read, std::move(payload), spec.message_bytes, op);
  }
  exchange.to_node = store_.shard_node(shard);
  exchange.port = spec.name;
  exchange.deadline_s = start_s + spec_.timeout_s;
  exchange.op = op;
  exchange.write = write;
  exchange.value = value;
  return m;
}

void ShardClient::finish(const OneExchange& exchange, std::unique_ptr<Envelope> reply) {
  // The shard is named even when it did not answer: the request was routed
  // there, and its load is what shard_skew judges.
  const std::string& shard_name = context_.network.node_name(exchange.to_node);
  if (!reply) {
    context_.recorder.complete(exchange.op, exchange.deadline_s, history::Outcome::info, exchange.value, shard_name,
                               "timeout");
    return;
  }
  context_.recorder.complete(exchange.op, now(), history::Outcome::ok,
                             exchange.write ? exchange.value : reply->payload_as<ShardReply>().value, shard_name);
}

} // namespace faultlab::model
