// A sharded store and its clients.
//
// Each shard is one server on its own node with a finite speed: a request
// costs `service_time` of its CPU, so a shard offered more than it can do
// builds a queue and its latency grows (SimGrid's CPU model does this). The
// client library routes each request with the placement rule:
//   hash       the shard key's hash picks the shard;
//   range      contiguous stretches of the key space: tenant ids in order,
//              or dates (each shard holds `period` of time, in shard order);
//   directory  a table of tenants, each on one shard or spread over several
//              (the way a big customer is split out); the rest by hash.
// The shard key is the tenant, the tenant and the record, or the date. With
// Zipf-distributed tenants, keying by tenant alone sends the biggest
// customers' whole load to whichever shard they hash to.
#pragma once

#include "components/sharded_store/spec.hpp"
#include "model/components.hpp"
#include "model/driver.hpp"
#include "model/server.hpp"

#include <string>
#include <unordered_map>

namespace faultlab::model {

// What a shard client and a shard say to each other.
struct ShardRead final : engine::Payload {
  std::string key;
};
struct ShardWrite final : engine::Payload {
  std::string key;
  std::int64_t value = 0;
};
struct ShardReply final : engine::Payload { // to both
  std::optional<std::int64_t> value;        // a read of a key that was written
};
namespace shard_kinds {
inline const engine::MessageKind read = engine::message_kind<ShardRead>("read");
inline const engine::MessageKind read_reply = engine::message_kind<ShardReply>("read_reply");
inline const engine::MessageKind write = engine::message_kind<ShardWrite>("write");
inline const engine::MessageKind write_reply = engine::message_kind<ShardReply>("write_reply");
} // namespace shard_kinds

// Where a record lives: the index of its shard in `store.shards`. Pure, so
// it can be tested on its own.
int place(const scenario::ShardedStore& store, int tenant_count, std::size_t tenant, const std::string& tenant_name,
          std::int64_t record, std::int64_t period);

class ShardedStoreModel : public ComponentModel {
public:
  ShardedStoreModel(const scenario::ShardedStore& spec, Context& context);
  void start() override;
  const scenario::ShardedStore& spec() const { return spec_; }
  int shard_node(int shard) const { return servers_[static_cast<std::size_t>(shard)]->node(); }

private:
  void serve(int shard);

  const scenario::ShardedStore& spec_;
  Context& context_;
  std::vector<std::unique_ptr<Server>> servers_;                    // per shard
  std::vector<std::unordered_map<std::string, std::int64_t>> data_; // per shard, durable
};

class ShardClient : public ClientDriver {
public:
  ShardClient(const scenario::Client& spec, Context& context, int node, util::Rng& rng, const ShardedStoreModel& store)
      : ClientDriver(spec, context, node, rng), store_(store), route_rng_(context.rng("route/" + spec.name)) {}
  void perform(const ClientRequest& request) override;
  bool one_exchange() const override { return true; }
  std::unique_ptr<engine::Envelope> begin(const ClientRequest& request, OneExchange& exchange) override;
  void finish(const OneExchange& exchange, std::unique_ptr<engine::Envelope> reply) override;

private:
  const ShardedStoreModel& store_;
  util::Rng route_rng_;
};

} // namespace faultlab::model
