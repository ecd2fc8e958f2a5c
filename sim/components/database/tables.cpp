// The database's tables: how they grow, what a statement examines and
// writes (its plan), what it changes, and what the tables take on disk and
// in memory.
#include "components/database/model.hpp"

#include "history/json_line.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <cmath>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using scenario::Database;
using Shape = Database::Shape;
using Alter = Database::Alter;
using database_detail::kForever;

namespace {
constexpr double kIndexFanout = 256; // index entries per B-tree page

double log2_rows(double n) { return std::log2(std::max(2.0, n)); }

// "30 days", "12 hours", or format_duration's seconds.
std::string age(double seconds) {
  if (seconds >= 2 * 86400 && std::fmod(seconds, 86400) == 0)
    return std::to_string(static_cast<long long>(seconds / 86400)) + " days";
  if (seconds >= 2 * 3600 && std::fmod(seconds, 3600) == 0)
    return std::to_string(static_cast<long long>(seconds / 3600)) + " hours";
  return util::format_duration(seconds);
}

// "1,234,567" for counts in messages.
std::string count(double n) {
  std::string digits = std::to_string(static_cast<long long>(std::llround(n)));
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-') out += ',';
    out += digits[i];
  }
  return out;
}
} // namespace

DatabaseModel::Plan DatabaseModel::plan(const Database::Query& query, TableState& table, std::int64_t batch) const {
  Plan p;
  const double n = table.rows;
  const Database::Table& t = *table.spec;
  const double rows_per_page = std::max(1.0, spec_.page_bytes / t.row_bytes);
  const Database::Index* index = nullptr;
  for (const auto& i : table.indexes)
    if (i.column == query.column) index = &i;
  // Rows a range, OFFSET or keyset scan returns are adjacent on disk (the
  // column grows with insertion order, like an id or created_at), so they
  // share pages; the rows of point lookups are each on a page of their own.
  auto index_scan = [&](double matched) {
    const double entries = n * index->fraction;
    const double depth = std::max(1.0, std::ceil(std::log(std::max(2.0, entries)) / std::log(kIndexFanout)));
    p.rows_examined = log2_rows(entries) + matched;
    p.pages_read = depth + (matched <= 1 ? matched : std::ceil(matched / rows_per_page));
    p.access = "index scan on " + t.name + "(" + index->column + ")";
  };
  auto seq_scan = [&](const std::string& why) {
    p.rows_examined = n;
    p.pages_read = n / rows_per_page;
    p.access = "seq scan on " + t.name + why;
  };
  switch (query.shape) {
  case Shape::point:
  case Shape::update:
    if (index) index_scan(1);
    else seq_scan(" (no index on " + query.column + ")");
    if (query.shape == Shape::update) p.rows_written = 1;
    break;
  case Shape::range:
    if (index) index_scan(std::min(n, query.rows));
    else seq_scan(" (no index on " + query.column + ")");
    break;
  case Shape::offset: {
    const double offset = static_cast<double>(batch) * query.limit;
    if (index) {
      // The index hands rows over in order; the first `offset` are read and thrown away.
      index_scan(std::min(n, offset + query.limit));
      p.access += ", skipping " + count(std::min(n, offset)) + " rows (OFFSET)";
    } else {
      seq_scan(" and a sort (no index on " + query.column + ")");
      p.sorts = true;
    }
    break;
  }
  case Shape::keyset:
    if (index) {
      index_scan(std::min(n, query.limit));
      p.access += ", starting after the last key seen";
    } else {
      seq_scan(" and a sort (no index on " + query.column + ")");
      p.sorts = true;
    }
    break;
  case Shape::function:
    seq_scan(index ? " (the index on " + query.column + " is not used: the predicate wraps the column)"
                   : " (no index on " + query.column + ")");
    break;
  case Shape::scan:
    seq_scan("");
    p.sorts = true; // an aggregate: hashes or sorts in work_mem
    break;
  case Shape::insert:
    p.rows_examined = log2_rows(n) * static_cast<double>(table.indexes.size());
    p.rows_written = 1;
    p.access = "insert into " + t.name;
    break;
  case Shape::purge: {
    const double cutoff_s = sg4::Engine::get_clock() - query.older_than_s;
    double old_rows = 0;
    for (const auto& b : table.buckets)
      if (b.start_s + table.bucket_s <= cutoff_s) old_rows += b.rows;
    if (t.partition_s) {
      p.access = "drop partitions of " + t.name + " older than " + age(query.older_than_s);
    } else {
      p.rows_examined = old_rows;
      p.rows_written = old_rows;
      p.pages_read = old_rows / rows_per_page;
      p.access = "delete from " + t.name + " rows older than " + age(query.older_than_s);
    }
    break;
  }
  case Shape::backfill: {
    // This batch's slice of the key range; the last one may be short or empty.
    const double from = static_cast<double>(batch) * query.limit;
    const double rows = std::max(0.0, std::min(query.limit, n - from));
    if (index) index_scan(rows);
    else seq_scan(" (no index on " + query.column + ")");
    p.rows_written = rows;
    p.access = "update of " + count(rows) + " rows (batch " + std::to_string(batch) + ") by " + p.access;
    break;
  }
  case Shape::remove: break; // planned with its foreign keys (cascade.cpp)
  case Shape::alter:
    switch (query.alter) {
    case Alter::add_column_nullable:
    case Alter::drop_column:
    case Alter::rename_column: p.access = "catalog change on " + t.name; break;
    case Alter::add_column_default:
    case Alter::rewrite:
      p.rows_examined = n;
      p.rows_written = n;
      p.pages_read = n / rows_per_page;
      p.bytes_written = n * row_bytes(table);
      p.access = "table rewrite of " + t.name;
      break;
    case Alter::create_index:
    case Alter::create_index_concurrently: {
      const double passes = query.alter == Alter::create_index ? 1.0 : 2.0; // concurrently scans twice
      p.rows_examined = n * passes + n * log2_rows(n) / 8; // the scan(s), plus sorting the entries
      p.pages_read = passes * n / rows_per_page;
      p.bytes_written = n * spec_.index_entry_bytes;
      p.sorts = true;
      p.access = std::string(query.alter == Alter::create_index ? "create index" : "create index concurrently") +
                 " on " + t.name + "(" + query.new_index_column + ")";
      break;
    }
    }
    break;
  }
  return p;
}

