// unnoticed_failure on hand-made histories: the scheduler's runs
// (`job_run`: key "<job>#<run>", value: the work it had), the provider's
// log of what it took (`work_done`: key: the run, value: units), and the
// alerting component's alerts (`alert`: key: the job).
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "check/checker.hpp"
#include "history_builder.hpp"

using faultlab::check::check_unnoticed_failure;
using faultlab::check::CheckOptions;
using faultlab::check::find_checker;
using faultlab::history::Outcome;
using faultlab::testing::HistoryBuilder;
using Ids = std::vector<std::int64_t>;

namespace {
constexpr double kDay = 86400;

// A run of `job` from `start_s`, 100 s long, that had `expected` units to
// do and exited 0 (ok) or not (fail).
std::int64_t run(HistoryBuilder& b, const std::string& job, std::int64_t n, std::int64_t expected, double start_s,
                 Outcome outcome = Outcome::ok) {
  b.client = "cron";
  b.node = "jobs-1";
  return b.op("job_run", n, job + "#" + std::to_string(n), expected, start_s, start_s + 100, outcome);
}
// The provider accepted `units` for that run.
std::int64_t done(HistoryBuilder& b, const std::string& job, std::int64_t n, std::int64_t units, double at_s) {
  b.client = "mailer";
  b.node = "mail";
  return b.op("work_done", 0, job + "#" + std::to_string(n), units, at_s, at_s);
}
std::int64_t alert(HistoryBuilder& b, const std::string& job, double at_s) {
  b.client = "alerts";
  b.node = "monitor";
  const auto id = b.op("alert", 0, job, std::nullopt, at_s, at_s);
  b.history.ops.back().error = "[heartbeat] no heartbeat";
  return id;
}
CheckOptions options(double bound_s) {
  CheckOptions o;
  o.alert_bound_s = bound_s;
  o.job_units["newsletter"] = "emails";
  return o;
}
} // namespace

TEST_CASE("unnoticed_failure is registered and needs a scheduler") {
  const auto* checker = find_checker("unnoticed_failure");
  REQUIRE(checker != nullptr);
  CHECK(std::string(checker->needs_component_type) == "scheduler");
}

TEST_CASE("runs that did all their work pass without any alert") {
  HistoryBuilder b;
  for (int d = 0; d < 5; ++d) {
    run(b, "newsletter", d, 1000, d * kDay);
    done(b, "newsletter", d, 600, d * kDay + 10);
    done(b, "newsletter", d, 400, d * kDay + 20); // the batches add up to the list
  }
  CHECK(check_unnoticed_failure(b.build(), options(3600)).empty());
}

TEST_CASE("a short run that reported success and was never alerted is a violation that counts the work lost") {
  HistoryBuilder b;
  run(b, "newsletter", 0, 1000, 0);
  done(b, "newsletter", 0, 1000, 50);
  const auto r1 = run(b, "newsletter", 1, 1100, kDay);
  done(b, "newsletter", 1, 1000, kDay + 50); // 100 short
  const auto r2 = run(b, "newsletter", 2, 1200, 2 * kDay);
  done(b, "newsletter", 2, 1000, 2 * kDay + 50); // 200 short
  const auto r3 = run(b, "newsletter", 3, 1300, 3 * kDay); // nothing accepted at all: 1300 short
  const auto v = check_unnoticed_failure(b.build(), options(3600));
  REQUIRE(v.size() == 1);
  CHECK(v[0].check == "unnoticed_failure");
  CHECK(v[0].time_s == kDay + 100);
  CHECK(v[0].ops == Ids{r1, r2, r3});
  CHECK(v[0].message ==
        "job newsletter: run 1 at 86400.000 s did 1,000 of 1,100 emails and reported success, and no alert named "
        "the job within 1.0 hours; 1,600 emails not done over 3 runs in 2.0 days before anyone was told (no alert "
        "by the end of the history)");
}

