// Reading Jepsen/Knossos EDN histories: both layouts, kv tuples, pairing, and
// the error messages for malformed input, word for word.
#include <catch2/catch.hpp>

#include <string>

#include "history/edn.hpp"
#include "util/input_error.hpp"

using faultlab::history::History;
using faultlab::history::kNever;
using faultlab::history::Op;
using faultlab::history::Outcome;
using faultlab::history::parse_edn_history;
using faultlab::history::read_edn_history;
using Value = std::optional<std::int64_t>;

namespace {

std::string data(const std::string& name) { return std::string(FAULTLAB_SOURCE_DIR) + "/tests/data/" + name; }

const Op& op_with_id(const History& history, std::int64_t id) {
  for (const Op& op : history.ops)
    if (op.id == id) return op;
  FAIL("no op " << id);
  return history.ops.front();
}

// The error message parse_edn_history throws for `text` (as file "h.edn").
std::string error_for(const std::string& text, bool kv = false) {
  try {
    parse_edn_history(text, "h.edn", kv);
  } catch (const faultlab::util::InputError& e) {
    CHECK(e.id() == "edn");
    return e.what();
  }
  return "no error";
}

} // namespace

TEST_CASE("edn: a Jepsen history.edn, one map per line, nemesis ops skipped") {
  const History history = read_edn_history(data("jepsen-register.edn"), false);
  REQUIRE(history.ops.size() == 8);
  const Op& first = history.ops[0];
  CHECK(first.id == 0);
  CHECK(first.process == 0);
  CHECK(first.f == "read");
  CHECK(first.outcome == Outcome::ok);
  CHECK(first.value == Value{});
  CHECK(first.invoke_s == Approx(0.010));
  CHECK(first.complete_s == Approx(0.015));
  CHECK(first.key.empty());

  const Op& cas = op_with_id(history, 6);
  CHECK(cas.f == "cas");
  CHECK(cas.expected == Value{3});
  CHECK(cas.value == Value{4});
  CHECK(cas.outcome == Outcome::info);
  CHECK(cas.error == ":timeout");
  CHECK(cas.complete_s == Approx(1.030));

  CHECK(op_with_id(history, 7).value == Value{3});
  CHECK(op_with_id(history, 10).outcome == Outcome::fail);
  CHECK(op_with_id(history, 10).error == "\"not leader\"");
  CHECK(op_with_id(history, 12).value == Value{4});
  CHECK(op_with_id(history, 14).expected == Value{2});
  CHECK(op_with_id(history, 14).outcome == Outcome::fail);
  // Invoked and never completed: unknown outcome.
  const Op& last = op_with_id(history, 16);
  CHECK(last.outcome == Outcome::info);
  CHECK(last.complete_s == kNever);
  CHECK(last.value == Value{6});
  // Sorted by invoke time.
  for (std::size_t i = 1; i < history.ops.size(); ++i) CHECK(history.ops[i - 1].invoke_s <= history.ops[i].invoke_s);
}

TEST_CASE("edn: a Knossos vector without times uses positions as times") {
  const History history = read_edn_history(data("knossos-cas.edn"), false);
  REQUIRE(history.ops.size() == 4);
  CHECK(history.ops[0].id == 0);
  CHECK(history.ops[0].invoke_s == 0.0);
  CHECK(history.ops[0].complete_s == 1.0);
  CHECK(history.ops[1].id == 2);
  CHECK(history.ops[1].invoke_s == 2.0);
  CHECK(history.ops[1].complete_s == 4.0);
  CHECK(history.ops[2].expected == Value{1});
  CHECK(history.ops[2].value == Value{3});
  CHECK(history.ops[3].value == Value{3});
}

TEST_CASE("edn: kv tuples, with integer, keyword, string and independent-tuple keys") {
  const History history = read_edn_history(data("jepsen-kv.edn"), true);
  REQUIRE(history.ops.size() == 6);
  CHECK(history.ops[0].key == "0");
  CHECK(history.ops[0].value == Value{1});
  CHECK(history.ops[1].key == "x");
  const Op& cas = op_with_id(history, 5);
  CHECK(cas.key == "x");
  CHECK(cas.expected == Value{7});
  CHECK(cas.value == Value{8});
  CHECK(op_with_id(history, 4).key == "0");
  CHECK(op_with_id(history, 4).value == Value{1});
  CHECK(op_with_id(history, 8).value == Value{8});
  CHECK(op_with_id(history, 10).key == "1");
  CHECK(op_with_id(history, 10).value == Value{});
}

TEST_CASE("edn: syntax it accepts") {
  const History history = parse_edn_history(
      "; comment\n"
      "({:process 0 :type :invoke :f \"write\" :value 5N :extra #{1 2} :inst #inst \"2024-01-01\" #_ :ignored #_ 1}\n"
      " {:process 0, :type :ok, :f :write, :value 5, :note [\"a \\\"quoted\\\" text\" \\c 1.5e3 sym true false]})",
      "h.edn", false);
  REQUIRE(history.ops.size() == 1);
  CHECK(history.ops[0].value == Value{5});
  CHECK(history.ops[0].outcome == Outcome::ok);
}

