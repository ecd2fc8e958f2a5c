// Bad input for a service's event loop and logger: one error naming the
// file, the JSON path and what was expected, word for word.
#include "../support/scenario_text.hpp"

#include <catch2/catch.hpp>

using faultlab::testing::error_of;
using faultlab::testing::replace;

namespace {

const char* kApi = R"({
  "title": "t",
  "lesson": "l",
  "topology": { "nodes": { "web": {}, "app": {} } },
  "components": {
    "api": { "type": "service", "instances": ["app"], "event_loop": true,
      "logging": { "mode": "async", "bytes_per_request": "200B", "buffer": 100 },
      "endpoints": { "get": { "log_bytes": "1KiB", "calls": {} } } }
  },
  "workload": {
    "duration": "2s",
    "clients": { "users": { "node": "web", "target": "api", "arrival": { "rate_per_s": 10 }, "mix": { "get": 1 } } }
  },
  "checks": { "availability": { "slo": 0.9 } }
})";

} // namespace

TEST_CASE("a service with an event loop and an async logger loads") {
  CHECK(error_of(kApi) == "no error");
}

TEST_CASE("a service's event_loop is true or false") {
  CHECK(error_of(replace(kApi, "\"event_loop\": true", "\"event_loop\": 1")) ==
        "error[wrong-type]: x.json: /components/api/event_loop: expected true or false, got 1");
}

TEST_CASE("a service's logger: its mode, its sizes, its buffer and its sink") {
  CHECK(error_of(replace(kApi, "\"mode\": \"async\"", "\"mode\": \"fast\"")) ==
        "error[bad-value]: x.json: /components/api/logging/mode: expected one of \"sync\", \"async\", got "
        "\"fast\"");
  CHECK(error_of(replace(kApi, "\"mode\": \"async\"", "\"mode\": \"sync\"")) ==
        "error[bad-value]: x.json: /components/api/logging/buffer: a sync logger has no buffer (it is for "
        "\"mode\": "
        "\"async\")");
  CHECK(error_of(replace(kApi, "\"buffer\": 100", "\"buffer\": 0")) ==
        "error[bad-value]: x.json: /components/api/logging/buffer: expected a whole number from 1 to "
        "1000000, got 0");
  CHECK(
      error_of(replace(kApi, "\"bytes_per_request\": \"200B\"", "\"bytes_per_request\": \"lots\"")) ==
      "error[bad-value]: x.json: /components/api/logging/bytes_per_request: expected a size like \"8KiB\" or "
      "\"4GiB\", got \"lots\"");
  CHECK(
      error_of(replace(kApi, "\"buffer\": 100", "\"buffer\": 100, \"sink\": \"network\"")) ==
      "error[bad-value]: x.json: /components/api/logging/sink: expected one of \"disk\", \"collector\", got "
      "\"network\"");
  CHECK(error_of(replace(kApi, "\"buffer\": 100", "\"buffer\": 100, \"color\": true")) ==
        "error[unknown-field]: x.json: /components/api/logging/color: unknown field \"color\" (expected one "
        "of: "
        "buffer, bytes_per_request, mode, sink)");
  CHECK(error_of(replace(kApi, "\"buffer\": 100", "\"buffer\": 100, \"sink\": \"collector\"")) ==
        "error[missing-field]: x.json: /components/api/logging: missing required field \"collector\"");
  CHECK(error_of(replace(kApi, "\"buffer\": 100",
                         "\"buffer\": 100, \"sink\": \"collector\", \"collector\": \"logs\"")) ==
        "error[unknown-node]: x.json: /components/api/logging/collector: \"logs\" is not a node of the "
        "topology "
        "(nodes: web, app)");
  CHECK(error_of(replace(kApi, "\"buffer\": 100",
                         "\"buffer\": 100, \"sink\": \"collector\", \"collector\": \"web\", "
                         "\"timeout\": \"0s\"")) ==
        "error[bad-duration]: x.json: /components/api/logging/timeout: expected a timeout above zero");
  CHECK(error_of(replace(kApi, "\"buffer\": 100", "\"buffer\": 100, \"collector\": \"web\"")) ==
        "error[bad-value]: x.json: /components/api/logging/collector: \"collector\" is for \"sink\": "
        "\"collector\"");
  CHECK(error_of(replace(kApi, "\"buffer\": 100", "\"buffer\": 100, \"timeout\": \"1s\"")) ==
        "error[bad-value]: x.json: /components/api/logging/timeout: \"timeout\" is for \"sink\": "
        "\"collector\"");
  CHECK(error_of(replace(kApi, "\"logging\": {", "\"logging\": 5, \"x\": {")) ==
        "error[wrong-type]: x.json: /components/api/logging: expected an object, got 5");
}

TEST_CASE("an endpoint's log line needs a logger and a size") {
  CHECK(error_of(replace(kApi, "\"log_bytes\": \"1KiB\"", "\"log_bytes\": \"-1B\"")) ==
        "error[bad-value]: x.json: /components/api/endpoints/get/log_bytes: expected a size like \"8KiB\" or "
        "\"4GiB\", got \"-1B\"");
  const std::string no_logger = replace(
      kApi, "\"logging\": { \"mode\": \"async\", \"bytes_per_request\": \"200B\", \"buffer\": 100 },", "");
  CHECK(error_of(no_logger) ==
        "error[bad-value]: x.json: /components/api/endpoints/get/log_bytes: an endpoint's log "
        "line needs a logger: add \"logging\" to the service");
}
