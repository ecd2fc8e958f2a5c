// Bad input for the database component, the node hardware it runs on, the
// service pools that connect to it and the latency_slo check: each gets one
// error naming the file, the JSON path and what was expected, word for word.
#include "../support/scenario_text.hpp"

#include <catch2/catch.hpp>

using faultlab::testing::error_of;
using faultlab::testing::replace;

namespace {

const char* kShop = R"({
  "title": "t",
  "lesson": "l",
  "topology": { "nodes": {
    "web": {}, "app": {}, "cache-1": {},
    "db-1": { "cores": 4, "memory": "8GiB", "disk": { "size": "100GiB", "read": "500MBps", "write": "200MBps" } },
    "db-2": { "cores": 4, "memory": "8GiB" } } },
  "components": {
    "db": {
      "type": "database",
      "node": "db-1",
      "standby": { "node": "db-2", "failover": "20s" },
      "memory": { "shared_buffers": "1GiB", "work_mem": "8MiB" },
      "tables": {
        "orders": { "rows": 1000, "row_size": "200B", "indexes": [{ "column": "id" }, { "column": "customer_id" }] },
        "events": { "rows": 0, "growth_per_s": 10, "partition_by": { "age": "1d" } }
      },
      "queries": {
        "get_order": { "table": "orders", "shape": "point", "column": "id" },
        "place_order": { "table": "orders", "shape": "insert" },
        "purge_events": { "table": "events", "shape": "purge", "older_than": "7d" },
        "add_index": { "table": "orders", "shape": "alter", "alter": "create_index", "column": "status" }
      },
      "jobs": {
        "nightly": { "query": "purge_events", "at": "10s", "every": "1d" }
      }
    },
    "other": { "type": "replica_group", "primary": "cache-1" },
    "api": { "type": "service", "instances": ["app"],
      "pools": { "db": { "size": 5, "wait_timeout": "200ms" } },
      "endpoints": {
        "get_order": { "calls": { "db": { "to": "db", "op": "get_order", "key": "order:{user}" } } },
        "place_order": { "calls": { "db": { "to": "db", "op": "place_order", "key": "order:{user}" } } } } }
  },
  "workload": {
    "duration": "2s",
    "clients": {
      "users": { "node": "web", "target": "api", "arrival": { "rate_per_s": 10 }, "mix": { "get_order": 0.8, "place_order": 0.2 } },
      "analysts": { "node": "web", "target": "db", "arrival": { "rate_per_s": 1 }, "mix": { "get_order": 1 } }
    }
  },
  "checks": { "latency_slo": { "bound": "300ms", "endpoints": { "place_order": "500ms" } }, "disk_full": {}, "oom": {} }
})";

const std::string kQueries = "x.json: /components/db/queries/";

} // namespace

TEST_CASE("the example scenario with a database loads") {
  CHECK(error_of(kShop) == "no error");
}

TEST_CASE("a query names a table of its database, a known shape, and the column its shape needs") {
  CHECK(error_of(replace(kShop, "\"get_order\": { \"table\": \"orders\"",
                         "\"get_order\": { \"table\": \"order\"")) ==
        "error[unknown-field]: " + kQueries +
            "get_order/table: no table \"order\" in this database (tables: orders, "
            "events)");
  CHECK(
      error_of(replace(kShop, "\"shape\": \"point\"", "\"shape\": \"lookup\"")) ==
      "error[bad-value]: " + kQueries +
          "get_order/shape: expected one of \"point\", \"range\", \"offset\", "
          "\"keyset\", \"function\", \"scan\", \"insert\", \"update\", \"purge\", \"alter\", \"backfill\", \"delete\", got \"lookup\"");
  CHECK(error_of(replace(kShop, "\"shape\": \"point\", \"column\": \"id\"", "\"shape\": \"point\"")) ==
        "error[missing-field]: " + kQueries + "get_order: missing required field \"column\"");
  CHECK(error_of(replace(kShop, "\"shape\": \"point\", \"column\": \"id\"", "\"shape\": \"keyset\"")) ==
        "error[missing-field]: " + kQueries + "get_order: missing required field \"column\"");
  // Shapes without a column must pass without one.
  CHECK(error_of(replace(kShop, "\"shape\": \"point\", \"column\": \"id\"", "\"shape\": \"scan\"")) ==
        "no error");
}

