// Bad input for the component types beyond the replica group: each gets one
// error naming the file, the JSON path and what was expected, word for word.
#include "../support/scenario_text.hpp"

#include <catch2/catch.hpp>

using faultlab::testing::error_of;
using faultlab::testing::replace;

namespace {

const char* kShop = R"({
  "title": "t",
  "lesson": "l",
  "topology": { "nodes": { "app": {}, "cache-1": {}, "db-1": {}, "redis-1": {}, "lock-1": {}, "s-1": {}, "s-2": {} } },
  "components": {
    "db": { "type": "replica_group", "primary": "db-1" },
    "redis": { "type": "replica_group", "primary": "redis-1" },
    "cache": { "type": "cache", "node": "cache-1", "database": "db", "ttl": "10s" },
    "api": { "type": "service", "instances": ["app"], "endpoints": {
      "feed": { "calls": { "limit": { "to": "redis", "op": "write", "key": "rate:{user}", "fallback": "fail_open" } } } } },
    "orders": { "type": "sharded_store", "shards": { "one": { "node": "s-1" }, "two": { "node": "s-2" } } },
    "stock": { "type": "inventory", "node": "db-1", "items": { "sku-1": 5 } },
    "locks": { "type": "lock_service", "node": "lock-1" }
  },
  "workload": {
    "duration": "2s",
    "clients": {
      "readers": { "node": "app", "target": "cache", "arrival": { "rate_per_s": 10 }, "mix": { "read": 1 } },
      "users": { "node": "app", "target": "api", "arrival": { "rate_per_s": 10 }, "mix": { "feed": 1 } },
      "buyers": { "node": "app", "target": "stock", "arrival": { "rate_per_s": 10 } }
    }
  },
  "checks": { "stale_cache": { "bound": "1s" }, "availability": { "slo": 0.9 }, "oversell": {} }
})";

} // namespace

TEST_CASE("the example scenario with every component type loads") { CHECK(error_of(kShop) == "no error"); }

TEST_CASE("a cache needs a replica group as its database, and known fields") {
  CHECK(error_of(replace(kShop, "\"database\": \"db\"", "\"database\": \"api\"")) ==
        "error[unknown-component]: x.json: /components/cache/database: \"api\" is not a replica_group of this "
        "scenario (replica groups: db, redis)");
  CHECK(error_of(replace(kShop, "\"ttl\": \"10s\"", "\"tll\": \"10s\"")).rfind(
            "error[unknown-field]: x.json: /components/cache/tll: unknown field \"tll\"", 0) == 0);
  CHECK(error_of(replace(kShop, "\"ttl\": \"10s\"", "\"ttl\": \"0s\"")) ==
        "error[bad-duration]: x.json: /components/cache/ttl: expected a time to live above zero");
  CHECK(error_of(replace(kShop, "\"ttl\": \"10s\"", "\"fill\": \"leased\"")).rfind(
            "error[bad-value]: x.json: /components/cache/fill: ", 0) == 0);
}

TEST_CASE("a client's mix names operations of its target") {
  CHECK(error_of(replace(kShop, "\"mix\": { \"feed\": 1 }", "\"mix\": { \"fed\": 1 }")) ==
        "error[unknown-field]: x.json: /workload/clients/users/mix/fed: \"fed\" is not an operation of \"api\" "
        "(operations: feed)");
  CHECK(error_of(replace(kShop, "\"mix\": { \"read\": 1 }", "\"mix\": { \"buy\": 1 }")) ==
        "error[unknown-field]: x.json: /workload/clients/readers/mix/buy: \"buy\" is not an operation of \"cache\" "
        "(operations: read, write)");
  CHECK(error_of(replace(kShop, "\"target\": \"stock\"", "\"target\": \"locks\"")) ==
        "error[bad-value]: x.json: /workload/clients/buyers/target: \"locks\" is a lock service; clients buy from the "
        "inventory that uses it");
}

