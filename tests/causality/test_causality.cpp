// The causality analysis on small hand-made histories and traces whose
// answers are known: which faults a violation names, in which order, and the
// chain that links them.
#include "causality/causality.hpp"
#include "causality/chains.hpp"

#include "../support/printf_times.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace faultlab;
using causality::Evidence;

namespace {

// Four nodes: clients on web-1, a primary db-1, replicas db-2 and db-3.
nlohmann::json header() {
  return nlohmann::json::parse(R"({
    "nodes": [
      {"name": "web-1", "components": [{"component": "users", "type": "clients", "role": "clients"}]},
      {"name": "db-1", "components": [{"component": "profiles", "type": "replica_group", "role": "primary"}]},
      {"name": "db-2", "components": [{"component": "profiles", "type": "replica_group", "role": "replica"}]},
      {"name": "db-3", "components": [{"component": "profiles", "type": "replica_group", "role": "replica"}]}],
    "clients": [{"name": "users", "node": "web-1", "target": "profiles", "sessions": 2}]})");
}

history::Op op(std::int64_t id, const char* f, const char* key, std::int64_t value, double invoke_s, double complete_s,
               const char* node, history::Outcome outcome = history::Outcome::ok) {
  history::Op o;
  o.id = id;
  o.process = 1;
  o.client = "users";
  o.f = f;
  o.key = key;
  o.value = value;
  o.invoke_s = invoke_s;
  o.complete_s = complete_s;
  o.node = node;
  o.outcome = outcome;
  return o;
}

// Feeds `lines` (trace event lines, each with its "t") to the evidence.
void feed(Evidence& e, const std::vector<std::string>& lines) {
  for (const auto& l : lines) e.add_line(nlohmann::json::parse(l)["t"].get<double>(), l);
}

// A stale read: profile:3=17 written through db-1 at 12.2 s, read back from
// db-2 at 14.2 s, which applied it only at 14.9 s.
history::History stale_history() {
  history::History h;
  h.ops.push_back(op(1, "write", "profile:3", 17, 12.1, 12.2, "db-1"));
  h.ops.push_back(op(2, "read", "profile:3", 16, 14.1, 14.2, "db-2"));
  return h;
}

const std::vector<std::string> kStaleLines = {
    R"({"t":1.0,"ev":"state","node":"db-1","component":"profiles","applied":41,"key":"profile:1","value":5,"term":1})",
    R"({"t":1.1,"ev":"state","node":"db-2","component":"profiles","applied":41,"key":"profile:1","value":5,"term":1})",
    R"({"t":3.0,"ev":"fault","name":"gc-3","type":"pause","phase":"start","node":"db-3"})",
    R"({"t":4.0,"ev":"fault","name":"gc-3","type":"pause","phase":"end","node":"db-3"})",
    R"({"t":12.0,"ev":"fault","name":"p1","type":"partition","phase":"start","details":{"groups":{"left":["db-2"],"right":["db-1","db-3","web-1"]}}})",
    R"({"t":12.15,"ev":"state","node":"db-1","component":"profiles","applied":42,"key":"profile:3","value":17,"term":1})",
    R"({"t":13.0,"ev":"fault","name":"slow","type":"delay","phase":"start","details":{"nodes":["db-3"],"extra_s":0.2}})",
    R"({"t":14.5,"ev":"fault","name":"p1","type":"partition","phase":"end"})",
    R"({"t":14.9,"ev":"state","node":"db-2","component":"profiles","applied":42,"key":"profile:3","value":17,"term":1})"};

check::Violation stale_violation() {
  return check::Violation{"stale_read", 14.1, {1, 2}, "stale"};
}

} // namespace