TEST_CASE("a purge needs an age, and an index build the column it indexes") {
  CHECK(error_of(replace(kShop, ", \"older_than\": \"7d\"", "")) ==
        "error[missing-field]: " + kQueries + "purge_events/older_than: a purge needs older_than (the age of rows it deletes)");
  CHECK(error_of(replace(kShop, "\"older_than\": \"7d\"", "\"older_than\": \"0s\"")) ==
        "error[bad-duration]: " + kQueries + "purge_events/older_than: expected an age above zero");
  CHECK(error_of(replace(kShop, ", \"column\": \"status\"", "")) ==
        "error[missing-field]: " + kQueries + "add_index/column: an index needs the column it indexes");
  CHECK(error_of(replace(kShop, "\"alter\": \"create_index\", \"column\": \"status\"",
                         "\"alter\": \"create_index_concurrently\"")) ==
        "error[missing-field]: " + kQueries + "add_index/column: an index needs the column it indexes");
  // Other ALTERs need no column.
  CHECK(error_of(replace(kShop, "\"alter\": \"create_index\", \"column\": \"status\"",
                         "\"alter\": \"add_column_nullable\"")) == "no error");
  CHECK(error_of(replace(kShop, "\"alter\": \"create_index\"", "\"alter\": \"drop_table\"")) ==
        "error[bad-value]: " + kQueries +
            "add_index/alter: expected one of \"add_column_nullable\", "
            "\"add_column_default\", \"rename_column\", \"rewrite\", \"create_index\", "
            "\"create_index_concurrently\", \"drop_column\", got "
            "\"drop_table\"");
}

TEST_CASE("a job runs a query of its database") {
  CHECK(
      error_of(replace(kShop, "\"query\": \"purge_events\"", "\"query\": \"purge\"")) ==
      "error[unknown-field]: x.json: /components/db/jobs/nightly/query: no query \"purge\" in this database "
      "(queries: get_order, place_order, purge_events, add_index)");
  CHECK(error_of(replace(kShop, "\"every\": \"1d\"", "\"every\": \"0s\"")) ==
        "error[bad-duration]: x.json: /components/db/jobs/nightly/every: expected a period above zero");
  CHECK(error_of(replace(kShop, "\"every\": \"1d\"", "\"batches\": 0")) ==
        "error[bad-value]: x.json: /components/db/jobs/nightly/batches: expected a whole number from 1 to "
        "10000000, "
        "got 0");
}

TEST_CASE("the database's node, standby and memory") {
  CHECK(error_of(replace(kShop, "\"standby\": { \"node\": \"db-2\"", "\"standby\": { \"node\": \"db-1\"")) ==
        "error[bad-value]: x.json: /components/db/standby/node: the standby must be another node");
  CHECK(error_of(replace(kShop, "\"standby\": { \"node\": \"db-2\"", "\"standby\": { \"node\": \"db-3\"")) ==
        "error[unknown-node]: x.json: /components/db/standby/node: \"db-3\" is not a node of the topology "
        "(nodes: web, "
        "app, cache-1, db-1, db-2)");
  CHECK(error_of(replace(kShop, "\"shared_buffers\": \"1GiB\"", "\"shared_buffers\": \"16GiB\"")) ==
        "error[bad-value]: x.json: /components/db/memory/shared_buffers: shared_buffers (16.0 GiB) is more "
        "than node "
        "\"db-1\"'s memory (8.0 GiB)");
  // Exactly the node's memory fits; a node without a memory size is not limited.
  CHECK(error_of(replace(kShop, "\"shared_buffers\": \"1GiB\"", "\"shared_buffers\": \"8GiB\"")) ==
        "no error");
  CHECK(error_of(replace(replace(kShop, "\"shared_buffers\": \"1GiB\"", "\"shared_buffers\": \"16GiB\""),
                         "\"cores\": 4, \"memory\": \"8GiB\", \"disk\"", "\"disk\"")) == "no error");
  CHECK(error_of(replace(kShop, "\"node\": \"db-1\",", "\"node\": \"db-1\", \"max_connections\": 0,")) ==
        "error[bad-value]: x.json: /components/db/max_connections: expected a whole number from 1 to "
        "1000000, got 0");
}

