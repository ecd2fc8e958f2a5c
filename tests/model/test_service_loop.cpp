// A service's event loop and its logger, each shown to act by a run with it
// and a run without it: on an event loop a slow synchronous log write holds
// up an unrelated request and a call to a slow dependency does not; with a
// thread per request neither does; an async logger never makes a request
// wait and counts the lines its full buffer drops; a crash leaves no loop
// held.
#include "../support/run_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using faultlab::history::Op;
using faultlab::history::Outcome;
using faultlab::testing::run_text;
using faultlab::testing::TestRun;
using nlohmann::json;

namespace {

// One instance of `api` on app, whose disk writes 1 MB/s: a 100 KB log line
// takes 0.1 s. `slow` logs 100 KB; `fast` logs 100 B and calls nothing;
// `wait` calls `backend`, which takes 0.2 s of CPU on its own node.
json loop_scenario(bool event_loop, const std::string& mode) {
  json s = json::parse(R"({
    "title": "t", "lesson": "l",
    "topology": {
      "nodes": { "web": {}, "app": { "disk": { "write": "1MBps" } }, "back": { "cores": 64 } },
      "latency": { "default": "100us" }
    },
    "components": {
      "backend": { "type": "service", "instances": ["back"], "work": "200ms", "endpoints": { "work": { "calls": {} } } },
      "api": {
        "type": "service", "instances": ["app"], "work": "1ms",
        "logging": { "bytes_per_request": "100B" },
        "endpoints": {
          "slow": { "log_bytes": "100KB", "calls": {} },
          "fast": { "calls": {} },
          "wait": { "calls": { "b": { "to": "backend", "op": "work", "timeout": "2s" } } }
        }
      }
    },
    "workload": { "duration": "20s", "final_reads": false, "clients": {} },
    "checks": {}
  })");
  s["components"]["api"]["event_loop"] = event_loop;
  s["components"]["api"]["logging"]["mode"] = mode;
  return s;
}

json client(const json& mix, double rate_per_s) {
  return json{{"node", "web"},   {"target", "api"},
              {"sessions", 200}, {"arrival", {{"rate_per_s", rate_per_s}}},
              {"mix", mix},      {"timeout", "10s"}};
}

std::vector<double> latencies(const TestRun& run, const std::string& client, const std::string& f) {
  std::vector<double> out;
  for (const Op& op : run.history.ops)
    if (op.client == client && op.f == f && op.outcome == Outcome::ok)
      out.push_back(op.complete_s - op.invoke_s);
  return out;
}

double share_above(const std::vector<double>& values, double bound) {
  const auto n = std::count_if(values.begin(), values.end(), [&](double v) { return v > bound; });
  return static_cast<double>(n) / static_cast<double>(values.size());
}

double max_of(const std::vector<double>& values) {
  return *std::max_element(values.begin(), values.end());
}

} // namespace

TEST_CASE("on an event loop a slow synchronous log write holds up an unrelated request, and with threads it "
          "does not") {
  auto run_with = [](bool event_loop) {
    json s = loop_scenario(event_loop, "sync");
    s["workload"]["clients"]["writers"] = client({{"slow", 1}}, 4); // 4 x 0.1 s of writing per second
    s["workload"]["clients"]["readers"] = client({{"fast", 1}}, 20);
    return run_text(s.dump(), 1);
  };
  const TestRun loop = run_with(true);
  const TestRun threads = run_with(false);
  const auto fast_loop = latencies(loop, "readers", "fast");
  const auto fast_threads = latencies(threads, "readers", "fast");
  REQUIRE(fast_loop.size() > 200);
  REQUIRE(fast_threads.size() > 200);
  // The loop is held 40 % of the time: a fast request that arrives then
  // waits for the write in progress (up to 0.1 s).
  CHECK(share_above(fast_loop, 0.02) > 0.2);
  CHECK(max_of(fast_loop) > 0.05);
  // With a thread of its own, the fast request's 100 B line shares the disk
  // with the 100 KB line being written and is done in well under 2 ms.
  CHECK(max_of(fast_threads) < 0.005);
  CHECK(loop.summary["metrics"]["loop_wait_max_s"].get<double>() > 0.05);
  CHECK_FALSE(threads.summary["metrics"].contains("loop_wait_max_s"));
}

TEST_CASE("on an event loop a call to a slow dependency lets go of the loop") {
  json s = loop_scenario(true, "sync");
  s["workload"]["clients"]["callers"] = client({{"wait", 1}}, 20); // about 4 calls in flight at any time
  s["workload"]["clients"]["readers"] = client({{"fast", 1}}, 20);
  const TestRun run = run_text(s.dump(), 1);
  const auto wait = latencies(run, "callers", "wait");
  const auto fast = latencies(run, "readers", "fast");
  REQUIRE(wait.size() > 200);
  REQUIRE(fast.size() > 200);
  CHECK(*std::min_element(wait.begin(), wait.end()) > 0.2); // the calls did wait for the backend
  CHECK(max_of(fast) < 0.01);                               // and nobody waited for them
}

