// faultlab check: formats, the report, and the exit codes 0/1/2/3.
#include "../support/run_support.hpp"
#include "cli/check_command.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using faultlab::cli::CheckArgs;
using faultlab::cli::command_check;
using faultlab::testing::source_path;
using faultlab::testing::temp_dir;
using faultlab::testing::write_text;

namespace {

struct Outcome {
  int code;
  std::string out, err;
};

Outcome run_check(const std::string& path, const std::string& model, double budget_s = 10) {
  CheckArgs args;
  args.path = path;
  args.model = model;
  args.budget_s = budget_s;
  std::ostringstream out, err;
  const int code = command_check(args, out, err);
  return {code, out.str(), err.str()};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

TEST_CASE("check: a linearizable Jepsen history exits 0 with a short report") {
  const auto result = run_check(source_path("tests/data/jepsen-register.edn"), "cas-register");
  INFO(result.out << result.err);
  CHECK(result.code == 0);
  CHECK(result.err.empty());
  CHECK(contains(result.out, "(EDN)"));
  CHECK(contains(result.out, "  model:    cas-register\n"));
  CHECK(contains(result.out, "  ops:      8 (4 ok, 2 fail, 2 info)\n"));
  CHECK(contains(result.out, " states explored\n"));
  CHECK(contains(result.out, "  verdict:  linearizable\n"));

  const auto kv = run_check(source_path("tests/data/jepsen-kv.edn"), "kv");
  CHECK(kv.code == 0);
  CHECK(contains(kv.out, "  ops:      6 (6 ok, 0 fail, 0 info) on 3 keys\n"));
}

TEST_CASE("check: a history that is not linearizable exits 1 and says why") {
  const auto result = run_check(source_path("tests/data/knossos-cas.edn"), "cas-register");
  INFO(result.out << result.err);
  CHECK(result.code == 1);
  CHECK(contains(result.out, "  verdict:  NOT linearizable (1 violation)\n"));
  CHECK(contains(result.out, "  - at 3.000 s: process 2 changed the register from 1 to 3 with a compare-and-set at "
                             "3.000 s, but no order of the operations before it explains finding that value there "
                             "(the only value that could be current then: 2, written by process 1 at 2.000 s) "
                             "[ops 0 2 3]\n"));
}

TEST_CASE("check: a faultlab history file") {
  const std::string dir = temp_dir();
  const std::string path = write_text(
      dir + "/history.jsonl",
      "{\"format\":\"faultlab-history\",\"version\":1}\n"
      "{\"t\":0.1,\"ev\":\"op\",\"op\":0,\"type\":\"invoke\",\"process\":1,\"f\":\"write\",\"key\":\"x\",\"value\":1}\n"
      "{\"t\":0.2,\"ev\":\"op\",\"op\":0,\"type\":\"ok\",\"process\":1,\"f\":\"write\",\"key\":\"x\",\"value\":1}\n"
      "{\"t\":0.3,\"ev\":\"op\",\"op\":1,\"type\":\"invoke\",\"process\":2,\"f\":\"read\",\"key\":\"x\"}\n"
      "{\"t\":0.4,\"ev\":\"op\",\"op\":1,\"type\":\"ok\",\"process\":2,\"f\":\"read\",\"key\":\"x\"}\n");
  const auto result = run_check(path, "kv");
  INFO(result.out << result.err);
  CHECK(result.code == 1);
  CHECK(contains(result.out, "(faultlab JSON Lines)"));
  CHECK(contains(result.out, "process 2 read x at 0.300 s and got nothing (the key did not exist yet), but no order"));

  // A cas carries the value it expected.
  const std::string cas = write_text(
      dir + "/cas.jsonl",
      "{\"format\":\"faultlab-history\",\"version\":1}\n"
      "{\"t\":0.1,\"ev\":\"op\",\"op\":0,\"type\":\"invoke\",\"process\":1,\"f\":\"write\",\"key\":\"x\",\"value\":1}\n"
      "{\"t\":0.2,\"ev\":\"op\",\"op\":0,\"type\":\"ok\",\"process\":1,\"f\":\"write\",\"key\":\"x\",\"value\":1}\n"
      "{\"t\":0.3,\"ev\":\"op\",\"op\":1,\"type\":\"invoke\",\"process\":2,\"f\":\"cas\",\"key\":\"x\",\"value\":2,"
      "\"expected\":1}\n"
      "{\"t\":0.4,\"ev\":\"op\",\"op\":1,\"type\":\"ok\",\"process\":2,\"f\":\"cas\",\"key\":\"x\",\"value\":2}\n"
      "{\"t\":0.5,\"ev\":\"op\",\"op\":2,\"type\":\"invoke\",\"process\":2,\"f\":\"read\",\"key\":\"x\"}\n"
      "{\"t\":0.6,\"ev\":\"op\",\"op\":2,\"type\":\"ok\",\"process\":2,\"f\":\"read\",\"key\":\"x\",\"value\":2}\n");
  const auto cas_result = run_check(cas, "cas-register");
  INFO(cas_result.out << cas_result.err);
  CHECK(cas_result.code == 0);
  CHECK(contains(cas_result.out, "  ops:      3 (3 ok, 0 fail, 0 info)\n"));
}

TEST_CASE("check: bad input exits 2 with the error on stderr") {
  const auto model = run_check(source_path("tests/data/knossos-cas.edn"), "registry");
  CHECK(model.code == 2);
  CHECK(model.out.empty());
  CHECK(model.err == "error[bad-model]: --model: expected register, cas-register, kv, mutex or multi-register, got "
                     "\"registry\"\n");

  const auto budget = run_check(source_path("tests/data/knossos-cas.edn"), "kv", 0);
  CHECK(budget.code == 2);
  CHECK(budget.err == "error[bad-budget]: --budget-s: expected a positive number of seconds, got 0\n");

  const auto missing = run_check("/nonexistent/h.edn", "kv");
  CHECK(missing.code == 2);
  CHECK(missing.err == "error[no-file]: /nonexistent/h.edn: cannot open the file (does it exist?)\n");

  const std::string path = write_text(temp_dir() + "/bad.edn", "{:process 0, :type :invoke, :f :read}\n{:process 0");
  const auto syntax = run_check(path, "register");
  CHECK(syntax.code == 2);
  CHECK(syntax.err == "error[edn]: " + path +
                          ": line 2, column 12: expected '}' to close the map opened at line 2, column 1, got the "
                          "end of the file\n");

  // A cas in a history checked as a plain register.
  const auto cas = run_check(source_path("tests/data/knossos-cas.edn"), "register");
  CHECK(cas.code == 2);
  CHECK(cas.err == "error[model]: op 2: a cas in a register history: check it with the cas-register or kv model\n");

  // kv needs [key value] tuples.
  const auto tuples = run_check(source_path("tests/data/knossos-cas.edn"), "kv");
  CHECK(tuples.code == 2);
  CHECK(contains(tuples.err, "expected the :value of a kv operation to be a [key value] tuple, got 1"));
}

TEST_CASE("check: when the budget runs out the answer is unknown, exit 3") {
  // 22 concurrent writes of distinct values, then reads no order explains.
  std::string text = "[\n";
  for (int p = 0; p < 22; ++p)
    text += "{:process " + std::to_string(p) + ", :type :invoke, :f :write, :value " + std::to_string(p) + "}\n";
  for (int p = 0; p < 22; ++p)
    text += "{:process " + std::to_string(p) + ", :type :ok, :f :write, :value " + std::to_string(p) + "}\n";
  for (int v : {5, 6, 5}) {
    text += "{:process 0, :type :invoke, :f :read, :value nil}\n";
    text += "{:process 0, :type :ok, :f :read, :value " + std::to_string(v) + "}\n";
  }
  text += "]\n";
  const std::string path = write_text(temp_dir() + "/hard.edn", text);
  const auto result = run_check(path, "register", 0.2);
  INFO(result.out << result.err);
  CHECK(result.code == 3);
  CHECK(contains(result.out, "  verdict:  unknown: the time budget of 0.2 s ran out ("));
  CHECK(contains(result.out, "no violation was found before that (try a larger --budget-s)\n"));
}

TEST_CASE("check: a register model refuses a history about several keys; kv is the default for faultlab files") {
  const std::string dir = temp_dir();
  // Two keys, each linearizable on its own; as one register the read of y
  // would be compared with the write of x.
  const std::string path = write_text(
      dir + "/two-keys.jsonl",
      "{\"format\":\"faultlab-history\",\"version\":1}\n"
      "{\"t\":0.1,\"ev\":\"op\",\"op\":0,\"type\":\"invoke\",\"process\":1,\"f\":\"write\",\"key\":\"x\",\"value\":1}\n"
      "{\"t\":0.2,\"ev\":\"op\",\"op\":0,\"type\":\"ok\",\"process\":1,\"f\":\"write\",\"key\":\"x\",\"value\":1}\n"
      "{\"t\":0.3,\"ev\":\"op\",\"op\":1,\"type\":\"invoke\",\"process\":2,\"f\":\"read\",\"key\":\"y\"}\n"
      "{\"t\":0.4,\"ev\":\"op\",\"op\":1,\"type\":\"ok\",\"process\":2,\"f\":\"read\",\"key\":\"y\"}\n");
  for (const char* model : {"register", "cas-register"}) {
    const auto refused = run_check(path, model);
    INFO(refused.out << refused.err);
    CHECK(refused.code == 2);
    CHECK(refused.out.empty());
    CHECK(refused.err == "error[multi-key]: " + path + ": --model " + model +
                             ": the history is about 2 keys (\"x\", \"y\"), and a register is one object: use "
                             "--model kv, which checks each key as a register of its own\n");
  }
  const auto kv = run_check(path, "kv");
  CHECK(kv.code == 0);
  CHECK(contains(kv.out, "  verdict:  linearizable\n"));

  // No --model: a faultlab file is checked as kv, and the report says so.
  const auto defaulted = run_check(path, "");
  INFO(defaulted.out << defaulted.err);
  CHECK(defaulted.code == 0);
  CHECK(contains(defaulted.out, "  model:    kv (the default for faultlab files: each key is a register of its own)\n"));

  // An EDN history does not say which object it is about.
  const auto edn = run_check(source_path("tests/data/knossos-cas.edn"), "");
  CHECK(edn.code == 2);
  CHECK(edn.err == "error[missing-option]: --model: an EDN history does not say which object it is about: give "
                   "--model register, cas-register, kv, mutex or multi-register\n");
}

TEST_CASE("check: a scenario, a folder or other JSON is refused with a word on what it is") {
  const auto scenario = run_check(source_path("scenarios/replica-lag.json"), "kv");
  CHECK(scenario.code == 2);
  CHECK(scenario.err == "error[wrong-format]: " + source_path("scenarios/replica-lag.json") +
                            ": this is a faultlab scenario, not a history: run it with `faultlab run " +
                            source_path("scenarios/replica-lag.json") + " --history H.jsonl`, then check H.jsonl\n");
  const auto folder = run_check(source_path("scenarios"), "kv");
  CHECK(folder.code == 2);
  CHECK(folder.err == "error[not-a-file]: " + source_path("scenarios") + ": this is a folder, not a history file\n");
  const std::string other = write_text(temp_dir() + "/other.json", "{\"a\": 1}\n");
  const auto json = run_check(other, "kv");
  CHECK(json.code == 2);
  CHECK(json.err.rfind("error[wrong-format]: " + other + ": this is JSON but not a faultlab trace or history", 0) == 0);
}

TEST_CASE("check: faultlab files of format versions 1 and 2 are read, a newer one is refused") {
  const std::string dir = temp_dir();
  auto file = [&](const std::string& name, const std::string& header) {
    return write_text(dir + "/" + name, header + "\n" +
                                            R"({"t":0.1,"ev":"op","op":0,"type":"invoke","process":1,"f":"write",)"
                                            R"("key":"x","value":1})"
                                            "\n"
                                            R"({"t":0.2,"ev":"op","op":0,"type":"ok","process":1,"f":"write",)"
                                            R"("key":"x","value":1})"
                                            "\n");
  };
  // Version 2's header lists each node's components; a history does not need them.
  const std::string v2 = file("v2.jsonl", R"({"format":"faultlab-trace","version":2,"nodes":[{"name":"db",)"
                                          R"("roles":["kv:primary"],"components":[{"component":"kv",)"
                                          R"("type":"replica_group","role":"primary"}]}]})");
  const auto read = run_check(v2, "kv");
  INFO(read.out << read.err);
  CHECK(read.code == 0);
  CHECK(contains(read.out, "  ops:      1 (1 ok, 0 fail, 0 info) on 1 key\n"));

  const std::string v3 = file("v3.jsonl", R"({"format":"faultlab-trace","version":3})");
  const auto newer = run_check(v3, "kv");
  CHECK(newer.code == 2);
  CHECK(newer.err ==
        "error[bad-format]: " + v3 + ": line 1: format version 3 is newer than this faultlab understands (2)\n");

  const std::string odd = file("odd.jsonl", R"({"format":"faultlab-trace","version":"2"})");
  const auto odd_result = run_check(odd, "kv");
  CHECK(odd_result.code == 2);
  CHECK(odd_result.err ==
        "error[bad-format]: " + odd + ": line 1: the header's \"version\" should be a whole number\n");
}
