// The billing's scheduler and the order API's JSON, each shown to act: the
// cron fires at 09:00 on the node's wall clock in the zone it is told, a
// clock step moves it (and a step back runs it again); a total added up in
// doubles differs from the exact sum and an id above 2^53 comes back as
// another number, while integer cents and string ids come back unchanged.
#include "../support/run_support.hpp"
#include "components/order_api/json_numbers.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

using faultlab::history::Op;
using faultlab::history::Outcome;
using faultlab::testing::run_text;
using faultlab::testing::TestRun;
using nlohmann::json;
namespace jsnum = faultlab::model::json_numbers;

namespace {
constexpr double kHourS = 3600.0;

// One New York customer billed by a UTC server, two days; purchases are rare.
json billing_scenario() {
  return json::parse(R"({
    "title": "t", "lesson": "l",
    "topology": { "nodes": { "app": {}, "billing-1": {}, "psp": {} }, "latency": { "default": "1ms" } },
    "components": {
      "stripe": { "type": "payment_provider", "node": "psp", "processing": "100ms" },
      "billing": { "type": "billing", "node": "billing-1", "provider": "stripe",
        "zones": { "America/New_York": { "utc_offset": "-5h" } },
        "customers": { "ny": { "zone": "America/New_York", "count": 1 } },
        "renewal": { "at": "09:00", "in": "server" }, "report": { "at": "00:30", "day": "business" },
        "business_zone": "America/New_York" }
    },
    "workload": { "duration": "2d", "final_reads": false,
      "clients": { "customers": { "node": "app", "target": "billing", "sessions": 1,
        "arrival": { "rate_per_s": 0.0001 }, "mix": { "purchase": 1 }, "timeout": "30s" } } },
    "checks": {}
  })");
}

std::vector<Op> ops_of(const TestRun& run, const std::string& f) {
  std::vector<Op> out;
  for (const auto& op : run.history.ops)
    if (op.f == f) out.push_back(op);
  return out;
}
} // namespace

TEST_CASE("the cron fires at 09:00 in the server's zone, or in the customer's") {
  json s = billing_scenario();
  const TestRun server = run_text(s.dump(), 1);
  auto renewals = ops_of(server, "renewal");
  REQUIRE(renewals.size() == 2);
  CHECK(renewals[0].invoke_s == Approx(9 * kHourS)); // 09:00 UTC
  CHECK(renewals[1].invoke_s == Approx(33 * kHourS));
  s["components"]["billing"]["renewal"]["in"] = "customer";
  const TestRun customer = run_text(s.dump(), 1);
  renewals = ops_of(customer, "renewal");
  REQUIRE(renewals.size() == 2);
  CHECK(renewals[0].invoke_s == Approx(14 * kHourS)); // 09:00 in New York
  CHECK(renewals[1].invoke_s == Approx(38 * kHourS));
  for (const auto& op : renewals) CHECK(op.outcome == Outcome::ok);
  // Each renewal that went through is a stored row.
  CHECK(ops_of(customer, "charged").size() >= 2);
}

TEST_CASE("a clock step moves the cron: it reads the wall clock") {
  json s = billing_scenario();
  s["faults"] = {{"ahead", {{"type", "clock"}, {"node", "billing-1"}, {"offset", "+2h"}, {"at", "1h"}, {"duration", "20h"}}}};
  const TestRun run = run_text(s.dump(), 1);
  const auto renewals = ops_of(run, "renewal");
  REQUIRE(renewals.size() == 2);
  // The node's clock says 09:00 when it is 07:00 (to the next minute's tick).
  CHECK(renewals[0].invoke_s == Approx(7 * kHourS).margin(60));
  CHECK(renewals[1].invoke_s == Approx(33 * kHourS)); // the step was undone at 21 h
}

TEST_CASE("a clock stepped forward runs the skipped jobs at once, stepped back runs them again") {
  json s = billing_scenario();
  // 06:00 UTC reads as 14:00: the 09:00 job of the skipped hours runs now;
  // at 12:00 the clock steps back to 12:00 ... and reaches 09:00 again only
  // the next day, so here the step back must pass over 09:00: use 10:00.
  s["faults"] = {{"ahead", {{"type", "clock"}, {"node", "billing-1"}, {"offset", "+8h"}, {"at", "6h"}, {"duration", "4h"}}}};
  const TestRun run = run_text(s.dump(), 1);
  const auto renewals = ops_of(run, "renewal");
  // At 6 h the clock jumps from 06:00 to 14:00: 09:00 falls in the jump. At
  // 10 h it steps back from 18:00 to 10:00: 09:00 has passed, nothing runs
  // again that day. Next day: 09:00 as usual.
  REQUIRE(renewals.size() == 2);
  CHECK(renewals[0].invoke_s == Approx(6 * kHourS).margin(60));
  CHECK(renewals[1].invoke_s == Approx(33 * kHourS));

  // Stepped forward 8 h at 02:00 (so the jump ends at 10:00, past 09:00)
  // and back at 04:00: the clock passes 09:00 a second time at 09:00.
  s["faults"] = {{"ahead", {{"type", "clock"}, {"node", "billing-1"}, {"offset", "+8h"}, {"at", "2h"}, {"duration", "2h"}}}};
  const TestRun twice = run_text(s.dump(), 1);
  const auto again = ops_of(twice, "renewal");
  REQUIRE(again.size() == 3);
  CHECK(again[0].invoke_s == Approx(2 * kHourS).margin(60));
  CHECK(again[1].invoke_s == Approx(9 * kHourS));
  CHECK(again[0].key == again[1].key);
}