void DatabaseModel::apply(const Database::Query& query, TableState& table, const Plan& plan) {
  (void)plan;
  const double now = sg4::Engine::get_clock();
  switch (query.shape) {
  case Shape::insert: add_rows(table, 1, now); break;
  case Shape::purge: {
    const double cutoff_s = now - query.older_than_s;
    const double bytes = row_bytes(table);
    while (!table.buckets.empty() && table.buckets.front().start_s + table.bucket_s <= cutoff_s) {
      const double rows = table.buckets.front().rows;
      table.rows -= rows;
      // Deleted rows leave free space the table reuses; a dropped partition gives its files back.
      if (!table.spec->partition_s) table.reusable_bytes += rows * bytes;
      table.buckets.pop_front();
    }
    table.rows = std::max(0.0, table.rows);
    break;
  }
  case Shape::alter:
    if (query.alter == Alter::create_index || query.alter == Alter::create_index_concurrently) {
      bool exists = false;
      for (const auto& i : table.indexes) exists = exists || i.column == query.new_index_column;
      if (!exists) table.indexes.push_back({query.new_index_column, 1.0});
    }
    if (query.alter == Alter::add_column_default || query.alter == Alter::rewrite) table.reusable_bytes = 0; // a rewrite compacts
    if (query.new_index_column.empty()) break;
    if (query.alter == Alter::add_column_nullable || query.alter == Alter::add_column_default) {
      table.columns.push_back(query.new_index_column);
      trace_schema(table, "add column " + query.new_index_column);
    } else if (query.alter == Alter::rename_column) {
      // The column keeps its data and its indexes under the new name.
      for (auto& c : table.columns)
        if (c == query.new_index_column) c = query.rename_to;
      for (auto& i : table.indexes)
        if (i.column == query.new_index_column) i.column = query.rename_to;
      trace_schema(table, "rename column " + query.new_index_column + " to " + query.rename_to);
    } else if (query.alter == Alter::drop_column) {
      table.columns.erase(std::remove(table.columns.begin(), table.columns.end(), query.new_index_column),
                          table.columns.end());
      table.indexes.erase(std::remove_if(table.indexes.begin(), table.indexes.end(),
                                         [&](const Database::Index& i) { return i.column == query.new_index_column; }),
                          table.indexes.end());
      trace_schema(table, "drop column " + query.new_index_column);
    }
    break;
  default: break;
  }
}

