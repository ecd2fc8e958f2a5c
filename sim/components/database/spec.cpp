#include "components/database/spec.hpp"

#include "scenario/read_helpers.hpp"
#include "util/input_error.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace faultlab::scenario {

using namespace detail; // the shared readers (read_helpers.hpp)
using util::quote;

namespace {

const std::vector<std::string>& shape_names() {
  static const std::vector<std::string> names{"point", "range",  "offset", "keyset", "function",
                                              "scan",  "insert", "update", "purge",  "alter", "backfill", "delete"};
  return names;
}

const std::vector<std::string>& alter_names() {
  static const std::vector<std::string> names{"add_column_nullable", "add_column_default", "rename_column",
                                              "rewrite",             "create_index",       "create_index_concurrently",
                                              "drop_column"};
  return names;
}

template <class E> E enum_of(const std::vector<std::string>& names, const std::string& name) {
  return static_cast<E>(std::find(names.begin(), names.end(), name) - names.begin());
}

// An optional list of column names (empty when absent).
std::vector<std::string> column_list(ObjectReader& r, const std::string& key) {
  static const Shape shape{{{"type", "array"}, {"items", {{"type", "string"}}}}, nullptr};
  std::vector<std::string> out;
  const Json* list = r.find(key, shape);
  if (list == nullptr) return out;
  if (!list->is_array())
    r.origin().fail("wrong-type", r.child(key), "expected a list of column names like [\"id\", \"name\"], got " +
                                                    describe_json(*list));
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string pointer = r.child(key) + "/" + std::to_string(i);
    out.push_back(read_string(r.origin(), (*list)[i], pointer));
    check_name(r.origin(), out.back(), pointer);
  }
  return out;
}

Database::Table read_table(const std::string& name, ObjectReader r) {
  Database::Table t;
  t.name = name;
  t.rows = r.number_or("rows", 0, 0, 1e13);
  t.row_bytes = read_size(r, "row_size", t.row_bytes);
  t.growth_per_s = r.number_or("growth_per_s", 0, 0, 1e9);
  static const Shape indexes_shape{{{"type", "array"}, {"items", {{"$probe", "0"}}}}, Json::array({Json::object()})};
  if (const Json* indexes = r.find("indexes", indexes_shape)) {
    if (!indexes->is_array())
      r.origin().fail("wrong-type", r.child("indexes"),
                      "expected a list of indexes like [{\"column\": \"id\"}], got " + describe_json(*indexes));
    for (std::size_t i = 0; i < indexes->size(); ++i) {
      ObjectReader ir(r.origin(), (*indexes)[i], r.child("indexes") + "/" + std::to_string(i));
      Database::Index index;
      index.column = ir.string("column");
      index.fraction = ir.number_or("partial", 1.0, 1e-9, 1.0);
      for (const auto& other : t.indexes)
        if (other.column == index.column)
          r.origin().fail("bad-value", ir.child("column"), "a second index on " + quote(index.column));
      ir.finish();
      t.indexes.push_back(index);
    }
  }
  const bool listed = r.has("columns");
  t.columns = column_list(r, "columns");
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j)
      if (t.columns[j] == t.columns[i])
        r.origin().fail("bad-value", r.child("columns") + "/" + std::to_string(i), "a second column " + quote(t.columns[i]));
  }
  if (listed && !r.origin().probe)
    for (std::size_t i = 0; i < t.indexes.size(); ++i)
      if (std::find(t.columns.begin(), t.columns.end(), t.indexes[i].column) == t.columns.end())
        r.origin().fail("bad-value", r.child("indexes") + "/" + std::to_string(i) + "/column",
                        "an index on " + quote(t.indexes[i].column) + ", which is not among the table's columns (" +
                            join(t.columns) + ")");
  if (listed && t.columns.empty() && !r.origin().probe)
    r.origin().fail("bad-value", r.child("columns"), "a table needs at least one column");
  if (r.find("partition_by")) {
    ObjectReader p = r.object("partition_by");
    t.partition_s = positive_duration(p, "age", 86400, "a partition width");
    p.finish();
  }
  static const std::vector<std::string> rules{"cascade", "restrict", "set_null"};
  for (auto& [column, fr] : r.members("foreign_keys")) {
    Database::ForeignKey key;
    key.column = column;
    key.references = fr.string("references");
    key.on_delete = enum_of<topo::OnDelete>(rules, fr.choice("on_delete", rules, "restrict"));
    fr.finish();
    t.foreign_keys.push_back(key);
  }
  t.keep = r.string_or("keep", "");
  r.finish();
  return t;
}