TEST_CASE("numbers print as JavaScript prints them") {
  CHECK(jsnum::js_number_to_string(2.35 + 2.35 + 2.35) == "7.050000000000001");
  CHECK(jsnum::js_number_to_string(0.1 + 0.2) == "0.30000000000000004");
  CHECK(jsnum::js_number_to_string(7.05) == "7.05");
  CHECK(jsnum::js_number_to_string(123.0) == "123");
  CHECK(jsnum::js_number_to_string(-0.5) == "-0.5");
  CHECK(jsnum::js_number_to_string(1e21) == "1e+21");
  CHECK(jsnum::js_number_to_string(0.000001) == "0.000001");
  CHECK(jsnum::js_number_to_string(1e-7) == "1e-7");
  // 2^53 + 1 has no double: the nearest is 2^53.
  CHECK(jsnum::js_number_to_string(static_cast<double>(9007199254740993ULL)) == "9007199254740992");
  CHECK(jsnum::js_number_to_string(static_cast<double>(1234567890123456789ULL)) == "1234567890123456800");
  CHECK(jsnum::cents_to_decimal(705) == "7.05");
  CHECK(jsnum::cents_to_decimal(5) == "0.05");
}

namespace {
json api_scenario(const std::string& money, const std::string& ids) {
  json s = json::parse(R"({
    "title": "t", "lesson": "l",
    "topology": { "nodes": { "browser": {}, "api-1": {} }, "latency": { "default": "1ms" } },
    "components": { "api": { "type": "order_api", "node": "api-1",
      "catalog": { "espresso": "2.35", "sticker": "0.10", "beans": "19.99" },
      "items_per_order": { "min": 2, "max": 5 } } },
    "workload": { "duration": "5s", "final_reads": false,
      "clients": { "customers": { "node": "browser", "target": "api", "sessions": 10,
        "arrival": { "rate_per_s": 20 }, "mix": { "order": 1 }, "timeout": "2s" } } },
    "checks": {}
  })");
  s["components"]["api"]["money"] = money;
  s["components"]["api"]["ids"] = ids;
  return s;
}

// field ("order-3/total") -> value, for ops of `f`
std::map<std::string, std::string> values(const TestRun& run, const std::string& f) {
  std::map<std::string, std::string> out;
  for (const auto& op : run.history.ops)
    if (op.f == f) out[op.key.substr(0, op.key.find('='))] = op.key.substr(op.key.find('=') + 1);
  return out;
}
} // namespace

TEST_CASE("doubles change totals and ids on the way through JSON; cents and strings do not") {
  const TestRun broken = run_text(api_scenario("double", "number").dump(), 1);
  const auto stored = values(broken, "stored");
  const auto received = values(broken, "received");
  REQUIRE(stored.size() > 100);
  REQUIRE(received.size() == stored.size());
  int totals_changed = 0, ids_changed = 0;
  for (const auto& [field, value] : stored) {
    const std::string read = received.at(field);
    if (field.find("/id") != std::string::npos) {
      CHECK(std::stoull(value) > (1ULL << 53)); // Snowflake ids are all above 2^53
      // The id read back is the double nearest to the one written.
      CHECK(read == jsnum::js_number_to_string(static_cast<double>(std::stoull(value))));
      ids_changed += read != value;
    } else {
      totals_changed += read != value && read + "0" != value && read + ".00" != value;
    }
  }
  CHECK(totals_changed > 10);
  CHECK(ids_changed > static_cast<int>(stored.size() / 2) - 5);
  // The client's GET with the id it holds finds nothing.
  int not_found = 0;
  for (const auto& op : ops_of(broken, "order"))
    not_found += op.outcome == Outcome::fail && op.error.find("404 Not Found") != std::string::npos;
  CHECK(not_found >= ids_changed);

  const TestRun fixed = run_text(api_scenario("minor_units", "string").dump(), 1);
  const auto stored_fixed = values(fixed, "stored");
  REQUIRE(stored_fixed.size() > 100);
  CHECK(values(fixed, "received") == stored_fixed);
  for (const auto& op : ops_of(fixed, "order")) CHECK(op.outcome == Outcome::ok);
}
