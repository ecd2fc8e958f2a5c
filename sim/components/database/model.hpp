// The database as SimGrid actors.
//
// Each statement runs in an actor of its own on the serving node, as a
// PostgreSQL backend would, in four steps a student can follow in the trace:
//
//  1. a connection: refused past max_connections; its memory (and the
//     statement's work_mem) counts against the node's memory, and going
//     past it is an out-of-memory crash followed by crash recovery;
//  2. the table lock its kind of statement takes (ACCESS SHARE for reads,
//     ROW EXCLUSIVE for writes, ACCESS EXCLUSIVE for most ALTER TABLEs),
//     granted in FIFO order: a request waits if it conflicts with a holder
//     *or with anyone already waiting*, which is why one ALTER TABLE waiting
//     behind a long report stops every query behind it; updates also take
//     the row's lock; lock_timeout bounds the wait; with the table's lock
//     held, the columns the statement names are looked up in the table as
//     it is at that moment, and one that is missing fails the statement at
//     once ("column "name" does not exist", after a RENAME or a DROP);
//  3. the work: the rows the plan examines (from the table's size at that
//     moment and whether an index serves the query) times the CPU per row,
//     executed on the node's cores (so queries slow each other down), plus
//     the pages that miss the buffer cache, read from the node's disk
//     (whose bandwidth they share); statement_timeout bounds steps 2 and 3;
//  4. its effect (rows added or deleted, an index built, a column added,
//     renamed or dropped),
//     then the locks are held for the transaction's `hold` and released.
//
// Tables grow by themselves (growth_per_s) between statements without any
// event: their size is brought up to date when something looks at it, so a
// simulated year costs only the events that happen in it. The disk fills
// with rows and index entries; when it is full the database stops (writes
// cannot be logged) and cannot start again.
#pragma once

#include "components/database/spec.hpp"
#include "engine/message.hpp"
#include "model/callee.hpp"
#include "model/components.hpp"
#include "model/driver.hpp"
#include "model/server.hpp"

#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace faultlab::model {

namespace database_detail {
constexpr double kForever = std::numeric_limits<double>::infinity(); // "never", for deadlines and downtime
} // namespace database_detail

struct QueryRequest final : engine::Payload {
  std::string query;
  std::string key;        // the row an update locks
  std::string who;        // client group, service or job: for lock reports
  std::string connection; // connection id
  bool pooled = false;    // the connection stays open afterwards
  std::int64_t batch = 0; // offset pagination: which page
  std::int64_t history_op = -1;
};
struct QueryReply final : engine::Payload {
  bool ok = false;
  std::string error;
};

// The client gave up on its statement (a driver's query timeout sends this,
// as PostgreSQL's CancelRequest): the statement stops, and its connection
// is free again.
struct CancelRequest final : engine::Payload {
  std::string connection;
};

namespace database_kinds {
inline const engine::MessageKind query = engine::message_kind<QueryRequest>("query");
inline const engine::MessageKind query_reply = engine::message_kind<QueryReply>("query_reply");
inline const engine::MessageKind cancel = engine::message_kind<CancelRequest>("cancel_query");
} // namespace database_kinds

class DatabaseModel : public ComponentModel, public Callee {
public:
  DatabaseModel(const scenario::Database& spec, Context& context);
  void start() override;
  CallAnswer call(Rpc& rpc, const CallRequest& request, double deadline_s) override;
  const scenario::Database& spec() const { return spec_; }
  // The node that serves queries now: the primary, or the standby once it took over.
  int serving_node() const { return promoted_ ? standby_node_ : primary_node_; }
  // Sends one statement and waits for its answer until deadline_s.
  CallAnswer send(Rpc& rpc, std::unique_ptr<QueryRequest> request, double deadline_s);
  void report(ModelStats& stats) const override;
  // What the database's files hold now, table by table, in the scenario's
  // order: read by a backup agent on the same node (a local read of the
  // files, not a request to the server).
  struct TableSize {
    std::string name;
    double rows = 0;
    double row_bytes = 0; // a row without its index entries
    int indexes = 0;
  };
  std::vector<TableSize> table_sizes();

private:
  using Mode = scenario::Database::LockMode;
  struct LockRequest {
    std::int64_t id = 0;
    Mode mode = Mode::access_share;
    std::string who;
    double since_s = 0;
    bool granted = false;
    bool aborted = false;
    simgrid::s4u::SemaphorePtr wake;
  };
  struct LockQueue {
    std::vector<std::shared_ptr<LockRequest>> held;
    std::deque<std::shared_ptr<LockRequest>> waiting;
  };
  struct Bucket {
    double start_s = 0;
    double rows = 0;
  };
  struct TableState {
    const scenario::Database::Table* spec = nullptr;
    double rows = 0;
    double reusable_bytes = 0; // freed by DELETE, reused by new rows, never given back to the disk
    double updated_s = 0;      // rows are up to date at this time
    double bucket_s = 3600;    // rows are kept by age in buckets this wide (partitions when partitioned)
    std::deque<Bucket> buckets;
    std::vector<scenario::Database::Index> indexes; // the spec's, plus those built during the run
    std::vector<std::string> columns;               // the spec's, as ALTERs changed them since
  };
  struct Running {
    std::int64_t id = 0;
    std::string connection;
    double work_mem = 0;
    bool aborted = false;
    bool cancelled = false; // by its client
    simgrid::s4u::ActivityPtr activity;
    std::shared_ptr<LockRequest> waiting;
  };
  struct Plan {
    double rows_examined = 0;
    double rows_written = 0;
    double pages_read = 0;
    double bytes_written = 0;
    std::string access; // "index scan on orders(id)", "seq scan on orders", ...
    bool sorts = false;
    // A DELETE's rows and index entries written over every table it
    // reaches (each table has its own indexes); -1: rows_written on the
    // query's table.
    double writes_with_indexes = -1;
  };
  struct Acquired {
    bool ok = false;
    std::string error;
  };

