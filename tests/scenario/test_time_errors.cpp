// Bad input for the billing and order_api types and their checks: one error
// each, naming the file, the JSON path and what was expected, word for word.
#include "../support/scenario_text.hpp"

#include <catch2/catch.hpp>

using faultlab::testing::error_of;
using faultlab::testing::replace;

namespace {

const char* kBilling = R"({
  "title": "t",
  "lesson": "l",
  "topology": { "nodes": { "app": {}, "billing-1": {}, "psp": {} } },
  "components": {
    "stripe": { "type": "payment_provider", "node": "psp" },
    "billing": { "type": "billing", "node": "billing-1", "provider": "stripe", "start_date": "2026-03-02",
      "zones": { "America/New_York": { "utc_offset": "-5h" }, "Asia/Kolkata": { "utc_offset": "+05:30" } },
      "server_zone": "UTC", "business_zone": "America/New_York",
      "customers": { "ny": { "zone": "America/New_York", "count": 2 } },
      "renewal": { "at": "09:00", "in": "customer", "amount_cents": 1500 },
      "allowed_hours": { "from": "08:00", "to": "20:00" },
      "report": { "at": "00:30", "day": "business" },
      "purchase_cents": { "min": 500, "max": 900 } }
  },
  "workload": {
    "duration": "1d",
    "clients": { "customers": { "node": "app", "target": "billing", "arrival": { "rate_per_s": 0.01 } } }
  },
  "checks": { "outside_local_window": {}, "wrong_day_report": {} }
})";

const char* kApi = R"({
  "title": "t",
  "lesson": "l",
  "topology": { "nodes": { "browser": {}, "api-1": {} } },
  "components": {
    "api": { "type": "order_api", "node": "api-1", "catalog": { "tea": "4.10", "mug": "9.99" },
      "items_per_order": { "min": 1, "max": 3 }, "money": "double", "ids": "number", "worker_id": 7 }
  },
  "workload": {
    "duration": "2s",
    "clients": { "customers": { "node": "browser", "target": "api", "arrival": { "rate_per_s": 10 } } }
  },
  "checks": { "value_corruption": {} }
})";

} // namespace

TEST_CASE("the example billing and order_api scenarios load") {
  CHECK(error_of(kBilling) == "no error");
  CHECK(error_of(kApi) == "no error");
}

TEST_CASE("billing: zones, customers and dates") {
  CHECK(error_of(replace(kBilling, "\"utc_offset\": \"-5h\"", "\"utc_offset\": \"-15h\"")) ==
        "error[bad-value]: x.json: /components/billing/zones/America~1New_York/utc_offset: expected an offset from UTC like \"-5h\", \"+9h\" or \"+05:30\", at most 14h, got \"-15h\"");
  CHECK(error_of(replace(kBilling, "\"utc_offset\": \"-5h\"", "\"utc_offset\": \"EST\"")) ==
        "error[bad-value]: x.json: /components/billing/zones/America~1New_York/utc_offset: expected an offset from UTC like \"-5h\", \"+9h\" or \"+05:30\", at most 14h, got \"EST\"");
  CHECK(error_of(replace(kBilling, "\"America/New_York\": { \"utc_offset\": \"-5h\" }", "\"UTC\": { \"utc_offset\": \"+0h\" }")) ==
        "error[bad-value]: x.json: /components/billing/zones/UTC: UTC is always known; give other zones");
  CHECK(error_of(replace(kBilling, "\"server_zone\": \"UTC\"", "\"server_zone\": \"Europe/Paris\"")) ==
        "error[bad-value]: x.json: /components/billing/server_zone: no time zone named \"Europe/Paris\" (zones: UTC, America/New_York, Asia/Kolkata)");
  CHECK(error_of(replace(kBilling, "\"zone\": \"America/New_York\", \"count\": 2", "\"zone\": \"EST\", \"count\": 2")) ==
        "error[bad-value]: x.json: /components/billing/customers/ny/zone: no time zone named \"EST\" (zones: UTC, America/New_York, Asia/Kolkata)");
  CHECK(error_of(replace(kBilling, "\"count\": 2", "\"count\": 0")) ==
        "error[bad-value]: x.json: /components/billing/customers/ny/count: expected a whole number from 1 to 10000, got 0");
  CHECK(error_of(replace(kBilling, "\"count\": 2 }", "\"count\": 10000 }, \"ny2\": { \"zone\": \"UTC\", \"count\": 1 }")) ==
        "error[over-limit]: x.json: /components/billing/customers/ny2: at most 10000 customers in all");
  CHECK(error_of(replace(kBilling, "\"ny\": { \"zone\": \"America/New_York\", \"count\": 2 }", "")) ==
        "error[missing-field]: x.json: /components/billing/customers: expected at least one group of customers");
  CHECK(error_of(replace(kBilling, "\"start_date\": \"2026-03-02\"", "\"start_date\": \"2026-02-30\"")) ==
        "error[bad-value]: x.json: /components/billing/start_date: expected a date like \"2026-03-02\", got \"2026-02-30\"");
  CHECK(error_of(replace(kBilling, "\"provider\": \"stripe\"", "\"provider\": \"billing\"")) ==
        "error[unknown-component]: x.json: /components/billing/provider: \"billing\" is not a payment_provider of this scenario (payment providers: stripe)");
}

