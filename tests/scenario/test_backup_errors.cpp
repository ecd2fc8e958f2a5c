// Bad input for the backup component and the rto_exceeded / no_valid_backup
// checks: each gets one error naming the file, the JSON path and what was
// expected, word for word.
#include "../support/scenario_text.hpp"

#include <catch2/catch.hpp>

using faultlab::testing::error_of;
using faultlab::testing::replace;

namespace {

const char* kBackups = R"({
  "title": "t",
  "lesson": "l",
  "topology": { "nodes": { "app": {}, "db-1": { "cores": 4 }, "db-2": { "cores": 4 }, "spare": {}, "s3": {} } },
  "components": {
    "db": {
      "type": "database",
      "node": "db-1",
      "tables": { "orders": { "rows": 1000 } },
      "queries": { "get_order": { "table": "orders", "shape": "point", "column": "id" } }
    },
    "cache": { "type": "replica_group", "primary": "spare" },
    "backups": {
      "type": "backup",
      "database": "db",
      "storage": "s3",
      "every": "1d",
      "jitter": "1h",
      "staging": "10GiB",
      "part_size": "64MiB",
      "restore": { "node": "db-2", "streams": 2, "parallelism": 4, "limit": "50MBps", "provision": "10min" },
      "restore_test": { "node": "spare", "at": "2d", "every": "7d", "respond": "1d" }
    }
  },
  "workload": {
    "duration": "2s",
    "clients": { "shop": { "node": "app", "target": "db", "arrival": { "rate_per_s": 1 }, "mix": { "get_order": 1 } } }
  },
  "faults": { "disk-dies": { "type": "crash", "node": "db-1", "at": "1s" } },
  "checks": { "rto_exceeded": { "rto": "4h" }, "no_valid_backup": { "rpo": "1d" } }
})";

const std::string kAt = "x.json: /components/backups/";

} // namespace

TEST_CASE("the example scenario with backups loads") {
  CHECK(error_of(kBackups) == "no error");
}

TEST_CASE("a backup names a database of the scenario and a storage node that is not the database's") {
  CHECK(error_of(replace(kBackups, "\"database\": \"db\"", "\"database\": \"cache\"")) ==
        "error[unknown-component]: " + kAt +
            "database: \"cache\" is not a database of this scenario (databases: db)");
  CHECK(error_of(replace(kBackups, "\"database\": \"db\"", "\"database\": \"dbx\"")) ==
        "error[unknown-component]: " + kAt +
            "database: \"dbx\" is not a database of this scenario (databases: db)");
  CHECK(error_of(replace(kBackups, "\"storage\": \"s3\"", "\"storage\": \"db-1\"")) ==
        "error[bad-value]: " + kAt +
            "storage: the storage must be another node than the database's \"db-1\" (its disk is what is "
            "lost)");
  CHECK(error_of(replace(kBackups, "\"storage\": \"s3\"", "\"storage\": \"s4\"")) ==
        "error[unknown-node]: " + kAt +
            "storage: \"s4\" is not a node of the topology (nodes: app, db-1, db-2, spare, s3)");
  CHECK(error_of(replace(kBackups, "\"database\": \"db\",", "")) ==
        "error[missing-field]: " + kAt.substr(0, kAt.size() - 1) + ": missing required field \"database\"");
}

TEST_CASE("a backup's schedule, staging and parts") {
  CHECK(error_of(replace(kBackups, "\"every\": \"1d\"", "\"every\": \"0s\"")) ==
        "error[bad-duration]: " + kAt + "every: expected a backup period above zero");
  CHECK(error_of(replace(kBackups, "\"jitter\": \"1h\"", "\"jitter\": \"1d\"")) ==
        "error[bad-value]: " + kAt + "jitter: expected a jitter shorter than the period (86400.000 s)");
  CHECK(error_of(replace(kBackups, "\"staging\": \"10GiB\"", "\"staging\": \"big\"")) ==
        "error[bad-value]: " + kAt + "staging: expected a size like \"8KiB\" or \"4GiB\", got \"big\"");
  CHECK(error_of(replace(kBackups, "\"part_size\": \"64MiB\"", "\"part_size\": \"4KiB\"")) ==
        "error[bad-value]: " + kAt + "part_size: expected a part of at least 1MiB");
  CHECK(error_of(replace(kBackups, "\"every\": \"1d\"", "\"every\": \"1d\", \"retention\": \"30d\"")) ==
        "error[unknown-field]: " + kAt +
            "retention: unknown field \"retention\" (expected one of: at, database, every, jitter, "
            "message_size, part_size, restore, restore_test, staging, storage, type)");
}