TEST_CASE("a failure alerted within the bound passes, and the open alert covers the runs that follow") {
  HistoryBuilder b;
  run(b, "newsletter", 0, 1000, 0);
  done(b, "newsletter", 0, 1000, 50);
  run(b, "newsletter", 1, 1000, kDay, Outcome::fail); // exit 1, nothing done
  alert(b, "newsletter", kDay + 100 + 3599);          // within the hour after it ended
  run(b, "newsletter", 2, 1000, 2 * kDay, Outcome::fail);
  run(b, "newsletter", 3, 1000, 3 * kDay, Outcome::fail);
  CHECK(check_unnoticed_failure(b.build(), options(3600)).empty());
}

TEST_CASE("an alert after the bound still leaves a violation, counting the work lost until it came") {
  HistoryBuilder b;
  const auto r1 = run(b, "newsletter", 1, 1000, kDay, Outcome::fail);
  done(b, "newsletter", 1, 250, kDay + 10);
  const auto r2 = run(b, "newsletter", 2, 1000, 2 * kDay, Outcome::fail);
  const auto a = alert(b, "newsletter", 2 * kDay + 200); // after the second run
  run(b, "newsletter", 3, 1000, 3 * kDay, Outcome::fail);  // after the alert: not counted
  const auto v = check_unnoticed_failure(b.build(), options(3600));
  REQUIRE(v.size() == 1);
  CHECK(v[0].ops == Ids{r1, r2, a});
  CHECK(v[0].message ==
        "job newsletter: run 1 at 86400.000 s failed (exit 1) having done 250 of 1,000 emails, and no alert named "
        "the job within 1.0 hours; 1,750 emails not done over 2 runs in 24.0 hours before anyone was told (the first "
        "alert came at day 2.00)");
}

TEST_CASE("an alert for another job, or one from before the failure, does not count") {
  HistoryBuilder b;
  alert(b, "newsletter", 10);              // an old alert, before the failure
  alert(b, "backup", kDay + 150);          // another job
  run(b, "newsletter", 1, 1000, kDay);     // nothing accepted
  run(b, "newsletter", 2, 1000, 2 * kDay); // the history goes on past the bound
  done(b, "newsletter", 2, 1000, 2 * kDay + 50);
  const auto v = check_unnoticed_failure(b.build(), options(3600));
  REQUIRE(v.size() == 1);
  CHECK(v[0].time_s == kDay + 100);
}

TEST_CASE("a run whose outcome is unknown, and a failure too recent for the bound, are not judged") {
  HistoryBuilder b;
  run(b, "newsletter", 1, 1000, kDay, Outcome::info); // its node crashed: nothing known
  run(b, "newsletter", 2, 1000, 2 * kDay);            // short, and the history ends when it does
  CHECK(check_unnoticed_failure(b.build(), options(3600)).empty());
  // Once the history goes on past the bound, the short run is judged (the unknown one still is not).
  b.client = "app";
  b.op("send", 1, "user-1", std::nullopt, 2 * kDay + 3000, 2 * kDay + 3800);
  const auto v = check_unnoticed_failure(b.build(), options(3600));
  REQUIRE(v.size() == 1);
  CHECK(v[0].message.find("run 2 ") != std::string::npos);
  CHECK(v[0].message.find("1,000 emails not done over 1 run") != std::string::npos);
}

TEST_CASE("each stretch of bad runs is judged on its own; units default to items") {
  HistoryBuilder b;
  run(b, "sync", 1, 10, kDay); // short, unnoticed
  run(b, "sync", 2, 10, 2 * kDay);
  done(b, "sync", 2, 10, 2 * kDay + 5); // good again
  run(b, "sync", 3, 10, 3 * kDay, Outcome::fail);
  alert(b, "sync", 3 * kDay + 150); // noticed
  run(b, "sync", 4, 10, 4 * kDay);
  done(b, "sync", 4, 10, 4 * kDay + 5);
  const auto v = check_unnoticed_failure(b.build(), options(3600));
  REQUIRE(v.size() == 1);
  CHECK(v[0].message ==
        "job sync: run 1 at 86400.000 s did 0 of 10 items and reported success, and no alert named the job within "
        "1.0 hours; 10 items not done over 1 run in 100 s before anyone was told (no alert before run 2 did all "
        "its work again)");
}
