// Bad input for the queue type: one error each, naming the file, the JSON
// path and what was expected, word for word.
#include "../support/scenario_text.hpp"

#include <catch2/catch.hpp>

using faultlab::testing::error_of;
using faultlab::testing::replace;

namespace {

const char* kQueue = R"({
  "title": "t",
  "lesson": "l",
  "topology": { "nodes": { "web": {}, "app": {}, "broker": {}, "w1": {}, "mail": {} } },
  "components": {
    "mailer": { "type": "service", "instances": ["mail"], "endpoints": { "send": { "calls": {} } } },
    "shop": { "type": "service", "instances": ["app"],
      "endpoints": { "place_order": { "calls": { "notify": { "to": "events", "op": "orders", "key": "user:{user}" } } } } },
    "events": { "type": "queue", "brokers": ["broker"],
      "topics": { "orders": { "partitions": 6, "retention": { "time": "1h" }, "segment_size": "1MiB" } },
      "consumer_groups": { "mail": { "topic": "orders", "nodes": ["w1"], "consumers": 2,
        "heartbeat_interval": "1s", "session_timeout": "5s",
        "deliver": { "to": "mailer", "op": "send", "timeout": "1s" } } } }
  },
  "workload": {
    "duration": "10s",
    "clients": { "users": { "node": "web", "target": "shop", "arrival": { "rate_per_s": 1 }, "mix": { "place_order": 1 } } }
  }
})";

} // namespace

TEST_CASE("the example scenario with a queue loads") {
  CHECK(error_of(kQueue) == "no error");
}

TEST_CASE("queue: brokers, topics and their partitions, retention and segments") {
  CHECK(error_of(replace(kQueue, "\"brokers\": [\"broker\"]", "\"brokers\": [\"brokr\"]")) ==
        "error[unknown-node]: x.json: /components/events/brokers/0: \"brokr\" is not a node of the topology (nodes: web, app, broker, w1, mail)");
  CHECK(error_of(replace(kQueue, "\"brokers\": [\"broker\"]", "\"brokers\": []")) ==
        "error[bad-value]: x.json: /components/events/brokers: expected at least one node");
  CHECK(error_of(replace(kQueue, "\"partitions\": 6", "\"partitions\": 0")) ==
        "error[bad-value]: x.json: /components/events/topics/orders/partitions: expected a whole number from 1 to 1000, got 0");
  CHECK(error_of(replace(kQueue, "\"time\": \"1h\"", "\"time\": \"0s\"")) ==
        "error[bad-duration]: x.json: /components/events/topics/orders/retention/time: expected a retention time above zero");
  CHECK(error_of(replace(kQueue, "\"time\": \"1h\"", "\"bytes\": \"64KiB\"")) ==
        "error[bad-value]: x.json: /components/events/topics/orders/retention/bytes: retention of 64.0 KiB is smaller than one segment (1.0 MiB): only whole closed segments are deleted, so it would never act");
  CHECK(error_of(replace(kQueue, "\"segment_size\": \"1MiB\"", "\"segment_size\": \"100B\"")) ==
        "error[bad-value]: x.json: /components/events/topics/orders/segment_size: a segment of 100 B cannot hold one message of 1.0 KiB");
  CHECK(error_of(replace(kQueue, "\"partitions\": 6,", "\"partitons\": 6,")) ==
        "error[unknown-field]: x.json: /components/events/topics/orders/partitons: unknown field \"partitons\" (expected one of: message_size, partitions, retention, segment_size)");
  CHECK(error_of(replace(kQueue, "\"topics\": { \"orders\": { \"partitions\": 6, \"retention\": { \"time\": \"1h\" }, \"segment_size\": \"1MiB\" } },", "\"topics\": {},")) ==
        "error[missing-field]: x.json: /components/events/topics: a queue needs at least one topic");
}

TEST_CASE("queue: consumer groups, their timing and where they deliver") {
  CHECK(error_of(replace(kQueue, "\"topic\": \"orders\"", "\"topic\": \"order\"")) ==
        "error[unknown-field]: x.json: /components/events/consumer_groups/mail/topic: \"order\" is not a topic of this queue (topics: orders)");
  CHECK(error_of(replace(kQueue, "\"consumers\": 2", "\"consumers\": 0")) ==
        "error[bad-value]: x.json: /components/events/consumer_groups/mail/consumers: expected a whole number from 1 to 1000, got 0");
  CHECK(error_of(replace(kQueue, "\"session_timeout\": \"5s\"", "\"session_timeout\": \"1s\"")) ==
        "error[bad-value]: x.json: /components/events/consumer_groups/mail/session_timeout: expected a session timeout longer than heartbeat_interval (1.000 s), or a healthy consumer leaves the group between two heartbeats");
  CHECK(error_of(replace(kQueue, "\"nodes\": [\"w1\"]", "\"nodes\": [\"w1\", \"w1\"]")) ==
        "error[bad-value]: x.json: /components/events/consumer_groups/mail/nodes/1: \"w1\" appears twice");
  CHECK(error_of(replace(kQueue, "\"consumers\": 2", "\"commit\": \"sometimes\"")) ==
        "error[bad-value]: x.json: /components/events/consumer_groups/mail/commit: expected one of \"after_processing\", \"before_processing\", got \"sometimes\"");
  CHECK(error_of(replace(kQueue, "\"to\": \"mailer\"", "\"to\": \"mailr\"")) ==
        "error[unknown-component]: x.json: /components/events/consumer_groups/mail/deliver/to: \"mailr\" is not a service of this scenario (services: mailer, shop)");
  CHECK(error_of(replace(kQueue, "\"op\": \"send\"", "\"op\": \"sned\"")) ==
        "error[bad-value]: x.json: /components/events/consumer_groups/mail/deliver/op: \"sned\" is not an endpoint of \"mailer\" (endpoints: send)");
  CHECK(error_of(replace(kQueue, "\"consumers\": 2", "\"fetch_max\": 0")) ==
        "error[bad-value]: x.json: /components/events/consumer_groups/mail/fetch_max: expected a whole number from 1 to 100000, got 0");
}

TEST_CASE("queue: what may publish to it: a service's call or a client group, naming a topic") {
  CHECK(error_of(replace(kQueue, "\"op\": \"orders\"", "\"op\": \"order\"")) ==
        "error[bad-value]: x.json: /components/shop/endpoints/place_order/calls/notify/op: \"order\" is not an operation of \"events\" (operations: orders)");
  CHECK(error_of(replace(kQueue, "\"target\": \"shop\"", "\"target\": \"events\"")) ==
        "error[unknown-field]: x.json: /workload/clients/users/mix/place_order: \"place_order\" is not an operation of \"events\" (operations: orders)");
}
