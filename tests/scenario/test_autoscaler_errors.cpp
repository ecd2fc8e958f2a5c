// Bad input for the autoscaler and for a service's load-balancing and
// capacity fields (spares, load_balancer, max_in_flight, a pool's
// max_waiting): each gets one error naming the file, the JSON path and
// what was expected, word for word.
#include "../support/scenario_text.hpp"

#include <catch2/catch.hpp>

using faultlab::testing::error_of;
using faultlab::testing::replace;

namespace {

const char* kScaled = R"({
  "title": "t",
  "lesson": "l",
  "topology": { "nodes": { "web": {}, "ops": {}, "app-1": {}, "app-2": {}, "app-3": {}, "db-1": {} } },
  "components": {
    "db": {
      "type": "database",
      "node": "db-1",
      "tables": { "users": { "rows": 1000, "indexes": [{ "column": "id" }] } },
      "queries": { "read": { "table": "users", "shape": "point", "column": "id" } }
    },
    "api": {
      "type": "service",
      "instances": ["app-1"],
      "spares": ["app-2", "app-3"],
      "load_balancer": "least_connections",
      "max_in_flight": 10,
      "pools": { "db": { "size": 4, "wait_timeout": "1s", "max_waiting": 2 } },
      "endpoints": { "get": { "calls": { "db": { "to": "db", "op": "read", "key": "user:{user}" } } } }
    },
    "scaler": {
      "type": "autoscaler",
      "node": "ops",
      "service": "api",
      "metric": "in_flight",
      "target": 4,
      "min": 1,
      "max": 3,
      "scheduled": { "peak": { "at": "5s", "min": 2 } }
    }
  },
  "workload": {
    "duration": "10s",
    "clients": { "users": { "node": "web", "target": "api", "arrival": { "rate_per_s": 10 }, "mix": { "get": 1 } } }
  },
  "checks": {}
})";

const std::string kScaler = "x.json: /components/scaler/";
const std::string kApi = "x.json: /components/api/";

} // namespace

TEST_CASE("the example scaled service loads") {
  CHECK(error_of(kScaled) == "no error");
}