std::string DatabaseModel::resolve(const Database::Query& query, const TableState& table) const {
  auto has = [&](const std::string& column) {
    return std::find(table.columns.begin(), table.columns.end(), column) != table.columns.end();
  };
  auto quoted = [](const std::string& name) { return "\"" + name + "\""; };
  if (query.shape != Shape::alter) {
    for (const auto& column : query.named_columns())
      if (!has(column)) return "column " + quoted(column) + " does not exist";
    return "";
  }
  const std::string& column = query.new_index_column;
  if (column.empty()) return "";
  const std::string relation = " of relation " + quoted(table.spec->name);
  switch (query.alter) {
  case Alter::add_column_nullable:
  case Alter::add_column_default:
    return has(column) ? "column " + quoted(column) + relation + " already exists" : "";
  case Alter::rename_column:
    if (!has(column)) return "column " + quoted(column) + " does not exist";
    return has(query.rename_to) ? "column " + quoted(query.rename_to) + relation + " already exists" : "";
  case Alter::drop_column: return has(column) ? "" : "column " + quoted(column) + relation + " does not exist";
  case Alter::rewrite:
  case Alter::create_index:
  case Alter::create_index_concurrently: return has(column) ? "" : "column " + quoted(column) + " does not exist";
  }
  return "";
}

void DatabaseModel::trace_schema(const TableState& table, const std::string& change) {
  if (!context_.trace) return;
  const double t = sg4::Engine::get_clock();
  std::string columns;
  for (const auto& c : table.columns) columns += (columns.empty() ? "" : " ") + c;
  context_.trace->add(t, history::JsonLine(t, "schema")
                             .str("node", context_.network.node_name(serving_node()))
                             .str("component", spec_.name)
                             .str("table", table.spec->name)
                             .str("change", change)
                             .str("columns", columns)
                             .done());
}

double DatabaseModel::row_bytes(const TableState& table) const {
  double bytes = table.spec->row_bytes;
  for (const auto& i : table.indexes) bytes += spec_.index_entry_bytes * i.fraction;
  return bytes;
}

void DatabaseModel::add_rows(TableState& table, double rows, double at_s) {
  if (rows <= 0) return;
  const double start = std::floor(at_s / table.bucket_s) * table.bucket_s;
  if (table.buckets.empty() || table.buckets.back().start_s < start) table.buckets.push_back({start, 0});
  table.buckets.back().rows += rows;
  table.rows += rows;
  // New rows fill the space deleted rows left before the table grows.
  table.reusable_bytes = std::max(0.0, table.reusable_bytes - rows * row_bytes(table));
}

// Brings a table's growth up to `now_s`, bucket by bucket.
void DatabaseModel::advance(TableState& table, double now_s) {
  const double rate = table.spec->growth_per_s;
  // A database that stopped for good takes no more rows.
  if (rate <= 0 || now_s <= table.updated_s || down_until_s_ == kForever) {
    table.updated_s = std::max(table.updated_s, now_s);
    return;
  }
  double t = table.updated_s;
  while (t < now_s) {
    const double bucket_end = (std::floor(t / table.bucket_s) + 1) * table.bucket_s;
    const double until = std::min(now_s, bucket_end);
    add_rows(table, rate * (until - t), t);
    t = until;
  }
  table.updated_s = now_s;
}

std::vector<DatabaseModel::TableSize> DatabaseModel::table_sizes() {
  std::vector<TableSize> out;
  const double now = sg4::Engine::get_clock();
  for (const auto& t : spec_.tables) {
    TableState& table = tables_.at(t.name);
    advance(table, now);
    out.push_back({t.name, table.rows, t.row_bytes, static_cast<int>(table.indexes.size())});
  }
  return out;
}

double DatabaseModel::disk_used() {
  double used = 0;
  const double now = sg4::Engine::get_clock();
  for (auto& [name, table] : tables_) {
    advance(table, now);
    used += table.rows * row_bytes(table) + table.reusable_bytes;
  }
  return used;
}

double DatabaseModel::node_disk_used() {
  return disk_used() + context_.network.disk_filled_bytes(serving_node());
}

double DatabaseModel::memory_used() const {
  double used = spec_.shared_buffers_bytes + static_cast<double>(connections_.size()) * spec_.connection_bytes;
  for (const auto& [id, r] : running_) used += r->work_mem;
  return used;
}

// The share of the database that fits in the buffer cache: a first-order
// hit ratio (a real cache keeps the hottest pages, so this is the worst case
// for a uniform workload).
double DatabaseModel::hit_ratio() {
  const double size = disk_used();
  return size <= 0 ? 1.0 : std::min(1.0, spec_.shared_buffers_bytes / size);
}

} // namespace faultlab::model
