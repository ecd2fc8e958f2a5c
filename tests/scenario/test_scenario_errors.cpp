// Bad scenario input: one clear error naming the file, the JSON path and what
// was expected. These messages are part of the contract, so they are
// checked word for word.
#include "../support/scenario_text.hpp"
#include "components/replica_group/spec.hpp"
#include "scenario/loader.hpp"
#include "util/input_error.hpp"

#include <catch2/catch.hpp>

using faultlab::scenario::load_scenario;
using faultlab::scenario::LoadOptions;
using faultlab::scenario::kMaxScenarioFileBytes;
using faultlab::testing::temp_dir;
using faultlab::testing::write_text;
using faultlab::testing::error_of;
using faultlab::testing::replace;
using faultlab::util::InputError;

namespace {

const char* kMinimal = R"({
  "title": "t",
  "lesson": "l",
  "topology": {
    "nodes": { "app": {}, "db-1": { "zone": "a" }, "db-2": { "zone": "b" } },
    "latency": { "default": "1ms", "zones": { "a": { "b": "20ms" } } }
  },
  "components": {
    "db": { "type": "replica_group", "primary": "db-1", "replicas": ["db-2"], "lag": "100ms" }
  },
  "workload": {
    "duration": "2s",
    "clients": { "users": { "node": "app", "target": "db", "arrival": { "rate_per_s": 10 } } }
  },
  "faults": { "cut": { "type": "partition", "at": "1s", "duration": "500ms",
                       "groups": { "left": ["a"], "right": ["db-2"] } } },
  "checks": { "stale_read": { "bound": "0s" } },
  "variants": { "fixed": { "components": { "db": { "read_policy": "primary" } } } }
})";

} // namespace

TEST_CASE("a valid scenario loads, with the first variant by default") {
  std::string file = write_text(temp_dir() + "/x.json", kMinimal);
  auto s = load_scenario(file);
  CHECK(s.variant == "fixed");
  CHECK(s.components_of<faultlab::scenario::ReplicaGroup>().at(0)->read_policy == faultlab::scenario::ReadPolicy::primary);
  CHECK(s.topology.latency_s("db-1", "db-2") == Approx(0.020));
  CHECK(s.topology.latency_s("app", "db-1") == Approx(0.001));
  CHECK(s.faults.at(0).groups.at(0).nodes == std::vector<std::string>{"db-1"}); // zone "a" expanded
  CHECK(s.seeds == std::vector<std::uint64_t>{1, 2, 3, 4, 5});
  auto base = load_scenario(file, LoadOptions{"base", {}});
  CHECK(base.variant.empty());
  CHECK(base.components_of<faultlab::scenario::ReplicaGroup>().at(0)->read_policy == faultlab::scenario::ReadPolicy::primary);
}

TEST_CASE("values given with --set override the file before validation") {
  std::string file = write_text(temp_dir() + "/x.json", kMinimal);
  auto s = load_scenario(file, LoadOptions{"base", {"components.db.lag=250ms", "components.db.read_policy=nearest",
                                                    "workload.clients.users.sessions=7"}});
  CHECK(s.components_of<faultlab::scenario::ReplicaGroup>().at(0)->lag.a_s == Approx(0.25));
  CHECK(s.components_of<faultlab::scenario::ReplicaGroup>().at(0)->read_policy == faultlab::scenario::ReadPolicy::nearest);
  CHECK(s.workload.clients.at(0).sessions == 7);
}

TEST_CASE("syntax errors give line and column") {
  CHECK(error_of("{\n  \"title\": \"t\",\n  \"lesson\": \n}\n") ==
        "error[syntax]: x.json: line 4, column 1: invalid JSON: syntax error while parsing value - unexpected '}'; "
        "expected '[', '{', or a literal");
}

TEST_CASE("a number too large for a double is a syntax error with its place (found by fuzz-scenario)") {
  // nlohmann throws out_of_range, not parse_error, for it: it used to escape the loader.
  CHECK(error_of("{\n  \"title\": 1e400\n}\n") ==
        "error[syntax]: x.json: line 2, column 12: expected a number of at most about 1.8e308, got 1e400");
}

TEST_CASE("an unknown field is an error, not silently ignored") {
  CHECK(error_of(replace(kMinimal, "\"lag\": \"100ms\"", "\"lagg\": \"100ms\"")) ==
        "error[unknown-field]: x.json: /components/db/lagg: unknown field \"lagg\" (expected one of: ack, failover, lag, "
        "message_size, primary, read_policy, read_your_writes, replicas, service_time, ship_interval, type)");
}

