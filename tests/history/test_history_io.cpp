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
