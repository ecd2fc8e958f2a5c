// A scheduler's job runs and an alerting component's alerts in the trace
// model, on hand-made lines: each run paired from its start to its end with
// its counts, a run that exited 0 with less than its work told apart, a run
// that never ended kept open to the trace's end, alerts on their node, and
// a bad phase refused with the line named.
#include "trace_fixtures.hpp"

namespace {

const std::string kJobHeader =
    R"({"format":"faultlab-trace","version":2,"scenario":"sjf","variant":"broken","seed":1,"duration_s":300000,"nodes":[)"
    R"({"name":"jobs-1","roles":["cron:jobs"],"components":[{"component":"cron","type":"scheduler","role":"jobs"}]},)"
    R"({"name":"monitor","roles":["alerts:alerting"],"components":[{"component":"alerts","type":"alerting","role":"alerting"}]}],)"
    R"("clients":[],"checks":["unnoticed_failure"]})";

const std::string kJobEvents =
    R"JSON({"t":100,"ev":"job","node":"jobs-1","component":"cron","job":"newsletter","run":0,"phase":"start","expected":900,"done":0,"errors":0,"why":"run 0 started"}
{"t":101,"ev":"job","node":"jobs-1","component":"cron","job":"newsletter","run":0,"phase":"end","expected":900,"done":900,"errors":0,"exit":0,"why":"run 0 ended, exit 0"}
{"t":86500,"ev":"job","node":"jobs-1","component":"cron","job":"newsletter","run":1,"phase":"start","expected":1100,"done":0,"errors":0,"why":"run 1 started"}
{"t":86502,"ev":"job","node":"jobs-1","component":"cron","job":"newsletter","run":1,"phase":"end","expected":1100,"done":1000,"errors":1,"exit":0,"why":"run 1 ended, exit 0: 1000 of 1100"}
{"t":86503,"ev":"alert","node":"monitor","component":"alerts","monitor":"short","kind":"outcome","job":"newsletter","why":"[short] 100 short"}
{"t":172900,"ev":"job","node":"jobs-1","component":"cron","job":"newsletter","run":2,"phase":"start","expected":1200,"done":0,"errors":0,"why":"run 2 started"}
{"t":172901,"ev":"job","node":"jobs-1","component":"cron","job":"newsletter","run":2,"phase":"end","expected":1200,"done":1000,"errors":1,"exit":1,"why":"run 2 ended, exit 1"}
{"t":259300,"ev":"job","node":"jobs-1","component":"cron","job":"newsletter","run":3,"phase":"start","expected":1300,"done":0,"errors":0,"why":"run 3 started"}
{"t":300000,"ev":"end","ops":{"ok":0,"fail":0,"info":0,"total":0}}
)JSON";

} // namespace

TEST_CASE("job runs load from start to end with their counts, and alerts on their node") {
  TempDir dir;
  const Trace t = load_trace(dir.write("jobs.jsonl", kJobHeader + "\n" + kJobEvents));
  CHECK(t.ignored_events == 0);
  REQUIRE(t.job_runs.size() == 4);
  const JobRun& good = t.job_runs[0];
  CHECK(good.t_start_s == 100);
  CHECK(good.t_end_s == 101);
  CHECK(good.ended);
  CHECK_FALSE(good.short_of_work());
  CHECK(t.lanes[good.lane].name == "jobs-1");

  const JobRun& quiet = t.job_runs[1]; // exit 0 with less than its work
  CHECK(quiet.exit == 0);
  CHECK(quiet.short_of_work());
  CHECK(quiet.expected - quiet.done == 100);
  CHECK(quiet.why == "run 1 ended, exit 0: 1000 of 1100");

  const JobRun& loud = t.job_runs[2];
  CHECK(loud.exit == 1);
  CHECK(loud.errors == 1);

  const JobRun& open = t.job_runs[3]; // never ended: open to the trace's end
  CHECK_FALSE(open.ended);
  CHECK_FALSE(open.short_of_work());
  CHECK(open.t_end_s == 300000);

  REQUIRE(t.alerts.size() == 1);
  CHECK(t.alerts[0].t_s == 86503);
  CHECK(t.alerts[0].job == "newsletter");
  CHECK(t.alerts[0].monitor == "short");
  CHECK(t.lanes[t.alerts[0].lane].name == "monitor");
}

TEST_CASE("a bad job line is an error naming its line") {
  TempDir dir;
  auto with = [&](const std::string& name, const std::string& line) {
    return dir.write(name, kJobHeader + "\n" + line + "\n" + R"({"t":10,"ev":"end"})" + "\n");
  };
  std::string p = with("phase.jsonl", R"({"t":1,"ev":"job","node":"jobs-1","component":"cron","job":"n","run":0,"phase":"middle"})");
  CHECK(error_of(p) == p + ":2: job \"phase\" should be start or end, got \"middle\"");
  p = with("nojob.jsonl", R"({"t":1,"ev":"job","node":"jobs-1","component":"cron","run":0,"phase":"start"})");
  CHECK(error_of(p) == p + ":2: missing field \"job\"");
  p = with("noalert.jsonl", R"({"t":1,"ev":"alert","node":"monitor","component":"alerts"})");
  CHECK(error_of(p) == p + ":2: missing field \"job\"");
}
