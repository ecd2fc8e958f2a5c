// Whole runs: reproducibility, the summary contract, and the catalog.
#include "../support/run_support.hpp"
#include "cli/commands.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sys/wait.h>
#include <unistd.h>
#include <sstream>

using namespace faultlab;
using faultlab::testing::read_text;
using faultlab::testing::run_file;
using faultlab::testing::source_path;

TEST_CASE("same scenario, variant and seed give a byte-identical trace") {
  std::string file = source_path("scenarios/replica-lag.json");
  auto a = run_file(file, "broken", 7);
  auto b = run_file(file, "broken", 7);
  auto c = run_file(file, "broken", 8);
  std::string text_a = read_text(a.trace_path);
  REQUIRE(text_a.size() > 100000);
  CHECK(text_a == read_text(b.trace_path));
  CHECK(text_a != read_text(c.trace_path));
}

namespace {
// One run_checked in a child process: its summary, or the error it stopped with.
cli::ChildResult checked_in_child(const std::string& file, std::int64_t max_trace_events, const std::string& trace_path) {
  scenario::Scenario s = scenario::load_scenario(file, scenario::LoadOptions{"broken", {}});
  s.limits.max_trace_events = max_trace_events;
  return cli::run_in_children({[&] {
                                cli::RunRequest request;
                                request.seed = 2;
                                request.trace_path = trace_path;
                                return cli::run_checked(s, request).summary.dump();
                              }},
                              1)
      .front();
}
} // namespace

TEST_CASE("a run that writes no trace and explains nothing keeps no trace events, and its summary is the same") {
  // verify, sweep and explore's runs read only the history: their runs no
  // longer build the op and state lines of a trace nobody reads. The summary
  // must not notice, and the trace limit, which exists to bound the memory
  // those lines take, no longer stops them.
  const std::string file = source_path("scenarios/replica-lag.json");
  const std::string trace = testing::temp_dir() + "/t.jsonl";
  const cli::ChildResult traced = checked_in_child(file, 20000000, trace);
  const cli::ChildResult untraced = checked_in_child(file, 20000000, "");
  REQUIRE(traced.ok);
  REQUIRE(untraced.ok);
  nlohmann::json a = nlohmann::json::parse(traced.output), b = nlohmann::json::parse(untraced.output);
  REQUIRE(a["violations"].size() == b["violations"].size());
  for (auto& v : a["violations"]) v.erase("cause"); // only a traced run explains
  CHECK(a == b);
  CHECK(a["counts"]["read_your_writes"].get<int>() > 0);

  const cli::ChildResult over = checked_in_child(file, 1000, trace + ".2");
  CHECK_FALSE(over.ok);
  CHECK_THAT(over.output, Catch::Contains("/limits/max_trace_events") && Catch::Contains("more than 1000 trace events"));
  const cli::ChildResult unlimited = checked_in_child(file, 1000, "");
  REQUIRE(unlimited.ok);
  CHECK(nlohmann::json::parse(unlimited.output)["counts"] == b["counts"]);
}

TEST_CASE("the summary has the documented shape") {
  auto run = run_file(source_path("scenarios/replica-lag.json"), "fixed", 3);
  const auto& s = run.summary;
  CHECK(s["scenario"] == "replica-lag");
  CHECK(s["variant"] == "fixed");
  CHECK(s["seed"] == 3);
  CHECK(s["sim_time_s"].get<double>() > 30.0);
  for (const char* k : {"ok", "fail", "info"}) CHECK(s["ops"][k].is_number_integer());
  // Every checker that ran is listed, zeros included.
  CHECK(s["counts"]["read_your_writes"] == 0);
  CHECK(s["counts"]["lost_writes"] == 0);
  CHECK(s["counts"]["stale_read"].get<int>() > 0);
  for (const char* k : {"latency_p50_s", "latency_p99_s", "availability"}) CHECK(s["metrics"][k].is_number());
  REQUIRE(s["violations"].size() > 0);
  const auto& v = s["violations"][0];
  CHECK(v["check"] == "stale_read");
  CHECK(v["ops"].size() == 2);
  CHECK(v["message"].get<std::string>().find("stale") != std::string::npos);
  CHECK(s["reproduce"] == "./faultlab run " + source_path("scenarios/replica-lag.json") + " --variant fixed --seed 3");
  CHECK(s["overrides"] == nlohmann::json::array());
}