TEST_CASE("billing: the renewal, the allowed hours and the report") {
  CHECK(error_of(replace(kBilling, "\"at\": \"09:00\"", "\"at\": \"9am\"")) ==
        "error[bad-value]: x.json: /components/billing/renewal/at: expected a time of day like \"09:00\", got \"9am\"");
  CHECK(error_of(replace(kBilling, "\"at\": \"09:00\"", "\"at\": \"24:00\"")) ==
        "error[bad-value]: x.json: /components/billing/renewal/at: expected a time of day like \"09:00\", got \"24:00\"");
  CHECK(error_of(replace(kBilling, "\"in\": \"customer\"", "\"in\": \"local\"")) ==
        "error[bad-value]: x.json: /components/billing/renewal/in: expected one of \"server\", \"customer\", got \"local\"");
  CHECK(error_of(replace(kBilling, "\"amount_cents\": 1500", "\"amount_cents\": 15.5")) ==
        "error[wrong-type]: x.json: /components/billing/renewal/amount_cents: expected a whole number from 1 to 10000000000, got 15.5");
  CHECK(error_of(replace(kBilling, "\"to\": \"20:00\"", "\"to\": \"08:00\"")) ==
        "error[bad-value]: x.json: /components/billing/allowed_hours/to: expected a window: \"to\" differs from \"from\"");
  CHECK(error_of(replace(kBilling, "\"day\": \"business\"", "\"day\": \"utc\"")) ==
        "error[bad-value]: x.json: /components/billing/report/day: expected one of \"server\", \"business\", got \"utc\"");
  CHECK(error_of(replace(kBilling, "\"min\": 500, \"max\": 900", "\"min\": 500, \"max\": 400")) ==
        "error[bad-value]: x.json: /components/billing/purchase_cents/max: expected max to be at least min");
  CHECK(error_of(replace(kBilling, "\"report\": {", "\"reports\": {")) ==
        "error[unknown-field]: x.json: /components/billing/reports: unknown field \"reports\" (expected one of: allowed_hours, business_zone, customers, message_size, node, provider, purchase_cents, renewal, report, server_zone, service_time, start_date, type, zones)");
  CHECK(error_of(replace(kBilling, "\"arrival\": { \"rate_per_s\": 0.01 }", "\"arrival\": { \"rate_per_s\": 0.01 }, \"keys\": { \"count\": 5 }")) ==
        "error[bad-value]: x.json: /workload/clients/customers/keys/count: a purchase's key is one of the billing's customers; drop keys.count");
}

TEST_CASE("the local-time checks need a billing") {
  CHECK(error_of(replace(kApi, "\"value_corruption\": {}", "\"wrong_day_report\": {}")) ==
        "error[bad-value]: x.json: /checks/wrong_day_report: \"wrong_day_report\" needs a billing component in the scenario");
}

TEST_CASE("order_api: catalog, items, representations, ids") {
  CHECK(error_of(replace(kApi, "\"tea\": \"4.10\"", "\"tea\": \"4.105\"")) ==
        "error[bad-value]: x.json: /components/api/catalog/tea: expected a price like \"19.99\" (digits, at most two decimals, above zero), got \"4.105\"");
  CHECK(error_of(replace(kApi, "\"tea\": \"4.10\"", "\"tea\": \"0\"")) ==
        "error[bad-value]: x.json: /components/api/catalog/tea: expected a price like \"19.99\" (digits, at most two decimals, above zero), got \"0\"");
  CHECK(error_of(replace(kApi, "\"tea\": \"4.10\"", "\"tea\": 4.10")) ==
        "error[wrong-type]: x.json: /components/api/catalog/tea: expected a string, got 4.1");
  CHECK(error_of(replace(kApi, "\"catalog\": { \"tea\": \"4.10\", \"mug\": \"9.99\" }", "\"catalog\": [\"tea\"]")) ==
        "error[wrong-type]: x.json: /components/api/catalog: expected an object of product -> price, like {\"coffee\": \"19.99\"}, got [\"tea\"]");
  CHECK(error_of(replace(kApi, "\"catalog\": { \"tea\": \"4.10\", \"mug\": \"9.99\" }", "\"catalog\": {}")) ==
        "error[missing-field]: x.json: /components/api/catalog: expected a catalog with at least one product");
  CHECK(error_of(replace(kApi, "\"min\": 1, \"max\": 3", "\"min\": 3, \"max\": 1")) ==
        "error[bad-value]: x.json: /components/api/items_per_order/max: expected max to be at least min");
  CHECK(error_of(replace(kApi, "\"money\": \"double\"", "\"money\": \"float\"")) ==
        "error[bad-value]: x.json: /components/api/money: expected one of \"double\", \"minor_units\", got \"float\"");
  CHECK(error_of(replace(kApi, "\"ids\": \"number\"", "\"ids\": \"bigint\"")) ==
        "error[bad-value]: x.json: /components/api/ids: expected one of \"number\", \"string\", got \"bigint\"");
  CHECK(error_of(replace(kApi, "\"worker_id\": 7", "\"worker_id\": 1024")) ==
        "error[bad-value]: x.json: /components/api/worker_id: expected a whole number from 0 to 1023, got 1024");
  CHECK(error_of(replace(kApi, "\"worker_id\": 7", "\"worker_id\": 7, \"start_date\": \"2014-12-31\"")) ==
        "error[bad-value]: x.json: /components/api/start_date: expected a start_date on or after the id_epoch");
  CHECK(error_of(replace(kApi, "\"worker_id\": 7", "\"worker_id\": 7, \"id_epoch\": \"1900-01-01\"")) ==
        "error[bad-value]: x.json: /components/api/id_epoch: expected a date like \"2026-03-02\", got \"1900-01-01\"");
  CHECK(error_of(replace(kApi, "\"worker_id\": 7", "\"worker_id\": 7, \"id_epoch\": \"1970-01-01\", \"start_date\": \"2031-01-01\"")) ==
        "error[bad-value]: x.json: /components/api/start_date: expected a start_date within 60 years of the id_epoch");
}
