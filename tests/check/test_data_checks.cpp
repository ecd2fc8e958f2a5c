// unintended_deletion on hand-made histories: the database's record of what
// a DELETE removed (ops of the database's name, f "deleted", key the table,
// value the rows), judged against the tables the scenario keeps.
#include <catch2/catch.hpp>

#include "check/checker.hpp"
#include "history_builder.hpp"

using faultlab::check::check_unintended_deletion;
using faultlab::check::CheckOptions;
using faultlab::check::find_checker;
using faultlab::history::Outcome;
using faultlab::testing::HistoryBuilder;

namespace {
CheckOptions keep_invoices() {
  CheckOptions options;
  options.keep_tables["invoices"] = "10 years, tax law";
  return options;
}
std::int64_t deleted(HistoryBuilder& b, const std::string& table, std::int64_t rows, double t,
                     Outcome outcome = Outcome::ok) {
  b.client = "db";
  const auto id = b.op("deleted", 0, table, rows, t, t, outcome);
  b.history.ops.back().error = "delete-org delete_org where id = org-17, via " + table + ".organization_id";
  return id;
}
} // namespace

TEST_CASE("unintended_deletion reports rows deleted from a kept table, naming the delete") {
  HistoryBuilder b;
  deleted(b, "users", 40, 600);
  const auto invoices = deleted(b, "invoices", 24, 600);
  const auto v = check_unintended_deletion(b.build(), keep_invoices());
  REQUIRE(v.size() == 1);
  CHECK(v[0].check == "unintended_deletion");
  CHECK(v[0].ops == std::vector<std::int64_t>{invoices});
  CHECK(v[0].message == "database db deleted 24 rows of invoices at 600.000 s, a table whose rows must be kept (10 "
                        "years, tax law); the delete: delete-org delete_org where id = org-17, via "
                        "invoices.organization_id");
}

TEST_CASE("unintended_deletion passes deletes from other tables, and when nothing is kept") {
  HistoryBuilder b;
  deleted(b, "users", 40, 600);
  deleted(b, "comments", 5000, 600);
  CHECK(check_unintended_deletion(b.build(), keep_invoices()).empty());
  HistoryBuilder all;
  deleted(all, "invoices", 24, 600);
  CHECK(check_unintended_deletion(all.build(), CheckOptions{}).empty());
}

TEST_CASE("unintended_deletion ignores a client's op of the same name that did not happen, or deleted nothing") {
  HistoryBuilder b;
  deleted(b, "invoices", 24, 600, Outcome::fail);
  deleted(b, "invoices", 0, 700);
  b.op("set_null", 0, "invoices", 3, 800, 800); // rows updated, still there
  CHECK(check_unintended_deletion(b.build(), keep_invoices()).empty());
  REQUIRE(find_checker("unintended_deletion") != nullptr);
  CHECK(std::string(find_checker("unintended_deletion")->needs_component_type) == "database");
}

// erasure_incomplete: what a personal_data component records.
using faultlab::check::check_erasure_incomplete;

namespace {
constexpr double kDay = 86400;
struct Erasure {
  HistoryBuilder b;
  Erasure() { b.client = "user-data"; }
  std::int64_t request(double day) { return b.op("erasure_request", 0, "user-42", std::nullopt, day * kDay, day * kDay); }
  std::int64_t copy(const std::string& store, double day, std::optional<double> ages_out_day = std::nullopt) {
    std::optional<std::int64_t> value;
    if (ages_out_day) value = static_cast<std::int64_t>(*ages_out_day * kDay);
    return b.op("copy", 0, store, value, day * kDay, day * kDay);
  }
  void gone(const std::string& f, const std::string& store, double day) { b.op(f, 0, store, std::nullopt, day * kDay, day * kDay); }
};
} // namespace

TEST_CASE("erasure_incomplete names each store still holding the data at the deadline, and when it ages out") {
  Erasure e;
  const auto source = e.copy("main-db", 0);
  (void)source;
  const auto warehouse = e.copy("analytics", 1);
  const auto backup = e.copy("backups", 1, 36);
  const auto request = e.request(1.5);
  e.gone("erased", "main-db", 1.5);
  const auto v = check_erasure_incomplete(e.b.build(), CheckOptions{});
  REQUIRE(v.size() == 2);
  CHECK(v[0].check == "erasure_incomplete");
  CHECK(v[0].time_s == Approx(31.5 * kDay));
  CHECK(v[0].ops == std::vector<std::int64_t>{request, warehouse});
  CHECK(v[0].message == "user-42's data was still in analytics at the deadline (day 31.5, 30.0 days after the erasure "
                        "request of day 1.5): nothing erases it and nothing ages it out");
  CHECK(v[1].ops == std::vector<std::int64_t>{request, backup});
  CHECK(v[1].message == "user-42's data was still in backups at the deadline (day 31.5, 30.0 days after the erasure "
                        "request of day 1.5): its last copy, taken on day 1.0, ages out on day 36.0");
}

TEST_CASE("erasure_incomplete passes copies erased, expired, unreadable or ageing out before the deadline") {
  Erasure e;
  e.copy("main-db", 0);
  e.copy("logs", 1, 15);     // ages out on day 15, before day 31.5: no need to see it go
  e.copy("backups", 1, 36);
  e.copy("crm", 1);
  e.request(1.5);
  e.gone("erased", "main-db", 1.5);
  e.gone("unreadable", "backups", 1.5);
  e.gone("erased", "crm", 5);
  CHECK(check_erasure_incomplete(e.b.build(), CheckOptions{}).empty());
  // Without any request nothing is judged.
  Erasure none;
  none.copy("analytics", 1);
  CHECK(check_erasure_incomplete(none.b.build(), CheckOptions{}).empty());
}

TEST_CASE("erasure_incomplete counts a copy taken again after it was erased, not a later erase past the deadline") {
  Erasure e;
  e.request(1);
  e.copy("analytics", 0.5);
  e.gone("erased", "analytics", 1.1);
  const auto again = e.copy("analytics", 2); // the nightly ETL, from a source not erased yet
  e.gone("erased", "analytics", 40);          // too late
  const auto v = check_erasure_incomplete(e.b.build(), CheckOptions{});
  REQUIRE(v.size() == 1);
  CHECK(v[0].ops.back() == again);
  // A shorter deadline moves the judgement earlier: the first erase is in time, the copy of day 2 not yet taken.
  CheckOptions week;
  week.erasure_deadline_s = 0.5 * kDay;
  CHECK(check_erasure_incomplete(e.b.build(), week).empty());
  REQUIRE(find_checker("erasure_incomplete") != nullptr);
  CHECK(std::string(find_checker("erasure_incomplete")->needs_component_type) == "personal_data");
}