TEST_CASE("edn: the corners of real histories") {
  // Decimals, big integers, ##Inf and ##NaN where nothing reads them; a byte
  // order mark; ops written as records.
  const History history = parse_edn_history(
      "\xEF\xBB\xBF"
      "#jepsen.history.Op{:index 0, :time 10, :type :invoke, :process 0, :f :write, :value 5, :latency 1.5M}\n"
      "#jepsen.history.Op{:index 1, :time 20, :type :ok, :process 0, :f :write, :value 5, :cost 1e3M}\n"
      "{:index 2, :time 30, :type :invoke, :process 1, :f :read, :value nil, :seq 99999999999999999999N}\n"
      "{:index 3, :time 40, :type :ok, :process 1, :f :read, :value 5, :rate ##Inf, :x [##NaN ##-Inf -7N 2M]}\n",
      "h.edn", false);
  REQUIRE(history.ops.size() == 2);
  CHECK(history.ops[0].value == Value{5});
  CHECK(history.ops[0].id == 0);
  CHECK(history.ops[1].id == 2);
  CHECK(history.ops[1].value == Value{5});
  CHECK(history.ops[1].complete_s == Approx(40e-9));
  // A vector of Knossos records.
  CHECK(parse_edn_history("[#knossos.op.Op{:process 0 :type :invoke :f :read :value nil}]", "h.edn", false)
            .ops.size() == 1);

  // Where a number is read, one beyond 64 bits is still an error.
  CHECK(error_for("{:process 0 :type :invoke :f :write :value 99999999999999999999N}") ==
        "error[edn]: h.edn: line 1, column 44: expected an integer that fits in 64 bits, got 99999999999999999999N");
  CHECK(error_for("{:process 0 :type :invoke :f :write :value 1.5M}") ==
        "error[edn]: h.edn: line 1, column 44: expected the :value of a :write to be an integer, got 1.5M");
  CHECK(error_for("{:process 0 :type :invoke :f :read :rate ##Infinity}") ==
        "error[edn]: h.edn: line 1, column 42: expected ##Inf, ##-Inf or ##NaN, got ##Infinity");
  CHECK(error_for("{:process 0 :type :invoke :f :read :rate 1.5.5M}") ==
        "error[edn]: h.edn: line 1, column 42: expected a number, got 1.5.5M");
}

TEST_CASE("edn: txn and mutex ops") {
  const History txns = parse_edn_history(
      "[{:process 0 :type :invoke :f :txn :value [[:read :x nil] [:write :y 2]]}\n"
      " {:process 0 :type :ok :f :txn :value [[:read :x 3] [:write :y 2]]}\n"
      " {:process 1 :type :invoke :f :txn :value [[:w \"z\" 1]]}\n"
      " {:process 1 :type :info :f :txn :value [[:w \"z\" 1]]}\n"
      " {:process 2 :type :invoke :f :acquire}\n"
      " {:process 2 :type :fail :f :acquire :error :held}]",
      "h.edn", false);
  REQUIRE(txns.ops.size() == 3);
  const Op& first = txns.ops[0];
  CHECK(first.f == "txn");
  REQUIRE(first.txn.size() == 2);
  CHECK(!first.txn[0].write);
  CHECK(first.txn[0].key == "x");
  CHECK(first.txn[0].value == Value{3}); // what the read saw, from the completion
  CHECK(first.txn[1].write);
  CHECK(first.txn[1].value == Value{2});
  CHECK(txns.ops[1].txn[0].key == "z");
  CHECK(txns.ops[1].outcome == Outcome::info);
  CHECK(txns.ops[2].f == "acquire");
  CHECK(txns.ops[2].outcome == Outcome::fail);

  CHECK(error_for("{:process 0 :type :invoke :f :txn :value [[:read :x]]}") ==
        "error[edn]: h.edn: line 1, column 43: expected a txn step like [:read :x 1] or [:write :x 2], got a vector");
  CHECK(error_for("{:process 0 :type :invoke :f :txn :value [[:append :x 1]]}") ==
        "error[edn]: h.edn: line 1, column 44: expected a txn step's f to be :read or :write, got :append");
  CHECK(error_for("{:process 0 :type :invoke :f :txn :value [[:write :x nil]]}") ==
        "error[edn]: h.edn: line 1, column 54: expected the value of a :write step to be an integer, got nil");
  CHECK(error_for("{:process 0 :type :invoke :f :txn :value 3}") ==
        "error[edn]: h.edn: line 1, column 42: expected the :value of a :txn to be a list of [f key value] steps, "
        "got 3");
}

