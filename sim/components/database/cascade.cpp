// A DELETE and the foreign keys it follows. The rows each table loses come
// from topo::cascade (the same walk `faultlab analyze` prints): a parent row
// has child.rows / parent.rows children through each foreign key. The cost
// is the database's usual one: the rows examined to find them (an index
// lookup per parent row, or a scan of the whole child table per parent row
// when the referencing column has no index) times cpu_per_row, and every
// row deleted or set to NULL, with its index entries, times write_per_row.
#include "components/database/model.hpp"

#include "history/op.hpp"

#include <algorithm>
#include <cmath>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using scenario::Database;

DatabaseModel::Plan DatabaseModel::plan_delete(const Database::Query& query, const std::string& key,
                                               topo::CascadeResult& cascade) {
  const double now = sg4::Engine::get_clock();
  std::map<std::string, double> rows;
  for (auto& [name, table] : tables_) {
    advance(table, now);
    rows[name] = table.rows;
  }
  double matched = spec_.rows_matched(query, rows);
  if (deleted_keys_.count(query.table + "/" + key) || emptied_.count(key + "|" + query.table + "." + query.column))
    matched = 0; // gone already
  std::set<std::string> empty;
  const std::string prefix = key + "|";
  for (const auto& e : emptied_)
    if (e.compare(0, prefix.size(), prefix) == 0) empty.insert(e.substr(prefix.size()));
  cascade = topo::cascade(spec_.data_model(rows), query.table, matched, empty);

  Plan p;
  const TableState& start = tables_.at(query.table);
  const bool indexed = start.spec->index_on(query.column) != nullptr;
  p.rows_examined = (indexed ? std::log2(std::max(2.0, start.rows)) + matched : start.rows) + cascade.rows_examined();
  p.writes_with_indexes = 0;
  std::size_t tables = 0;
  for (const auto& r : cascade.reach) {
    const TableState& t = tables_.at(r.table);
    const double written = r.rows_deleted + r.rows_set_null;
    p.rows_written += written;
    p.writes_with_indexes += written * (1.0 + static_cast<double>(t.indexes.size()));
    p.pages_read += written / std::max(1.0, spec_.page_bytes / t.spec->row_bytes);
    if (written > 0 && r.depth > 0) ++tables;
  }
  p.access = "delete from " + query.table + " where " + query.column + " = " + key + (indexed ? " (index)" : " (seq scan)");
  if (tables > 0) p.access += ", cascading to " + std::to_string(tables) + (tables == 1 ? " table" : " tables");
  if (cascade.refused_by) p.access += ", refused by RESTRICT on " + cascade.refused_by->child + "." + cascade.refused_by->column;
  return p;
}

void DatabaseModel::apply_delete(const Database::Query& query, const std::string& key,
                                 const topo::CascadeResult& cascade, const std::string& who) {
  const double now = sg4::Engine::get_clock();
  for (const auto& r : cascade.reach) {
    TableState& t = tables_.at(r.table);
    if (r.rows_deleted > 0 && t.rows > 0) {
      // The rows go from every age bucket alike: a tenant's rows are spread over time.
      const double keep = std::max(0.0, 1.0 - r.rows_deleted / t.rows);
      for (auto& b : t.buckets) b.rows *= keep;
      t.rows = std::max(0.0, t.rows - r.rows_deleted);
      t.reusable_bytes += r.rows_deleted * row_bytes(t);
    }
    // What was deleted is part of the history, as a provider's ledger is:
    // unintended_deletion reads it there.
    auto record = [&](const char* f, double n) {
      const auto count = static_cast<std::int64_t>(std::llround(n));
      if (count <= 0) return;
      const std::int64_t op = context_.recorder.invoke(now, 0, spec_.name, f, r.table, count);
      context_.recorder.complete(op, now, history::Outcome::ok, count, spec_.node,
                                 who + " " + query.name + " where " + query.column + " = " + key +
                                     (r.via.empty() ? "" : ", via " + r.via));
    };
    record("deleted", r.rows_deleted);
    record("set_null", r.rows_set_null);
  }
  deleted_keys_.insert(query.table + "/" + key);
  for (const auto& k : spec_.find_table(query.table)->foreign_keys)
    if (k.column == query.column) emptied_.insert(key + "|" + query.table + "." + query.column);
}

} // namespace faultlab::model