TEST_CASE("an autoscaler names a service and keeps its bounds within the service's nodes") {
  CHECK(error_of(replace(kScaled, "\"service\": \"api\"", "\"service\": \"apii\"")) ==
        "error[unknown-component]: " + kScaler +
            "service: \"apii\" is not a component of this scenario (an autoscaler adds and removes the instances of a "
            "service)");
  CHECK(error_of(replace(kScaled, "\"service\": \"api\"", "\"service\": \"db\"")) ==
        "error[unknown-component]: " + kScaler +
            "service: \"db\" is of type database, not a service (an autoscaler adds and removes the instances of a "
            "service)");
  CHECK(error_of(replace(kScaled, "\"max\": 3", "\"max\": 4")) ==
        "error[bad-value]: " + kScaler +
            "max: service \"api\" has 3 nodes (instances and spares); an autoscaler cannot run more instances than that");
  CHECK(error_of(replace(kScaled, "\"min\": 1,", "\"min\": 3,")) == "no error");
  CHECK(error_of(replace(kScaled, "\"max\": 3", "\"max\": 2")) == "no error");
  CHECK(error_of(replace(replace(kScaled, "\"min\": 1,", "\"min\": 3,"), "\"max\": 3", "\"max\": 2")) ==
        "error[bad-value]: " + kScaler + "min: min (3) is above max (2)");
  CHECK(error_of(replace(kScaled, "\"at\": \"5s\", \"min\": 2", "\"at\": \"5s\", \"min\": 5")) ==
        "error[bad-value]: " + kScaler + "scheduled/peak/min: a scheduled minimum of 5 is above max (3)");
  CHECK(error_of(replace(kScaled, "\"at\": \"5s\", \"min\": 2", "\"min\": 2")) ==
        "error[missing-field]: " + kScaler + "scheduled/peak: missing required field \"at\"");
  CHECK(error_of(replace(kScaled, "\"target\": 4", "\"target\": 0")) ==
        "error[bad-value]: " + kScaler + "target: expected a target above zero");
  CHECK(error_of(replace(kScaled, "\"metric\": \"in_flight\"", "\"metric\": \"cpu\"")) ==
        "error[bad-value]: " + kScaler + "target: a CPU target is a utilization between 0 and 1, like 0.6");
  CHECK(error_of(replace(kScaled, "\"metric\": \"in_flight\"", "\"metric\": \"p99\"")) ==
        "error[bad-value]: " + kScaler + "metric: expected one of \"in_flight\", \"cpu\", \"p99_latency\", got \"p99\"");
  // A latency target is a duration, in a field of its own.
  const std::string latency = replace(kScaled, "\"metric\": \"in_flight\",", "\"metric\": \"p99_latency\",");
  CHECK(error_of(replace(latency, "\"target\": 4", "\"target_latency\": \"300ms\"")) == "no error");
  CHECK(error_of(latency) == "error[bad-value]: " + kScaler +
                                 "target: with metric p99_latency the target is target_latency, a duration like \"300ms\"");
  CHECK(error_of(replace(latency, "\"target\": 4", "\"window\": \"60s\"")) ==
        "error[bad-value]: " + kScaler + "target_latency: expected a target_latency above zero, like \"300ms\"");
  CHECK(error_of(replace(latency, "\"target\": 4", "\"target_latency\": 300")) ==
        "error[bad-duration]: " + kScaler + "target_latency: expected a duration with a unit, like \"250ms\" or \"3s\", got 300");
  CHECK(error_of(replace(kScaled, "\"target\": 4", "\"target\": 4, \"target_latency\": \"1s\"")) ==
        "error[bad-value]: " + kScaler + "target_latency: target_latency goes with metric p99_latency");
  CHECK(error_of(replace(kScaled, "\"target\": 4", "\"target\": 4, \"interval\": \"0s\"")) ==
        "error[bad-duration]: " + kScaler + "interval: expected an interval above zero");
  CHECK(error_of(replace(kScaled, "\"target\": \"api\"", "\"target\": \"scaler\"")) ==
        "error[bad-value]: x.json: /workload/clients/users/target: \"scaler\" is an autoscaler; clients call the service "
        "it scales");
}

TEST_CASE("a service's spare nodes, load balancer, admission limit and pool queue bound") {
  CHECK(error_of(replace(kScaled, "\"spares\": [\"app-2\", \"app-3\"]", "\"spares\": [\"app-1\"]")) ==
        "error[bad-value]: " + kApi + "spares: \"app-1\" is already one of the service's instances (spares are the "
        "nodes not in rotation at the start)");
  CHECK(error_of(replace(kScaled, "\"spares\": [\"app-2\", \"app-3\"]", "\"spares\": [\"app-9\"]")) ==
        "error[unknown-node]: " + kApi + "spares/0: \"app-9\" is not a node of the topology (nodes: web, ops, app-1, app-2, "
                                 "app-3, db-1)");
  CHECK(error_of(replace(kScaled, "\"least_connections\"", "\"fastest\"")) ==
        "error[bad-value]: " + kApi +
            "load_balancer: expected one of \"random\", \"round_robin\", \"least_connections\", got \"fastest\"");
  CHECK(error_of(replace(kScaled, "\"max_in_flight\": 10", "\"max_in_flight\": -1")) ==
        "error[bad-value]: " + kApi + "max_in_flight: expected a whole number from 0 to 1000000, got -1");
  CHECK(error_of(replace(kScaled, "\"max_waiting\": 2", "\"max_waiting\": \"2\"")) ==
        "error[wrong-type]: " + kApi + "pools/db/max_waiting: expected a whole number from 0 to 1000000, got \"2\"");
}
