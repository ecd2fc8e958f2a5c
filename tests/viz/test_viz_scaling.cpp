// An autoscaler in the trace model, on hand-made lines: each instance's time
// as a spare (from the start when the header says so, and again after it
// left) and its time provisioning, ended by joining or by a failure; the
// decisions and failures as marks on the autoscaler's node; the counts per
// bucket for the metrics panel; the node panel's line for an instance out of
// service; and a line without its action refused with the line named.
#include "trace_fixtures.hpp"

namespace {

const std::string kScalingHeader =
    R"({"format":"faultlab-trace","version":2,"scenario":"spike","variant":"broken","seed":1,"duration_s":100,"nodes":[)"
    R"({"name":"ops","roles":["scaler:autoscaler"],"components":[{"component":"scaler","type":"autoscaler","role":"autoscaler"}]},)"
    R"({"name":"api-1","roles":["api:instance"],"components":[{"component":"api","type":"service","role":"instance"}]},)"
    R"({"name":"api-2","roles":["api:spare"],"components":[{"component":"api","type":"service","role":"spare"}]},)"
    R"({"name":"api-3","roles":["api:spare"],"components":[{"component":"api","type":"service","role":"spare"}]}],)"
    R"("clients":[],"checks":[]})";

// api-2 and api-3 are provisioned at 20 s; api-2 joins at 50 s, api-3 fails
// at 60 s; at 80 s the scaler lets api-2 go; at 90 s no instance answers.
const std::string kScalingEvents =
    R"JSON({"t":10,"ev":"autoscale","node":"ops","component":"scaler","service":"api","action":"sample","instances":1,"provisioning":0,"value":3,"average":3,"desired":1}
{"t":20,"ev":"autoscale","node":"ops","component":"scaler","service":"api","action":"sample","instances":1,"provisioning":0,"value":9,"average":6,"desired":3}
{"t":20,"ev":"autoscale","node":"ops","component":"scaler","service":"api","action":"scale_up","instances":1,"provisioning":0,"why":"to 3 instances: in_flight averaged 6 per instance"}
{"t":20,"ev":"autoscale","node":"ops","component":"scaler","service":"api","action":"provisioning","instances":1,"provisioning":1,"instance":"api-2","why":"boot and health check, 30.000 s"}
{"t":20,"ev":"autoscale","node":"ops","component":"scaler","service":"api","action":"provisioning","instances":1,"provisioning":2,"instance":"api-3","why":"boot and health check, 30.000 s"}
{"t":50,"ev":"autoscale","node":"ops","component":"scaler","service":"api","action":"joined","instances":2,"provisioning":1,"instance":"api-2","why":"in the load balancer"}
{"t":60,"ev":"autoscale","node":"ops","component":"scaler","service":"api","action":"provision_failed","instances":2,"provisioning":0,"instance":"api-3","why":"no answer from the new instance"}
{"t":80,"ev":"autoscale","node":"ops","component":"scaler","service":"api","action":"scale_down","instances":1,"provisioning":0,"why":"to 1 instances: in_flight averaged 0.5 per instance"}
{"t":80,"ev":"autoscale","node":"ops","component":"scaler","service":"api","action":"left","instances":1,"provisioning":0,"instance":"api-2","why":"out of the load balancer"}
{"t":90,"ev":"autoscale","node":"ops","component":"scaler","service":"api","action":"blind","instances":1,"provisioning":0,"why":"no instance answered its metrics scrape within 1.000 s"}
{"t":100,"ev":"end","ops":{"ok":0,"fail":0,"info":0,"total":0}}
)JSON";

std::vector<const ScalingSpan*> spans_of(const Trace& t, const std::string& node) {
  std::vector<const ScalingSpan*> out;
  for (std::uint32_t i : t.lanes[t.lane_of(node)].scaling_spans) out.push_back(&t.scaling_spans[i]);
  return out;
}

} // namespace

