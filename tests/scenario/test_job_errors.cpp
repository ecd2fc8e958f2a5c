// Bad input for the job types (mail_provider, alerting, scheduler) and the
// unnoticed_failure check: one error each, naming the file, the JSON path
// and what was expected, word for word.
#include "../support/scenario_text.hpp"

#include <catch2/catch.hpp>

using faultlab::testing::error_of;
using faultlab::testing::replace;

namespace {

const char* kJobs = R"({
  "title": "t",
  "lesson": "l",
  "topology": { "nodes": { "app": {}, "jobs-1": {}, "mail": {}, "monitor": {} } },
  "components": {
    "mailer": { "type": "mail_provider", "node": "mail", "daily_quota": 1000 },
    "alerts": { "type": "alerting", "node": "monitor",
      "monitors": { "hb": { "kind": "heartbeat", "job": "newsletter", "period": "1d", "grace": "1h" } } },
    "cron": { "type": "scheduler", "node": "jobs-1",
      "schedule": { "newsletter": { "at": "1h", "every": "1d",
        "send_emails": { "via": "mailer", "recipients": 900, "batch": 100 },
        "monitoring": { "alerting": "alerts", "heartbeat": "start" } } } }
  },
  "workload": {
    "duration": "3d",
    "clients": { "app": { "node": "app", "target": "mailer", "arrival": { "rate_per_s": 0.001 }, "mix": { "send": 1 } } }
  },
  "checks": { "unnoticed_failure": { "bound": "2h" } }
})";

} // namespace

TEST_CASE("the example scenario with a mail provider, an alerting component and a scheduler loads") {
  CHECK(error_of(kJobs) == "no error");
}

TEST_CASE("mail_provider: node, quota, batch limit, per-message time, unknown fields") {
  CHECK(error_of(replace(kJobs, "\"node\": \"mail\"", "\"node\": \"mial\"")) ==
        "error[unknown-node]: x.json: /components/mailer/node: \"mial\" is not a node of the topology (nodes: app, jobs-1, mail, monitor)");
  CHECK(error_of(replace(kJobs, "\"daily_quota\": 1000", "\"daily_quota\": -1")) ==
        "error[bad-value]: x.json: /components/mailer/daily_quota: expected a whole number from 0 to 1000000000000, got -1");
  CHECK(error_of(replace(kJobs, "\"daily_quota\": 1000", "\"batch_limit\": 0")) ==
        "error[bad-value]: x.json: /components/mailer/batch_limit: expected a whole number from 1 to 100000, got 0");
  CHECK(error_of(replace(kJobs, "\"daily_quota\": 1000", "\"per_message\": \"quick\"")) ==
        "error[bad-duration]: x.json: /components/mailer/per_message: expected a duration with a unit, like \"250ms\" or \"3s\", got \"quick\"");
  CHECK(error_of(replace(kJobs, "\"daily_quota\": 1000", "\"quota\": 1000")) ==
        "error[unknown-field]: x.json: /components/mailer/quota: unknown field \"quota\" (expected one of: batch_limit, daily_quota, message_size, node, per_message, type)");
}

TEST_CASE("alerting: monitor kinds, their fields, and the job they watch") {
  CHECK(error_of(replace(kJobs, "\"kind\": \"heartbeat\"", "\"kind\": \"deadman\"")) ==
        "error[bad-value]: x.json: /components/alerts/monitors/hb/kind: expected one of \"heartbeat\", \"outcome\", \"error_rate\", got \"deadman\"");
  CHECK(error_of(replace(kJobs, "\"job\": \"newsletter\"", "\"job\": \"newsleter\"")) ==
        "error[unknown-component]: x.json: /components/alerts/monitors/hb/job: \"newsleter\" is not a job of any scheduler of this scenario (jobs: newsletter)");
  CHECK(error_of(replace(kJobs, "\"period\": \"1d\"", "\"period\": \"0s\"")) ==
        "error[bad-duration]: x.json: /components/alerts/monitors/hb/period: expected a period above zero");
  CHECK(error_of(replace(kJobs, "\"grace\": \"1h\"", "\"tolerance\": 0.1")) ==
        "error[unknown-field]: x.json: /components/alerts/monitors/hb/tolerance: unknown field \"tolerance\" (expected one of: grace, job, kind, period)");
  CHECK(error_of(replace(kJobs, "\"kind\": \"heartbeat\", \"job\": \"newsletter\", \"period\": \"1d\", \"grace\": \"1h\"",
                         "\"kind\": \"outcome\", \"job\": \"newsletter\", \"tolerance\": 1.5")) ==
        "error[bad-value]: x.json: /components/alerts/monitors/hb/tolerance: expected a number from 0 to 1, got 1.5");
  CHECK(error_of(replace(kJobs, "\"kind\": \"heartbeat\", \"job\": \"newsletter\", \"period\": \"1d\", \"grace\": \"1h\"",
                         "\"kind\": \"error_rate\", \"job\": \"newsletter\", \"threshold\": 0")) ==
        "error[bad-value]: x.json: /components/alerts/monitors/hb/threshold: expected a whole number from 1 to 1000000, got 0");
  CHECK(error_of(replace(kJobs, "\"job\": \"newsletter\", \"period\"", "\"period\"")) ==
        "error[missing-field]: x.json: /components/alerts/monitors/hb: missing required field \"job\"");
}