TEST_CASE("an endpoint's calls name existing components and their operations, without loops") {
  CHECK(error_of(replace(kShop, "\"to\": \"redis\", \"op\": \"write\"", "\"to\": \"redis\", \"op\": \"incr\"")) ==
        "error[bad-value]: x.json: /components/api/endpoints/feed/calls/limit/op: \"incr\" is not an operation of "
        "\"redis\" (operations: read, write)");
  CHECK(error_of(replace(kShop, "\"to\": \"redis\", \"op\": \"write\"", "\"to\": \"cache\", \"op\": \"read\"")) ==
        "error[unknown-component]: x.json: /components/api/endpoints/feed/calls/limit/to: \"cache\" is of type cache, "
        "which a service cannot call (an endpoint calls a replica_group, a database or another service)");
  CHECK(error_of(replace(kShop, "\"to\": \"redis\", \"op\": \"write\"", "\"to\": \"stock\", \"op\": \"buy\"")) ==
        "error[unknown-component]: x.json: /components/api/endpoints/feed/calls/limit/to: \"stock\" is of type inventory, "
        "which a service cannot call (an endpoint calls a replica_group, a database or another service)");
  CHECK(error_of(replace(kShop, "\"to\": \"redis\", \"op\": \"write\"", "\"to\": \"rdis\", \"op\": \"write\"")) ==
        "error[unknown-component]: x.json: /components/api/endpoints/feed/calls/limit/to: \"rdis\" is not a component "
        "of this scenario (an endpoint calls a replica_group, a database or another service)");
  CHECK(error_of(replace(kShop, "\"to\": \"redis\", \"op\": \"write\", \"key\": \"rate:{user}\"",
                         "\"to\": \"api\", \"op\": \"feed\"")) ==
        "error[bad-value]: x.json: /components/api/endpoints: services call each other in a loop: api, api");
  CHECK(error_of(replace(kShop, "\"fallback\": \"fail_open\"", "\"retries\": 11")) ==
        "error[bad-value]: x.json: /components/api/endpoints/feed/calls/limit/retries: expected a whole number from 0 to "
        "10, got 11");
}

TEST_CASE("shards, inventories and lock services") {
  CHECK(error_of(replace(kShop, "\"two\": { \"node\": \"s-2\" }", "\"two\": { \"node\": \"s-1\" }")) ==
        "error[bad-value]: x.json: /components/orders/shards/two/node: \"s-1\" already holds another shard of "
        "\"orders\"");
  CHECK(error_of(replace(kShop, "\"type\": \"sharded_store\",",
                         "\"type\": \"sharded_store\", \"placement\": \"directory\", \"directory\": { \"t-0\": [\"three\"] },")) ==
        "error[bad-value]: x.json: /components/orders/directory/t-0/0: \"three\" is not a shard of \"orders\" "
        "(shards: one, two)");
  CHECK(error_of(replace(kShop, "\"items\": { \"sku-1\": 5 }", "\"items\": { \"sku-1\": -1 }")) ==
        "error[wrong-type]: x.json: /components/stock/items/sku-1: expected the units in stock, a whole number of "
        "at least 0, got -1");
  CHECK(error_of(replace(kShop, "\"items\": { \"sku-1\": 5 }", "\"items\": { \"sku-1\": 5 }, \"buy\": \"lease_lock\"")) ==
        "error[missing-field]: x.json: /components/stock: missing required field \"lock_service\" (\"buy\": "
        "\"lease_lock\" takes its lock there)");
  CHECK(error_of(replace(kShop, "\"items\": { \"sku-1\": 5 }", "\"items\": { \"sku-1\": 5 }, \"fencing\": true")) ==
        "error[bad-value]: x.json: /components/stock/fencing: fencing tokens come from the lock service: use "
        "\"buy\": \"lease_lock\"");
  CHECK(error_of(replace(kShop, "\"items\": { \"sku-1\": 5 }",
                         "\"items\": { \"sku-1\": 5 }, \"buy\": \"lease_lock\", \"lock_service\": \"db\"")) ==
        "error[unknown-component]: x.json: /components/stock/lock_service: \"db\" is not a lock_service of this "
        "scenario (lock services: locks)");
}

