// faultlab check at its edges: Knossos's register semantics, the budgets and
// the size limit, format detection, the new models from EDN, and the program
// that runs it without SimGrid. Links check_cli only, as that program does.
#include "cli/check_command.hpp"
#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

using faultlab::cli::CheckArgs;
using faultlab::cli::command_check;

namespace {

using faultlab::testing::temp_dir;

std::string write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

struct Outcome {
  int code;
  std::string out, err;
};

Outcome run_check(const CheckArgs& args) {
  std::ostringstream out, err;
  const int code = command_check(args, out, err);
  return {code, out.str(), err.str()};
}

CheckArgs args_for(const std::string& path, const std::string& model) {
  CheckArgs args;
  args.path = path;
  args.model = model;
  return args;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Read 0 before anyone wrote, then nil after a write of 1: Knossos's
// cas-register (start at 0, a nil read tells nothing) explains it; faultlab's
// default (start absent, nil is absent) explains neither read.
const char* kKnossosStyle = "[{:process 0, :type :invoke, :f :read, :value nil}\n"
                            " {:process 0, :type :ok, :f :read, :value 0}\n"
                            " {:process 1, :type :invoke, :f :write, :value 1}\n"
                            " {:process 1, :type :ok, :f :write, :value 1}\n"
                            " {:process 0, :type :invoke, :f :read, :value nil}\n"
                            " {:process 0, :type :ok, :f :read, :value nil}]\n";

} // namespace

TEST_CASE("check edges: --initial, --nil-read and --knossos") {
  const std::string path = write_text(temp_dir() + "/knossos.edn", kKnossosStyle);
  CheckArgs args = args_for(path, "cas-register");
  const auto plain = run_check(args);
  INFO(plain.out << plain.err);
  CHECK(plain.code == 1);
  CHECK(contains(plain.out, "  values:   registers start absent; a read of nil saw the register absent\n"));

  args.knossos = true;
  const auto knossos = run_check(args);
  INFO(knossos.out << knossos.err);
  CHECK(knossos.code == 0);
  CHECK(contains(knossos.out, "  values:   registers start at 0; a read of nil tells nothing\n"));

  // Each half alone explains only one of the reads.
  CheckArgs initial_only = args_for(path, "cas-register");
  initial_only.initial = "0";
  CHECK(run_check(initial_only).code == 1);
  CheckArgs nil_only = args_for(path, "cas-register");
  nil_only.nil_read = "unknown";
  CHECK(run_check(nil_only).code == 1);
  // An option given with the preset wins over it.
  args.nil_read = "absent";
  CHECK(run_check(args).code == 1);
  args.nil_read.clear();
  args.initial = "nil";
  CHECK(run_check(args).code == 1);

  args.initial = "zero";
  const auto bad = run_check(args);
  CHECK(bad.code == 2);
  CHECK(bad.err == "error[bad-option]: --initial: expected an integer that fits in 64 bits, or nil, got \"zero\"\n");
}

TEST_CASE("check edges: budgets") {
  const std::string dir = temp_dir();
  const std::string easy = write_text(dir + "/easy.edn", kKnossosStyle);
  // A budget too large for the clock is no limit, not one already spent.
  CheckArgs huge = args_for(easy, "cas-register");
  huge.knossos = true;
  huge.budget_s = 1e10;
  const auto forever = run_check(huge);
  INFO(forever.out << forever.err);
  CHECK(forever.code == 0);
  huge.budget_s = 1e300;
  CHECK(run_check(huge).code == 0);

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
  CheckArgs hard = args_for(write_text(dir + "/hard.edn", text), "register");
  hard.max_states = 1000;
  const auto states = run_check(hard);
  INFO(states.out << states.err);
  CHECK(states.code == 3);
  CHECK(contains(states.out, "  verdict:  unknown: the state budget of 1000 remembered states ran out (25 ops); no "
                             "violation was found before that (try a larger --max-states"));
  hard.max_states = 0;
  const auto zero = run_check(hard);
  CHECK(zero.code == 2);
  CHECK(zero.err == "error[bad-budget]: --max-states: expected a positive number of states, got 0\n");
}

TEST_CASE("check edges: a file over the size limit is refused at once, /dev/zero included") {
  CheckArgs args = args_for("/dev/zero", "cas-register");
  args.max_input_mib = 1;
  const auto started = std::chrono::steady_clock::now();
  const auto zero = run_check(args);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  CHECK(zero.code == 2);
  CHECK(zero.out.empty());
  CHECK(zero.err == "error[over-limit]: /dev/zero: expected a history file of at most 1 MiB, got a larger one (raise "
                    "the limit with --max-input-mib if it is a history)\n");

  const std::string big = write_text(temp_dir() + "/big.edn", std::string((1 << 20) + 1, ' '));
  args.path = big;
  CHECK(run_check(args).code == 2);
  args.max_input_mib = 2; // within the limit: then it is an empty history
  const auto empty = run_check(args);
  CHECK(empty.code == 2);
  CHECK(contains(empty.err, "error[edn]: " + big + ": line 1, column 1048578: expected a history"));
}

TEST_CASE("check edges: the word format in an EDN file, and a byte order mark") {
  const std::string dir = temp_dir();
  // A first line that mentions "format", even "faultlab-history", is EDN
  // unless it is a JSON header.
  const std::string edn = write_text(dir + "/format.edn",
                                     "{:process 0, :type :invoke, :f :write, :value 1, :note \"format\"}\n"
                                     "{:process 0, :type :ok, :f :write, :value 1, :format \"faultlab-history\"}\n");
  const auto read = run_check(args_for(edn, "register"));
  INFO(read.out << read.err);
  CHECK(read.code == 0);
  CHECK(contains(read.out, "(EDN)"));
  const std::string brace = write_text(dir + "/brace.edn", "{\"format\" \"faultlab-history\", :process 0, :type "
                                                           ":invoke, :f :read, :value nil}\n");
  CHECK(contains(run_check(args_for(brace, "register")).out, "(EDN)"));

  // A faultlab history written by an editor that adds a byte order mark.
  const std::string jsonl = write_text(
      dir + "/bom.jsonl",
      "\xEF\xBB\xBF{\"format\":\"faultlab-history\",\"version\":1}\n"
      "{\"t\":0.1,\"ev\":\"op\",\"op\":0,\"type\":\"invoke\",\"process\":1,\"f\":\"write\",\"key\":\"x\",\"value\":1}\n"
      "{\"t\":0.2,\"ev\":\"op\",\"op\":0,\"type\":\"ok\",\"process\":1,\"f\":\"write\",\"key\":\"x\",\"value\":1}\n");
  const auto bom = run_check(args_for(jsonl, ""));
  INFO(bom.out << bom.err);
  CHECK(bom.code == 0);
  CHECK(contains(bom.out, "(faultlab JSON Lines)"));
}

TEST_CASE("check edges: mutex and multi-register histories in EDN") {
  const std::string dir = temp_dir();
  const std::string locks = write_text(dir + "/mutex.edn",
                                       "[{:process 0 :type :invoke :f :acquire :index 0}\n"
                                       " {:process 0 :type :ok :f :acquire :index 1}\n"
                                       " {:process 1 :type :invoke :f :release :index 2}\n"
                                       " {:process 1 :type :fail :f :release :error :not-held :index 3}\n"
                                       " {:process 2 :type :invoke :f :acquire :index 4}\n"
                                       " {:process 2 :type :ok :f :acquire :index 5}]\n");
  const auto mutex = run_check(args_for(locks, "mutex"));
  INFO(mutex.out << mutex.err);
  CHECK(mutex.code == 1);
  CHECK(contains(mutex.out, "  ops:      3 (2 ok, 1 fail, 0 info)\n"));
  CHECK(contains(mutex.out, "process 2 acquired the lock at 4.000 s, but no order of the operations before it "
                            "explains finding the lock free (it could only be held then: last acquired by process 0 "
                            "at 0.000 s) [ops 0 4]"));
  const auto wrong = run_check(args_for(locks, "cas-register"));
  CHECK(wrong.code == 2);
  CHECK(wrong.err == "error[model]: op 0: an acquire in a history checked with --model cas-register: check it with "
                     "--model mutex\n");

  const std::string txns = write_text(dir + "/txn.edn",
                                      "[{:process 0 :type :invoke :f :txn :value [[:write :x 1] [:write :y 1]]}\n"
                                      " {:process 1 :type :invoke :f :txn :value [[:read :x nil] [:read :y nil]]}\n"
                                      " {:process 0 :type :ok :f :txn :value [[:write :x 1] [:write :y 1]]}\n"
                                      " {:process 1 :type :ok :f :txn :value [[:read :x 1] [:read :y 1]]}\n"
                                      " {:process 2 :type :invoke :f :txn :value [[:r :x nil] [:r :y nil]]}\n"
                                      " {:process 2 :type :ok :f :txn :value [[:r :x 1] [:r :y 0]]}]\n");
  CheckArgs multi = args_for(txns, "multi-register");
  multi.knossos = true;
  const auto torn = run_check(multi);
  INFO(torn.out << torn.err);
  CHECK(torn.code == 1);
  CHECK(contains(torn.out, "  ops:      3 (3 ok, 0 fail, 0 info) on 2 keys\n"));
  CHECK(contains(torn.out, "process 2's transaction at 4.000 s read y=0, but no order of the operations before it "
                           "explains that value (y=1 is what it could find then) [ops 4]"));
}

TEST_CASE("check edges: the faultlab program runs check without SimGrid and hands other commands on") {
  const std::string binary = FAULTLAB_BINARY;
  const std::string dir = temp_dir();
  const std::string path = write_text(dir + "/knossos.edn", kKnossosStyle);
  auto shell = [&](const std::string& command) {
    const std::string out = dir + "/out.txt";
    const int status = std::system((command + " > " + out + " 2>&1").c_str());
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    return std::make_pair(WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str());
  };
  const auto checked = shell("'" + binary + "' check " + path + " --model cas-register --knossos");
  INFO(checked.second);
  CHECK(checked.first == 0);
  CHECK(contains(checked.second, "  verdict:  linearizable\n"));
  const auto typo = shell("'" + binary + "' check " + path + " --model mutexx");
  CHECK(typo.first == 2);
  CHECK(contains(typo.second, "error["));

  const auto libraries = shell("ldd '" + binary + "'");
  if (libraries.first == 0) CHECK(!contains(libraries.second, "simgrid"));
  // Everything else is the simulator program's, with the same exit codes.
  const auto unknown = shell("'" + binary + "' verfy");
  CHECK(unknown.first == 2);
  CHECK(contains(unknown.second, "error[unknown-command]: verfy: no such command (did you mean verify?)"));
}
