// A service's event loop and logger and a queue in the trace model, on
// hand-made lines: event-loop lag as a series keeping the largest of the
// instances at one instant, per-bucket plots that hold between samples, a
// log buffer full from "full" to "accepting" with what it dropped (and one
// lost with its node), a queue's events as notes on their node with their
// tone, and a bad log_buffer state refused with its line named.
#include "trace_fixtures.hpp"

namespace {

const std::string kRuntimeHeader =
    R"({"format":"faultlab-trace","version":2,"scenario":"loop","variant":"broken","seed":1,"duration_s":10,"nodes":[)"
    R"({"name":"app-1","roles":["api:instance"],"components":[{"component":"api","type":"service","role":"instance"}]},)"
    R"({"name":"app-2","roles":["api:instance"],"components":[{"component":"api","type":"service","role":"instance"}]},)"
    R"({"name":"broker-1","roles":["events:broker"],"components":[{"component":"events","type":"queue","role":"broker"}]},)"
    R"({"name":"worker-1","roles":["events:consumer"],"components":[{"component":"events","type":"queue","role":"consumer"}]}],)"
    R"("clients":[],"checks":[]})";

const std::string kRuntimeEvents =
    R"JSON({"t":1,"ev":"loop_lag","node":"app-1","component":"api","lag_s":0.002}
{"t":1,"ev":"loop_lag","node":"app-2","component":"api","lag_s":0.004}
{"t":3,"ev":"loop_lag","node":"app-1","component":"api","lag_s":0.9}
{"t":3.5,"ev":"log_buffer","node":"app-1","component":"api","state":"full","buffer":256}
{"t":4,"ev":"log_buffer","node":"app-1","component":"api","state":"accepting","buffer":256,"dropped":7,"full_s":0.5}
{"t":5,"ev":"log_buffer","node":"app-2","component":"api","state":"full","buffer":256}
{"t":6,"ev":"log_buffer","node":"app-2","component":"api","state":"lost","buffer":256,"dropped":256,"dropped_while_full":12}
{"t":6,"ev":"log_sink","node":"app-1","component":"api","state":"unreachable","collector":"logs-1"}
{"t":0.5,"ev":"queue_assign","node":"broker-1","component":"events","group":"notifier","member":"w-1/1","partitions":[0,1],"members":1,"why":"joined the group"}
{"t":2,"ev":"queue_lag","component":"events","group":"notifier","lag":12,"by_partition":[5,7],"members":1}
{"t":4,"ev":"queue_member_left","node":"broker-1","component":"events","group":"notifier","member":"w-1/1","partitions":[0,1],"why":"no heartbeat for 6.000 s"}
{"t":7,"ev":"queue_duplicate","node":"worker-1","component":"events","group":"notifier","member":"w-2/1","partition":0,"offset":15,"why":"delivered again"}
{"t":10,"ev":"end","ops":{"ok":0,"fail":0,"info":0,"total":0}}
)JSON";

} // namespace

TEST_CASE("loop and queue lags, log buffers and queue events load onto their nodes") {
  TempDir dir;
  const Trace t = load_trace(dir.write("runtime.jsonl", kRuntimeHeader + "\n" + kRuntimeEvents));
  CHECK(t.ignored_events == 0);

  REQUIRE(t.loop_lags.size() == 2); // one series per instance
  CHECK(t.loop_lags[0].component == "api");
  CHECK(t.loop_lags[0].node == "app-1");
  REQUIRE(t.loop_lags[0].samples.size() == 2);
  CHECK(t.loop_lags[0].samples[1].value == 0.9);
  CHECK(t.loop_lags[1].node == "app-2");
  CHECK(t.loop_lags[1].samples.size() == 1);
  REQUIRE(t.queue_lags.size() == 1);
  CHECK(t.queue_lags[0].group == "notifier");

  REQUIRE(t.log_buffers.size() == 2);
  const LogBufferSpan& drained = t.log_buffers[0];
  CHECK(t.lanes[drained.lane].name == "app-1");
  CHECK(drained.t_start_s == 3.5);
  CHECK(drained.t_end_s == 4);
  CHECK(drained.ended == "accepting");
  CHECK(drained.dropped == 7);
  CHECK(drained.buffer == 256);
  const LogBufferSpan& lost = t.log_buffers[1]; // full until the process restarted after a crash
  CHECK(lost.t_end_s == 6);
  CHECK(lost.ended == "lost");
  CHECK(lost.dropped == 12);
  CHECK(lost.lost == 256);

  // Notes, by time: the assignment, the member that left, the buffer lost,
  // the collector gone, the duplicate.
  REQUIRE(t.notes.size() == 5);
  CHECK(t.notes[0].ev == "queue_assign");
  CHECK(t.notes[0].tone == NoteEvent::Tone::info);
  CHECK(t.notes[0].text == "w-1/1 in group notifier owns partitions [0,1] (1 members)\njoined the group");
  CHECK(t.lanes[t.notes[0].lane].name == "broker-1");
  CHECK(t.notes[1].ev == "queue_member_left");
  CHECK(t.notes[1].tone == NoteEvent::Tone::bad);
  CHECK(t.notes[2].ev == "log_buffer");
  CHECK(t.notes[2].text == "restarted after a crash: 256 log lines that were in memory are lost");
  CHECK(t.notes[3].ev == "log_sink");
  CHECK(t.notes[3].tone == NoteEvent::Tone::bad);
  CHECK(t.notes[4].ev == "queue_duplicate");
  CHECK(t.notes[4].tone == NoteEvent::Tone::warn);
  CHECK(t.notes[4].text == "w-2/1 in group notifier got partition 0 offset 15 again\ndelivered again");
  CHECK(t.lanes[t.lane_of("worker-1")].notes.size() == 1);
  CHECK_FALSE(t.lanes[t.lane_of("worker-1")].idle());
}