TEST_CASE("golden run: replica-lag broken with seed 7") {
  // If the models change on purpose, update these numbers in the same commit.
  auto run = run_file(source_path("scenarios/replica-lag.json"), "broken", 7);
  const auto& s = run.summary;
  CHECK(s["ops"]["ok"] == 1453);
  CHECK(s["counts"]["read_your_writes"] == 255);
  CHECK(s["counts"]["stale_read"] == 301);
  CHECK(s["messages"]["sent"] == 3694);
}

TEST_CASE("the trace is complete: header first, events in time order, an end line, violations marked") {
  auto run = run_file(source_path("scenarios/replica-lag.json"), "broken", 2);
  std::istringstream lines(read_text(run.trace_path));
  std::string first;
  std::getline(lines, first);
  auto header = nlohmann::json::parse(first);
  CHECK(header["format"] == "faultlab-trace");
  CHECK(header["version"] == 2);
  CHECK(header["nodes"].size() == 4);
  // Version 2: each node's components with their type and the node's role; "roles" as in version 1.
  CHECK(header["nodes"][1]["roles"] == nlohmann::json::array({"profiles:primary"}));
  CHECK(header["nodes"][1]["components"] ==
        nlohmann::json::parse(R"([{"component":"profiles","type":"replica_group","role":"primary"}])"));
  CHECK(header["nodes"][0]["components"] ==
        nlohmann::json::parse(R"([{"component":"users","type":"clients","role":"clients"}])"));
  double last_t = 0;
  int violations = 0;
  for (const auto& e : run.events) {
    CHECK(e["t"].get<double>() >= last_t);
    last_t = e["t"];
    if (e["ev"] == "violation") ++violations;
  }
  CHECK(run.events.back()["ev"] == "end");
  CHECK(violations == run.summary["violations_total"].get<int>());
}

// The whole catalog, verified in two halves (the files in alphabetical
// order) so that ctest can run them side by side and neither comes near the
// test timeout as the catalog grows.
namespace {
std::string verify_half(int half) {
  std::vector<std::string> files = cli::scenario_files({source_path("scenarios")});
  REQUIRE(files.size() >= 20);
  const auto middle = files.begin() + static_cast<std::ptrdiff_t>(files.size() / 2);
  std::vector<std::string> mine = half == 0 ? std::vector<std::string>(files.begin(), middle)
                                            : std::vector<std::string>(middle, files.end());
  std::ostringstream out, err;
  int code = cli::command_verify(cli::VerifyArgs{mine, 2}, out, err);
  INFO(out.str() << err.str());
  CHECK(code == cli::kExitOk);
  CHECK(out.str().find("FAIL") == std::string::npos);
  return out.str();
}
} // namespace

TEST_CASE("every catalog scenario meets its expectations on every listed seed (faultlab verify), first half") {
  const std::string out = verify_half(0);
  CHECK(out.find("PASS  alter-table-lock / broken") != std::string::npos);
}

TEST_CASE("every catalog scenario meets its expectations on every listed seed (faultlab verify), second half") {
  const std::string out = verify_half(1);
  CHECK(out.find("PASS  replica-lag / broken") != std::string::npos);
  CHECK(out.find("PASS  replica-lag / fixed") != std::string::npos);
}

TEST_CASE("verify fails, naming the seed and the expectation, when a variant does not hold") {
  std::string dir = faultlab::testing::temp_dir();
  std::string text = read_text(source_path("scenarios/replica-lag.json"));
  // Claim the broken design has no read-your-writes violations: verify must say it does.
  auto at = text.find("\"read_your_writes\": { \"min\": 1 }");
  REQUIRE(at != std::string::npos);
  text.replace(at, 32, "\"read_your_writes\": { \"max\": 0 }");
  faultlab::testing::write_text(dir + "/claim.json", text);
  std::ostringstream out, err;
  int code = cli::command_verify(cli::VerifyArgs{{dir + "/claim.json"}, 2}, out, err);
  CHECK(code == cli::kExitVerifyFailed);
  CHECK(out.str().find("FAIL  claim / broken") != std::string::npos);
  CHECK(out.str().find("seed 1: read_your_writes = ") != std::string::npos);
  CHECK(out.str().find("expected at most 0 (reproduce: ./faultlab run " + dir + "/claim.json --variant broken --seed 1)") !=
        std::string::npos);
}

TEST_CASE("bad input makes verify exit 2") {
  std::string dir = faultlab::testing::temp_dir();
  faultlab::testing::write_text(dir + "/bad.json", "{ \"title\": ");
  std::ostringstream out, err;
  CHECK(cli::command_verify(cli::VerifyArgs{{dir}, 1}, out, err) == cli::kExitBadInput);
  CHECK(err.str().rfind("error[syntax]: " + dir + "/bad.json: line 1, column 12: invalid JSON", 0) == 0);
}