Database::Query read_query(const std::string& name, ObjectReader r, const Database& db) {
  Database::Query q;
  q.name = name;
  check_name(r.origin(), name, r.pointer());
  q.table = r.string("table");
  if (db.find_table(q.table) == nullptr && !r.origin().probe) { // (no tables to refer to while the schema is recorded)
    std::vector<std::string> tables;
    for (const auto& t : db.tables) tables.push_back(t.name);
    r.origin().fail("unknown-field", r.child("table"),
                    "no table " + quote(q.table) + " in this database (tables: " +
                        (tables.empty() ? std::string("none") : join(tables)) + ")");
  }
  q.shape = enum_of<Database::Shape>(shape_names(), r.kind("shape", shape_names()));
  using S = Database::Shape;
  const bool needs_column = q.shape == S::point || q.shape == S::range || q.shape == S::offset ||
                            q.shape == S::keyset || q.shape == S::function || q.shape == S::update ||
                            q.shape == S::backfill ||
                            q.shape == S::remove;
  if (needs_column) q.column = r.string("column");
  if (q.shape == S::range) q.rows = r.number_or("rows", q.rows, 1, 1e12);
  if (q.shape == S::offset || q.shape == S::keyset || q.shape == S::backfill)
    q.limit = r.number_or("limit", q.limit, 1, 1e9);
  if (q.shape != S::alter) {
    q.columns = column_list(r, "columns");
  }
  if (q.shape == S::purge) {
    if (!r.has("older_than") && !r.origin().probe)
      r.origin().fail("missing-field", r.child("older_than"), "a purge needs older_than (the age of rows it deletes)");
    q.older_than_s = r.duration_s("older_than");
    if (q.older_than_s <= 0 && !r.origin().probe)
      r.origin().fail("bad-duration", r.child("older_than"), "expected an age above zero");
  }
  if (q.shape == S::alter) {
    q.alter = enum_of<Database::Alter>(alter_names(), r.choice("alter", alter_names(), ""));
    // The column a CREATE INDEX indexes (the column an ALTER changes, otherwise: documentation only).
    q.new_index_column = r.string_or("column", "");
    if ((q.alter == Database::Alter::create_index || q.alter == Database::Alter::create_index_concurrently) &&
        q.new_index_column.empty() && !r.origin().probe)
      r.origin().fail("missing-field", r.child("column"), "an index needs the column it indexes");
    const bool names_column = q.alter == Database::Alter::rename_column || q.alter == Database::Alter::drop_column;
    if (names_column && q.new_index_column.empty() && !r.origin().probe)
      r.origin().fail("missing-field", r.child("column"),
                      std::string("a ") + to_string(q.alter) + " needs the column it " +
                          (q.alter == Database::Alter::drop_column ? "drops" : "renames"));
    q.rename_to = r.string_or("to", "");
    if (q.alter != Database::Alter::rename_column && !q.rename_to.empty() && !r.origin().probe)
      r.origin().fail("bad-value", r.child("to"), "only a rename_column takes \"to\" (a new name)");
    if (q.alter == Database::Alter::rename_column && q.rename_to.empty() && !r.origin().probe)
      r.origin().fail("missing-field", r.child("to"), "a rename_column needs \"to\", the column's new name");
    if (!q.new_index_column.empty()) check_name(r.origin(), q.new_index_column, r.child("column"));
    if (!q.rename_to.empty()) check_name(r.origin(), q.rename_to, r.child("to"));
    if (q.alter == Database::Alter::rename_column && q.rename_to == q.new_index_column && !r.origin().probe)
      r.origin().fail("bad-value", r.child("to"), "the new name is the column's name already");
  }
  r.describe({{"columns", "the columns it names besides \"column\" (a select list, an insert's values, an "
                          "update's SET); naming one the table lacks fails with \"column ... does not exist\""},
              {"to", "rename_column: the column's new name"}});
  q.hold_s = r.duration_s_or("hold", 0);
  q.lock_timeout_s = r.duration_s_or("lock_timeout", 0);
  q.statement_timeout_s = r.duration_s_or("statement_timeout", 0);
  q.work_mem_bytes = read_size(r, "work_mem", 0);
  r.finish();
  return q;
}

