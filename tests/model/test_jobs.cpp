// The job models' mechanisms, each shown to act by a run with it and a run
// without it: the provider's daily quota (a run falls short by exactly what
// the list grew past it), a heartbeat pinged at the start (it pings every
// day while the runs fall short, so the dead-man's switch stays quiet), a
// heartbeat pinged after success (the switch fires period + grace after the
// last ping), the outcome monitor (an alert right after the short run) and
// the error-rate monitor (an alert at the first rejected batch).
#include "../support/run_support.hpp"
#include "check/checker.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

using faultlab::history::Op;
using faultlab::history::Outcome;
using faultlab::testing::run_text;
using faultlab::testing::TestRun;
using nlohmann::json;

namespace {

constexpr double kDay = 86400;

// A newsletter of 900 recipients growing by 100 a day, sent at midnight in
// batches of 100 through a provider whose quota is 1,000 a day: runs 0 and
// 1 send everything, run 2 is 100 short, run 3 200 short. The clients send
// nothing (rate 0), so the quota is the job's alone.
json job_scenario() {
  return json::parse(R"({
    "title": "t", "lesson": "l",
    "topology": { "nodes": { "app": {}, "jobs-1": {}, "mail": {}, "monitor": {} }, "latency": { "default": "1ms" } },
    "components": {
      "mailer": { "type": "mail_provider", "node": "mail", "daily_quota": 1000, "per_message": "1ms" },
      "alerts": { "type": "alerting", "node": "monitor",
        "monitors": { "hb": { "kind": "heartbeat", "job": "newsletter", "period": "1d", "grace": "1h" } } },
      "cron": { "type": "scheduler", "node": "jobs-1",
        "schedule": { "newsletter": { "at": "0s", "every": "1d",
          "send_emails": { "via": "mailer", "recipients": 900, "growth_per_day": 100, "batch": 100 },
          "monitoring": { "alerting": "alerts", "heartbeat": "start" } } } }
    },
    "workload": { "duration": "4d", "settle": "1s", "final_reads": false,
      "clients": { "app": { "node": "app", "target": "mailer", "arrival": { "rate_per_s": 0 }, "mix": { "send": 1 } } } },
    "checks": { "unnoticed_failure": { "bound": "2h" } }
  })");
}

std::vector<Op> ops_of(const TestRun& run, const std::string& client, const std::string& f) {
  std::vector<Op> out;
  for (const auto& op : run.history.ops)
    if (op.client == client && op.f == f) out.push_back(op);
  return out;
}

std::map<std::string, std::int64_t> done_per_run(const TestRun& run) {
  std::map<std::string, std::int64_t> done;
  for (const auto& op : ops_of(run, "mailer", "work_done")) done[op.key] += op.value.value_or(0);
  return done;
}

std::vector<json> sends_of_kind(const TestRun& run, const std::string& kind) {
  std::vector<json> out;
  for (const auto& e : run.events)
    if (e.value("ev", "") == "send" && e.value("kind", "") == kind) out.push_back(e);
  return out;
}

std::vector<faultlab::check::Violation> unnoticed(const TestRun& run) {
  faultlab::check::CheckOptions options;
  options.alert_bound_s = 2 * 3600;
  options.job_units["newsletter"] = "emails";
  return faultlab::check::check_unnoticed_failure(run.history, options);
}

} // namespace

TEST_CASE("the provider accepts up to its daily quota: runs fall short by what the list grew past it") {
  const TestRun run = run_text(job_scenario().dump(), 1);
  const auto runs = ops_of(run, "cron", "job_run");
  REQUIRE(runs.size() == 4);
  const auto done = done_per_run(run);
  const std::int64_t expected[] = {900, 1000, 1100, 1200};
  const std::int64_t accepted[] = {900, 1000, 1000, 1000};
  for (int r = 0; r < 4; ++r) {
    INFO("run " << r << ": " << runs[r].error);
    CHECK(runs[r].invoke_s == Approx(r * kDay));
    CHECK(runs[r].value == expected[r]);
    CHECK(done.at("newsletter#" + std::to_string(r)) == accepted[r]);
    CHECK(runs[r].outcome == Outcome::ok); // log_and_continue: exit 0 whatever happened
  }
  CHECK(runs[2].error == "exit 0: 1000 of 1100 emails accepted, 1 error logged, the last: batch 10: 100 of 100 "
                         "rejected: 429 daily sending quota exceeded (1000 messages a day for sender newsletter, all "
                         "used; it resets at midnight)");

  // Without the quota, every run sends its whole list.
  json unlimited = job_scenario();
  unlimited["components"]["mailer"]["daily_quota"] = 0;
  const TestRun free_run = run_text(unlimited.dump(), 1);
  const auto free_done = done_per_run(free_run);
  for (int r = 0; r < 4; ++r) CHECK(free_done.at("newsletter#" + std::to_string(r)) == expected[r]);
}

