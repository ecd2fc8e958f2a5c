// A relational database on one node (PostgreSQL-like in behaviour, not in
// code): tables whose row counts grow, indexes, queries declared by their
// shape, table and row locks with a FIFO lock queue, connections, memory and
// a disk that fills up.
//
// Nothing here is a made-up latency. A query's cost is the rows it examines
// (which follow from its shape, the table's size at that moment and whether
// an index serves it) times the CPU per row, plus the pages that miss the
// buffer cache read from the node's disk; its waiting is the lock queue and
// the connection pool. A student can compute each number by hand.
#pragma once

#include "scenario/component.hpp"
#include "scenario/config.hpp"
#include "topo/data_graph.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace faultlab::scenario {

struct Database : ComponentSpec {
  // PostgreSQL's table lock modes that faultlab's queries take, weakest first.
  enum class LockMode { access_share, row_exclusive, share_update_exclusive, share, access_exclusive };

  struct Index {
    std::string column;
    // A partial index covers only this share of the rows (WHERE status =
    // 'open'): smaller, and only queries on that subset can use it.
    double fraction = 1.0;
  };

  // A column of this table that references another table's rows, and
  // what deleting a referenced row does to this table's rows.
  struct ForeignKey {
    std::string column;
    std::string references;
    topo::OnDelete on_delete = topo::OnDelete::cascade;
  };

  struct Table {
    std::string name;
    double rows = 0;         // at the start of the run
    double row_bytes = 200;  // on disk, with its share of page overhead
    double growth_per_s = 0; // rows other traffic adds per second (an audit log, events)
    std::vector<Index> indexes;
    // Its columns at the start: the scenario's `columns`, or else every
    // column its indexes and statements name, except those an ALTER of the
    // scenario adds or renames to (they come into being when it runs).
    std::vector<std::string> columns;
    // Partitioned by time: dropping a partition older than a retention
    // frees its space at once, instead of deleting its rows one by one.
    std::optional<double> partition_s;
    std::vector<ForeignKey> foreign_keys; // keyed by column in the scenario
    // Non-empty: its rows must be kept (invoices, for tax law), and why;
    // the unintended_deletion check reports any row deleted from it.
    std::string keep;

    const Index* index_on(const std::string& column) const;
  };

  enum class Shape {
    point,    // WHERE column = ?
    range,    // WHERE column BETWEEN ? AND ? (returns `rows` rows)
    offset,   // ORDER BY column OFFSET batch*limit LIMIT limit
    keyset,   // WHERE column > last_seen ORDER BY column LIMIT limit
    function, // WHERE f(column) = ? : the index on column cannot be used
    scan,     // the whole table (a report, an unindexed aggregate)
    insert,
    update,   // WHERE column = ?, locks the row
    purge,    // DELETE rows older than `older_than`, or DROP the partitions that old
    alter,    // ALTER TABLE / CREATE INDEX, of kind `alter`
    backfill, // UPDATE ... WHERE column BETWEEN batch*limit AND (batch+1)*limit: a batch of a data migration
    remove,   // DELETE WHERE column = ?, following the foreign keys that reference the rows ("delete")
  };
  enum class Alter {
    add_column_nullable, // catalog only: instant, but needs ACCESS EXCLUSIVE
    add_column_default,  // rewrites every row (PostgreSQL before 11, or a volatile default)
    rename_column,       // catalog only
    rewrite,             // ALTER COLUMN TYPE and friends: every row rewritten
    create_index,        // SHARE lock: reads go on, writes wait for the build
    create_index_concurrently, // no lock that blocks reads or writes; about twice the work
    drop_column,         // catalog only (the space comes back at the next rewrite)
  };

