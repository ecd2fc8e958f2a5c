// A cache-aside cache (think memcached or Redis used as a cache) and the
// application that uses it.
//
// The cache server only stores: get, set, delete/update, each entry with a
// time to live. Everything else is the application's (CacheAsideClient): on
// a read it asks the cache; on a miss it reads the database, spends a while
// building the object, then puts what it read into the cache. On a write it
// writes the database, then invalidates the cache entry (delete or update).
//
// The race this shows: a reader misses and reads the old value, a writer
// updates the database and deletes the entry, then the reader's fill puts
// the old value back, where it stays until the TTL ends. Two guards stop it:
// `versioned` fills carry the database position they were read at and lose
// against anything newer, including a delete (kept as a tombstone); `lease`
// fills need the lease the cache handed out with the miss, and a delete
// revokes it (the design of memcached at Facebook). A lease also stops a
// stampede: while one reader refills a hot key, the others wait briefly
// instead of all going to the database.
//
// The cache is memory only: a crash empties it.
#pragma once

#include "components/cache/spec.hpp"
#include "model/cache_messages.hpp"
#include "model/components.hpp"
#include "model/driver.hpp"
#include "model/group_client.hpp"
#include "model/server.hpp"

#include <map>
#include <set>

namespace faultlab::model {

class CacheModel : public ComponentModel {
public:
  CacheModel(const scenario::Cache& spec, Context& context);
  void start() override;
  const scenario::Cache& spec() const { return spec_; }
  int node() const { return server_.node(); }

private:
  struct Entry {
    std::optional<std::int64_t> value; // nullopt: the database has no such key (cached too)
    std::int64_t version = 0;
    double expires_s = 0;
    bool tombstone = false; // a versioned delete: not a value, only the position a fill must reach
  };
  struct Lease {
    std::int64_t token = 0;
    double issued_s = 0;
  };
  void serve();
  void on_get(const engine::Envelope& request);
  void on_set(const CacheSet& set);
  void on_invalidate(const engine::Envelope& request);
  void store(const std::string& key, std::optional<std::int64_t> value, std::int64_t version, const char* why,
             bool tombstone = false);
  void trace(const std::string& key, std::optional<std::int64_t> value, const std::string& why);

  const scenario::Cache& spec_;
  Context& context_;
  Server server_;
  std::map<std::string, Entry> entries_; // volatile
  std::map<std::string, Lease> leases_;  // volatile
  std::int64_t next_token_ = 1;
};

class CacheAsideClient : public ClientDriver {
public:
  CacheAsideClient(const scenario::Client& spec, Context& context, int node, util::Rng& rng, const CacheModel& cache,
                   const ReplicaGroupModel& database);

  void perform(const ClientRequest& request) override;
  std::vector<std::string> final_keys() const override { return {written_keys_.begin(), written_keys_.end()}; }
  void report(ModelStats& stats) const override;

private:
  void read(const ClientRequest& request);
  void write(const ClientRequest& request);
  std::unique_ptr<engine::Envelope> cache_call(engine::MessageKind kind,
                                               std::unique_ptr<engine::Payload> request, std::int64_t op,
                                               double deadline_s);
  GroupClient::Answer read_database(const std::string& key, std::int64_t op, double deadline_s);

  const CacheModel& cache_;
  GroupClient database_;
  util::Rng fill_rng_;
  std::set<std::string> written_keys_;
  std::int64_t hits_ = 0, misses_ = 0;
  std::vector<double> database_reads_s_; // when each database read was made (not final reads)
};

} // namespace faultlab::model