TEST_CASE("sizes are a number and a unit with nothing between them") {
  CHECK(error_of(replace(kShop, "\"row_size\": \"200B\"", "\"row_size\": \"8 KiB\"")) ==
        "error[bad-value]: x.json: /components/db/tables/orders/row_size: expected a size like \"8KiB\" or "
        "\"4GiB\", "
        "got \"8 KiB\"");
  CHECK(error_of(replace(kShop, "\"work_mem\": \"8MiB\"", "\"work_mem\": 8388608")) ==
        "error[bad-value]: x.json: /components/db/memory/work_mem: expected a size like \"8KiB\" or "
        "\"4GiB\", got "
        "8388608");
  CHECK(error_of(replace(kShop, "\"work_mem\": \"8MiB\"", "\"work_mem\": \"0B\"")) ==
        "error[bad-value]: x.json: /components/db/memory/work_mem: expected a size like \"8KiB\" or "
        "\"4GiB\", got "
        "\"0B\"");
  CHECK(error_of(replace(kShop, "\"point\", \"column\": \"id\" }",
                         "\"point\", \"column\": \"id\", \"work_mem\": \"64 MiB\" }")) ==
        "error[bad-value]: " + kQueries +
            "get_order/work_mem: expected a size like \"8KiB\" or \"4GiB\", got "
            "\"64 MiB\"");
}

TEST_CASE("a table's indexes: one per column") {
  CHECK(error_of(replace(kShop, "{ \"column\": \"customer_id\" }", "{ \"column\": \"id\" }")) ==
        "error[bad-value]: x.json: /components/db/tables/orders/indexes/1/column: a second index on \"id\"");
  CHECK(error_of(replace(kShop, "{ \"column\": \"customer_id\" }",
                         "{ \"column\": \"status\", \"partial\": 0.1 }")) == "no error");
  CHECK(error_of(replace(kShop, "{ \"column\": \"customer_id\" }",
                         "{ \"column\": \"status\", \"partial\": 2 }")) ==
        "error[bad-value]: x.json: /components/db/tables/orders/indexes/1/partial: expected a number from "
        "1e-09 to 1, "
        "got 2");
  CHECK(error_of(replace(kShop, "\"indexes\": [{ \"column\": \"id\" }, { \"column\": \"customer_id\" }]",
                         "\"indexes\": \"id\"")) ==
        "error[wrong-type]: x.json: /components/db/tables/orders/indexes: expected a list of indexes like "
        "[{\"column\": \"id\"}], got \"id\"");
}

TEST_CASE("unknown fields of a database, its tables, queries, jobs and indexes") {
  CHECK(error_of(replace(kShop, "\"node\": \"db-1\",", "\"node\": \"db-1\", \"replicas\": 2,")) ==
        "error[unknown-field]: x.json: /components/db/replicas: unknown field \"replicas\" (expected one of: "
        "cpu_per_row, jobs, lock_timeout, max_connections, memory, message_size, node, queries, recovery, "
        "standby, "
        "statement_timeout, tables, type, write_per_row)");
  CHECK(error_of(replace(kShop, "\"point\", \"column\": \"id\" }",
                         "\"point\", \"column\": \"id\", \"timeout\": \"1s\" }")) ==
        "error[unknown-field]: " + kQueries +
            "get_order/timeout: unknown field \"timeout\" (expected one of: column, columns, "
            "hold, lock_timeout, shape, statement_timeout, table, work_mem)");
  CHECK(error_of(replace(kShop, "\"at\": \"10s\"", "\"at\": \"10s\", \"cron\": \"0 3 * * *\"")) ==
        "error[unknown-field]: x.json: /components/db/jobs/nightly/cron: unknown field \"cron\" (expected "
        "one of: at, "
        "backoff, batches, every, key, query, retries)");
  CHECK(
      error_of(replace(kShop, "{ \"column\": \"id\" }", "{ \"column\": \"id\", \"unique\": true }")) ==
      "error[unknown-field]: x.json: /components/db/tables/orders/indexes/0/unique: unknown field \"unique\" "
      "(expected one of: column, partial)");
  CHECK(error_of(replace(kShop, "\"work_mem\": \"8MiB\"", "\"work_mem\": \"8MiB\", \"huge_pages\": true")) ==
        "error[unknown-field]: x.json: /components/db/memory/huge_pages: unknown field \"huge_pages\" "
        "(expected one "
        "of: per_connection, shared_buffers, work_mem)");
}