  struct Query {
    std::string name;
    std::string table;
    Shape shape = Shape::point;
    std::string column;  // point, range, offset, keyset, function, update
    double rows = 1;     // range: rows it returns
    double limit = 100;  // offset, keyset: rows per batch
    double older_than_s = 0; // purge
    Alter alter = Alter::add_column_nullable;
    // alter: the column it indexes, adds, renames or drops ("" for an
    // ALTER that changes no column the statements name).
    std::string new_index_column;
    std::string rename_to; // rename_column: the new name
    // The other columns it names (a select list, the values of an insert,
    // an update's SET): a statement naming a column the table does not have
    // at that moment fails with PostgreSQL's "column ... does not exist".
    std::vector<std::string> columns;
    // After the statement, the transaction stays open this long (the
    // application doing other work, or a report reading its result):
    // every lock taken is held until then.
    double hold_s = 0;
    // Per-query settings (SET lock_timeout / statement_timeout); 0: the database's.
    double lock_timeout_s = 0;
    double statement_timeout_s = 0;
    double work_mem_bytes = 0; // memory it sorts or hashes in; 0: the database's work_mem

    LockMode lock_mode() const;
    bool writes() const;
    // Every column a statement of this query names and needs to exist (an
    // ALTER's own column rules are the model's).
    std::vector<std::string> named_columns() const;
  };

  // Something run against the database on a schedule: a migration at a
  // given time (retried when it fails), an export reading batch after batch,
  // a purge every night. Its statements are ops in the history under the
  // job's name, so the checkers and the viewer see them like a client's.
  struct Job {
    std::string name;
    std::string query;
    double at_s = 0;                // first run
    std::optional<double> every_s;  // then again this often
    int batches = 1;                // statements per run, one after the other (an export's pages)
    int retries = 0;                // a failed statement is tried again this many times
    double backoff_s = 1.0;         // before each retry
    std::string key;                // the row its statement names (a DELETE's id); "" : the table or batch
  };

  std::string node;
  double cpu_per_row_s = 2e-6;      // CPU to examine one row (on one core of the node)
  double write_per_row_s = 10e-6;   // CPU to write one row and its index entries
  double page_bytes = 8192;
  double index_entry_bytes = 32;
  int max_connections = 100;
  double lock_timeout_s = 0;        // 0: wait forever (PostgreSQL's default)
  double statement_timeout_s = 0;   // 0: no limit (PostgreSQL's default)
  double shared_buffers_bytes = 128.0 * 1024 * 1024; // the buffer cache
  double work_mem_bytes = 4.0 * 1024 * 1024;        // per query that sorts or hashes
  double connection_bytes = 10.0 * 1024 * 1024;     // per open connection (a backend process)
  double recovery_s = 10;           // crash recovery before it accepts connections again
  // A standby in another node that takes over when the primary is down
  // (synchronous replication: nothing acknowledged is lost).
  std::optional<std::string> standby;
  double failover_s = 30;           // from the primary's failure to the standby serving
  std::vector<Table> tables;
  std::vector<Query> queries;
  std::vector<Job> jobs;
  std::int64_t message_bytes = 512;

  const Table* find_table(const std::string& table) const;
  const Query* find_query(const std::string& query) const;
  // The tables and foreign keys as topo/ walks them, with these row counts
  // (the spec's when empty).
  topo::DataModel data_model(const std::map<std::string, double>& rows = {}) const;
  // Rows a DELETE WHERE column = ? matches in `table`: a referencing
  // column matches a parent's share of the rows, any other column one row.
  double rows_matched(const Query& query, const std::map<std::string, double>& rows = {}) const;

  std::vector<NodeRole> node_roles() const override;
  std::vector<std::string> client_ops() const override;
  std::vector<std::string> call_ops() const override { return client_ops(); }
  ClientRules client_rules() const override;
  void add_to_design(topo::Design& design, const Scenario& scenario) const override;
  std::string analyze_note() const override;
  std::string analyze_data_text() const override;
  std::string analyze_data_dot() const override;
  void add_checker_facts(check::CheckOptions& options) const override;
  std::vector<std::string> metric_names() const override;
  std::string report_line(const std::map<std::string, double>& metrics) const override;
};

const char* to_string(Database::LockMode mode);
const char* to_string(Database::Shape shape);
const char* to_string(Database::Alter alter);
// PostgreSQL's conflict table, for the modes above.
bool conflicts(Database::LockMode a, Database::LockMode b);

// Reads one component of this type from `r` (its "type" already read).
std::shared_ptr<ComponentSpec> read_database(const std::string& name, ObjectReader& r, const Topology& topology);

} // namespace faultlab::scenario

namespace faultlab::components {
// Registers the type: its scenario reader, its model and its client driver.
void register_database();
} // namespace faultlab::components