TEST_CASE("scheduler: jobs, their work, error handling and monitoring") {
  CHECK(error_of(replace(kJobs, "\"via\": \"mailer\"", "\"via\": \"alerts\"")) ==
        "error[unknown-component]: x.json: /components/cron/schedule/newsletter/send_emails/via: \"alerts\" is not a mail_provider of this scenario (mail providers: mailer)");
  CHECK(error_of(replace(kJobs, "\"alerting\": \"alerts\"", "\"alerting\": \"pager\"")) ==
        "error[unknown-component]: x.json: /components/cron/schedule/newsletter/monitoring/alerting: \"pager\" is not an alerting component of this scenario (alerting: alerts)");
  CHECK(error_of(replace(kJobs, "\"heartbeat\": \"start\"", "\"heartbeat\": \"end\"")) ==
        "error[bad-value]: x.json: /components/cron/schedule/newsletter/monitoring/heartbeat: expected one of \"none\", \"start\", \"success\", got \"end\"");
  CHECK(error_of(replace(kJobs, "\"every\": \"1d\",", "\"every\": \"1d\", \"on_error\": \"ignore\",")) ==
        "error[bad-value]: x.json: /components/cron/schedule/newsletter/on_error: expected one of \"log_and_continue\", \"fail\", got \"ignore\"");
  CHECK(error_of(replace(kJobs, "\"recipients\": 900", "\"recipients\": -5")) ==
        "error[bad-value]: x.json: /components/cron/schedule/newsletter/send_emails/recipients: expected a whole number from 0 to 1000000000, got -5");
  CHECK(error_of(replace(kJobs, "\"recipients\": 900, \"batch\": 100", "\"recipients\": 200000, \"batch\": 1")) ==
        "error[over-limit]: x.json: /components/cron/schedule/newsletter/send_emails/batch: the first run would send 200000 requests (at most 100000); use bigger batches");
  CHECK(error_of(replace(kJobs, "\"send_emails\": { \"via\": \"mailer\", \"recipients\": 900, \"batch\": 100 },", "")) ==
        "error[missing-field]: x.json: /components/cron/schedule/newsletter: missing required field \"send_emails\"");
  CHECK(error_of(replace(kJobs, "\"schedule\": { \"newsletter\"", "\"schedule\": { \"news letter\"")) ==
        "error[bad-name]: x.json: /components/cron/schedule/news letter: expected a name of letters, digits, '-' and '_' (at most 64), got \"news letter\"");
  CHECK(error_of(replace(kJobs, "\"schedule\": { \"newsletter\": {", "\"schedule\": {}, \"x\": { \"newsletter\": {")) ==
        "error[missing-field]: x.json: /components/cron/schedule: a scheduler needs at least one job");
  CHECK(error_of(replace(kJobs, "\"target\": \"mailer\"", "\"target\": \"cron\"")) ==
        "error[bad-value]: x.json: /workload/clients/app/target: \"cron\" is a scheduler; its jobs run on their own schedule");
}

TEST_CASE("unnoticed_failure: its bound, and a scenario without a scheduler") {
  CHECK(error_of(replace(kJobs, "\"bound\": \"2h\"", "\"bound\": \"soon\"")) ==
        "error[bad-duration]: x.json: /checks/unnoticed_failure/bound: expected a duration with a unit, like \"250ms\" or \"3s\", got \"soon\"");
  const std::string no_scheduler =
      replace(replace(kJobs, R"("monitors": { "hb": { "kind": "heartbeat", "job": "newsletter", "period": "1d", "grace": "1h" } } },)",
                      R"("monitors": {} })"),
              R"("cron": { "type": "scheduler", "node": "jobs-1",
      "schedule": { "newsletter": { "at": "1h", "every": "1d",
        "send_emails": { "via": "mailer", "recipients": 900, "batch": 100 },
        "monitoring": { "alerting": "alerts", "heartbeat": "start" } } } })",
              "");
  CHECK(error_of(no_scheduler) ==
        "error[bad-value]: x.json: /checks/unnoticed_failure: \"unnoticed_failure\" needs a scheduler component in the scenario");
  CHECK(error_of(replace(kJobs, "\"bound\": \"2h\"", "\"window\": \"2h\"")) ==
        "error[unknown-field]: x.json: /checks/unnoticed_failure/window: unknown field \"window\" (expected one of: bound)");
}