TEST_CASE("a wrong type names the path and what was expected") {
  CHECK(error_of(replace(kMinimal, "\"rate_per_s\": 10", "\"rate_per_s\": \"ten\"")) ==
        "error[wrong-type]: x.json: /workload/clients/users/arrival/rate_per_s: expected a number from 0 to 1e+06, "
        "got \"ten\"");
}

TEST_CASE("a node that no topology declares") {
  CHECK(error_of(replace(kMinimal, "\"replicas\": [\"db-2\"]", "\"replicas\": [\"db-3\"]")) ==
        "error[unknown-node]: x.json: /components/db/replicas/0: \"db-3\" is not a node of the topology (nodes: "
        "app, db-1, db-2)");
}

TEST_CASE("durations need a unit and cannot be negative") {
  CHECK(error_of(replace(kMinimal, "\"at\": \"1s\"", "\"at\": \"soon\"")) ==
        "error[bad-duration]: x.json: /faults/cut/at: expected a duration with a unit, like \"250ms\" or \"3s\", "
        "got \"soon\"");
  CHECK(error_of(replace(kMinimal, "\"duration\": \"2s\"", "\"duration\": 2")) ==
        "error[bad-duration]: x.json: /workload/duration: expected a duration with a unit, like \"250ms\" or \"3s\", "
        "got 2");
  CHECK(error_of(replace(kMinimal, "\"at\": \"1s\"", "\"at\": \"-1s\"")) ==
        "error[bad-duration]: x.json: /faults/cut/at: expected a duration of zero or more, like \"3s\", got \"-1s\"");
}

TEST_CASE("a variant that does not exist") {
  CHECK(error_of(kMinimal, LoadOptions{"borken", {}}) ==
        "error[unknown-variant]: x.json: /variants/borken: no such variant (this scenario has: fixed)");
}

TEST_CASE("errors inside a variant point at the variant's patch") {
  CHECK(error_of(replace(kMinimal, "\"read_policy\": \"primary\"", "\"read_policy\": \"closest\"")) ==
        "error[bad-value]: x.json: /variants/fixed/components/db/read_policy: expected one of \"primary\", "
        "\"any_replica\", \"nearest\", got \"closest\"");
}

TEST_CASE("a --set path that does not exist") {
  CHECK(error_of(kMinimal, LoadOptions{"", {"components.dbx.lag=1s"}}) ==
        "error[unknown-set-path]: x.json: --set components.dbx.lag=1s: /components/dbx does not exist (there: db)");
  CHECK(error_of(kMinimal, LoadOptions{"", {"components.db.lagg=1s"}}) ==
        "error[unknown-field]: x.json: --set components.db.lagg=1s: /components/db/lagg: unknown field \"lagg\" "
        "(expected one of: ack, failover, lag, message_size, primary, read_policy, read_your_writes, replicas, service_time, "
        "ship_interval, type)");
  CHECK(error_of(kMinimal, LoadOptions{"", {"components.db.lag"}}) ==
        "error[bad-set]: --set components.db.lag: expected PATH=VALUE, like components.db.lag=800ms");
}

TEST_CASE("values set through --set are validated like the file") {
  CHECK(error_of(kMinimal, LoadOptions{"", {"components.db.lag=5"}}) ==
        "error[bad-duration]: x.json: --set components.db.lag=5: /components/db/lag: expected a duration with a "
        "unit, like \"250ms\" or \"3s\", got 5");
}

TEST_CASE("a missing required field and an unknown checker") {
  CHECK(error_of(replace(kMinimal, "\"primary\": \"db-1\", ", "")) ==
        "error[missing-field]: x.json: /components/db: missing required field \"primary\"");
  CHECK(error_of(replace(kMinimal, "\"stale_read\": { \"bound\": \"0s\" }", "\"stale_reads\": {}")) ==
        "error[unknown-check]: x.json: /checks/stale_reads: no checker named \"stale_reads\" (checkers: "
        "read_your_writes, stale_read, lost_writes, linearizable, single_leader, stale_cache, availability, "
        "shard_skew, oversell, double_charge, unpaid_shipment, charged_not_fulfilled, latency_slo, disk_full, oom, "
        "rto_exceeded, no_valid_backup, schema_mismatch, unnoticed_failure, unintended_deletion, erasure_incomplete, "
        "outside_local_window, wrong_day_report, value_corruption)");
}

TEST_CASE("a workload over the operation limit is refused before it runs") {
  CHECK(error_of(replace(kMinimal, "\"rate_per_s\": 10", "\"rate_per_s\": 1000000")) ==
        "error[over-limit]: x.json: /workload: this workload would issue about 2000001 operations, more than "
        "limits.max_ops (2000000)");
}

