// Data graphs: what one DELETE reaches through foreign keys, and where copies
// of one person's data live and which of them an erasure reaches. Plain data
// in, reports out, with Boost.Graph doing the walking; no SimGrid and no
// scenario format, so the database model, `faultlab analyze` and the tests
// all compute the same numbers from the same function.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace faultlab::topo {

// ---- Foreign keys and ON DELETE ------------------------------------------

enum class OnDelete { cascade, restrict, set_null };
const char* to_string(OnDelete rule); // "CASCADE", "RESTRICT", "SET NULL"

struct DataTable {
  std::string name;
  double rows = 0;
  std::string keep; // non-empty: rows that must be kept, and why ("10 years, tax law")
};

// child.column REFERENCES parent ON DELETE rule. A parent row has, on
// average, child.rows / parent.rows children through it: the fan-out comes
// from the row counts, nothing else.
struct ForeignKey {
  std::string child;
  std::string column;
  std::string parent;
  OnDelete on_delete = OnDelete::cascade;
  bool indexed = true; // the child has an index on `column`
};

struct DataModel {
  std::vector<DataTable> tables;
  std::vector<ForeignKey> keys;
};

// What a DELETE did (or would do) to one table.
struct TableReach {
  std::string table;
  double rows_deleted = 0;
  double rows_set_null = 0; // SET NULL: rows updated, kept
  double rows_examined = 0; // to find the rows (index lookups or a seq scan per parent row)
  int depth = 0;            // cascade steps from the table the DELETE named (0 for it)
  std::string via;          // "users.organization_id" that reached it ("" for the start)
  std::string keep;         // the table's keep rule
};

struct CascadeResult {
  std::string table;             // the table the DELETE names
  std::vector<TableReach> reach; // the start first, then in cascade order (parents before children)
  // A RESTRICT that refuses the DELETE: the whole statement fails, nothing is deleted.
  std::optional<ForeignKey> refused_by;
  double refused_rows = 0;          // rows that still reference the parent
  std::vector<std::string> longest; // the longest chain of CASCADE steps, start first
  double rows_deleted() const;
  double rows_set_null() const;
  double rows_examined() const;
};

// Validates the model (unknown tables, duplicate names, a cycle of
// foreign keys) and throws std::invalid_argument naming the problem.
void validate(const DataModel& model);

// DELETE `rows` rows of `table` and follow the foreign keys. `empty` names
// foreign keys ("child.column") that hold no rows for the deleted rows
// any more (an explicit cleanup already removed them).
CascadeResult cascade(const DataModel& model, const std::string& table, double rows,
                      const std::set<std::string>& empty = {});

// "DELETE FROM organizations (1 row) reaches 5 tables ..." with one line per
// table, the refusal or the longest chain, and every kept table deleted from.
std::string render_cascade_text(const CascadeResult& result, const std::string& title);
// A digraph: tables as boxes (reached ones filled, kept ones red when
// deleted from), foreign keys from parent to child labelled with their rule.
std::string render_cascade_dot(const DataModel& model, const CascadeResult& result, const std::string& title);

// ---- Copies of personal data and an erasure ------------------------------

struct DataStore {
  std::string name;
  std::string kind;                   // "database", "logs", "backup", "third_party", ... (display)
  std::vector<std::string> copied_from; // the stores its copy comes from ("" for none: the source)
  bool covered = false;                 // the erasure job erases it
  std::optional<double> retention_s;    // copies age out after this long (logs, backups, a cache's TTL)
  bool encrypted = false;               // held under the person's own key (crypto-shredding)
};

struct ErasureReach {
  std::string store;
  std::string how;    // "erased by the job", "unreadable: key deleted", "ages out", "kept"
  bool cleared_by_deadline = false;
  std::optional<double> ages_out_after_s; // retention, when the copy goes by itself
};

// Walks the copy flows (Boost.Graph, breadth first from the sources) and
// says for each store how its copy goes away. `key_store`: the store
// holding per-person keys when the design uses crypto-shredding ("" none).
// Throws std::invalid_argument for an unknown store in copied_from.
std::vector<ErasureReach> erasure_reach(const std::vector<DataStore>& stores, double deadline_s,
                                        const std::string& key_store);
std::string render_erasure_text(const std::vector<DataStore>& stores, const std::vector<ErasureReach>& reach,
                                double deadline_s, const std::string& title);
std::string render_erasure_dot(const std::vector<DataStore>& stores, const std::vector<ErasureReach>& reach,
                               const std::string& title);

} // namespace faultlab::topo