Database::Job read_job(const std::string& name, ObjectReader r, const Database& db) {
  Database::Job j;
  j.name = name;
  check_name(r.origin(), name, r.pointer());
  j.query = r.string("query");
  if (db.find_query(j.query) == nullptr && !r.origin().probe) {
    std::vector<std::string> queries;
    for (const auto& q : db.queries) queries.push_back(q.name);
    r.origin().fail("unknown-field", r.child("query"),
                    "no query " + quote(j.query) + " in this database (queries: " +
                        (queries.empty() ? std::string("none") : join(queries)) + ")");
  }
  j.at_s = r.duration_s_or("at", 0);
  if (r.find("every")) j.every_s = positive_duration(r, "every", 1, "a period");
  j.batches = static_cast<int>(r.integer_or("batches", 1, 1, 10'000'000));
  j.retries = static_cast<int>(r.integer_or("retries", 0, 0, 1'000'000));
  j.backoff_s = r.duration_s_or("backoff", j.backoff_s);
  j.key = r.string_or("key", "");
  r.finish();
  return j;
}

} // namespace

const char* to_string(Database::LockMode mode) {
  switch (mode) {
  case Database::LockMode::access_share: return "ACCESS SHARE";
  case Database::LockMode::row_exclusive: return "ROW EXCLUSIVE";
  case Database::LockMode::share_update_exclusive: return "SHARE UPDATE EXCLUSIVE";
  case Database::LockMode::share: return "SHARE";
  case Database::LockMode::access_exclusive: return "ACCESS EXCLUSIVE";
  }
  return "?";
}

const char* to_string(Database::Shape shape) {
  return shape_names()[static_cast<std::size_t>(shape)].c_str();
}

const char* to_string(Database::Alter alter) {
  return alter_names()[static_cast<std::size_t>(alter)].c_str();
}

bool conflicts(Database::LockMode a, Database::LockMode b) {
  using M = Database::LockMode;
  auto one_way = [](M x, M y) {
    switch (x) {
    case M::access_share: return y == M::access_exclusive;
    case M::row_exclusive: return y == M::share || y == M::access_exclusive;
    case M::share_update_exclusive:
      return y == M::share_update_exclusive || y == M::share || y == M::access_exclusive;
    case M::share: return y == M::row_exclusive || y == M::share_update_exclusive || y == M::access_exclusive;
    case M::access_exclusive: return true;
    }
    return true;
  };
  return one_way(a, b) || one_way(b, a);
}

const Database::Index* Database::Table::index_on(const std::string& column) const {
  for (const auto& index : indexes)
    if (index.column == column) return &index;
  return nullptr;
}

std::vector<std::string> Database::Query::named_columns() const {
  std::vector<std::string> named;
  if (!column.empty()) named.push_back(column);
  for (const auto& c : columns)
    if (std::find(named.begin(), named.end(), c) == named.end()) named.push_back(c);
  return named;
}

Database::LockMode Database::Query::lock_mode() const {
  switch (shape) {
  case Shape::backfill:
  case Shape::insert:
  case Shape::update:
  case Shape::remove:
  case Shape::purge: return LockMode::row_exclusive;
  case Shape::alter:
    if (alter == Alter::create_index) return LockMode::share;
    if (alter == Alter::create_index_concurrently) return LockMode::share_update_exclusive;
    return LockMode::access_exclusive;
  default: return LockMode::access_share;
  }
}

bool Database::Query::writes() const {
  return shape == Shape::insert || shape == Shape::update || shape == Shape::purge || shape == Shape::alter ||
         shape == Shape::backfill || shape == Shape::remove;
}

const Database::Table* Database::find_table(const std::string& table) const {
  for (const auto& t : tables)
    if (t.name == table) return &t;
  return nullptr;
}

const Database::Query* Database::find_query(const std::string& query) const {
  for (const auto& q : queries)
    if (q.name == query) return &q;
  return nullptr;
}