TEST_CASE("an autoscaled instance is spare, then provisioning, then serving, and spare again after it left") {
  TempDir dir;
  const Trace t = load_trace(dir.write("scaling.jsonl", kScalingHeader + "\n" + kScalingEvents));
  CHECK(t.ignored_events == 0);

  CHECK(spans_of(t, "api-1").empty()); // in service from the start, never let go

  const auto two = spans_of(t, "api-2");
  REQUIRE(two.size() == 3);
  CHECK(two[0]->phase == ScalingSpan::Phase::spare);
  CHECK(two[0]->t_start_s == 0);
  CHECK(two[0]->t_end_s == 20);
  CHECK(two[0]->why.empty());
  CHECK(two[0]->ended == "provisioning");
  CHECK(two[1]->phase == ScalingSpan::Phase::provisioning);
  CHECK(two[1]->t_start_s == 20);
  CHECK(two[1]->t_end_s == 50);
  CHECK(two[1]->why == "boot and health check, 30.000 s");
  CHECK(two[1]->ended == "joined");
  CHECK(two[1]->service == "api");
  CHECK(two[1]->component == "scaler");
  // Serving from 50 s to 80 s is the plain lane; then spare to the end.
  CHECK(two[2]->phase == ScalingSpan::Phase::spare);
  CHECK(two[2]->t_start_s == 80);
  CHECK(two[2]->t_end_s == 100);
  CHECK(two[2]->why == "out of the load balancer");
  CHECK(two[2]->ended.empty());

  const auto three = spans_of(t, "api-3"); // its provisioning failed: spare again
  REQUIRE(three.size() == 3);
  CHECK(three[1]->phase == ScalingSpan::Phase::provisioning);
  CHECK(three[1]->t_end_s == 60);
  CHECK(three[1]->ended == "provision_failed");
  CHECK(three[2]->phase == ScalingSpan::Phase::spare);
  CHECK(three[2]->t_start_s == 60);
  CHECK(three[2]->why == "provisioning failed: no answer from the new instance");

  // The decisions and what went wrong are marks on the autoscaler's node;
  // the phase changes that went as planned are not.
  const Lane& ops = t.lanes[t.lane_of("ops")];
  REQUIRE(ops.scaling_events.size() == 4);
  std::vector<std::string> actions;
  for (std::uint32_t i : ops.scaling_events) actions.push_back(t.scaling_events[i].action);
  CHECK(actions == std::vector<std::string>{"scale_up", "provision_failed", "scale_down", "blind"});
  CHECK(t.scaling_events[ops.scaling_events[1]].instance == "api-3");
  CHECK_FALSE(ops.idle());
}

TEST_CASE("an autoscaler's counts per bucket hold between its events, and the node panel names the phase") {
  TempDir dir;
  const Trace t = load_trace(dir.write("scaling.jsonl", kScalingHeader + "\n" + kScalingEvents));
  REQUIRE(t.scaling.size() == 1);
  CHECK(t.scaling[0].component == "scaler");
  CHECK(t.scaling[0].samples.size() == 10); // every event but the end
  CHECK(t.scaling[0].samples[0].scrape);
  CHECK_FALSE(t.scaling[0].samples[2].scrape);
  CHECK(t.scaling[0].samples[2].desired == 3); // a decision keeps the last scrape's wish

  const Metrics m = compute_metrics(t, 10); // buckets of 10 s
  REQUIRE(m.scaling.size() == 1);
  const ScalingPlot& p = m.scaling[0];
  REQUIRE(p.serving.size() == 10);
  // Bucket [0,10): nothing yet; [10,20): 1 serving, wants 1; [20,30): 1
  // serving + 2 provisioning, wants 3; [50,60): 2 + 1; [60,70): 2 + 0;
  // [80,90): 1, and the last scrape's wish (3) holds.
  CHECK(p.serving[0] == 0.f);
  CHECK(p.serving[1] == 1.f);
  CHECK(p.desired[1] == 1.f);
  CHECK(p.serving[2] == 1.f);
  CHECK(p.provisioning[2] == 3.f);
  CHECK(p.desired[2] == 3.f);
  CHECK(p.serving[5] == 2.f);
  CHECK(p.provisioning[5] == 3.f);
  CHECK(p.provisioning[6] == 2.f);
  CHECK(p.serving[8] == 1.f);
  CHECK(p.max_instances == 3.f);

  auto summary_of = [&](double at, const std::string& node) {
    for (const NodeState& ns : node_states_at(t, at))
      if (ns.name == node) return ns.summary;
    return std::string("?");
  };
  CHECK(summary_of(10, "api-2") == "spare, out of api's load balancer");
  CHECK(summary_of(30, "api-2") == "provisioning since 20.000 s: boot and health check, 30.000 s");
  CHECK(summary_of(70, "api-2") == "api service");
  CHECK(summary_of(85, "api-2") == "spare, out of api's load balancer since 80.000 s");
  CHECK(summary_of(30, "api-1") == "unused in this run"); // never scaled, and nothing sent to it here
}

