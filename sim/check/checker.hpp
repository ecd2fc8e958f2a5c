// The consistency checkers: each judges a history (what clients observed)
// and returns the violations it finds, worded for a student.
//
// Checkers never see the system under test, only its history, so they can
// judge a run of faultlab as well as a history imported from elsewhere.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "check/violation.hpp"
#include "history/op.hpp"

namespace faultlab::check {

// What a scenario declares for its checks. A checker reads only the fields
// it documents; the rest keep their defaults.
struct CheckOptions {
  // stale_read and stale_cache tolerate answers up to this much older than
  // the newest acknowledged write (a replica allowed to lag this long, or a
  // cache allowed to be this far behind, is not a bug).
  double stale_bound_s = 0.0;

  // stale_cache: the nodes whose answers are cache hits (an op's `node`).
  // Empty: every read is judged as if served from a cache.
  std::vector<std::string> cache_nodes;

  // availability and shard_skew: the length of the time windows they judge
  // (windows start at 0 and are aligned to multiples of it, by invoke time),
  // and the least number of ops a window needs to be judged at all.
  double window_s = 5.0;
  std::int64_t min_window_ops = 10;

  // availability: the fraction of ops per endpoint (an op's `f`) and window
  // that must be ok; endpoints named in endpoint_slo use their own target.
  double slo = 0.99;
  std::map<std::string, double> endpoint_slo;

  // shard_skew: the shards (an op's `node` is the shard a request was routed
  // to, also for ops that timed out) and the largest max/mean load allowed.
  std::vector<std::string> shard_nodes;
  double skew_bound = 2.0;

  // oversell: the units in stock of each item (an op's `key`) at the start.
  std::map<std::string, std::int64_t> stock;

  // charged_not_fulfilled: how long after the money was taken an order may
  // still be unpaid (a webhook or a reconciliation job is on its way).
  double payment_bound_s = 30.0;

  // latency_slo: the share of an endpoint's requests per window that must
  // succeed within the bound (0.99: the p99 must be within it); endpoints
  // named in endpoint_latency_s use their own bound, and when any is named
  // only those are judged. Uses window_s and min_window_ops.
  double latency_percentile = 0.99;
  double latency_bound_s = 0.5;
  std::map<std::string, double> endpoint_latency_s;

  // rto_exceeded: the longest a database may be down after its disk is lost
  // (recovery time objective); no_valid_backup: the most writes, in time,
  // a restore may lose (recovery point objective).
  double rto_s = 4 * 3600.0;
  double rpo_s = 24 * 3600.0;
  // unnoticed_failure: how long after a scheduled job's failed or short run
  // ended an alert naming the job may come; and the unit of each job's work
  // ("emails"), from the scheduler (a job not listed counts "items").
  double alert_bound_s = 3600.0;
  std::map<std::string, std::string> job_units;
  // unintended_deletion: tables (an op's key) whose rows must be kept, and why.
  std::map<std::string, std::string> keep_tables;

  // erasure_incomplete: how long after an erasure request every copy of
  // the person's data must be gone (GDPR article 12(3): one month).
  double erasure_deadline_s = 30 * 86400.0;
  // outside_local_window and wrong_day_report, from a billing component:
  // each customer's time zone (a renewal's `key` is its customer), the
  // local hours in which a scheduled charge is allowed (seconds after local
  // midnight, from <= t < to), the zone whose days the daily reports are
  // about, and the day whose midnight UTC is simulated time 0 (days since
  // 1970-01-01). Zones have fixed offsets: no daylight saving time.
  struct TimeZone {
    std::string name = "UTC";
    double utc_offset_s = 0.0;
  };
  std::map<std::string, TimeZone> customer_zones;
  double local_window_from_s = 8 * 3600.0;
  double local_window_to_s = 20 * 3600.0;
  TimeZone report_zone;
  std::int64_t start_day = 0;
};

using CheckFn = std::vector<Violation> (*)(const history::History&, const CheckOptions&);

struct CheckerInfo {
  const char* name;    // stable id, used in scenarios and on the command line
  const char* summary; // one line: what it catches
  CheckFn run;
  // The component type whose behaviour it judges (stale_cache: "cache"), so
  // a scenario without one is told; nullptr when any history will do.
  const char* needs_component_type = nullptr;
};

// Every checker, in a fixed order (the order reports list them in).
const std::vector<CheckerInfo>& registry();
// The checker with this name, nullptr if there is none.
const CheckerInfo* find_checker(std::string_view name);

// Each returns its violations sorted by (time_s, ops).
std::vector<Violation> check_read_your_writes(const history::History& history, const CheckOptions& options);
std::vector<Violation> check_stale_read(const history::History& history, const CheckOptions& options);
std::vector<Violation> check_single_leader(const history::History& history, const CheckOptions& options);
std::vector<Violation> check_lost_writes(const history::History& history, const CheckOptions& options);
std::vector<Violation> check_stale_cache(const history::History& history, const CheckOptions& options);
std::vector<Violation> check_availability(const history::History& history, const CheckOptions& options);
std::vector<Violation> check_shard_skew(const history::History& history, const CheckOptions& options);
std::vector<Violation> check_oversell(const history::History& history, const CheckOptions& options);
// payments.cpp: orders against a payment provider's ledger.
// database.cpp: latency SLOs and a database's incidents.
std::vector<Violation> check_latency_slo(const history::History& history, const CheckOptions& options);
std::vector<Violation> check_disk_full(const history::History& history, const CheckOptions& options);
std::vector<Violation> check_oom(const history::History& history, const CheckOptions& options);
// data.cpp: rows deleted that had to be kept, copies that outlived an erasure.
std::vector<Violation> check_unintended_deletion(const history::History& history, const CheckOptions& options);
std::vector<Violation> check_erasure_incomplete(const history::History& history, const CheckOptions& options);
std::vector<Violation> check_double_charge(const history::History& history, const CheckOptions& options);
std::vector<Violation> check_unpaid_shipment(const history::History& history, const CheckOptions& options);
std::vector<Violation> check_charged_not_fulfilled(const history::History& history, const CheckOptions& options);
// backup.cpp: a database's restore after its disk was lost.
std::vector<Violation> check_rto_exceeded(const history::History& history, const CheckOptions& options);
std::vector<Violation> check_no_valid_backup(const history::History& history, const CheckOptions& options);
// schema_mismatch.cpp: statements naming a column the table lacked, per code version and window (window_s).
std::vector<Violation> check_schema_mismatch(const history::History& history, const CheckOptions& options);
// jobs.cpp: scheduled jobs that failed or did less than their work, unnoticed.
std::vector<Violation> check_unnoticed_failure(const history::History& history, const CheckOptions& options);
// local_time.cpp: a billing job's scheduled charges and daily reports.
std::vector<Violation> check_outside_local_window(const history::History& history, const CheckOptions& options);
std::vector<Violation> check_wrong_day_report(const history::History& history, const CheckOptions& options);
// value_corruption.cpp: values written and read back end to end.
std::vector<Violation> check_value_corruption(const history::History& history, const CheckOptions& options);

} // namespace faultlab::check
