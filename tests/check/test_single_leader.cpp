// single_leader on hand-made histories: split brain seen from the clients.
#include "check/checker.hpp"
#include "history_builder.hpp"

#include <catch2/catch.hpp>

using faultlab::check::check_single_leader;
using faultlab::history::History;
using faultlab::history::Outcome;
using faultlab::testing::HistoryBuilder;

namespace {
// Adds an ok write acknowledged by `node` in `term`.
std::int64_t write_at(HistoryBuilder& b, const std::string& node, std::int64_t term, std::int64_t value,
                      double invoke_s, double complete_s, Outcome outcome = Outcome::ok) {
  b.node = node;
  auto id = b.write(1, "x", value, invoke_s, complete_s, outcome);
  b.history.ops.back().term = term;
  return id;
}
} // namespace

TEST_CASE("single_leader: a clean failover is not split brain") {
  HistoryBuilder b;
  write_at(b, "db-1", 1, 1, 1.0, 1.1);
  write_at(b, "db-1", 1, 2, 2.0, 2.1);
  write_at(b, "db-2", 2, 3, 3.0, 3.1); // after db-1's last write began
  write_at(b, "db-2", 2, 4, 4.0, 4.1);
  CHECK(check_single_leader(b.build(), {}).empty());
}

TEST_CASE("single_leader: a node that leads again in a later term is not its own rival") {
  HistoryBuilder b;
  write_at(b, "db-1", 1, 1, 1.0, 1.1);
  write_at(b, "db-2", 2, 2, 2.0, 2.1);
  write_at(b, "db-1", 3, 3, 3.0, 3.1);
  write_at(b, "db-1", 3, 4, 4.0, 4.1);
  CHECK(check_single_leader(b.build(), {}).empty());
}

TEST_CASE("single_leader: overlapping writes at two nodes could have been one leader after the other") {
  HistoryBuilder b;
  write_at(b, "db-1", 1, 1, 1.0, 3.0); // slow: accepted any time in [1, 3]
  write_at(b, "db-2", 2, 2, 2.0, 2.5);
  write_at(b, "db-2", 2, 3, 2.6, 2.7);
  CHECK(check_single_leader(b.build(), {}).empty());
}

TEST_CASE("single_leader: writes that failed or timed out prove nothing") {
  HistoryBuilder b;
  write_at(b, "db-1", 1, 1, 1.0, 1.1);
  write_at(b, "db-2", 2, 2, 2.0, 2.1, Outcome::info);
  write_at(b, "db-2", 2, 3, 2.2, 2.3, Outcome::fail);
  write_at(b, "db-1", 1, 4, 3.0, 3.1);
  CHECK(check_single_leader(b.build(), {}).empty());
}

TEST_CASE("single_leader: two primaries accepting writes at the same time") {
  HistoryBuilder b;
  auto a1 = write_at(b, "db-1", 1, 1, 1.0, 1.1);
  auto b1 = write_at(b, "db-3", 2, 2, 2.0, 2.1);
  write_at(b, "db-3", 2, 3, 3.0, 3.1);
  auto a2 = write_at(b, "db-1", 1, 4, 4.0, 4.1);
  auto violations = check_single_leader(b.build(), {});
  REQUIRE(violations.size() == 1);
  const auto& v = violations[0];
  CHECK(v.check == "single_leader");
  CHECK(v.time_s == 2.0);
  CHECK(v.ops == std::vector<std::int64_t>{a1, b1, a2});
  CHECK(v.message ==
        "two primaries at once: db-1 (term 1) and db-3 (term 2) both acknowledged writes as primary between "
        "2.000 s and 3.100 s (db-1 (term 1) acknowledged x=1 by 1.100 s and still took x=4 at 4.000 s)");
}

TEST_CASE("single_leader: one violation per pair of rival leaders, found in either direction") {
  HistoryBuilder b;
  write_at(b, "db-2", 2, 1, 2.0, 2.1);
  write_at(b, "db-1", 1, 2, 1.0, 1.1);
  write_at(b, "db-1", 1, 3, 5.0, 5.1);
  write_at(b, "db-2", 2, 4, 6.0, 6.1);
  write_at(b, "db-3", 2, 5, 3.0, 3.1); // same term, another node: no votes were needed
  auto violations = check_single_leader(b.build(), {});
  // db-1 spans [1.1, 5.0] and holds db-2's and db-3's writes; db-2 spans [2.1, 6.0] and holds db-1's and db-3's.
  CHECK(violations.size() == 3);
}