TEST_CASE("lag plots keep each instance's largest sample of a bucket, hold it between samples, and show the largest "
          "instance") {
  TempDir dir;
  const Trace t = load_trace(dir.write("runtime.jsonl", kRuntimeHeader + "\n" + kRuntimeEvents));
  const Metrics m = compute_metrics(t, 10); // buckets of 1 s
  REQUIRE(m.lags.size() == 2);
  const LagPlot& loop = m.lags[0];
  CHECK(loop.loop);
  REQUIRE(loop.values.size() == 10);
  CHECK(loop.values[0] == 0.f);
  CHECK(loop.values[1] == Approx(4.0));   // ms: app-2's 4 over app-1's 2
  CHECK(loop.values[2] == Approx(4.0));   // both held
  CHECK(loop.values[3] == Approx(900.0)); // app-1's stall, over app-2's held 4
  CHECK(loop.values[9] == Approx(900.0));
  CHECK(loop.max == Approx(900.0));
  const LagPlot& queue = m.lags[1];
  CHECK_FALSE(queue.loop);
  CHECK(queue.values[2] == 12.f);
  CHECK(queue.values[5] == 12.f);
}

TEST_CASE("a bad log_buffer line is an error naming its line") {
  TempDir dir;
  const std::string p =
      dir.write("state.jsonl", kRuntimeHeader + "\n" +
                                   R"({"t":1,"ev":"log_buffer","node":"app-1","component":"api","state":"half"})" +
                                   "\n" + R"({"t":10,"ev":"end"})" + "\n");
  CHECK(error_of(p) == p + ":2: log_buffer \"state\" should be full, accepting or lost, got \"half\"");
  const std::string q = dir.write("nolag.jsonl", kRuntimeHeader + "\n" +
                                                     R"({"t":1,"ev":"loop_lag","node":"app-1","component":"api"})" +
                                                     "\n" + R"({"t":10,"ev":"end"})" + "\n");
  CHECK(error_of(q) == q + ":2: missing field \"lag_s\"");
  const std::string r =
      dir.write("sink.jsonl", kRuntimeHeader + "\n" +
                                  R"({"t":1,"ev":"log_sink","node":"app-1","component":"api","state":"gone"})" + "\n" +
                                  R"({"t":10,"ev":"end"})" + "\n");
  CHECK(error_of(r) == r + ":2: log_sink \"state\" should be unreachable or reachable, got \"gone\"");
}

TEST_CASE("an instance's lag is its own: a later sample of another instance does not replace it") {
  // app-1 stalls (900 ms at 3.2 s), app-2 samples a small lag later in the
  // same bucket and in the next: the plot keeps app-1's stall in its bucket
  // and app-1's held value after.
  const std::string events =
      R"JSON({"t":3.2,"ev":"loop_lag","node":"app-1","component":"api","lag_s":0.9}
{"t":3.7,"ev":"loop_lag","node":"app-2","component":"api","lag_s":0.001}
{"t":4.7,"ev":"loop_lag","node":"app-2","component":"api","lag_s":0.001}
{"t":10,"ev":"end","ops":{"ok":0,"fail":0,"info":0,"total":0}}
)JSON";
  TempDir dir;
  const Trace t = load_trace(dir.write("two.jsonl", kRuntimeHeader + "\n" + events));
  const Metrics m = compute_metrics(t, 10);
  REQUIRE(m.lags.size() == 1);
  CHECK(m.lags[0].values[3] == Approx(900.0));
  CHECK(m.lags[0].values[4] == Approx(900.0));
}