TEST_CASE("node hardware: memory, disk and cores") {
  const std::string node = "x.json: /topology/nodes/db-1/";
  CHECK(error_of(replace(kShop, "\"memory\": \"8GiB\", \"disk\"", "\"memory\": \"8 gigs\", \"disk\"")) ==
        "error[bad-value]: " + node + "memory: expected a size like \"8KiB\" or \"4GiB\", got \"8 gigs\"");
  CHECK(error_of(replace(kShop, "\"memory\": \"8GiB\", \"disk\"", "\"memory\": 8, \"disk\"")) ==
        "error[bad-value]: " + node + "memory: expected a size like \"8KiB\" or \"4GiB\", got 8");
  CHECK(error_of(replace(kShop, "\"size\": \"100GiB\"", "\"size\": \"100 GiB\"")) ==
        "error[bad-value]: " + node +
            "disk/size: expected a size like \"8KiB\" or \"4GiB\", got \"100 GiB\"");
  CHECK(error_of(replace(kShop, "\"read\": \"500MBps\"", "\"read\": \"fast\"")) ==
        "error[bad-value]: " + node + "disk/read: expected a bandwidth like \"500MBps\", got \"fast\"");
  CHECK(error_of(replace(kShop, "\"write\": \"200MBps\"", "\"write\": \"0MBps\"")) ==
        "error[bad-value]: " + node + "disk/write: expected a bandwidth like \"500MBps\", got \"0MBps\"");
  CHECK(error_of(replace(kShop, "\"write\": \"200MBps\"", "\"write\": \"200MBps\", \"iops\": 3000")) ==
        "error[unknown-field]: " + node +
            "disk/iops: unknown field \"iops\" (expected one of: read, size, write)");
  CHECK(error_of(replace(kShop, "\"cores\": 4, \"memory\": \"8GiB\", \"disk\"",
                         "\"cores\": 0, \"memory\": \"8GiB\", \"disk\"")) ==
        "error[bad-value]: " + node + "cores: expected a whole number from 1 to 1024, got 0");
  CHECK(error_of(replace(kShop, "\"cores\": 4, \"memory\": \"8GiB\", \"disk\"",
                         "\"cores\": 2000, \"memory\": \"8GiB\", \"disk\"")) ==
        "error[bad-value]: " + node + "cores: expected a whole number from 1 to 1024, got 2000");
  CHECK(error_of(replace(kShop, "\"cores\": 4, \"memory\": \"8GiB\", \"disk\"",
                         "\"cores\": 1.5, \"memory\": \"8GiB\", \"disk\"")) ==
        "error[wrong-type]: " + node + "cores: expected a whole number from 1 to 1024, got 1.5");
  CHECK(error_of(replace(kShop, "\"cores\": 4, \"memory\": \"8GiB\", \"disk\"",
                         "\"cores\": 1024, \"memory\": \"8GiB\", \"disk\"")) == "no error");
}

