// The trace model on small hand-made traces: loading, per-lane indexing,
// visible-range queries, folding, node state at a time, and bad input.
#include "trace_fixtures.hpp"

TEST_CASE("a well-formed trace loads with its header, lanes and summary") {
  TempDir dir;
  const Trace t = load_trace(dir.write("ok.jsonl", kHeader + "\n" + kEvents));
  CHECK(t.header.scenario == "tiny");
  CHECK(t.header.variant == "broken");
  CHECK(t.header.seed == 7);
  CHECK(t.header.lesson == "A lesson.");
  REQUIRE(t.lanes.size() == 4); // three nodes, then the client group
  CHECK(t.lanes[0].name == "web");
  CHECK(t.lanes[3].name == "users");
  CHECK(t.lanes[3].kind == LaneKind::client);
  CHECK(t.end.t_s == 2.0);
  CHECK(t.end.ops_total == 3);
  CHECK(t.end.dropped == 1);
  CHECK(t.ignored_events == 1); // the unknown "sparkle" event
  REQUIRE(t.ops.size() == 4);
  CHECK(t.ops[0].outcome == Outcome::ok);
  CHECK(t.ops[0].node == "db-1");
  CHECK(t.ops[1].outcome == Outcome::fail);
  CHECK(t.ops[1].error == "timeout");
  CHECK(t.ops[2].value == "null");
  CHECK(t.ops[3].is_final);
  CHECK(t.ops[3].outcome == Outcome::pending);
  CHECK(t.ops[3].t_complete_s == 2.0); // pending ops end with the trace
}

TEST_CASE("messages, faults, node status and violations are paired and indexed") {
  TempDir dir;
  const Trace t = load_trace(dir.write("ok.jsonl", kHeader + "\n" + kEvents));
  REQUIRE(t.messages.size() == 3);
  CHECK(t.messages[0].delivered);
  CHECK(t.messages[0].t_end_s == 0.2);
  const Message& dropped = t.messages[2];
  CHECK(dropped.dropped);
  CHECK(t.drop_reasons[dropped.reason] == "partition");
  CHECK(t.message_kinds[dropped.kind] == "replicate");

  // Per-lane indexing: db-1 sends to web and to db-2, one channel each.
  const Lane& db1 = t.lanes[t.lane_of("db-1")];
  REQUIRE(db1.channels.size() == 2);
  CHECK(db1.channels[0].messages.size() == 1);
  CHECK(t.lanes[t.lane_of("users")].ops.size() == 4);
  CHECK(t.lanes[t.lane_of("db-2")].states.size() == 1);

  REQUIRE(t.faults.size() == 1);
  CHECK(t.faults[0].type == "partition");
  CHECK(t.faults[0].t_end_s == 1.0);
  CHECK(t.faults[0].left == std::vector<std::string>{"db-1"});
  CHECK(t.faults[0].right == std::vector<std::string>{"db-2"});

  REQUIRE(t.status_spans.size() == 1);
  CHECK(t.status_spans[0].t_start_s == 0.45);
  CHECK(t.status_spans[0].t_end_s == 0.9);

  REQUIRE(t.violations.size() == 1);
  CHECK(t.violations[0].t_first_s == 0.1); // invoke of op 0
  CHECK(t.violations[0].t_last_s == 0.7);  // completion of op 2
  CHECK(t.violation_count("stale_read") == 1);
}

TEST_CASE("node state at a time: status, role, position and lag") {
  TempDir dir;
  const Trace t = load_trace(dir.write("ok.jsonl", kHeader + "\n" + kEvents));
  auto at = [&](double time_s, const std::string& node) { return state_of(t, time_s, node); };
  CHECK(at(0.1, "db-1").applied == 0);
  CHECK(at(0.3, "db-1").applied == 1);
  CHECK(at(0.3, "db-1").role == "primary"); // from an earlier event
  CHECK(at(0.3, "db-1").last_key == "x");
  CHECK(at(0.3, "db-2").behind == 1);
  CHECK(at(0.5, "db-2").status == "down");
  CHECK(at(0.95, "db-2").status == "up");
  CHECK(node_status_at(t, t.lane_of("db-2"), 0.45) == "down");
}

TEST_CASE("visible-range queries use the longest span to find overlaps") {
  SpanIndex idx;
  for (std::uint32_t i = 0; i < 100; ++i)
    idx.add(i, i * 1.0, i * 1.0 + 0.5, false, false);
  idx.add(100, 10.2, 13.0, false, false); // one long span
  idx.finish();
  auto [first, last] = idx.visible(50.0, 52.0);
  // Everything starting in [50 - 2.8, 52] may overlap.
  CHECK(idx.start(first) >= 47.2);
  CHECK(idx.start(first) <= 48.0);
  CHECK(idx.start(last - 1) == 52.0);
  auto [f2, l2] = idx.visible(200.0, 300.0);
  CHECK(f2 == l2);
}

