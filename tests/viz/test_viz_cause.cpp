// A violation's `cause` in a trace: read into the trace model, and taken
// into the window that selecting the violation zooms to.
#include "trace_fixtures.hpp"

namespace {
const std::string kCause =
    R"(,"cause":{"faults":[{"name":"cut","type":"partition","nodes":["db-1","db-2"],"start_s":0.25,"end_s":1.0,"relation":"active"}],)"
    R"("chain":[{"t_s":0.7,"node":"db-2","text":"stale_read: read of x answered nothing by db-2 at 0.700 s"},)"
    R"({"t_s":0.05,"node":"db-2","text":"db-2 never applied x=1 in this run"},)"
    R"({"t_s":0.25,"node":"db-2","text":"partition cut cut db-2 off from db-1 from 0.250 s to 1.000 s","fault":"cut"}]}})";
} // namespace

TEST_CASE("a violation's cause is read with its faults and its chain, root last") {
  const std::string events =
      replace_all(kEvents, R"("message":"read x and got nothing"})", R"("message":"read x and got nothing")" + kCause);
  const Trace t = parse_trace(kHeader + "\n" + events, "cause.jsonl");
  REQUIRE(t.violations.size() == 1);
  const Violation& v = t.violations[0];
  REQUIRE(v.cause_faults.size() == 1);
  CHECK(v.cause_faults[0].name == "cut");
  CHECK(v.cause_faults[0].relation == "active");
  REQUIRE(v.chain.size() == 3);
  CHECK(v.chain[1].t_s == 0.05);
  CHECK(v.chain[2].fault == "cut");
  CHECK(v.chain[2].node == "db-2");
  // The chain's events are in the window: the violation's ops alone span 0.1 to 0.7.
  const Focus f = violation_focus(t, v, explain_violation(t, v));
  CHECK(f.story_t0_s <= 0.05);
  CHECK(f.story_t1_s >= 0.7);
}

TEST_CASE("a trace without causes, or with a malformed one, still loads") {
  const Trace plain = parse_trace(kHeader + "\n" + kEvents, "plain.jsonl");
  REQUIRE(plain.violations.size() == 1);
  CHECK(plain.violations[0].chain.empty());
  const std::string odd = replace_all(kEvents, R"("message":"read x and got nothing"})",
                                      R"("message":"read x and got nothing","cause":{"faults":7,"chain":[1,{"text":"x"}]}})");
  const Trace t = parse_trace(kHeader + "\n" + odd, "odd.jsonl");
  REQUIRE(t.violations[0].chain.size() == 1);
  CHECK(t.violations[0].chain[0].text == "x");
  CHECK(t.violations[0].chain[0].t_s == 0.7); // no time: the violation's
  CHECK(t.violations[0].cause_faults.empty());
}