TEST_CASE("a fault on the node that served the read ranks first, and the chain runs back to it") {
  const history::History h = stale_history();
  Evidence e(header(), h, {1, 2});
  feed(e, kStaleLines);
  const causality::Cause c = causality::explain(stale_violation(), e);
  // The delay on db-3 is active too, but db-3 handled neither op; the pause
  // of db-3 ended 10 s before: not named.
  REQUIRE(c.faults.size() == 2);
  CHECK(c.faults[0].name == "p1");
  CHECK(c.faults[0].on_involved_node);
  CHECK(c.faults[0].relation() == "active");
  CHECK(c.faults[1].name == "slow");
  CHECK_FALSE(c.faults[1].on_involved_node);
  REQUIRE(c.chain.size() == 3);
  CHECK(c.chain[0].text == "stale_read: read of profile:3 answered 16 by db-2 at 14.200 s");
  CHECK(c.chain[1].node == "db-2");
  CHECK(c.chain[1].t_s == 12.15); // when it fell behind
  CHECK(c.chain[1].text == "db-2 was 2.050 s behind db-1 (at position 41, db-1 wrote 42 at 12.150 s); it applied "
                           "profile:3=17 only at 14.900 s");
  CHECK(c.chain[2].fault == "p1");
  CHECK(c.chain[2].text == "partition p1 cut db-2 off from db-1, db-3, web-1 from 12.000 s to 14.500 s");
  CHECK(causality::one_line(c).find(" ← partition p1") != std::string::npos);
  const auto j = causality::to_json(c);
  CHECK(j["faults"][0]["end_s"] == 14.5);
  CHECK(j["chain"][2]["fault"] == "p1");
}

TEST_CASE("a fault that ended long before the violation is not named; one that ended just before is") {
  history::History h = stale_history();
  std::vector<std::string> lines = {
      R"({"t":2.0,"ev":"fault","name":"early","type":"crash","phase":"start","node":"db-2"})",
      R"({"t":3.0,"ev":"fault","name":"early","type":"crash","phase":"end","node":"db-2"})",
      R"({"t":10.0,"ev":"fault","name":"late","type":"crash","phase":"start","node":"db-2"})",
      R"({"t":13.0,"ev":"fault","name":"late","type":"restart","phase":"start","node":"db-2"})"};
  Evidence e(header(), h, {1, 2});
  feed(e, lines);
  const causality::Cause c = causality::explain(stale_violation(), e);
  REQUIRE(c.faults.size() == 1);
  CHECK(c.faults[0].name == "late");
  CHECK(c.faults[0].end_s == 13.0); // the restart ended the crash
  CHECK(c.faults[0].relation() == "ended 1.100 s before");
  // A shorter look-back leaves it out too.
  const causality::Cause none = causality::explain(stale_violation(), e, causality::Options{1.0});
  CHECK(none.faults.empty());
}

TEST_CASE("a violation with no fault says the design allows it") {
  history::History h = stale_history();
  Evidence e(header(), h, {1, 2});
  const causality::Cause c = causality::explain(stale_violation(), e);
  CHECK(c.faults.empty());
  REQUIRE(c.chain.size() == 3); // the read, how far behind db-2 was, and no fault
  CHECK(c.chain[1].text == "db-2 never applied profile:3=17 in this run");
  CHECK(c.chain.back().text == "no fault was active or had ended within 5.000 s: the design itself allows this");
  CHECK(causality::to_json(c)["faults"].empty());
}

TEST_CASE("two primaries name the partition that separated them, not a fault elsewhere") {
  history::History h;
  auto a1 = op(1, "write", "acct:1", 1, 10.0, 10.1, "db-1");
  a1.term = 1;
  auto b = op(2, "write", "acct:2", 2, 12.0, 12.1, "db-3");
  b.term = 2;
  auto a2 = op(3, "write", "acct:1", 3, 13.0, 13.1, "db-1");
  a2.term = 1;
  h.ops = {a1, b, a2};
  std::vector<std::string> lines = {
      R"({"t":0.0,"ev":"state","node":"db-1","component":"profiles","role":"primary","term":1,"applied":0,"why":"initial"})",
      R"({"t":9.0,"ev":"fault","name":"gc","type":"pause","phase":"start","node":"db-2"})",
      R"({"t":9.5,"ev":"fault","name":"split","type":"partition","phase":"start","details":{"groups":{"eu":["db-1","db-2","web-1"],"us":["db-3"]}}})",
      R"({"t":11.2,"ev":"state","node":"db-3","component":"profiles","role":"primary","term":2,"applied":4,"why":"won the election"})",
      R"({"t":20.0,"ev":"fault","name":"heal-all","type":"heal","phase":"start"})"};
  Evidence e(header(), h, {1, 2, 3});
  feed(e, lines);
  const causality::Cause c = causality::explain(check::Violation{"single_leader", 12.0, {1, 2, 3}, "two"}, e);
  REQUIRE(c.faults.size() == 2);
  CHECK(c.faults[0].name == "split");
  CHECK(c.faults[0].end_s == 20.0); // a heal without a partition's name heals every partition
  CHECK(c.faults[0].relation() == "active");
  CHECK(c.chain.back().fault == "split");
  CHECK(c.chain[1].text == "db-3 became primary of term 2 at 11.200 s (won the election)");
  CHECK(c.chain[2].text == "db-1, primary of term 1 since 0.000 s, did not step down");
}