using faultlab::testing::shell;

TEST_CASE("a what-if run says its --set overrides everywhere, and its printed command reproduces it exactly") {
  const std::string dir = faultlab::testing::temp_dir();
  const std::string binary = FAULTLAB_BINARY;
  const std::string root = source_path("");
  auto [code, report] = shell("cd " + root + " && " + binary +
                              " run scenarios/replica-lag.json --variant broken --seed 3"
                              " --set components.profiles.lag=50ms --set 'workload.duration=\"4s\"'"
                              " --trace " + dir + "/a.jsonl --summary " + dir + "/a.json");
  INFO(report);
  REQUIRE(code == 0);
  CHECK(report.find("  changed: --set components.profiles.lag=50ms --set 'workload.duration=\"4s\"' (on top of "
                    "the design above)\n") != std::string::npos);
  const std::string command = "./faultlab run scenarios/replica-lag.json --variant broken --seed 3 --set "
                              "components.profiles.lag=50ms --set 'workload.duration=\"4s\"'";
  CHECK(report.find("  reproduce: " + command + "\n") != std::string::npos);
  const auto summary = nlohmann::json::parse(read_text(dir + "/a.json"));
  CHECK(summary["reproduce"] == command);
  CHECK(summary["overrides"] == nlohmann::json::array({"components.profiles.lag=50ms", "workload.duration=\"4s\""}));
  std::string header;
  std::getline(std::istringstream(read_text(dir + "/a.jsonl")) >> std::ws, header);
  CHECK(nlohmann::json::parse(header)["overrides"] == summary["overrides"]);

  // The printed command, run as printed (with the binary for ./faultlab), gives the same trace.
  auto [again, again_out] =
      shell("cd " + root + " && " + binary + command.substr(std::string("./faultlab").size()) + " --trace " + dir +
            "/b.jsonl --quiet");
  INFO(again_out);
  REQUIRE(again == 0);
  CHECK(read_text(dir + "/a.jsonl") == read_text(dir + "/b.jsonl"));
  // A plain run's header has no overrides field at all, so old traces stay as they were.
  auto plain = run_file(source_path("scenarios/replica-lag.json"), "broken", 3);
  std::string plain_header;
  std::getline(std::istringstream(read_text(plain.trace_path)) >> std::ws, plain_header);
  CHECK(!nlohmann::json::parse(plain_header).contains("overrides"));
}

TEST_CASE("verify prints a mistake in the base scenario once, not once per variant") {
  std::string dir = faultlab::testing::temp_dir();
  std::string text = read_text(source_path("scenarios/split-brain.json")); // three variants
  auto at = text.find("\"title\"");
  REQUIRE(at != std::string::npos);
  text.insert(at, "\"titel\": \"typo\", ");
  faultlab::testing::write_text(dir + "/typo.json", text);
  std::ostringstream out, err;
  CHECK(cli::command_verify(cli::VerifyArgs{{dir + "/typo.json"}, 1}, out, err) == cli::kExitBadInput);
  const std::string errors = err.str();
  INFO(errors);
  CHECK(errors.rfind("error[unknown-field]: " + dir + "/typo.json: /titel: unknown field \"titel\"", 0) == 0);
  CHECK(std::count(errors.begin(), errors.end(), '\n') == 1);
}

// The tests' temporary folders (tests/support/temp_dir.hpp) are removed when
// the process that made them exits, and only by that process. Checked in
// forked children, so this test program's own list is left alone.
TEST_CASE("a test's temporary folders are removed when its process exits, not by its children") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(fds[0]);
    const std::string mine = faultlab::testing::temp_dir();
    faultlab::testing::write_text(mine + "/trace.jsonl", "{}\n");
    // A grandchild that also exits normally must leave its parent's folder.
    const pid_t grandchild = ::fork();
    if (grandchild == 0) std::exit(0);
    int status = 0;
    ::waitpid(grandchild, &status, 0);
    const bool kept = std::filesystem::exists(mine + "/trace.jsonl");
    const std::string report = mine + (kept ? " kept\n" : " gone\n");
    if (::write(fds[1], report.data(), report.size()) < 0) std::_Exit(3);
    ::close(fds[1]);
    std::exit(0); // runs the destructors: the folder goes
  }
  ::close(fds[1]);
  std::string report;
  char buffer[256];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) report.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  REQUIRE(report.size() > 6);
  const std::string folder = report.substr(0, report.find(' '));
  CHECK(report.substr(folder.size()) == " kept\n");
  CHECK(folder.rfind("/tmp/faultlab-test-", 0) == 0);
  CHECK_FALSE(std::filesystem::exists(folder));
}