TEST_CASE("a bad autoscale line is an error naming its line") {
  TempDir dir;
  const std::string p = dir.write("noaction.jsonl", kScalingHeader + "\n" +
                                                        R"({"t":1,"ev":"autoscale","node":"ops","component":"scaler"})" +
                                                        "\n" + R"({"t":10,"ev":"end"})" + "\n");
  CHECK(error_of(p) == p + ":2: missing field \"action\"");
}

TEST_CASE("an instance in service from the start can leave and be provisioned again, and spares of an idle autoscaler "
          "show as spare") {
  // api-1 (in service from the start) leaves at 30 s and is provisioned
  // again at 60 s, joining at 70 s.
  const std::string events =
      R"JSON({"t":10,"ev":"autoscale","node":"ops","component":"scaler","service":"api","action":"sample","instances":1,"provisioning":0,"value":1,"average":1,"desired":1}
{"t":30,"ev":"autoscale","node":"ops","component":"scaler","service":"api","action":"left","instances":0,"provisioning":0,"instance":"api-1","why":"out of the load balancer"}
{"t":60,"ev":"autoscale","node":"ops","component":"scaler","service":"api","action":"provisioning","instances":0,"provisioning":1,"instance":"api-1","why":"boot and health check, 10.000 s"}
{"t":70,"ev":"autoscale","node":"ops","component":"scaler","service":"api","action":"joined","instances":1,"provisioning":0,"instance":"api-1","why":"in the load balancer"}
{"t":100,"ev":"end","ops":{"ok":0,"fail":0,"info":0,"total":0}}
)JSON";
  TempDir dir;
  const Trace t = load_trace(dir.write("again.jsonl", kScalingHeader + "\n" + events));
  const auto one = spans_of(t, "api-1");
  REQUIRE(one.size() == 2);
  CHECK(one[0]->phase == ScalingSpan::Phase::spare);
  CHECK(one[0]->t_start_s == 30);
  CHECK(one[0]->t_end_s == 60);
  CHECK(one[0]->ended == "provisioning");
  CHECK(one[1]->phase == ScalingSpan::Phase::provisioning);
  CHECK(one[1]->t_end_s == 70);
  CHECK(one[1]->ended == "joined");
  // The spares were never touched: spare for the whole run, though the
  // autoscaler only ever sampled or let go.
  for (const char* spare : {"api-2", "api-3"}) {
    const auto spans = spans_of(t, spare);
    REQUIRE(spans.size() == 1);
    CHECK(spans[0]->phase == ScalingSpan::Phase::spare);
    CHECK(spans[0]->t_start_s == 0);
    CHECK(spans[0]->t_end_s == 100);
    CHECK(spans[0]->ended.empty());
  }

  // Only samples: the spares still show as spare.
  const std::string only_samples =
      R"JSON({"t":10,"ev":"autoscale","node":"ops","component":"scaler","service":"api","action":"sample","instances":1,"provisioning":0,"value":1,"average":1,"desired":1}
{"t":100,"ev":"end","ops":{"ok":0,"fail":0,"info":0,"total":0}}
)JSON";
  const Trace quiet = load_trace(dir.write("quiet.jsonl", kScalingHeader + "\n" + only_samples));
  CHECK(spans_of(quiet, "api-2").size() == 1);
  CHECK(spans_of(quiet, "api-1").empty());
}
