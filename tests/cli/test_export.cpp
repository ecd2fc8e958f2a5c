// faultlab export: Perfetto trace events, and the history as Jepsen EDN and
// JSON, checked for the structure those tools need and by a round trip.
#include "../support/run_support.hpp"
#include "cli/check_command.hpp"
#include "cli/export_command.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <sstream>

using faultlab::testing::read_text;
using faultlab::testing::run_file;
using faultlab::testing::source_path;
using faultlab::testing::temp_dir;

namespace {

std::string exported(const std::string& trace, const std::string& format) {
  const std::string out = temp_dir() + "/out." + format;
  std::ostringstream o, e;
  REQUIRE(faultlab::cli::command_export({trace, format, out}, o, e) == 0);
  return out;
}

std::pair<int, std::string> check(const std::string& path) {
  faultlab::cli::CheckArgs args;
  args.path = path;
  args.model = "kv";
  std::ostringstream o, e;
  const int code = faultlab::cli::command_check(args, o, e);
  return {code, o.str() + e.str()};
}

std::string line_with(const std::string& text, const std::string& start) {
  auto at = text.find(start);
  return at == std::string::npos ? "" : text.substr(at, text.find('\n', at) - at);
}

} // namespace

TEST_CASE("export edn: checking the export gives the verdict of checking the trace") {
  for (const char* variant : {"broken", "fixed"}) {
    INFO(variant);
    auto run = run_file(source_path("scenarios/gc-pause.json"), variant, 1);
    const auto direct = check(run.trace_path);
    const auto via_edn = check(exported(run.trace_path, "edn"));
    CHECK(direct.first == via_edn.first);
    CHECK(line_with(direct.second, "  verdict:") == line_with(via_edn.second, "  verdict:"));
    CHECK(line_with(direct.second, "  ops:") == line_with(via_edn.second, "  ops:"));
  }
  // The broken run must really be the not-linearizable case, or this proves little.
  CHECK(check(run_file(source_path("scenarios/gc-pause.json"), "broken", 1).trace_path).first == 1);
}

TEST_CASE("export json-history: Jepsen ops, each process one op at a time") {
  auto run = run_file(source_path("scenarios/gc-pause.json"), "broken", 1);
  std::istringstream lines(read_text(exported(run.trace_path, "json-history")));
  std::map<std::int64_t, bool> open; // process -> an op is open
  std::int64_t index = 0, invokes = 0, completions = 0;
  for (std::string line; std::getline(lines, line);) {
    auto op = nlohmann::json::parse(line);
    CHECK(op["index"] == index++);
    CHECK(op["value"].is_array());
    const std::int64_t process = op["process"];
    if (op["type"] == "invoke") {
      CHECK(!open[process]); // Jepsen's rule: never two open ops on one process
      open[process] = true;
      ++invokes;
    } else {
      CHECK(open[process]);
      open[process] = false;
      ++completions;
    }
  }
  CHECK(invokes == run.summary["ops"]["total"].get<std::int64_t>() + run.summary["final_reads"].get<std::int64_t>());
  CHECK(invokes - completions == run.summary["ops"]["info"].get<std::int64_t>());
}

TEST_CASE("export perfetto: trace events with tracks, op slices, paired flows and the violations") {
  auto run = run_file(source_path("scenarios/gc-pause.json"), "broken", 1);
  auto doc = nlohmann::json::parse(read_text(exported(run.trace_path, "perfetto")));
  REQUIRE(doc["traceEvents"].is_array());
  std::set<std::int64_t> sent, delivered;
  std::int64_t op_slices = 0, violations = 0, named_processes = 0;
  for (const auto& e : doc["traceEvents"]) {
    REQUIRE(e.contains("ph"));
    CHECK(e.contains("pid"));
    CHECK(e.contains("tid"));
    const std::string ph = e["ph"];
    if (ph == "M") {
      named_processes += e["name"] == "process_name";
      continue;
    }
    CHECK(e["ts"].get<double>() >= 0);
    if (ph == "X") CHECK(e["dur"].get<double>() >= 0);
    if (ph == "X" && e["cat"] == "op") ++op_slices;
    if (ph == "s") sent.insert(e["id"].get<std::int64_t>());
    if (ph == "f") {
      CHECK(e["bp"] == "e");
      delivered.insert(e["id"].get<std::int64_t>());
    }
    if (ph == "i" && e["cat"] == "violation") ++violations;
  }
  CHECK(named_processes > 3);
  // Every op, final reads included; an info op ends where its client gave up.
  CHECK(op_slices == run.summary["ops"]["total"].get<std::int64_t>() + run.summary["final_reads"].get<std::int64_t>());
  CHECK(violations == run.summary["violations_total"].get<std::int64_t>());
  CHECK(violations > 0);
  for (auto id : delivered) CHECK(sent.count(id) == 1); // every arrow starts somewhere
}

TEST_CASE("export: a file that is not a trace is one clear error") {
  const std::string bad = faultlab::testing::write_text(temp_dir() + "/x.jsonl", "{\"a\":1}\n");
  std::ostringstream o, e;
  CHECK(faultlab::cli::command_export({bad, "edn", temp_dir() + "/out.edn"}, o, e) == 2);
  CHECK(e.str().rfind("error[bad-format]: " + bad, 0) == 0);
}
