// Reading faultlab history and trace files back (history_io): inputs the
// fuzzer found that escaped as nlohmann's own exceptions instead of one
// clear InputError (their files are in tests/fuzz/history/).
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "history/history_io.hpp"
#include "util/input_error.hpp"

namespace {

// The error message parse_history_jsonl throws for `text` (as file "h.jsonl").
std::string error_for(const std::string& text) {
  std::istringstream in(text);
  try {
    faultlab::history::parse_history_jsonl(in, "h.jsonl");
  } catch (const faultlab::util::InputError& e) {
    return e.what();
  }
  return "no error";
}

const std::string kHeader = "{\"format\":\"faultlab-history\",\"version\":1}\n";

} // namespace

TEST_CASE("history_io: a header whose format is not a string is not a faultlab header") {
  CHECK(error_for("{\"format\":1}\n") == "error[bad-format]: h.jsonl: line 1: expected a faultlab trace or history header");
  CHECK(error_for("{\"format\":[\"faultlab-history\"]}\n") ==
        "error[bad-format]: h.jsonl: line 1: expected a faultlab trace or history header");
}

TEST_CASE("history_io: an event kind that is not a string is an error naming the line") {
  CHECK(error_for(kHeader + "{\"ev\":3,\"t\":0}\n") ==
        "error[syntax]: h.jsonl: line 2: expected \"ev\" to be a string (the event's kind), got number");
}

TEST_CASE("history_io: a well-formed history still reads") {
  std::istringstream in(kHeader +
                        "{\"t\":0,\"ev\":\"op\",\"op\":1,\"type\":\"invoke\",\"process\":0,\"f\":\"write\",\"value\":5}\n"
                        "{\"t\":1,\"ev\":\"op\",\"op\":1,\"type\":\"ok\"}\n");
  const auto history = faultlab::history::parse_history_jsonl(in, "h.jsonl");
  REQUIRE(history.ops.size() == 1);
  CHECK(history.ops[0].value == 5);
}

TEST_CASE("history_io: a whole-number field that is a float or above 2^63 is one clear error") {
  // The fuzzer's input: a float where an integer belongs was converted with
  // undefined behaviour (tests/fuzz/history/crash-38ed7b63...).
  const std::string invoke = "{\"t\":0,\"ev\":\"op\",\"op\":1,\"type\":\"invoke\",\"f\":\"write\",";
  CHECK(error_for(kHeader + invoke + "\"process\":3.2e21}\n") ==
        "error[bad-op]: h.jsonl: line 2: expected \"process\" to be a whole number of at most 19 digits, got "
        "3.2e+21");
  CHECK(error_for(kHeader + invoke + "\"process\":0,\"value\":18446744073709551615}\n") ==
        "error[bad-op]: h.jsonl: line 2: expected \"value\" to be a whole number of at most 19 digits, got "
        "18446744073709551615");
  CHECK(error_for(kHeader + invoke + "\"process\":\"p1\"}\n") ==
        "error[bad-op]: h.jsonl: line 2: expected \"process\" to be a whole number of at most 19 digits, got a string");
  // The largest that fits still reads.
  CHECK(error_for(kHeader + invoke + "\"process\":0,\"value\":9223372036854775807}\n") == "no error");
}

TEST_CASE("history_io: a format version above 2^63 is newer, not a negative number") {
  CHECK(error_for("{\"format\":\"faultlab-history\",\"version\":18446744073709551615}\n") ==
        "error[bad-format]: h.jsonl: line 1: format version 18446744073709551615 is newer than this faultlab "
        "understands (2)");
}
