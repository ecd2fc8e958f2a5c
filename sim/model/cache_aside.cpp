// The application in front of a cache: cache-aside reads and writes.
#include "model/cache.hpp"

#include <algorithm>
#include <cmath>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Envelope;
using history::Outcome;
namespace kinds = cache_kinds;
using Fill = scenario::Cache::Fill;
using Invalidation = scenario::Cache::Invalidation;

CacheAsideClient::CacheAsideClient(const scenario::Client& spec, Context& context, int node, util::Rng& rng,
                                   const CacheModel& cache, const ReplicaGroupModel& database)
    : ClientDriver(spec, context, node, rng), cache_(cache), database_(database, context, rpc_, rng),
      fill_rng_(context.rng("fill/" + spec.name)) {}

// A request to the cache, waited for until the cache's own timeout at most.
std::unique_ptr<Envelope> CacheAsideClient::cache_call(engine::MessageKind kind,
                                                       std::unique_ptr<engine::Payload> request,
                                                       std::int64_t op, double deadline_s) {
  return rpc_.call(cache_.node(), cache_.spec().name,
                   engine::envelope(kind, std::move(request), cache_.spec().message_bytes, op),
                   std::min(deadline_s, now() + cache_.spec().timeout_s));
}

GroupClient::Answer CacheAsideClient::read_database(const std::string& key, std::int64_t op, double deadline_s) {
  database_reads_s_.push_back(now());
  GroupClient::Request request;
  request.key = key;
  request.op = op;
  return database_.call(request, deadline_s);
}

void CacheAsideClient::perform(const ClientRequest& request) {
  if (request.f == "write") return write(request);
  read(request);
}

void CacheAsideClient::read(const ClientRequest& request) {
  const double start_s = now();
  const std::int64_t process = request.final_read ? -1 : request.session;
  const std::int64_t op =
      context_.recorder.invoke(start_s, process, spec_.name, "read", request.key, std::nullopt, request.final_read);
  const double deadline_s = start_s + spec_.timeout_s;
  auto finish = [&](const GroupClient::Answer& answer) {
    context_.recorder.complete(op, answer.outcome == Outcome::info ? deadline_s : now(), answer.outcome, answer.value,
                               answer.node, answer.error);
  };
  if (request.final_read) { // the final state is the database's, from its primary
    GroupClient::Request final_request;
    final_request.key = request.key;
    final_request.op = op;
    final_request.final_read = true;
    return finish(database_.call(final_request, deadline_s));
  }

  bool fill = true;
  std::int64_t lease = 0;
  for (int waits = 0;; ++waits) {
    auto get = std::make_unique<CacheGet>();
    get->key = request.key;
    std::unique_ptr<Envelope> answer = cache_call(kinds::get, std::move(get), op, deadline_s);
    const CacheGetReply* reply = answer ? &answer->payload_as<CacheGetReply>() : nullptr;
    if (reply && reply->hit) {
      ++hits_;
      context_.recorder.complete(op, now(), Outcome::ok, reply->value, cache_.spec().node);
      return;
    }
    if (reply && reply->wait && waits < cache_.spec().lease_retries &&
        now() + cache_.spec().lease_wait_s < deadline_s) {
      sg4::this_actor::sleep_for(cache_.spec().lease_wait_s); // someone else is refilling it
      continue;
    }
    // A miss; or the cache is down or slow (read around it); or we waited
    // long enough for someone else's fill (read, but leave the fill to them).
    fill = reply && !reply->wait;
    if (reply) lease = reply->lease;
    break;
  }
  ++misses_;
  GroupClient::Answer answer = read_database(request.key, op, deadline_s);
  if (answer.outcome == Outcome::ok && fill) {
    // Building the cached object takes a while (rendering, serialising, a
    // pause): this is the window in which a write can slip in.
    double delay_s = draw(cache_.spec().fill_delay, fill_rng_);
    if (delay_s > 0) sg4::this_actor::sleep_for(delay_s);
    auto set = std::make_unique<CacheSet>();
    set->key = request.key;
    set->value = answer.value;
    set->version = answer.position; // the database position the value was read at
    set->lease = lease;
    rpc_.send(cache_.node(), cache_.spec().name,
              engine::envelope(kinds::set, std::move(set), cache_.spec().message_bytes, op));
  }
  finish(answer);
}

void CacheAsideClient::write(const ClientRequest& request) {
  const double start_s = now();
  const std::int64_t value = context_.next_value++;
  const std::int64_t op = context_.recorder.invoke(start_s, request.session, spec_.name, "write", request.key, value);
  const double deadline_s = start_s + spec_.timeout_s;
  GroupClient::Request db_write;
  db_write.write = true;
  db_write.key = request.key;
  db_write.value = value;
  db_write.op = op;
  GroupClient::Answer answer = database_.call(db_write, deadline_s);
  if (answer.outcome != Outcome::fail) written_keys_.insert(request.key);
  if (answer.outcome == Outcome::ok && cache_.spec().invalidation != Invalidation::none) {
    // After the database: invalidating first would let a reader refill the
    // old value before the write lands.
    auto invalidate = std::make_unique<CacheInvalidate>();
    invalidate->key = request.key;
    if (cache_.spec().invalidation == Invalidation::update) invalidate->value = value;
    invalidate->version = answer.position;
    // The write is done whether or not the invalidation is answered; a lost
    // invalidation leaves the cache stale until the TTL, as in production.
    cache_call(kinds::invalidate, std::move(invalidate), op, deadline_s);
  }
  context_.recorder.complete(op, answer.outcome == Outcome::info ? deadline_s : now(), answer.outcome, value,
                             answer.node, answer.error, answer.outcome == Outcome::ok ? std::optional(answer.position)
                                                                                        : std::nullopt);
}

void CacheAsideClient::report(ModelStats& stats) const {
  stats.cache_hits += hits_;
  stats.cache_misses += misses_;
  stats.database_read_times_s.insert(stats.database_read_times_s.end(), database_reads_s_.begin(),
                                     database_reads_s_.end());
}

} // namespace faultlab::model
