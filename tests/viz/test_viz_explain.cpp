// What the viewer draws for a selected violation: the explanation of a stale
// or lagging read, the window it zooms to, the cursor, and the run's title
// with its --set overrides; on small hand-made traces.
#include "trace_fixtures.hpp"

TEST_CASE("a violation is explained by when the answering node applied the write") {
  TempDir dir;
  const Trace t = load_trace(dir.write("ok.jsonl", kHeader + "\n" + kEvents));
  REQUIRE(t.violations.size() == 1);
  const auto why = explain_violation(t, t.violations[0]);
  REQUIRE(why.size() == 1);
  CHECK(why[0].write_op == 0);
  CHECK(why[0].read_op == 2);
  CHECK(t.lanes[why[0].node].name == "db-2");
  CHECK(why[0].t_applied_s < 0); // the replication message was dropped
  CHECK(describe(t, why[0]) == "db-2 never applied x=1 in this run");

  // Had db-2 applied it later, the sentence gives the gap.
  std::string events = kEvents;
  events.replace(events.find("{\"t\":0.9,"), 0,
                 "{\"t\":0.85,\"ev\":\"state\",\"node\":\"db-2\",\"component\":\"kv\",\"applied\":1,\"key\":"
                 "\"x\",\"value\":1}\n");
  const Trace late = load_trace(dir.write("late.jsonl", kHeader + "\n" + events));
  const auto why_late = explain_violation(late, late.violations[0]);
  REQUIRE(why_late.size() == 1);
  CHECK(describe(late, why_late[0]) == "db-2 applied x=1 at 0.850 s, 0.150 s after it answered the read");
  CHECK(why_late[0].t_origin_s == 0.2); // db-1 applied it first
  REQUIRE(why_late[0].carrier >= 0);    // the replication message that carried it...
  CHECK(late.messages[static_cast<std::size_t>(why_late[0].carrier)].dropped); // ...was dropped
}

TEST_CASE("a stale cache read is explained by the fill that came after the delete") {
  const std::string& events = kCacheEvents;
  const Trace t = parse_trace(kMixHeader + "\n" + events, "cache.jsonl");
  const auto why = explain_violation(t, t.violations[0]);
  REQUIRE(why.size() == 1); // two reads from one cache: one story
  CHECK(why[0].cache);
  CHECK(why[0].t_applied_s == 0.30);
  CHECK(why[0].t_delete_s == 0.22);
  CHECK(why[0].filler_op == 0);
  REQUIRE(why[0].carrier == 0);
  CHECK(describe(t, why[0]) == "cache-1 deleted k at 0.220 s, then op 0 (a read begun at 0.100 s, before the "
                               "write) filled it with k=nothing at 0.300 s");
}