TEST_CASE("failed ops point at the node they went to and the messages dropped on the way") {
  history::History h;
  h.ops.push_back(op(1, "read", "k", 0, 5.0, 6.0, "", history::Outcome::info));
  h.ops.push_back(op(2, "read", "k", 0, 5.5, 6.5, "", history::Outcome::info));
  std::vector<std::string> lines = {
      R"({"t":4.0,"ev":"fault","name":"down","type":"crash","phase":"start","node":"db-2"})",
      R"({"t":4.0,"ev":"fault","name":"noise","type":"drop","phase":"start","details":{"nodes":["db-3"],"probability":0.1}})",
      R"({"t":5.0,"ev":"send","msg":1,"from":"web-1","to":"db-2","kind":"read","op":1,"size":100})",
      R"({"t":5.0,"ev":"drop","msg":1,"from":"web-1","to":"db-2","kind":"read","op":1,"reason":"node down"})",
      R"({"t":5.5,"ev":"send","msg":2,"from":"web-1","to":"db-2","kind":"read","op":2,"size":100})",
      R"({"t":5.5,"ev":"drop","msg":2,"from":"web-1","to":"db-2","kind":"read","op":2,"reason":"node down"})",
      R"({"t":5.6,"ev":"send","msg":3,"from":"web-1","to":"db-3","kind":"read","op":99,"size":100})"};
  Evidence e(header(), h, {1, 2});
  feed(e, lines);
  CHECK(e.messages_of(99).empty()); // messages of other ops are not kept
  const causality::Cause c = causality::explain(check::Violation{"availability", 5.0, {1, 2}, "down"}, e);
  REQUIRE(c.faults.size() == 2);
  CHECK(c.faults[0].name == "down");
  CHECK(c.chain[1].text == "2 of them went to db-2; messages of theirs dropped: 2 to db-2 (node down)");
  CHECK(c.chain.back().text == "crash down: db-2 down from 4.000 s on");
}

TEST_CASE("a lost write names the crash of the primary that acknowledged it and the failover") {
  history::History h;
  h.ops.push_back(op(1, "write", "order:9", 9, 3.0, 3.1, "db-1"));
  auto final_read = op(2, "read", "order:9", 8, 30.0, 30.1, "db-2");
  final_read.final_read = true;
  h.ops.push_back(final_read);
  std::vector<std::string> lines = {
      R"({"t":3.3,"ev":"fault","name":"c","type":"crash","phase":"start","node":"db-1"})",
      R"({"t":3.3,"ev":"node","node":"db-1","status":"down"})",
      R"({"t":4.5,"ev":"state","node":"db-2","component":"profiles","role":"primary","term":2,"applied":7,"why":"elected"})",
      R"({"t":9.0,"ev":"fault","name":"c","type":"crash","phase":"end","node":"db-1"})",
      R"({"t":9.2,"ev":"discard","node":"db-1","component":"profiles","position":8,"key":"order:9","value":9,"term":1,"origin":"db-1"})"};
  Evidence e(header(), h, {1, 2});
  feed(e, lines);
  const causality::Cause c = causality::explain(check::Violation{"lost_writes", 3.1, {1, 2}, "lost"}, e);
  REQUIRE(c.faults.size() == 1);
  REQUIRE(c.chain.size() == 5);
  CHECK(c.chain[1].text == "db-1 discarded order:9=9 at 9.200 s when logs were reconciled");
  CHECK(c.chain[2].text == "db-2 became primary of term 2 at 4.500 s without it");
  CHECK(c.chain[3].text == "db-1 went down at 3.300 s");
  CHECK(c.chain[4].text == "crash c: db-1 down from 3.300 s to 9.000 s");
}