TEST_CASE("a file that does not exist") {
  CHECK_THROWS_WITH(load_scenario("/nonexistent/x.json"),
                    "error[no-file]: /nonexistent/x.json: cannot open the file (does it exist?)");
}

TEST_CASE("malformed variants, names and nesting are input errors, not crashes") {
  CHECK(error_of(replace(kMinimal, "\"fixed\": {", "\"odd\": 5, \"fixed\": {"), LoadOptions{"odd", {}}) ==
        "error[wrong-type]: x.json: /variants/odd: expected a merge patch (an object), got 5");
  CHECK(error_of(replace(kMinimal, "\"app\": {}", "\"app/1\": {}")) ==
        "error[bad-name]: x.json: /topology/nodes/app~11: expected a name of letters, digits, '-' and '_' (at most "
        "64), got \"app/1\"");
  CHECK(error_of(std::string(100, '[')) == "error[over-limit]: x.json: line 1, column 65: nested deeper than 64 levels");
  CHECK(error_of(replace(kMinimal, "\"variants\": { \"fixed\": { \"components\": { \"db\": { \"read_policy\": \"primary\" } } } }",
                         "\"seeds\": \"18446744073709551615..18446744073709551615\""))
            .rfind("error[bad-value]: x.json: /seeds: expected a list of seeds", 0) == 0);
}

TEST_CASE("a fault scheduled after the run ends is refused, naming its time and the run's end") {
  CHECK(error_of(replace(kMinimal, "\"at\": \"1s\"", "\"at\": \"300s\"")) ==
        "error[after-end]: x.json: /faults/cut/at: the fault would start at 300.000 s, but the run ends at 4.000 s "
        "(workload.duration 2.000 s + settle 2.000 s): it would never happen");
  // Through --set too, and the message says where the value came from.
  CHECK(error_of(kMinimal, LoadOptions{"", {"workload.duration=500ms", "workload.settle=100ms"}}) ==
        "error[after-end]: x.json: /faults/cut/at: the fault would start at 1.000 s, but the run ends at 600.0 ms "
        "(workload.duration 500.0 ms + settle 100.0 ms): it would never happen");
  // During the settle time is fine: a heal before the final reads.
  CHECK(error_of(replace(kMinimal, "\"at\": \"1s\"", "\"at\": \"3s\"")) == "no error");
}

TEST_CASE("a folder, a binary file or an empty file is named for what it is") {
  const std::string dir = temp_dir();
  CHECK_THROWS_WITH(load_scenario(dir),
                    "error[not-a-file]: " + dir + ": this is a folder, not a scenario file (name a .json file in it)");
  const std::string binary = write_text(dir + "/a.out", std::string("\x7f" "ELF\0\0\1", 7));
  CHECK_THROWS_WITH(load_scenario(binary),
                    "error[not-a-file]: " + binary + ": this is a binary file, not a scenario (a JSON text file)");
  const std::string empty = write_text(dir + "/empty.json", " \n");
  CHECK_THROWS_WITH(load_scenario(empty),
                    "error[not-a-file]: " + empty + ": the file is empty; a scenario is a JSON object");
}

TEST_CASE("a file past the size limit is refused before it fills memory, /dev/zero included") {
  const std::string big =
      write_text(temp_dir() + "/big.json", "{\"x\": \"" + std::string(kMaxScenarioFileBytes, 'a') + "\"}");
  const std::string said =
      ": the file is larger than 16 MiB; a scenario is a JSON text of a few kilobytes (is this the right file?)";
  CHECK_THROWS_WITH(load_scenario(big), "error[over-limit]: " + big + said);
  CHECK_THROWS_WITH(load_scenario("/dev/zero"), "error[over-limit]: /dev/zero" + said);
  // Just under the limit is read (and then judged for what it says).
  const std::string under =
      write_text(temp_dir() + "/under.json", "[" + std::string(kMaxScenarioFileBytes - 2, ' ') + "]");
  CHECK_THROWS_WITH(load_scenario(under), Catch::Contains("error[") && !Catch::Contains("over-limit"));
}

TEST_CASE("a key written twice in one object is an error naming both places") {
  CHECK(error_of(replace(kMinimal, "\"lag\": \"100ms\"", "\"lag\": \"100ms\",\n      \"lag\": \"0ms\"")) ==
        "error[duplicate-key]: x.json: /components/db/lag: the key \"lag\" appears twice in one object, at line 9, "
        "column 79 and at line 10, column 7 (only the last would count)");
  // In a variant's patch, and spelled with an escape: still the same key.
  CHECK(error_of(replace(kMinimal, "\"read_policy\": \"primary\"", "\"read_policy\": \"primary\", \"read\\u005fpolicy\": 1"))
            .rfind("error[duplicate-key]: x.json: /variants/fixed/components/db/read_policy: the key \"read_policy\" "
                   "appears twice",
                   0) == 0);
  // Must pass: the same key in two different objects, and in arrays of objects.
  CHECK(error_of(replace(kMinimal, "\"checks\": {", "\"x_list\": [{\"a\": 1}, {\"a\": 2}], \"checks\": {"))
            .rfind("error[unknown-field]: x.json: /x_list", 0) == 0);
}

