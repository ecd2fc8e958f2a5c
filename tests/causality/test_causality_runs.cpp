// The causality analysis on whole catalog runs: the fault it names, where
// the cause is written (summary, trace, report), and that it keeps traces
// byte-identical from run to run.
#include "../support/run_support.hpp"
#include "cli/commands.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>
#include <string>

using namespace faultlab;
using faultlab::testing::read_text;
using faultlab::testing::run_file;
using faultlab::testing::source_path;

namespace {
const nlohmann::json* first_of(const nlohmann::json& violations, const std::string& check) {
  for (const auto& v : violations)
    if (v["check"] == check) return &v;
  return nullptr;
}
} // namespace

TEST_CASE("split-brain broken: two primaries are blamed on the partition between the data centres") {
  auto run = run_file(source_path("scenarios/split-brain.json"), "broken", 1);
  const nlohmann::json* v = first_of(run.summary["violations"], "single_leader");
  REQUIRE(v != nullptr);
  const auto& cause = (*v)["cause"];
  REQUIRE(cause["faults"].size() >= 1);
  CHECK(cause["faults"][0]["name"] == "datacentre-link");
  CHECK(cause["faults"][0]["type"] == "partition");
  CHECK(cause["faults"][0]["relation"] == "active");
  const auto& chain = cause["chain"];
  REQUIRE(chain.size() >= 3);
  CHECK(chain[0]["text"].get<std::string>().rfind("two primaries: db-1 and db-3", 0) == 0);
  CHECK(chain.back()["fault"] == "datacentre-link");
  CHECK(chain.back()["text"].get<std::string>().find("partition datacentre-link cut") == 0);
  // The trace's violation event carries the same cause.
  bool found = false;
  for (const auto& e : run.events)
    if (e["ev"] == "violation" && e["check"] == "single_leader") {
      CHECK(e["cause"] == cause);
      found = true;
    }
  CHECK(found);
  // Lost writes acknowledged during the first partition (a replica cut off,
  // which then promoted itself) name that one, not the later one.
  const nlohmann::json* lost = first_of(run.summary["violations"], "lost_writes");
  REQUIRE(lost != nullptr);
  CHECK((*lost)["cause"]["faults"][0]["name"] == "replica-cut-off");
}

TEST_CASE("inventory-race broken: an oversell with no fault says the design allows it") {
  auto run = run_file(source_path("scenarios/inventory-race.json"), "broken", 1);
  const nlohmann::json* v = first_of(run.summary["violations"], "oversell");
  REQUIRE(v != nullptr);
  CHECK((*v)["cause"]["faults"].empty());
  CHECK((*v)["cause"]["chain"].back()["text"] ==
        "no fault was active or had ended within 5.000 s: the design itself allows this");
}

TEST_CASE("redis-spof broken: failed requests are blamed on the crash of the node their messages could not reach") {
  auto run = run_file(source_path("scenarios/redis-spof.json"), "broken", 2);
  const nlohmann::json* v = first_of(run.summary["violations"], "availability");
  REQUIRE(v != nullptr);
  CHECK((*v)["cause"]["faults"][0]["name"] == "redis-dies-at-peak");
  CHECK((*v)["cause"]["chain"][1]["text"].get<std::string>().find("to redis-1 (node down)") != std::string::npos);
}

TEST_CASE("causes keep the trace byte-identical, and the report prints each listed violation's chain") {
  const std::string file = source_path("scenarios/async-failover.json");
  auto a = run_file(file, "broken", 2);
  auto b = run_file(file, "broken", 2);
  CHECK(read_text(a.trace_path) == read_text(b.trace_path));
  CHECK(a.summary == b.summary);
  const nlohmann::json* v = first_of(a.summary["violations"], "lost_writes");
  REQUIRE(v != nullptr);
  CHECK((*v)["cause"]["faults"][0]["name"] == "db-1-host-dies");

  // The report of `faultlab run` (in a child: one simulation per process).
  auto printed = cli::run_in_children({[&] {
                                        cli::RunArgs args;
                                        args.scenario = file;
                                        args.variant = "broken";
                                        args.seed = 2;
                                        std::ostringstream out, err;
                                        cli::command_run(args, out, err);
                                        return out.str() + err.str();
                                      }},
                                      1);
  REQUIRE(printed.front().ok);
  const std::string report = printed.front().output;
  CHECK(report.find("          why: lost write: ") != std::string::npos);
  CHECK(report.find(" ← crash db-1-host-dies: db-1 down from ") != std::string::npos);
}

TEST_CASE("without a trace, the summary and the report explain the same violations as with one") {
  // replica-lag broken, seed 1: 471 violations, more than the summary lists,
  // so a run without a trace explains only what the summary and the report show.
  const std::string file = source_path("scenarios/replica-lag.json");
  const std::string dir = faultlab::testing::temp_dir();
  auto run = [&](bool with_trace) {
    cli::RunArgs args;
    args.scenario = file;
    args.variant = "broken";
    args.seed = 1;
    args.summary_path = dir + (with_trace ? "/with.json" : "/without.json");
    if (with_trace) args.trace_path = dir + "/trace.jsonl";
    std::ostringstream out, err;
    cli::command_run(args, out, err);
    std::string report = out.str();
    report = report.substr(0, report.find("  trace:")); // the only line a trace adds
    return report.substr(0, report.find("  summary:")) + err.str();
  };
  auto printed = cli::run_in_children({[&] { return run(false); }, [&] { return run(true); }}, 1);
  REQUIRE(printed[0].ok);
  REQUIRE(printed[1].ok);
  CHECK(printed[0].output == printed[1].output);
  CHECK(printed[0].output.find("          why: ") != std::string::npos);
  const nlohmann::json without = nlohmann::json::parse(read_text(dir + "/without.json"));
  const nlohmann::json with = nlohmann::json::parse(read_text(dir + "/with.json"));
  CHECK(without == with);
  REQUIRE(without["violations_total"].get<int>() > without["violations_listed"].get<int>());
  for (const auto& v : without["violations"]) CHECK_FALSE(v["cause"]["chain"].empty());
}

TEST_CASE("a run without a trace explains the summary's list and each check's first examples, wherever they are") {
  std::vector<check::Violation> violations;
  for (int i = 0; i < 250; ++i) violations.push_back(check::Violation{"stale_read", i * 1.0, {}, "v"});
  // A check whose violations all come after the summary's list.
  for (int i = 0; i < 5; ++i) violations.push_back(check::Violation{"lost_writes", 300.0 + i, {}, "w"});
  const std::vector<bool> wanted = cli::violations_to_explain(violations, false);
  REQUIRE(wanted.size() == 255);
  for (std::size_t i = 0; i < cli::kSummaryListed; ++i) CHECK(wanted[i]);
  for (std::size_t i = cli::kSummaryListed; i < 250; ++i) CHECK_FALSE(wanted[i]); // stale_read's examples are listed
  CHECK(wanted[250]);
  CHECK(wanted[251]);
  CHECK(wanted[252]);
  CHECK_FALSE(wanted[253]);
  CHECK_FALSE(wanted[254]);
  const std::vector<bool> all = cli::violations_to_explain(violations, true);
  CHECK(std::count(all.begin(), all.end(), true) == 255);
}