  void serve(int node);
  void cancel(const std::string& connection);
  void run(int node, std::shared_ptr<engine::Envelope> request);
  // Steps 2 to 4; "" when the statement succeeded, else the error.
  std::string execute(const scenario::Database::Query& query, const QueryRequest& request,
                      std::shared_ptr<Running> running, double deadline_s, std::uint64_t epoch);
  Acquired acquire(LockQueue& queue, const std::string& what, Mode mode, const std::string& who, double lock_timeout_s,
                   double deadline_s, Running& running, std::uint64_t epoch);
  void release(LockQueue& queue, const std::shared_ptr<LockRequest>& request);
  void grant_waiters(LockQueue& queue);
  Plan plan(const scenario::Database::Query& query, TableState& table, std::int64_t batch) const;
  // Parse analysis: "" when every column the statement names is as it
  // needs (there, or for an ALTER that adds one, not there), else
  // PostgreSQL's error.
  std::string resolve(const scenario::Database::Query& query, const TableState& table) const;
  void trace_schema(const TableState& table, const std::string& change);
  void apply(const scenario::Database::Query& query, TableState& table, const Plan& plan);
  // DELETE WHERE column = key and what its foreign keys reach (cascade.cpp).
  Plan plan_delete(const scenario::Database::Query& query, const std::string& key, topo::CascadeResult& cascade);
  void apply_delete(const scenario::Database::Query& query, const std::string& key, const topo::CascadeResult& cascade,
                    const std::string& who);
  void advance(TableState& table, double now_s);
  void add_rows(TableState& table, double rows, double at_s);
  double row_bytes(const TableState& table) const;
  double disk_used();
  // The node's disk as `df` sees it: the database's files plus whatever
  // else a disk_fill fault put there (logs, a core dump).
  double node_disk_used();
  double memory_used() const;
  double hit_ratio();
  // The database stops: every statement in progress fails, locks and
  // connections are gone. It accepts connections again after `down_s`
  // (infinity: never).
  void stop(const std::string& why, const std::string& incident, double down_s);
  void watch();
  void run_job(const scenario::Database::Job& job);
  void trace_level();
  void trace_state(int node, const std::string& why);

  const scenario::Database& spec_;
  Context& context_;
  int primary_node_ = -1;
  int standby_node_ = -1;
  bool promoted_ = false;
  std::unique_ptr<Server> primary_;
  std::unique_ptr<Server> standby_;
  util::Rng rng_;
  std::map<std::string, TableState> tables_;
  std::map<std::string, LockQueue> table_locks_;
  std::map<std::string, LockQueue> row_locks_;
  std::set<std::string> connections_; // open ones
  // What DELETEs removed, so a second one finds nothing: "table/key" of
  // the rows a DELETE named, and "key|child.column" for the rows that
  // referenced `key` through that column.
  std::set<std::string> deleted_keys_;
  std::set<std::string> emptied_;
  std::map<std::int64_t, std::shared_ptr<Running>> running_;
  std::uint64_t epoch_ = 0;  // bumped at every stop: what began before it is gone
  double down_until_s_ = 0;  // not accepting connections before this
  std::string down_reason_;
  double memory_bytes_ = 0;  // the node's; 0: not limited
  double disk_bytes_ = 0;    // the node's; 0: not limited
  double sample_s_ = 1;
  std::int64_t next_id_ = 1;
  // What the summary reports.
  double rows_examined_ = 0;
  double lock_wait_max_s_ = 0;
  std::int64_t lock_timeouts_ = 0;
  std::int64_t statement_timeouts_ = 0;
  double disk_used_fraction_max_ = 0;
};

// A client group that sends statements straight to the database, one
// connection per request (no pool).
class DatabaseClient : public ClientDriver {
public:
  DatabaseClient(const scenario::Client& spec, Context& context, int node, util::Rng& rng, DatabaseModel& db)
      : ClientDriver(spec, context, node, rng), db_(db) {}
  void perform(const ClientRequest& request) override;

private:
  DatabaseModel& db_;
};

} // namespace faultlab::model