TEST_CASE("checks that need a component type, and SLOs for endpoints that exist") {
  CHECK(error_of(replace(kShop, "\"oversell\": {}", "\"shard_skew\": {}, \"oversell\": {}")) == "no error");
  CHECK(error_of(replace(replace(kShop, "\"oversell\": {}", "\"oversell\": {}, \"shard_skew\": {}"),
                         "\"orders\": { \"type\": \"sharded_store\", \"shards\": { \"one\": { \"node\": \"s-1\" }, "
                         "\"two\": { \"node\": \"s-2\" } } },",
                         "")) ==
        "error[bad-value]: x.json: /checks/shard_skew: \"shard_skew\" needs a sharded_store component in the scenario");
  CHECK(error_of(replace(kShop, "\"slo\": 0.9", "\"slo\": 0.9, \"endpoints\": { \"login\": 0.99 }")) ==
        "error[unknown-field]: x.json: /checks/availability/endpoints/login: no client calls an endpoint \"login\" "
        "(endpoints: read, feed, buy)");
  CHECK(error_of(replace(kShop, "\"slo\": 0.9", "\"slo\": 1.5")) ==
        "error[bad-value]: x.json: /checks/availability/slo: expected a number from 0 to 1, got 1.5");
}

TEST_CASE("a call's key template knows one placeholder, {user}, and a call to a service takes no key") {
  const std::string where = "x.json: /components/api/endpoints/feed/calls/limit/key: ";
  CHECK(error_of(replace(kShop, "rate:{user}", "rate:{usr}")) ==
        "error[bad-template]: " + where + "unknown placeholder {usr} in \"rate:{usr}\" (placeholders: {user})");
  CHECK(error_of(replace(kShop, "rate:{user}", "charge:{request}")) ==
        "error[bad-template]: " + where + "unknown placeholder {request} in \"charge:{request}\" (placeholders: {user})");
  CHECK(error_of(replace(kShop, "rate:{user}", "charge:{user")) ==
        "error[bad-template]: " + where + "a \"{\" with no \"}\" after it in \"charge:{user\" (placeholders: {user})");
  CHECK(error_of(replace(kShop, "rate:{user}", "charge:user}")) ==
        "error[bad-template]: " + where + "a \"}\" with no \"{\" before it in \"charge:user}\" (placeholders: {user})");
  CHECK(error_of(replace(kShop, "rate:{user}", "rate:{{user}}")) ==
        "error[bad-template]: " + where + "a \"{\" with no \"}\" after it in \"rate:{{user}}\" (placeholders: {user})");
  // Must pass: the placeholder twice, or none (one key every user shares).
  CHECK(error_of(replace(kShop, "rate:{user}", "rate:{user}:{user}")) == "no error");
  CHECK(error_of(replace(kShop, "rate:{user}", "global-counter")) == "no error");

  // A second service whose endpoint api calls: a key there would mean nothing.
  std::string two = replace(kShop, "\"orders\":", R"("front": { "type": "service", "instances": ["app"], "endpoints": {
      "home": { "calls": { "feed": { "to": "api", "op": "feed", "key": "x:{user}" } } } } },
    "orders":)");
  CHECK(error_of(two) == "error[bad-value]: x.json: /components/front/endpoints/home/calls/feed/key: a call to another "
                         "service's endpoint takes no key: the request's user travels with it");
  CHECK(error_of(replace(two, ", \"key\": \"x:{user}\"", "")) == "no error");
}

TEST_CASE("an unknown component type is an error listing every registered type") {
  CHECK(error_of(replace(kShop, "\"type\": \"lock_service\"", "\"type\": \"fraud_check\"")) ==
        "error[bad-value]: x.json: /components/locks/type: expected one of \"replica_group\", \"cache\", "
        "\"sharded_store\", \"inventory\", \"lock_service\", \"database\", \"service\", \"payment_provider\", \"checkout\", "
        "\"backup\", \"deploy\", \"mail_provider\", \"alerting\", \"scheduler\", \"personal_data\", \"billing\", "
        "\"order_api\", \"queue\", \"autoscaler\", got \"fraud_check\"");
}