TEST_CASE("an async logger never makes a request wait, and counts the lines its full buffer drops") {
  auto run_with = [](const std::string& mode) {
    json s = loop_scenario(true, mode);
    if (mode == "async") s["components"]["api"]["logging"]["buffer"] = 5;
    s["workload"]["clients"]["writers"] = client({{"slow", 1}}, 20); // 2 MB/s of lines for a 1 MB/s disk
    return run_text(s.dump(), 1);
  };
  const TestRun async = run_with("async");
  const TestRun sync = run_with("sync");
  const auto async_latency = latencies(async, "writers", "slow");
  REQUIRE(async_latency.size() > 300);
  CHECK(max_of(async_latency) < 0.01);
  // Half the lines cannot be written; the buffer holds 5 and the writer a batch of at most 5.
  const double requests = async.summary["ops"]["total"].get<double>();
  const double written = async.summary["metrics"]["log_lines_written"].get<double>();
  const double dropped = async.summary["metrics"]["log_lines_dropped"].get<double>();
  CHECK(dropped > 0.3 * requests);
  CHECK(written > 0.3 * requests);
  CHECK(written + dropped <= requests);
  CHECK(written + dropped >= requests - 10);
  int full = 0, accepting = 0;
  double dropped_in_events = 0;
  for (const auto& e : async.events) {
    if (e["ev"] != "log_buffer") continue;
    if (e["state"] == "full") ++full;
    if (e["state"] == "accepting") ++accepting, dropped_in_events += e["dropped"].get<double>();
  }
  CHECK(full > 0);
  CHECK(accepting >= full - 1); // a run of drops may last until the end
  CHECK(dropped_in_events <= dropped);
  // The same load with a sync logger: the requests queue behind the disk.
  CHECK(sync.summary["metrics"]["log_lines_dropped"].get<double>() == 0);
  CHECK(max_of(latencies(sync, "writers", "slow")) > 1.0);
}

TEST_CASE("a crash in the middle of a request on an event loop leaves the loop free after the restart") {
  json s = loop_scenario(true, "async");
  s["components"]["api"]["logging"]["buffer"] = 5; // full half the time: 2 MB/s of lines for a 1 MB/s disk
  s["workload"]["clients"]["writers"] = client({{"slow", 1}}, 20);
  s["workload"]["clients"]["readers"] = client({{"fast", 1}}, 20);
  s["faults"]["crash"] = {{"type", "crash"}, {"node", "app"}, {"at", "5s"}, {"duration", "2s"}};
  const TestRun run = run_text(s.dump(), 1);
  int served_after = 0;
  for (const Op& op : run.history.ops)
    if (op.client == "readers" && op.outcome == Outcome::ok && op.invoke_s > 8) ++served_after;
  CHECK(served_after > 200);
  bool lost = false;
  for (const auto& e : run.events)
    lost = lost || (e["ev"] == "log_buffer" && e["state"] == "lost");
  CHECK(lost); // the lines in memory died with the process
  // Every run of drops ends, by room again or by the restart: a reader of
  // the trace never sees two "full" in a row.
  std::string last_state;
  int fulls = 0;
  for (const auto& e : run.events) {
    if (e["ev"] != "log_buffer") continue;
    const std::string state = e["state"];
    if (state == "full") {
      CHECK(last_state != "full");
      ++fulls;
    }
    last_state = state;
  }
  CHECK(fulls > 1);
}

TEST_CASE("a logger whose sink is a log collector waits for the network, and loses the lines a partition "
          "cuts off") {
  auto run_with = [](const std::string& mode, const json& fault) {
    json s = loop_scenario(true, mode);
    s["topology"]["nodes"]["logs"] = json::object();
    s["components"]["api"]["logging"]["sink"] = "collector";
    s["components"]["api"]["logging"]["collector"] = "logs";
    s["components"]["api"]["logging"]["timeout"] = "300ms";
    if (mode == "async") s["components"]["api"]["logging"]["buffer"] = 20;
    s["workload"]["clients"]["readers"] = client({{"fast", 1}}, 20);
    s["faults"]["f"] = fault;
    return run_text(s.dump(), 1);
  };
  const json delay = {
      {"type", "delay"}, {"nodes", {"logs"}}, {"extra", "50ms"}, {"at", "5s"}, {"duration", "5s"}};
  const json cut = {
      {"type", "partition"}, {"groups", {{"a", {"app"}}, {"b", {"logs"}}}}, {"at", "5s"}, {"duration", "5s"}};
  // Sync, on the event loop: each line waits 100 ms more for its answer, so
  // the requests queue for the loop; before the delay they do not.
  const TestRun slow = run_with("sync", delay);
  std::vector<double> before, during;
  for (const Op& op : slow.history.ops) {
    if (op.client != "readers" || op.outcome != Outcome::ok) continue;
    if (op.invoke_s < 4.5) before.push_back(op.complete_s - op.invoke_s);
    if (op.invoke_s > 6 && op.invoke_s < 9.5) during.push_back(op.complete_s - op.invoke_s);
  }
  REQUIRE(before.size() > 50);
  REQUIRE(during.size() > 30);
  CHECK(max_of(before) < 0.01);
  CHECK(*std::min_element(during.begin(), during.end()) > 0.1);
  CHECK(slow.summary["metrics"]["log_lines_dropped"].get<double>() == 0);
  // Async, cut off: the requests never wait; the writer's batches time out
  // and their lines are lost, then the buffer fills and drops the rest.
  const TestRun cut_off = run_with("async", cut);
  CHECK(max_of(latencies(cut_off, "readers", "fast")) < 0.01);
  CHECK(cut_off.summary["metrics"]["log_lines_dropped"].get<double>() > 50);
  bool unreachable = false, reachable = false;
  for (const auto& e : cut_off.events) {
    unreachable = unreachable || (e["ev"] == "log_sink" && e["state"] == "unreachable");
    reachable =
        reachable || (e["ev"] == "log_sink" && e["state"] == "reachable" && e["dropped"].get<int>() > 0);
  }
  CHECK(unreachable);
  CHECK(reachable);
}
