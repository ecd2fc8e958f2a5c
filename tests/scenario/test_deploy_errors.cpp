// Bad input for the deploy component, a service's code versions and a
// table's columns: each gets one error naming the file, the JSON path and
// what was expected, word for word.
#include "../support/scenario_text.hpp"

#include <catch2/catch.hpp>

using faultlab::testing::error_of;
using faultlab::testing::replace;

namespace {

const char* kRelease = R"({
  "title": "t",
  "lesson": "l",
  "topology": { "nodes": { "web": {}, "ci": {}, "app-1": {}, "app-2": {}, "db-1": {} } },
  "components": {
    "db": {
      "type": "database",
      "node": "db-1",
      "tables": { "users": { "rows": 1000, "columns": ["id", "name"], "indexes": [{ "column": "id" }] } },
      "queries": {
        "read_name": { "table": "users", "shape": "point", "column": "id", "columns": ["name"] },
        "read_full_name": { "table": "users", "shape": "point", "column": "id", "columns": ["full_name"] },
        "rename": { "table": "users", "shape": "alter", "alter": "rename_column", "column": "name", "to": "full_name" },
        "drop": { "table": "users", "shape": "alter", "alter": "drop_column", "column": "name" },
        "backfill": { "table": "users", "shape": "backfill", "column": "id", "columns": ["full_name"], "limit": 100 }
      },
      "jobs": { "migration": { "query": "rename", "at": "5s" } }
    },
    "api": {
      "type": "service",
      "instances": ["app-1", "app-2"],
      "endpoints": { "get": { "calls": { "db": { "to": "db", "op": "read_name", "key": "user:{user}" } } } },
      "versions": {
        "v1": {},
        "v2": { "endpoints": { "get": { "db": "read_full_name" } } }
      },
      "version": "v1"
    },
    "deploy": {
      "type": "deploy",
      "node": "ci",
      "service": "api",
      "batch": 1,
      "drain": "1s",
      "start": "2s",
      "rollouts": { "v2": { "at": "5s", "version": "v2" } }
    }
  },
  "workload": {
    "duration": "10s",
    "clients": { "users": { "node": "web", "target": "api", "arrival": { "rate_per_s": 10 }, "mix": { "get": 1 } } }
  },
  "checks": { "schema_mismatch": { "window": "5s" } }
})";

const std::string kDeploy = "x.json: /components/deploy/";

} // namespace

TEST_CASE("the example release loads") {
  CHECK(error_of(kRelease) == "no error");
}

TEST_CASE("a deploy names a service with versions, and versions of it") {
  CHECK(error_of(replace(kRelease, "\"service\": \"api\"", "\"service\": \"apii\"")) ==
        "error[unknown-component]: " + kDeploy +
            "service: \"apii\" is not a component of this scenario (a deploy replaces the instances of a service)");
  CHECK(error_of(replace(kRelease, "\"service\": \"api\"", "\"service\": \"db\"")) ==
        "error[unknown-component]: " + kDeploy +
            "service: \"db\" is of type database, not a service (a deploy replaces the instances of a service)");
  CHECK(error_of(replace(kRelease, "\"at\": \"5s\", \"version\": \"v2\"", "\"at\": \"5s\", \"version\": \"v3\"")) ==
        "error[bad-value]: " + kDeploy + "rollouts/v2/version: \"v3\" is not a version of service \"api\" (versions: v1, v2)");
  CHECK(error_of(replace(kRelease, "\"rollouts\": { \"v2\": { \"at\": \"5s\", \"version\": \"v2\" } }", "\"rollouts\": {}")) ==
        "error[missing-field]: " + kDeploy +
            "rollouts: a deploy needs at least one rollout, like {\"v2\": {\"at\": \"20s\", \"version\": \"v2\"}}");
  CHECK(error_of(replace(kRelease, "\"at\": \"5s\", \"version\": \"v2\"", "\"version\": \"v2\"")) ==
        "error[missing-field]: " + kDeploy + "rollouts/v2: missing required field \"at\"");
  CHECK(error_of(replace(kRelease, "\"batch\": 1", "\"batch\": 0")) ==
        "error[bad-value]: " + kDeploy + "batch: expected a whole number from 1 to 10000, got 0");
  CHECK(error_of(replace(kRelease, "\"drain\": \"1s\"", "\"drain\": \"soon\"")) ==
        "error[bad-duration]: " + kDeploy + "drain: expected a duration with a unit, like \"250ms\" or \"3s\", got \"soon\"");
  CHECK(error_of(replace(kRelease, "\"batch\": 1", "\"batches\": 1")) ==
        "error[unknown-field]: " + kDeploy + "batches: unknown field \"batches\" (expected one of: batch, drain, "
        "health_timeout, message_size, node, rollouts, service, start, type)");
  CHECK(error_of(replace(kRelease, "\"target\": \"api\"", "\"target\": \"deploy\"")) ==
        "error[bad-value]: x.json: /workload/clients/users/target: \"deploy\" is a deploy controller; clients call the "
        "service it deploys");
}

