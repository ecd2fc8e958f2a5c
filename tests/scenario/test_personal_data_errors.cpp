// Bad input for personal_data: each gets one error naming the file, the
// JSON path and what was expected, word for word.
#include "../support/scenario_text.hpp"

#include <catch2/catch.hpp>

using faultlab::testing::error_of;
using faultlab::testing::replace;

namespace {

const char* kErasure = R"({
  "title": "t",
  "lesson": "l",
  "topology": { "nodes": { "app": {}, "db-1": {}, "dwh-1": {}, "bk-1": {} } },
  "components": {
    "user-data": {
      "type": "personal_data",
      "node": "app",
      "request_at": "1d",
      "stores": {
        "main-db": { "kind": "database", "node": "db-1", "erased_by_job": true },
        "analytics": { "kind": "warehouse", "node": "dwh-1", "copied_from": "main-db" },
        "backups": { "kind": "backup", "node": "bk-1", "copied_from": "main-db", "retention": "35d" }
      }
    }
  },
  "workload": { "duration": "40d", "clients": {} },
  "checks": { "erasure_incomplete": {} }
})";

const std::string kStores = "x.json: /components/user-data/stores/";

} // namespace

TEST_CASE("the example scenario with personal data loads") {
  CHECK(error_of(kErasure) == "no error");
}

TEST_CASE("a store copies from a store that exists, not from itself, and not in a circle") {
  CHECK(error_of(replace(kErasure, "\"copied_from\": \"main-db\" }", "\"copied_from\": \"main\" }")) ==
        "error[bad-value]: " + kStores +
            "analytics/copied_from: no store \"main\" (stores: main-db, analytics, backups)");
  CHECK(error_of(replace(kErasure, "\"copied_from\": \"main-db\" }", "\"copied_from\": \"analytics\" }")) ==
        "error[bad-value]: " + kStores + "analytics/copied_from: a store cannot copy from itself");
  const std::string circle = replace(kErasure, "\"node\": \"db-1\", \"erased_by_job\": true",
                                     "\"node\": \"db-1\", \"copied_from\": \"analytics\"");
  CHECK(error_of(circle) == "error[bad-value]: " + kStores +
                                "main-db/copied_from: the copies go round in a circle (main-db is copied from a "
                                "copy of itself): one store must be the source");
}

TEST_CASE("a store's kind is known, a backup is not erased by the job, and the key store exists") {
  CHECK(error_of(replace(kErasure, "\"kind\": \"warehouse\"", "\"kind\": \"lake\"")) ==
        "error[bad-value]: " + kStores +
            "analytics/kind: expected one of \"database\", \"object_storage\", \"cache\", \"warehouse\", \"logs\", "
            "\"third_party\", \"backup\", \"key_store\", got \"lake\"");
  CHECK(error_of(replace(kErasure, "\"retention\": \"35d\"", "\"retention\": \"35d\", \"erased_by_job\": true")) ==
        "error[bad-value]: " + kStores +
            "backups/erased_by_job: a backup cannot be edited to take one person out: it ages out with its "
            "retention, or is made unreadable by deleting the person's key (encrypted, key_store)");
  CHECK(error_of(replace(kErasure, "\"request_at\": \"1d\"", "\"request_at\": \"1d\", \"key_store\": \"kms\"")) ==
        "error[bad-value]: x.json: /components/user-data/key_store: no store \"kms\" (stores: main-db, analytics, backups)"
        );
  CHECK(error_of(replace(kErasure, "\"retention\": \"35d\"", "\"retention\": \"0s\"")).find(
            "error[bad-duration]: " + kStores + "backups/retention:") == 0);
  CHECK(error_of(replace(kErasure, "\"erased_by_job\": true", "\"erased_by_job\": \"yes\"")).find(
            "error[wrong-type]: " + kStores + "main-db/erased_by_job:") == 0);
}

TEST_CASE("erasure_incomplete needs a personal_data component") {
  const std::string other = replace(kErasure, "\"checks\": { \"erasure_incomplete\": {} }", "\"checks\": { \"unintended_deletion\": {} }");
  CHECK(error_of(other) == "error[bad-value]: x.json: /checks/unintended_deletion: \"unintended_deletion\" needs a "
                           "database component in the scenario");
}