TEST_CASE("a service's pool holds connections to something it calls") {
  CHECK(error_of(replace(kShop, "\"pools\": { \"db\":", "\"pools\": { \"other\":")) ==
        "error[unknown-component]: x.json: /components/api/pools/other: \"other\" is not called by any "
        "endpoint of this "
        "service (a pool holds the connections to one dependency)");
  CHECK(error_of(replace(kShop, "\"pools\": { \"db\":", "\"pools\": { \"nowhere\":")) ==
        "error[unknown-component]: x.json: /components/api/pools/nowhere: \"nowhere\" is not called by any "
        "endpoint of "
        "this service (a pool holds the connections to one dependency)");
  CHECK(error_of(replace(kShop, "\"size\": 5", "\"size\": 0")) ==
        "error[bad-value]: x.json: /components/api/pools/db/size: expected a whole number from 1 to 100000, "
        "got 0");
  CHECK(error_of(replace(kShop, "\"wait_timeout\": \"200ms\"", "\"wait_timeout\": \"0s\"")) ==
        "error[bad-duration]: x.json: /components/api/pools/db/wait_timeout: expected a wait timeout above "
        "zero");
}

TEST_CASE("latency_slo's endpoints are ones a client calls, with a duration each") {
  CHECK(error_of(replace(kShop, "\"endpoints\": { \"place_order\": \"500ms\" }",
                         "\"endpoints\": { \"login\": \"500ms\" }")) ==
        "error[unknown-field]: x.json: /checks/latency_slo/endpoints/login: no client calls an endpoint "
        "\"login\" "
        "(endpoints: get_order, place_order)");
  CHECK(error_of(replace(kShop, "\"endpoints\": { \"place_order\": \"500ms\" }",
                         "\"endpoints\": { \"place_order\": 0.5 }")) ==
        "error[bad-duration]: x.json: /checks/latency_slo/endpoints/place_order: expected a duration with a "
        "unit, like "
        "\"250ms\" or \"3s\", got 0.5");
  CHECK(error_of(replace(kShop, "\"endpoints\": { \"place_order\": \"500ms\" }",
                         "\"endpoints\": [\"place_order\"]")) ==
        "error[wrong-type]: x.json: /checks/latency_slo/endpoints: expected an object of endpoint -> latency "
        "bound, got "
        "[\"place_order\"]");
  CHECK(error_of(replace(kShop, "\"bound\": \"300ms\"", "\"bound\": \"0s\"")) ==
        "error[bad-duration]: x.json: /checks/latency_slo/bound: expected a latency bound above zero");
  CHECK(error_of(replace(kShop, "\"bound\": \"300ms\"", "\"bound\": \"300ms\", \"percentile\": 0.2")) ==
        "error[bad-value]: x.json: /checks/latency_slo/percentile: expected a number from 0.5 to 1, got 0.2");
}

TEST_CASE("disk_full and oom need a database in the scenario") {
  // Without the database (and what refers to it), the checks have nothing to judge.
  std::string no_db =
      replace(kShop, "\"to\": \"db\", \"op\": \"get_order\"", "\"to\": \"other\", \"op\": \"read\"");
  no_db = replace(no_db, "\"to\": \"db\", \"op\": \"place_order\"", "\"to\": \"other\", \"op\": \"write\"");
  no_db = replace(no_db, "\"pools\": { \"db\":", "\"pools\": { \"other\":");
  no_db =
      replace(no_db, "\"target\": \"db\", \"arrival\": { \"rate_per_s\": 1 }, \"mix\": { \"get_order\": 1 }",
              "\"target\": \"other\", \"arrival\": { \"rate_per_s\": 1 }, \"mix\": { \"read\": 1 }");
  const auto db_start = no_db.find("\"db\": {");
  const auto db_end = no_db.find("\"other\":");
  REQUIRE(db_start != std::string::npos);
  no_db.erase(db_start, db_end - db_start);
  CHECK(error_of(replace(no_db, ", \"disk_full\": {}, \"oom\": {}", "")) == "no error");
  CHECK(error_of(replace(no_db, ", \"oom\": {}", "")) ==
        "error[bad-value]: x.json: /checks/disk_full: \"disk_full\" needs a database component in the "
        "scenario");
  CHECK(error_of(replace(no_db, "\"disk_full\": {}, ", "")) ==
        "error[bad-value]: x.json: /checks/oom: \"oom\" needs a database component in the scenario");
}