TEST_CASE("a service's versions name its endpoints and calls, and operations of what they call") {
  const std::string api = "x.json: /components/api/";
  CHECK(error_of(replace(kRelease, "\"version\": \"v1\"", "\"version\": \"v0\"")) ==
        "error[bad-value]: " + api + "version: \"v0\" is not one of this service's versions (versions: v1, v2)");
  CHECK(error_of(replace(kRelease, ",\n      \"version\": \"v1\"", "")) ==
        "error[missing-field]: " + api +
            "version: a service with versions needs \"version\": the one its instances run at the start");
  CHECK(error_of(replace(kRelease, "{ \"get\": { \"db\": \"read_full_name\" } }", "{ \"put\": { \"db\": \"read_full_name\" } }")) ==
        "error[unknown-field]: " + api + "versions/v2/endpoints/put: no endpoint \"put\" in this service (endpoints: get)");
  CHECK(error_of(replace(kRelease, "{ \"get\": { \"db\": \"read_full_name\" } }", "{ \"get\": { \"cache\": \"read_full_name\" } }")) ==
        "error[unknown-field]: " + api + "versions/v2/endpoints/get/cache: endpoint \"get\" makes no call \"cache\" (calls: db)");
  CHECK(error_of(replace(kRelease, "{ \"get\": { \"db\": \"read_full_name\" } }", "{ \"get\": { \"db\": \"read_fullname\" } }")) ==
        "error[bad-value]: " + api + "versions/v2/endpoints/get/db: \"read_fullname\" is not an operation of \"db\" "
        "(operations: read_name, read_full_name, rename, drop, backfill)");
  CHECK(error_of(replace(kRelease, "{ \"get\": { \"db\": \"read_full_name\" } }", "{ \"get\": { \"db\": 3 } }")) ==
        "error[wrong-type]: " + api + "versions/v2/endpoints/get/db: expected a string, got 3");
  CHECK(error_of(replace(kRelease, "\"v1\": {}", "\"v1\": { \"endpoint\": {} }")) ==
        "error[unknown-field]: " + api + "versions/v1/endpoint: unknown field \"endpoint\" (expected one of: endpoints)");
}

TEST_CASE("a table's columns, and the columns an ALTER changes") {
  const std::string db = "x.json: /components/db/";
  CHECK(error_of(replace(kRelease, "\"columns\": [\"id\", \"name\"]", "\"columns\": [\"id\", \"id\"]")) ==
        "error[bad-value]: " + db + "tables/users/columns/1: a second column \"id\"");
  CHECK(error_of(replace(kRelease, "\"columns\": [\"id\", \"name\"]", "\"columns\": [\"name\"]")) ==
        "error[bad-value]: " + db + "tables/users/indexes/0/column: an index on \"id\", which is not among the table's "
        "columns (name)");
  CHECK(error_of(replace(kRelease, "\"columns\": [\"id\", \"name\"]", "\"columns\": \"id\"")) ==
        "error[wrong-type]: " + db + "tables/users/columns: expected a list of column names like [\"id\", \"name\"], got \"id\"");
  CHECK(error_of(replace(kRelease, "\"column\": \"name\", \"to\": \"full_name\"", "\"column\": \"name\"")) ==
        "error[missing-field]: " + db + "queries/rename/to: a rename_column needs \"to\", the column's new name");
  CHECK(error_of(replace(kRelease, "\"to\": \"full_name\"", "\"to\": \"name\"")) ==
        "error[bad-value]: " + db + "queries/rename/to: the new name is the column's name already");
  CHECK(error_of(replace(kRelease, "\"column\": \"name\" },\n        \"backfill\"",
                         "\"column\": \"name\", \"to\": \"nom\" },\n        \"backfill\"")) ==
        "error[bad-value]: " + db + "queries/drop/to: only a rename_column takes \"to\" (a new name)");
  CHECK(error_of(replace(kRelease, "\"alter\": \"drop_column\", \"column\": \"name\"", "\"alter\": \"drop_column\"")) ==
        "error[missing-field]: " + db + "queries/drop/column: a drop_column needs the column it drops");
  CHECK(error_of(replace(kRelease, "\"columns\": [\"full_name\"] }", "\"columns\": [\"full name\"] }")) ==
        "error[bad-name]: " + db +
            "queries/read_full_name/columns/0: expected a name of letters, digits, '-' and '_' (at most 64), got \"full name\"");
  CHECK(error_of(replace(kRelease, "\"shape\": \"backfill\", \"column\": \"id\"", "\"shape\": \"backfill\"")) ==
        "error[missing-field]: " + db + "queries/backfill: missing required field \"column\"");
}

TEST_CASE("schema_mismatch takes a window and needs a database") {
  CHECK(error_of(replace(kRelease, "\"window\": \"5s\"", "\"window\": \"0s\"")) ==
        "error[bad-duration]: x.json: /checks/schema_mismatch/window: expected a window of at least 1ms");
}