TEST_CASE("a lagging replica: the entry arrives before the read and is applied after it") {
  // db-1 applies x=1 and ships it at once; it reaches db-2 at 0.21 s, but db-2
  // applies it only at 0.8 s (its lag). The read at 0.3 s from db-2 sees nothing.
  const std::string events =
      R"({"t":0.1,"ev":"op","op":0,"type":"invoke","process":0,"client":"users","f":"write","key":"x","value":1}
{"t":0.2,"ev":"state","node":"db-1","component":"kv","applied":1,"key":"x","value":1}
{"t":0.2,"ev":"send","msg":1,"from":"db-1","to":"db-2","kind":"replicate","size":1}
{"t":0.2,"ev":"op","op":0,"type":"ok","process":0,"client":"users","f":"write","key":"x","value":1,"node":"db-1"}
{"t":0.21,"ev":"deliver","msg":1,"from":"db-1","to":"db-2","kind":"replicate"}
{"t":0.3,"ev":"op","op":1,"type":"invoke","process":0,"client":"users","f":"read","key":"x"}
{"t":0.35,"ev":"op","op":1,"type":"ok","process":0,"client":"users","f":"read","key":"x","value":null,"node":"db-2"}
{"t":0.35,"ev":"violation","check":"read_your_writes","ops":[0,1],"message":"own write not seen"}
{"t":0.8,"ev":"state","node":"db-2","component":"kv","applied":1,"key":"x","value":1}
{"t":2.0,"ev":"end"}
)";
  const Trace t = parse_trace(kHeader + "\n" + events, "lag.jsonl");
  const auto why = explain_violation(t, t.violations[0]);
  REQUIRE(why.size() == 1);
  REQUIRE(why[0].carrier == 0);
  CHECK(why[0].t_arrival_s == 0.21);
  CHECK(why[0].t_applied_s == 0.8);
  CHECK(describe(t, why[0]) ==
        "x=1 reached db-2 at 0.210 s, before the read, but db-2 applied it only at 0.800 s, 0.450 s after it "
        "answered the read");

  // The window holds the write, the arrival, the read and the apply, with a margin.
  const Focus f = violation_focus(t, t.violations[0], why);
  CHECK(f.story_t0_s == 0.1);
  CHECK(f.story_t1_s == 0.8);
  CHECK(f.t0_s == Approx(0.1 - 0.7 * 0.25));
  CHECK(f.t1_s == Approx(0.8 + 0.7 * 0.25));
  CHECK(f.cursor_s == 0.35); // on the violation
  CHECK(related_ops(t.violations[0], why).empty());
}

TEST_CASE("entries shipped in rounds: the carrier is the round's message for the write's position") {
  // Two writes applied by db-1 at 0.2 (position 1) and 0.3 (position 2), shipped
  // together by its WAL sender at 0.5: the second message of the round carries y.
  const std::string events =
      R"({"t":0.1,"ev":"op","op":0,"type":"invoke","process":0,"client":"users","f":"write","key":"y","value":2}
{"t":0.2,"ev":"state","node":"db-1","component":"kv","applied":1,"key":"x","value":1}
{"t":0.3,"ev":"state","node":"db-1","component":"kv","applied":2,"key":"y","value":2}
{"t":0.3,"ev":"op","op":0,"type":"ok","process":0,"client":"users","f":"write","key":"y","value":2,"node":"db-1"}
{"t":0.4,"ev":"op","op":1,"type":"invoke","process":0,"client":"users","f":"read","key":"y"}
{"t":0.45,"ev":"op","op":1,"type":"ok","process":0,"client":"users","f":"read","key":"y","value":null,"node":"db-2"}
{"t":0.45,"ev":"violation","check":"read_your_writes","ops":[0,1],"message":"own write not seen"}
{"t":0.5,"ev":"send","msg":7,"from":"db-1","to":"db-2","kind":"replicate","size":1}
{"t":0.5,"ev":"send","msg":8,"from":"db-1","to":"db-2","kind":"replicate","size":1}
{"t":0.51,"ev":"deliver","msg":7,"from":"db-1","to":"db-2","kind":"replicate"}
{"t":0.52,"ev":"deliver","msg":8,"from":"db-1","to":"db-2","kind":"replicate"}
{"t":0.6,"ev":"state","node":"db-2","component":"kv","applied":1,"key":"x","value":1}
{"t":0.6,"ev":"state","node":"db-2","component":"kv","applied":2,"key":"y","value":2}
{"t":2.0,"ev":"end"}
)";
  const Trace t = parse_trace(kHeader + "\n" + events, "rounds.jsonl");
  const auto why = explain_violation(t, t.violations[0]);
  REQUIRE(why.size() == 1);
  REQUIRE(why[0].carrier >= 0);
  CHECK(t.messages[static_cast<std::size_t>(why[0].carrier)].id == 8);
  CHECK(why[0].t_arrival_s == 0.52);
  CHECK(describe(t, why[0]) ==
        "y=2 reached db-2 at 0.520 s, after the read, but db-2 applied it only at 0.600 s, 0.150 s after it "
        "answered the read");
}