TEST_CASE("a heartbeat pinged at the start pings every day while the runs fall short: no alert") {
  const TestRun run = run_text(job_scenario().dump(), 1);
  const auto pings = sends_of_kind(run, "heartbeat_ping");
  const auto runs = ops_of(run, "cron", "job_run");
  REQUIRE(pings.size() == 4);
  for (std::size_t r = 0; r < 4; ++r) CHECK(pings[r]["t"].get<double>() == Approx(runs[r].invoke_s)); // before any work
  CHECK(ops_of(run, "alerts", "alert").empty());
  const auto v = unnoticed(run);
  REQUIRE(v.size() == 1);
  CHECK(v[0].message.find("300 emails not done over 2 runs") != std::string::npos);
}

TEST_CASE("a heartbeat pinged only after success: the switch fires period + grace after the last ping") {
  json s = job_scenario();
  auto& job = s["components"]["cron"]["schedule"]["newsletter"];
  job["on_error"] = "fail";
  job["monitoring"]["heartbeat"] = "success";
  const TestRun run = run_text(s.dump(), 1);
  const auto runs = ops_of(run, "cron", "job_run");
  REQUIRE(runs.size() == 4);
  CHECK(runs[1].outcome == Outcome::ok);
  CHECK(runs[2].outcome == Outcome::fail); // stops at the rejected batch, exit 1
  const auto pings = sends_of_kind(run, "heartbeat_ping");
  REQUIRE(pings.size() == 2); // after runs 0 and 1 only
  CHECK(pings[1]["t"].get<double>() == Approx(runs[1].complete_s).margin(1e-6));
  const auto alerts = ops_of(run, "alerts", "alert");
  REQUIRE(alerts.size() == 1); // once, until the next ping
  // The ping arrives 1 ms after it was sent; the switch fires 1 d + 1 h later.
  CHECK(alerts[0].invoke_s == Approx(runs[1].complete_s + kDay + 3600).margin(0.01));
  CHECK(alerts[0].key == "newsletter");
  CHECK(unnoticed(run).empty());

  // Runs that all succeed ping every day: the switch stays quiet.
  s["components"]["mailer"]["daily_quota"] = 0;
  const TestRun quiet = run_text(s.dump(), 1);
  CHECK(sends_of_kind(quiet, "heartbeat_ping").size() == 4);
  CHECK(ops_of(quiet, "alerts", "alert").empty());
  CHECK(unnoticed(quiet).empty());
}

TEST_CASE("the outcome monitor alerts right after a short run, the error-rate monitor at the first rejection") {
  json s = job_scenario();
  s["components"]["cron"]["schedule"]["newsletter"]["monitoring"]["report_counts"] = true;
  s["components"]["alerts"]["monitors"]["short"] = {{"kind", "outcome"}, {"job", "newsletter"}};
  const TestRun run = run_text(s.dump(), 1);
  const auto runs = ops_of(run, "cron", "job_run");
  const auto alerts = ops_of(run, "alerts", "alert");
  REQUIRE(alerts.size() == 2); // runs 2 and 3
  CHECK(alerts[0].invoke_s == Approx(runs[2].complete_s).margin(0.01));
  CHECK(alerts[0].error == "[short] job newsletter run 2 did 1000 of 1100 emails (100 short)");
  CHECK(alerts[1].error == "[short] job newsletter run 3 did 1000 of 1200 emails (200 short)");
  CHECK(unnoticed(run).empty());

  json e = job_scenario();
  e["components"]["cron"]["schedule"]["newsletter"]["monitoring"]["ship_errors"] = true;
  e["components"]["alerts"]["monitors"]["errors"] = {
      {"kind", "error_rate"}, {"job", "newsletter"}, {"window", "1h"}, {"threshold", 1}};
  const TestRun shipped = run_text(e.dump(), 1);
  const auto error_lines = sends_of_kind(shipped, "error_log");
  CHECK(error_lines.size() == 3); // one rejected batch in run 2, two in run 3
  const auto error_alerts = ops_of(shipped, "alerts", "alert");
  REQUIRE(error_alerts.size() == 2); // at most one per window: once per run here
  // The rejected batch is run 2's last: its log line arrives a network hop after the run ends.
  CHECK(error_alerts[0].invoke_s == Approx(ops_of(shipped, "cron", "job_run")[2].complete_s).margin(0.01));
  CHECK(error_alerts[0].error.rfind("[errors] 1 error from job newsletter within 1.0 h, the last: batch 10: 100 "
                                    "of 100 rejected: 429",
                                    0) == 0);
  CHECK(unnoticed(shipped).empty());
}
