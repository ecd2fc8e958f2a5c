// schema_mismatch on hand-made histories: failed requests whose error says a
// column does not exist are charged to the code version their instance ran
// (from the service's run_version ops), per window; other failures, ok
// requests and timeouts are not counted.
#include "check/checker.hpp"
#include "history_builder.hpp"

#include <catch2/catch.hpp>

using faultlab::check::check_schema_mismatch;
using faultlab::check::CheckOptions;
using faultlab::history::Outcome;
using faultlab::testing::HistoryBuilder;

namespace {

// api's two instances start running v1 at 0 s; app-1 restarts with v2 at 12 s.
void versions(HistoryBuilder& b) {
  b.client = "api";
  b.node = "app-1";
  b.op("run_version", 0, "v1", std::nullopt, 0, 0);
  b.node = "app-2";
  b.op("run_version", 0, "v1", std::nullopt, 0, 0);
  b.node = "app-1";
  b.op("run_version", 0, "v2", std::nullopt, 12, 12);
  b.client = "users";
}

std::int64_t failed(HistoryBuilder& b, const std::string& node, double at_s, const std::string& error,
                    Outcome outcome = Outcome::fail) {
  b.node = node;
  const auto id = b.op("get_profile", 1, "user:1", std::nullopt, at_s, at_s + 0.01, outcome);
  b.history.ops.back().error = error;
  return id;
}

CheckOptions window(double seconds) {
  CheckOptions o;
  o.window_s = seconds;
  return o;
}

} // namespace

TEST_CASE("schema_mismatch: no failed request, or failures for other reasons, pass") {
  HistoryBuilder b;
  versions(b);
  b.node = "app-1";
  b.op("get_profile", 1, "user:1", std::nullopt, 1, 1.01);
  failed(b, "app-2", 2, "db: timeout", Outcome::info);
  failed(b, "app-2", 3, "connection refused");
  failed(b, "app-1", 4, "db: sorry, too many clients already (max_connections 100)");
  // An ALTER that finds the column already there is a migration run twice, not code against a schema.
  failed(b, "db-1", 5, "column \"full_name\" of relation \"users\" already exists");
  // A timed-out request says nothing about why, even with such an error text.
  failed(b, "app-2", 6, "db: column \"name\" does not exist", Outcome::info);
  CHECK(check_schema_mismatch(b.build(), window(5)).empty());
  CHECK(check_schema_mismatch(HistoryBuilder{}.build(), window(5)).empty());
}

TEST_CASE("schema_mismatch: failures are charged to the version the instance ran, per window") {
  HistoryBuilder b;
  versions(b);
  const auto a = failed(b, "app-1", 10.5, "db: column \"name\" does not exist");
  const auto c = failed(b, "app-2", 11.0, "db: column \"name\" does not exist");
  // app-1 runs v2 from 12 s: its failure at 13 s is v2's.
  const auto d = failed(b, "app-1", 13.0, "db: column \"full_name\" does not exist");
  const auto e = failed(b, "app-2", 16.0, "db: column \"name\" does not exist");
  const auto violations = check_schema_mismatch(b.build(), window(5));
  REQUIRE(violations.size() == 3);
  CHECK(violations[0].check == "schema_mismatch");
  CHECK(violations[0].time_s == 10);
  CHECK(violations[0].ops == std::vector<std::int64_t>{a, c});
  CHECK(violations[0].message ==
        "code version v1 (on app-1, app-2): 2 requests between 10.000 s and 15.000 s failed because the code named "
        "a column the table did not have (column \"name\" does not exist; get_profile 2)");
  CHECK(violations[1].time_s == 10);
  CHECK(violations[1].ops == std::vector<std::int64_t>{d});
  CHECK(violations[1].message.rfind("code version v2 (on app-1): 1 request between", 0) == 0);
  CHECK(violations[2].time_s == 15);
  CHECK(violations[2].ops == std::vector<std::int64_t>{e});
  // One window of the whole run: one violation per version.
  CHECK(check_schema_mismatch(b.build(), window(100)).size() == 2);
}

TEST_CASE("schema_mismatch: a request on no versioned instance is charged to its client") {
  HistoryBuilder b;
  b.client = "migration";
  b.node = "db-1";
  const auto id = b.op("drop_name", 0, "users", std::nullopt, 75, 75.01, Outcome::fail);
  b.history.ops.back().error = "column \"name\" of relation \"users\" does not exist";
  const auto violations = check_schema_mismatch(b.build(), window(5));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].ops == std::vector<std::int64_t>{id});
  CHECK(violations[0].message.rfind("migration (on db-1): 1 request between 75.000 s and 80.000 s", 0) == 0);
}

TEST_CASE("schema_mismatch: a window that is not positive and finite judges nothing") {
  HistoryBuilder b;
  versions(b);
  failed(b, "app-1", 1, "db: column \"name\" does not exist");
  CHECK(check_schema_mismatch(b.build(), window(0)).empty());
  CHECK(check_schema_mismatch(b.build(), window(5)).size() == 1);
}
