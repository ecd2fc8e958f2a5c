// value_corruption on hand-made histories: what the system of record wrote
// (`stored`) against what a client holds after reading it back (`received`),
// keys "<record>/<field>=<value>".
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "check/checker.hpp"
#include "history_builder.hpp"

using faultlab::check::check_value_corruption;
using faultlab::check::find_checker;
using faultlab::history::Outcome;
using faultlab::testing::HistoryBuilder;
using Ids = std::vector<std::int64_t>;

namespace {
std::int64_t stored(HistoryBuilder& b, const std::string& key, double at_s) {
  b.client = "api";
  return b.op("stored", 3, key, std::nullopt, at_s, at_s);
}
std::int64_t received(HistoryBuilder& b, const std::string& key, double at_s, Outcome outcome = Outcome::ok) {
  b.client = "customers";
  return b.op("received", 3, key, std::nullopt, at_s, at_s, outcome);
}
} // namespace

TEST_CASE("value_corruption: a total summed in doubles is found") {
  HistoryBuilder b;
  const auto w = stored(b, "order-3/total=59.97", 1.0);
  const auto r = received(b, "order-3/total=59.970000000000006", 1.02);
  const auto v = check_value_corruption(b.build(), {});
  REQUIRE(v.size() == 1);
  CHECK(v[0].check == "value_corruption");
  CHECK(v[0].ops == Ids{w, r});
  CHECK(v[0].time_s == 1.02);
  CHECK(v[0].message ==
        "order-3's total was written as 59.97 and read back as 59.970000000000006 by customers session 3 (binary "
        "floating point cannot hold most decimal fractions exactly; arithmetic on them shows it)");
}

TEST_CASE("value_corruption: an id above 2^53 that came back as another number is found") {
  HistoryBuilder b;
  const auto w = stored(b, "order-4/id=1234567890123456789", 1.0);
  const auto r = received(b, "order-4/id=1234567890123456800", 1.02);
  const auto v = check_value_corruption(b.build(), {});
  REQUIRE(v.size() == 1);
  CHECK(v[0].ops == Ids{w, r});
  CHECK(v[0].message ==
        "order-4's id was written as 1234567890123456789 and read back as 1234567890123456800 by customers session 3 "
        "(above 2^53 = 9007199254740992 not every integer has a double: a client that reads JSON numbers into doubles "
        "holds the nearest one, and prints it with the fewest digits that identify it)");
}

TEST_CASE("value_corruption: equal values pass, written differently or not") {
  HistoryBuilder b;
  stored(b, "order-1/total=59.90", 1.0);
  received(b, "order-1/total=59.9", 1.1); // JavaScript drops the trailing zero
  stored(b, "order-1/id=1234567890123456789", 1.0);
  received(b, "order-1/id=1234567890123456789", 1.1); // sent as a string
  stored(b, "order-2/total=20.00", 2.0);
  received(b, "order-2/total=20", 2.1);
  stored(b, "order-2/id=9007199254740992", 2.0); // 2^53 itself has a double
  received(b, "order-2/id=9007199254740992", 2.1);
  CHECK(check_value_corruption(b.build(), {}).empty());
}

TEST_CASE("value_corruption: unknown and failed reads are not judged") {
  HistoryBuilder b;
  received(b, "order-9/total=1.0000000000000002", 1.0); // nothing stored under that field
  stored(b, "order-1/total=0.30", 1.0);
  received(b, "order-1/total=0.30000000000000004", 1.1, Outcome::fail);
  received(b, "order-1/total", 1.2); // no value: not a field
  CHECK(check_value_corruption(b.build(), {}).empty());
  // Any field is compared, not only totals and ids.
  stored(b, "user-7/name=Zoë", 3.0);
  const auto r = received(b, "user-7/name=ZoÃ«", 3.1);
  const auto v = check_value_corruption(b.build(), {});
  REQUIRE(v.size() == 1);
  CHECK(v[0].ops.back() == r);
  CHECK(v[0].message == "user-7's name was written as Zoë and read back as ZoÃ« by customers session 3");
}

TEST_CASE("value_corruption is registered for any history") {
  REQUIRE(find_checker("value_corruption") != nullptr);
  CHECK(find_checker("value_corruption")->needs_component_type == nullptr);
}