TEST_CASE("edn: malformed input is reported with line, column and what was expected") {
  CHECK(error_for("") == "error[edn]: h.edn: line 1, column 1: expected a history (a vector of operation maps, or "
                         "one map per line), got no operations");
  CHECK(error_for("[{:process 0 :type :invoke :f :read}\n") ==
        "error[edn]: h.edn: line 2, column 1: expected ']' to close the vector opened at line 1, column 1, got the "
        "end of the file");
  CHECK(error_for("[{:process 0 :type :invoke :f :read)]") ==
        "error[edn]: h.edn: line 1, column 36: expected '}' to close the map opened at line 1, column 2, got ')'");
  CHECK(error_for("{:process 0 :type}") ==
        "error[edn]: h.edn: line 1, column 13: expected a value for the key :type in the map opened at line 1, "
        "column 1");
  CHECK(error_for("{:process 0 :type :invoke :f :read :value \"abc}") ==
        "error[edn]: h.edn: line 1, column 43: expected a closing '\"' for the string that starts here, got the end "
        "of the file");
  CHECK(error_for("{:process @}") == "error[edn]: h.edn: line 1, column 11: expected a value, got '@'");
  CHECK(error_for("{:process 99999999999999999999}") ==
        "error[edn]: h.edn: line 1, column 11: expected an integer that fits in 64 bits, got 99999999999999999999");
  CHECK(error_for("[1]") == "error[edn]: h.edn: line 1, column 2: expected an operation, a map like {:process 0, "
                            ":type :invoke, :f :read, :value nil}, got 1");
  CHECK(error_for("{:type :invoke :f :read}") ==
        "error[edn]: h.edn: line 1, column 1: expected a :process in every operation");
  CHECK(error_for("{:process \"p\" :type :invoke :f :read}") ==
        "error[edn]: h.edn: line 1, column 11: expected :process to be an integer (or a keyword like :nemesis), "
        "got \"p\"");
  CHECK(error_for("{:process 0 :type :begin :f :read}") ==
        "error[edn]: h.edn: line 1, column 19: expected :type to be :invoke, :ok, :fail or :info, got :begin");
  CHECK(error_for("{:process 0 :type :invoke :f :add :value 1}") ==
        "error[edn]: h.edn: line 1, column 30: expected :f to be :read, :write, :cas, :txn, :acquire or :release, got "
        ":add");
  CHECK(error_for("{:process 0 :type :invoke :f :cas :value 3}") ==
        "error[edn]: h.edn: line 1, column 42: expected the :value of a :cas to be [expected new], two integers, "
        "got 3");
  CHECK(error_for("{:process 0 :type :invoke :f :write :value \"x\"}") ==
        "error[edn]: h.edn: line 1, column 44: expected the :value of a :write to be an integer, got \"x\"");
  CHECK(error_for("{:process 0 :type :invoke :f :write :value 3}", true) ==
        "error[edn]: h.edn: line 1, column 44: expected the :value of a kv operation to be a [key value] tuple, got 3");
  CHECK(error_for("{:process 0 :type :invoke :f :write :value [[1] 3]}", true) ==
        "error[edn]: h.edn: line 1, column 45: expected a key (an integer, keyword or string), got a vector");
  CHECK(error_for("{:process 0 :type :ok :f :read :value 3}") ==
        "error[edn]: h.edn: line 1, column 1: expected an invoke before this :ok completion: process 0 has no "
        "operation in progress");
  CHECK(error_for("{:process 0 :type :invoke :f :read}\n{:process 0 :type :invoke :f :read}") ==
        "error[edn]: h.edn: line 2, column 1: expected a completion for process 0's operation invoked at line 1, "
        "column 1 before its next invoke");
  CHECK(error_for("{:process 0 :type :invoke :f :read}\n{:process 0 :type :ok :f :write :value 1}") ==
        "error[edn]: h.edn: line 2, column 1: expected :f :read, as in the invoke at line 1, column 1, got :write");
  CHECK(error_for("{:process 0 :type :invoke :f :read}\n{:process 0 :type :ok :f :read}") ==
        "error[edn]: h.edn: line 2, column 1: expected a :value (what the read saw) in an :ok read");
  CHECK(error_for("{:process 0 :type :invoke :f :read :time \"noon\"}") ==
        "error[edn]: h.edn: line 1, column 42: expected :time to be a number of nanoseconds, got \"noon\"");
  CHECK(error_for("{:process 0 :type :invoke :f :read :index 1}\n{:process 1 :type :invoke :f :read :index 1}") ==
        "error[edn]: h.edn: line 2, column 1: expected each :index to be unique, got 1 again");
  CHECK(error_for(std::string(300, '[')) ==
        "error[edn]: h.edn: line 1, column 258: expected at most 256 levels of nesting");
  CHECK(error_for("#_") == "error[edn]: h.edn: line 1, column 3: expected a form to discard after #_, got the end "
                           "of the file");
  CHECK(error_for("{:process 0 :type :invoke :f :read}\n{:process 0 :type :ok :f :read :value [0 1]}") ==
        "error[edn]: h.edn: line 2, column 39: expected the :value of an :ok read to be an integer or nil, got a "
        "vector");
}

TEST_CASE("edn: a missing file") {
  CHECK_THROWS_WITH(read_edn_history("/nonexistent/h.edn", false),
                    "error[no-file]: /nonexistent/h.edn: cannot open the file (does it exist?)");
}