TEST_CASE("trace line fields are read at the top level only") {
  std::string text;
  const std::string line = R"({"t":1,"ev":"state","why":"x \"node\":\"evil\"","node":"db-\u00e9","n":-3})";
  REQUIRE(causality::line_field(line, "node", text));
  CHECK(text == "db-\xc3\xa9");
  std::int64_t n = 0;
  REQUIRE(causality::line_integer(line, "n", n));
  CHECK(n == -3);
  CHECK_FALSE(causality::line_field(line, "missing", text));
}

TEST_CASE("times in the stories read as printf would write them, ties and long runs included") {
  using faultlab::testing::printf_text;
  for (double t : faultlab::testing::times_to_compare()) {
    CAPTURE(t);
    if (t >= 2 * 86400.0) CHECK(causality::detail::seconds(t) == printf_text("day %.2f", t / 86400.0));
    else CHECK(causality::detail::seconds(t) == printf_text("%.3f s", t));
    if (t < 1.0) CHECK(causality::detail::duration(t) == printf_text("%.0f ms", t * 1000.0));
    else if (t < 2 * 86400.0) CHECK(causality::detail::duration(t) == printf_text("%.3f s", t));
    else CHECK(causality::detail::duration(t) == printf_text("%.2f days", t / 86400.0));
  }
  CHECK(causality::detail::seconds(history::kNever) == "the end");
}

TEST_CASE("a stale cache read names the fill it was served from and the delete before it") {
  // A write of profile:3=17 at 12.1-12.2 s deletes the cached entry on
  // db-2 (as a cache) at 12.15 s; a fill that read the old value puts 16
  // back at 12.4 s; a later refused fill and fills of other keys or after
  // the read do not count.
  history::History h = stale_history();
  Evidence e(header(), h, {1, 2});
  feed(e, {R"x({"t":5.0,"ev":"state","node":"db-2","component":"profiles","key":"profile:3","value":"15","why":"fill"})x",
           R"x({"t":11.0,"ev":"state","node":"db-2","component":"profiles","key":"profile:3","why":"delete (write)"})x",
           R"x({"t":12.15,"ev":"state","node":"db-2","component":"profiles","key":"profile:3","why":"delete (write)"})x",
           R"x({"t":12.4,"ev":"state","node":"db-2","component":"profiles","key":"profile:3","value":"16","why":"fill"})x",
           R"x({"t":12.5,"ev":"state","node":"db-2","component":"profiles","key":"profile:4","value":"9","why":"fill"})x",
           R"x({"t":13.0,"ev":"state","node":"db-2","component":"profiles","key":"profile:3","value":"16","why":"fill refused (lease)"})x",
           R"x({"t":14.3,"ev":"state","node":"db-2","component":"profiles","key":"profile:3","value":"17","why":"fill"})x"});
  const causality::State* fill = e.last_fill("db-2", "profile:3", 14.2);
  REQUIRE(fill != nullptr);
  CHECK(fill->t_s == 12.4);
  CHECK(e.last_fill("db-2", "profile:3", 4.0) == nullptr);
  CHECK(e.last_fill("db-1", "profile:3", 14.2) == nullptr);
  const causality::State* deleted = e.last_delete("db-2", "profile:3", 12.1, 12.4);
  REQUIRE(deleted != nullptr);
  CHECK(deleted->t_s == 12.15);
  CHECK(e.last_delete("db-2", "profile:3", 12.2, 12.4) == nullptr);
  const causality::Cause c = causality::explain(stale_violation(), e);
  REQUIRE(c.chain.size() >= 2);
  CHECK(c.chain[1].t_s == 12.4);
  CHECK(c.chain[1].text == "db-2 deleted profile:3 at 12.150 s for the write, then a fill put profile:3=16 back at 12.400 s");
}