std::shared_ptr<ComponentSpec> read_database(const std::string& name, ObjectReader& r, const Topology& topology) {
  auto spec = std::make_shared<Database>();
  Database& d = *spec;
  d.name = name;
  d.type = "database";
  d.node = read_node(r, topology);
  if (r.find("standby")) {
    ObjectReader s = r.object("standby");
    d.standby = read_node(s, topology);
    if (*d.standby == d.node && !r.origin().probe) r.origin().fail("bad-value", s.child("node"), "the standby must be another node");
    d.failover_s = positive_duration(s, "failover", d.failover_s, "a failover time");
    s.finish();
  }
  d.cpu_per_row_s = positive_duration(r, "cpu_per_row", d.cpu_per_row_s, "a CPU time");
  d.write_per_row_s = positive_duration(r, "write_per_row", d.write_per_row_s, "a CPU time");
  d.max_connections = static_cast<int>(r.integer_or("max_connections", d.max_connections, 1, 1'000'000));
  d.lock_timeout_s = r.duration_s_or("lock_timeout", 0);
  d.statement_timeout_s = r.duration_s_or("statement_timeout", 0);
  if (r.find("memory")) {
    ObjectReader m = r.object("memory");
    d.shared_buffers_bytes = read_size(m, "shared_buffers", d.shared_buffers_bytes);
    d.work_mem_bytes = read_size(m, "work_mem", d.work_mem_bytes);
    d.connection_bytes = read_size(m, "per_connection", d.connection_bytes);
    m.finish();
  }
  d.recovery_s = positive_duration(r, "recovery", d.recovery_s, "a recovery time");
  for (auto& [table, tr] : r.members("tables")) {
    check_name(r.origin(), table, tr.pointer());
    d.tables.push_back(read_table(table, tr));
  }
  if (d.tables.empty() && !r.origin().probe) r.origin().fail("missing-field", r.child("tables"), "a database needs at least one table");
  if (!r.origin().probe) {
    // Foreign keys point at tables of this database, and never in a circle.
    std::vector<std::string> names;
    for (const auto& t : d.tables) names.push_back(t.name);
    for (const auto& t : d.tables)
      for (const auto& k : t.foreign_keys)
        if (d.find_table(k.references) == nullptr)
          r.origin().fail("unknown-field",
                          r.child("tables") + "/" + t.name + "/foreign_keys/" + k.column + "/references",
                          "no table " + quote(k.references) + " in this database (tables: " + join(names) + ")");
    try {
      topo::validate(d.data_model());
    } catch (const std::invalid_argument& e) {
      r.origin().fail("bad-value", r.child("tables"), e.what());
    }
  }
  for (auto& [query, qr] : r.members("queries")) d.queries.push_back(read_query(query, qr, d));
  if (d.queries.empty() && !r.origin().probe) r.origin().fail("missing-field", r.child("queries"), "a database needs at least one query");
  for (auto& [job, jr] : r.members("jobs")) d.jobs.push_back(read_job(job, jr, d));
  // Tables that list no columns have those the scenario names, except the
  // ones an ALTER brings into being.
  for (std::size_t i = 0; i < d.tables.size(); ++i) {
    Database::Table& t = d.tables[i];
    if (!t.columns.empty()) continue;
    std::vector<std::string> created;
    for (const auto& q : d.queries)
      if (q.table == t.name && q.shape == Database::Shape::alter) {
        if (q.alter == Database::Alter::add_column_nullable || q.alter == Database::Alter::add_column_default)
          created.push_back(q.new_index_column);
        if (q.alter == Database::Alter::rename_column) created.push_back(q.rename_to);
      }
    auto add = [&](const std::string& column) {
      if (column.empty() || std::find(created.begin(), created.end(), column) != created.end()) return;
      if (std::find(t.columns.begin(), t.columns.end(), column) == t.columns.end()) t.columns.push_back(column);
    };
    for (const auto& index : t.indexes) add(index.column);
    for (const auto& q : d.queries) {
      if (q.table != t.name) continue;
      for (const auto& c : q.named_columns()) add(c);
      if (q.shape == Database::Shape::alter && q.alter != Database::Alter::add_column_nullable &&
          q.alter != Database::Alter::add_column_default)
        add(q.new_index_column);
    }
  }
  d.message_bytes = read_message_size(r, d.message_bytes);

  // The node's memory must at least hold the buffer cache.
  const Node* host = topology.find(d.node);
  if (host != nullptr && host->memory_bytes > 0 && host->memory_bytes < d.shared_buffers_bytes)
    r.origin().fail("bad-value", r.child("memory") + "/shared_buffers",
                    "shared_buffers (" + util::format_bytes(d.shared_buffers_bytes) + ") is more than node " +
                        quote(d.node) + "'s memory (" + util::format_bytes(host->memory_bytes) + ")");
  return spec;
}