TEST_CASE("a stale cache episode: the window holds the race, and the late filler is named") {
  // The same race, but the stale reads come seconds later: the 0.2 s race would
  // be a sliver of a 3 s window, so the window is the race alone.
  std::string events = replace_all(kCacheEvents, R"("t":0.4,)", R"("t":3.0,)");
  events = replace_all(events, R"("t":0.41,)", R"("t":3.01,)");
  events = replace_all(events, R"("t":0.5,)", R"("t":3.5,)");
  events = replace_all(events, R"("t":0.51,)", R"("t":3.51,)");
  events = replace_all(events, R"("t":1.0,"ev":"end")", R"("t":4.0,"ev":"end")");
  const Trace t = parse_trace(kMixHeader + "\n" + events, "cache-late.jsonl");
  REQUIRE(t.violations.size() == 1);
  const Violation& v = t.violations[0];
  CHECK(v.t_s == 3.51);
  const auto why = explain_violation(t, v);
  REQUIRE(why.size() == 1);
  const Focus f = violation_focus(t, v, why);
  CHECK(f.story_t0_s == 0.1); // op 0, the reader whose fill came late, began then
  CHECK(f.story_t1_s == 0.3); // the fill
  CHECK(f.t1_s - f.t0_s == Approx(0.2 * 1.5));
  CHECK(f.cursor_s == Approx(0.3 + 0.2 * 0.25 * 0.5)); // just after the race
  CHECK(related_ops(v, why) == std::vector<std::int64_t>{0});

  // Reads soon after the race: one window for the race and the first stale
  // read (the checker dates an episode by its first stale read), not the last.
  const std::string soon_events =
      replace_all(kCacheEvents, R"({"t":0.51,"ev":"violation")", R"({"t":0.41,"ev":"violation")");
  const Trace soon = parse_trace(kMixHeader + "\n" + soon_events, "cache.jsonl");
  const Focus g = violation_focus(soon, soon.violations[0], explain_violation(soon, soon.violations[0]));
  CHECK(g.story_t0_s == 0.1);
  CHECK(g.story_t1_s == 0.41);
  CHECK(g.cursor_s == 0.41);
}

TEST_CASE("a window from the command line puts the cursor inside it") {
  Violation v;
  v.t_s = 2.5;
  CHECK(cursor_for_window(2.0, 4.0, nullptr, 0.0) == 2.0);
  CHECK(cursor_for_window(2.0, 4.0, &v, 0.7) == 2.5);
  CHECK(cursor_for_window(3.0, 4.0, &v, 3.2) == 3.2); // the selection's own cursor, when inside
  CHECK(cursor_for_window(3.0, 4.0, &v, 0.7) == 3.0);
}

TEST_CASE("the header's --set overrides name the run, and traces without them load") {
  const Trace plain = parse_trace(kHeader + "\n" + kEvents, "plain.jsonl");
  CHECK(plain.header.overrides.empty());
  CHECK(run_title(plain.header) == "tiny / broken (seed 7)");

  std::string header = kHeader;
  header.insert(header.size() - 1, R"(,"overrides":["components.profiles.lag=0ms","workload.name=a b"])");
  const Trace set = parse_trace(header + "\n" + kEvents, "set.jsonl");
  CHECK(set.header.overrides == std::vector<std::string>{"components.profiles.lag=0ms", "workload.name=a b"});
  CHECK(run_title(set.header) ==
        "tiny / broken (seed 7) --set components.profiles.lag=0ms --set 'workload.name=a b'");

  // Not an array of strings: ignored, like any optional header field a newer writer may shape differently.
  header = kHeader;
  header.insert(header.size() - 1, R"(,"overrides":"lag=0ms")");
  CHECK(parse_trace(header + "\n" + kEvents, "odd.jsonl").header.overrides.empty());
  header = kHeader;
  header.insert(header.size() - 1, R"(,"overrides":[])");
  CHECK(run_title(parse_trace(header + "\n" + kEvents, "empty.jsonl").header) == "tiny / broken (seed 7)");
}