TEST_CASE("seed ranges: a range too long says so, not that it is malformed") {
  const std::string kVariants =
      "\"variants\": { \"fixed\": { \"components\": { \"db\": { \"read_policy\": \"primary\" } } } }";
  CHECK(error_of(replace(kMinimal, kVariants, "\"seeds\": \"1..100000\"")) ==
        "error[over-limit]: x.json: /seeds: the range \"1..100000\" has 100000 seeds; at most 1000 are allowed");
  CHECK(error_of(replace(kMinimal, kVariants, "\"seeds\": \"5..1\"")) ==
        "error[bad-value]: x.json: /seeds: the range \"5..1\" ends before it starts");
  CHECK(error_of(replace(kMinimal, kVariants, "\"seeds\": \"-1..3\"")) ==
        "error[bad-value]: x.json: /seeds: expected a list of seeds like [1, 2, 3] or a range like \"1..5\", got "
        "\"-1..3\"");
  CHECK(error_of(replace(kMinimal, kVariants, "\"seeds\": \"1..1000\"")) == "no error");
}

TEST_CASE("the newer fault types say what they are missing or what is wrong, and where") {
  const std::string cut = R"("cut": { "type": "partition", "at": "1s", "duration": "500ms",
                       "groups": { "left": ["a"], "right": ["db-2"] } })";
  auto with_fault = [&](const std::string& fault) { return replace(kMinimal, cut, "\"f\": " + fault); };
  CHECK(error_of(with_fault(R"({ "type": "clock", "at": "1s", "node": "db-1" })")) ==
        "error[missing-field]: x.json: /faults/f: a clock fault needs an \"offset\" (a step, like \"-5s\") or a "
        "\"drift\" (a rate error, like 0.001), or both");
  CHECK(error_of(with_fault(R"({ "type": "clock", "at": "1s", "node": "db-1", "offset": "-5 s" })")) ==
        "error[bad-duration]: x.json: /faults/f/offset: expected a signed duration like \"-5s\" or \"+250ms\", got \"-5 s\"");
  CHECK(error_of(with_fault(R"({ "type": "clock", "at": "1s", "node": "db-1", "offset": "-5s", "drift": 2 })")) ==
        "error[bad-value]: x.json: /faults/f/drift: expected a number from -0.5 to 0.5, got 2");
  CHECK(error_of(with_fault(R"({ "type": "clock", "at": "1s", "node": "db-1", "offset": "-5s" })")) == "no error");
  CHECK(error_of(with_fault(R"({ "type": "slow_cpu", "at": "1s", "node": "db-1", "factor": 0.5 })")) ==
        "error[bad-value]: x.json: /faults/f/factor: expected a number from 1 to 1000, got 0.5");
  CHECK(error_of(with_fault(R"({ "type": "reorder", "at": "1s", "probability": 0.5, "window": "0ms" })")) ==
        "error[bad-value]: x.json: /faults/f/window: a reorder window must be above zero");
  CHECK(error_of(with_fault(R"({ "type": "disk_fill", "at": "1s", "node": "db-1" })")) ==
        "error[missing-field]: x.json: /faults/f/size: a disk_fill needs a \"size\" above zero, like \"50GiB\"");
  CHECK(error_of(with_fault(R"({ "type": "drop", "at": "1s", "probability": 0.5, "until": "end", "duration": "1s" })")) ==
        "error[bad-value]: x.json: /faults/f/until: a fault has either a duration or \"until\": \"end\", not both");
  CHECK(error_of(with_fault(R"({ "type": "drop", "at": "1s", "probability": 0.5, "until": "later" })")).rfind(
            "error[bad-value]: x.json: /faults/f/until: ", 0) == 0);
  CHECK(error_of(with_fault(R"({ "type": "drop", "at": "3s", "probability": 0.5, "until": "end" })")) ==
        "error[after-end]: x.json: /faults/f/at: the fault would start at 3.000 s, after the workload ends (2.000 s), "
        "so \"until\": \"end\" would give it no time at all");
  CHECK(error_of(with_fault(R"({ "type": "restart", "at": "1s", "node": "db-1", "until": "end" })")) ==
        "error[bad-value]: x.json: /faults/f/until: a restart happens at one moment; it has no end");
}