topo::DataModel Database::data_model(const std::map<std::string, double>& rows) const {
  topo::DataModel model;
  for (const auto& t : tables) {
    auto it = rows.find(t.name);
    model.tables.push_back({t.name, it == rows.end() ? t.rows : it->second, t.keep});
    for (const auto& k : t.foreign_keys)
      model.keys.push_back({t.name, k.column, k.references, k.on_delete, t.index_on(k.column) != nullptr});
  }
  return model;
}

double Database::rows_matched(const Query& query, const std::map<std::string, double>& rows) const {
  const Table& t = *find_table(query.table);
  auto count = [&](const std::string& table) {
    auto it = rows.find(table);
    return it == rows.end() ? find_table(table)->rows : it->second;
  };
  for (const auto& k : t.foreign_keys)
    if (k.column == query.column) {
      const double parents = count(k.references);
      return parents > 0 ? count(t.name) / parents : 0;
    }
  return std::min(1.0, count(t.name));
}

std::string Database::analyze_data_text() const {
  std::string out;
  for (const auto& q : queries) {
    if (q.shape != Shape::remove) continue;
    const double rows = rows_matched(q);
    const topo::CascadeResult result = topo::cascade(data_model(), q.table, rows);
    out += (out.empty() ? "" : "\n") + topo::render_cascade_text(result, "Query " + name + "." + q.name + ": DELETE FROM " + q.table + " WHERE " +
                                                 q.column + " = ? (" + std::to_string(std::llround(rows)) +
                                                 (std::llround(rows) == 1 ? " row)" : " rows)"));
  }
  return out;
}

std::string Database::analyze_data_dot() const {
  std::string out;
  for (const auto& q : queries)
    if (q.shape == Shape::remove)
      out += topo::render_cascade_dot(data_model(), topo::cascade(data_model(), q.table, rows_matched(q)),
                                      name + "." + q.name);
  return out;
}

void Database::add_checker_facts(check::CheckOptions& options) const {
  for (const auto& t : tables)
    if (!t.keep.empty()) options.keep_tables[t.name] = t.keep;
}

std::vector<NodeRole> Database::node_roles() const {
  std::vector<NodeRole> roles{{node, "primary"}};
  if (standby) roles.push_back({*standby, "standby"});
  return roles;
}

std::vector<std::string> Database::client_ops() const {
  std::vector<std::string> ops;
  for (const auto& q : queries) ops.push_back(q.name);
  return ops;
}

ClientRules Database::client_rules() const {
  ClientRules rules;
  rules.default_key_prefix = "row-";
  return rules;
}

void Database::add_to_design(topo::Design& design, const Scenario& scenario) const {
  (void)scenario;
  std::vector<std::string> nodes{node};
  if (standby) nodes.push_back(*standby);
  design.components.push_back(topo::Component{name, type, nodes, standby ? topo::Needs::any : topo::Needs::all, {}});
}

std::string Database::analyze_note() const {
  if (standby) return "fails over to " + *standby + " in about " + util::format_duration(failover_s);
  return "one node: when it is down, so is everything that queries it";
}

std::vector<std::string> Database::metric_names() const {
  return {"db_rows_examined", "db_lock_wait_max_s", "db_lock_timeouts", "db_statement_timeouts",
          "db_disk_used_fraction_max"};
}

std::string Database::report_line(const std::map<std::string, double>& metrics) const {
  auto value = [&](const char* metric) {
    auto it = metrics.find(metric);
    return it == metrics.end() ? 0.0 : it->second;
  };
  char line[256];
  std::snprintf(line, sizeof line,
                "databases: %.3g rows examined; longest lock wait %s; %.0f lock timeouts, %.0f statement timeouts; "
                "disk at most %.1f %% full",
                value("db_rows_examined"), util::format_duration(value("db_lock_wait_max_s")).c_str(),
                value("db_lock_timeouts"), value("db_statement_timeouts"), 100.0 * value("db_disk_used_fraction_max"));
  return line;
}

} // namespace faultlab::scenario