TEST_CASE("folding: wide spans are marks of their own, narrow runs fold into one mark with a count") {
  SpanIndex idx;
  // 1000 narrow spans in [0, 1), one every ms, every tenth one a failure.
  for (std::uint32_t i = 0; i < 1000; ++i)
    idx.add(i, i * 0.001, i * 0.001 + 0.0005, i % 10 == 0, false);
  idx.add(1000, 5.0, 9.0, false, true); // wide
  idx.finish();

  std::vector<Mark> marks;
  // Fit-all: 10 s on 1000 px = 100 px/s; a span of 0.5 ms is 0.05 px.
  idx.fold({0.0, 10.0, 100.0}, 3.0, 4.0, marks);
  std::uint32_t total = 0, fails = 0;
  for (const auto& m : marks) {
    total += m.count;
    fails += m.n_a;
  }
  CHECK(total == 1001);
  CHECK(fails == 100);
  CHECK(marks.size() < 40); // 1 s = 100 px folds in 4 px runs: about 25 marks, plus the wide one
  CHECK(marks.back().count == 1);
  CHECK(marks.back().n_b == 1);

  // Deep zoom: 10 ms on 1000 px: every span is 50 px wide, nothing folds.
  marks.clear();
  idx.fold({0.1002, 0.1098, 100000.0}, 3.0, 4.0, marks);
  CHECK(marks.size() == 10); // starts 0.101 .. 0.109, and 0.100 that ends at 0.1005
  for (const auto& m : marks)
    CHECK(m.count == 1);
}

TEST_CASE("folding across a split index keeps long spans out of the range query") {
  SplitSpanIndex idx;
  for (std::uint32_t i = 0; i < 1000; ++i)
    idx.add(i, i * 0.01, i * 0.01 + 0.001, false, false);
  idx.add(1000, 0.0, 10.0, false, false); // outlier: spans the whole trace
  idx.finish();
  CHECK(idx.long_spans().size() == 1);
  CHECK(idx.short_spans().max_len_s() < 0.01);
  std::vector<Mark> marks;
  idx.fold({5.002, 5.048, 20000.0}, 3.0, 4.0, marks);
  CHECK(marks.size() == 5); // 5.01 .. 5.04 and the long one
}

TEST_CASE("points fold when closer than the fold width") {
  std::vector<double> times{1.0, 1.001, 1.002, 2.0, 5.0};
  std::vector<Mark> marks;
  fold_points(times, {0.0, 10.0, 100.0}, 4.0, marks);
  REQUIRE(marks.size() == 3);
  CHECK(marks[0].count == 3);
  CHECK(marks[1].item == 3);
}

TEST_CASE("metrics per bucket: throughput, error rate, latency") {
  TempDir dir;
  const Trace t = load_trace(dir.write("ok.jsonl", kHeader + "\n" + kEvents));
  const Metrics m = compute_metrics(t, 2); // buckets [0,1) and [1,2]
  REQUIRE(m.throughput_per_s.size() == 2);
  CHECK(m.throughput_per_s[0] == Approx(3.0)); // three completions in the first second
  CHECK(m.error_rate[0] == Approx(1.0 / 3.0));
  CHECK(m.latency_max_ms[0] == Approx(200.0));
  CHECK(m.throughput_per_s[1] == 0.0f); // the final read is not workload
}