TEST_CASE("a restore needs its own node, and bounded streams and workers") {
  CHECK(error_of(replace(kBackups, "\"node\": \"db-2\"", "\"node\": \"db-1\"")) ==
        "error[bad-value]: " + kAt +
            "restore/node: the restore needs another node than the database's \"db-1\" (its disk is lost)");
  CHECK(error_of(replace(kBackups, "\"node\": \"db-2\"", "\"node\": \"s3\"")) ==
        "error[bad-value]: " + kAt + "restore/node: the restore node must not be the storage node \"s3\"");
  CHECK(error_of(replace(kBackups, "\"parallelism\": 4", "\"parallelism\": 0")) ==
        "error[bad-value]: " + kAt + "restore/parallelism: expected a whole number from 1 to 256, got 0");
  CHECK(error_of(replace(kBackups, "\"streams\": 2", "\"streams\": 100")) ==
        "error[bad-value]: " + kAt + "restore/streams: expected a whole number from 1 to 64, got 100");
  CHECK(error_of(replace(kBackups, "\"limit\": \"50MBps\"", "\"limit\": \"fast\"")) ==
        "error[bad-value]: " + kAt + "restore/limit: expected a bandwidth like \"500MBps\", got \"fast\"");
  CHECK(error_of(replace(kBackups, "\"restore\": { \"node\": \"db-2\", ", "\"restore\": { ")) ==
        "error[missing-field]: " + kAt + "restore: missing required field \"node\"");
  CHECK(
      error_of(replace(kBackups, "\"provision\": \"10min\"", "\"provision\": \"10min\", \"verify\": true")) ==
      "error[unknown-field]: " + kAt +
          "restore/verify: unknown field \"verify\" (expected one of: limit, node, parallelism, "
          "provision, streams)");
}

TEST_CASE("a restore test runs on a spare node") {
  CHECK(error_of(replace(kBackups, "\"node\": \"spare\"", "\"node\": \"db-1\"")) ==
        "error[bad-value]: " + kAt +
            "restore_test/node: the test restores on a spare node, not on the database's \"db-1\"");
  CHECK(error_of(replace(kBackups, "\"node\": \"spare\"", "\"node\": \"s3\"")) ==
        "error[bad-value]: " + kAt + "restore_test/node: the test node must not be the storage node \"s3\"");
  CHECK(error_of(replace(kBackups, "\"every\": \"7d\"", "\"every\": \"-1d\"")) ==
        "error[bad-duration]: " + kAt +
            "restore_test/every: expected a duration of zero or more, like \"3s\", got \"-1d\"");
}

TEST_CASE("clients cannot target a backup") {
  CHECK(
      error_of(replace(kBackups, "\"target\": \"db\"", "\"target\": \"backups\"")) ==
      "error[bad-value]: x.json: /workload/clients/shop/target: \"backups\" is a backup job; clients use the "
      "database it backs up");
}

TEST_CASE("the RTO and the RPO are durations above zero, and need a backup component") {
  CHECK(
      error_of(replace(kBackups, "\"rto\": \"4h\"", "\"rto\": \"0s\"")) ==
      "error[bad-duration]: x.json: /checks/rto_exceeded/rto: expected a recovery time objective above zero");
  CHECK(error_of(replace(kBackups, "\"rpo\": \"1d\"", "\"rpo\": \"soon\"")) ==
        "error[bad-duration]: x.json: /checks/no_valid_backup/rpo: expected a duration with a unit, like "
        "\"250ms\" or "
        "\"3s\", got \"soon\"");
  CHECK(error_of(replace(kBackups, "\"rto\": \"4h\"", "\"bound\": \"4h\"")) ==
        "error[unknown-field]: x.json: /checks/rto_exceeded/bound: unknown field \"bound\" (expected one of: "
        "rto)");
  std::string text = kBackups;
  const auto from = text.find(",\n    \"backups\": {");
  const auto to = text.find("\n  },\n  \"workload\"");
  REQUIRE(from != std::string::npos);
  REQUIRE(to != std::string::npos);
  text.erase(from, to - from);
  CHECK(error_of(text) == "error[bad-value]: x.json: /checks/rto_exceeded: \"rto_exceeded\" needs a backup "
                          "component in the scenario");
}