TEST_CASE("bad input gets a clear message, never a crash") {
  TempDir dir;
  SECTION("missing file") {
    const std::string p = (dir.path / "nope.jsonl").string();
    CHECK(error_of(p) == p + ": cannot open the trace file (missing, or not readable)");
  }
  SECTION("empty file") {
    const std::string p = dir.write("empty.jsonl", "");
    CHECK(error_of(p) == p + ": empty file: expected a faultlab-trace header line");
  }
  SECTION("truncated: no end line") {
    std::string text = kHeader + "\n" + kEvents;
    text = text.substr(0, text.find("{\"t\":2.0,\"ev\":\"end\""));
    const std::string p = dir.write("trunc.jsonl", text);
    CHECK(error_of(p) == p + ": truncated: no \"end\" line after line 23 (the run was cut short, or the file "
                             "was copied while being written)");
  }
  SECTION("truncated in the middle of a line") {
    std::string text = kHeader + "\n" + kEvents;
    text = text.substr(0, text.find("\"ev\":\"end\""));
    const std::string p = dir.write("cut.jsonl", text);
    CHECK_THAT(error_of(p), Catch::StartsWith(p + ":24: truncated: the last line is not complete JSON"));
  }
  SECTION("malformed line, with its number") {
    const std::string p = dir.write("bad.jsonl", kHeader + "\n{\"t\":0,\"ev\":\"op\",oops}\n" + kEvents);
    CHECK(error_of(p) == p + ":2: malformed JSON (each line should be one JSON object)");
  }
  SECTION("a field of the wrong type") {
    const std::string p = dir.write("type.jsonl", kHeader + "\n{\"t\":\"soon\",\"ev\":\"op\"}\n" + kEvents);
    CHECK(error_of(p) == p + ":2: field \"t\" should be a number, got string");
  }
  SECTION("a completion without an invoke") {
    const std::string p =
        dir.write("orphan.jsonl", kHeader + "\n{\"t\":0,\"ev\":\"op\",\"op\":9,\"type\":\"ok\"}\n" + kEvents);
    CHECK(error_of(p) == p + ":2: completion of op 9 that was never invoked");
  }
  SECTION("not a trace") {
    const std::string p = dir.write("other.jsonl", "{\"format\":\"something-else\"}\n");
    CHECK(error_of(p) == p + ":1: not a faultlab trace: the header has no \"format\":\"faultlab-trace\"");
  }
  SECTION("a newer format version") {
    const std::string p =
        dir.write("v3.jsonl", replace_all(kHeader, "\"version\":2", "\"version\":3") + "\n" + kEvents);
    CHECK(error_of(p) == p + ":1: trace format version 3 is newer than this viewer understands (2); update "
                             "faultlab-viz");
  }
  SECTION("binary garbage") {
    const std::string p = dir.write("garbage.bin", std::string("\x00\xff\x13\x37\n\x01", 6));
    CHECK_THAT(error_of(p), Catch::StartsWith(p + ":1: malformed JSON"));
  }
}

TEST_CASE("no cut or corrupted trace crashes the loader: it loads or says why") {
  const std::string text = kHeader + "\n" + kEvents;
  auto load = [](const std::string& s) {
    try {
      parse_trace(s, "fuzz.jsonl");
      return std::string();
    } catch (const TraceError& e) {
      return std::string(e.what());
    }
  };
  // Every prefix: a cut anywhere.
  for (std::size_t n = 0; n < text.size(); n += 7) {
    const std::string err = load(text.substr(0, n));
    CHECK_FALSE(err.empty()); // nothing short of the end line is a complete trace
  }
  // Seeded byte flips: anything may happen but an exception other than TraceError.
  std::uint64_t seed = 12345;
  auto next = [&seed]() { return seed = seed * 6364136223846793005ULL + 1442695040888963407ULL; };
  const char junk[] = {'"', '{', '}', ',', ':', '[', ']', '0', '-', 'e', '\n', '\\', 'x', '\0'};
  for (int i = 0; i < 2000; ++i) {
    std::string s = text;
    for (int k = 0; k < 3; ++k)
      s[(next() >> 20) % s.size()] = junk[(next() >> 33) % sizeof junk];
    CHECK_NOTHROW(load(s));
  }
}

TEST_CASE("recovered events load per fault and signal, a null one as never recovered") {
  TempDir dir;
  std::string events = kEvents;
  const std::string end_line = "{\"t\":2.0,\"ev\":\"end\"";
  events.insert(events.find(end_line),
                R"({"t":1.3,"ev":"recovered","fault":"cut","signal":"leader","from_s":1.0,"after_s":0.3,"impact_s":0.2,"outage_s":0.75})"
                "\n"
                R"({"t":2.0,"ev":"recovered","fault":"cut","signal":"availability","from_s":1.0,"after_s":null,"outage_s":null})"
                "\n");
  const Trace t = load_trace(dir.write("recovered.jsonl", kHeader + "\n" + events));
  CHECK(t.ignored_events == 1); // still only "sparkle"
  REQUIRE(t.recoveries.size() == 2);
  CHECK(t.recoveries[0].fault == "cut");
  CHECK(t.recoveries[0].signal == "leader");
  CHECK(t.recoveries[0].from_s == 1.0);
  CHECK(t.recoveries[0].t_s == 1.3);
  REQUIRE(t.recoveries[0].after_s);
  CHECK(*t.recoveries[0].after_s == 0.3);
  REQUIRE(t.recoveries[0].outage_s);
  CHECK(*t.recoveries[0].outage_s == 0.75);
  CHECK(t.recoveries[1].signal == "availability");
  CHECK_FALSE(t.recoveries[1].after_s);
  CHECK_FALSE(t.recoveries[1].outage_s);
}
