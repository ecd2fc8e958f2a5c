// The list of checkers, so the command line, scenarios and the visualizer can
// name them without knowing each one.
#include "check/checker.hpp"
#include "check/linearizable.hpp"

namespace faultlab::check {

const std::vector<CheckerInfo>& registry() {
  static const std::vector<CheckerInfo> checkers = {
      {"read_your_writes",
       "a session reads a value older than a write of its own that was already acknowledged",
       &check_read_your_writes},
      {"stale_read",
       "a read returns a value older than a write acknowledged before the read began, beyond the stale bound",
       &check_stale_read},
      {"lost_writes", "an acknowledged write is missing from the final state: a value written before it won",
       &check_lost_writes},
      {"linearizable",
       "no order of the operations, each taking effect between its invoke and its completion, explains what was read",
       &check_linearizable},
      {"single_leader", "two nodes acknowledged writes as primary at overlapping times (split brain)",
       &check_single_leader},
      {"stale_cache",
       "a cache kept serving a value older than an acknowledged write for longer than the stale bound",
       &check_stale_cache, "cache"},
      {"availability", "an endpoint's share of successful requests in a time window fell below its SLO",
       &check_availability},
      {"shard_skew", "one shard took more than the allowed multiple of the mean load in a time window",
       &check_shard_skew, "sharded_store"},
      {"oversell",
       "more purchases of an item were confirmed than it had in stock, or its stock ended below zero",
       &check_oversell, "inventory"},
      {"double_charge", "the payment provider's ledger holds two or more charges for one order",
       &check_double_charge, "payment_provider"},
      {"unpaid_shipment", "an order was marked paid or shipped, but the provider's ledger has no charge for it",
       &check_unpaid_shipment, "payment_provider"},
      {"charged_not_fulfilled",
       "the provider took the money for an order that was still not paid (unpaid or cancelled) after the bound",
       &check_charged_not_fulfilled, "payment_provider"},
      {"latency_slo",
       "an endpoint's requests in a time window were too slow (or failed) for its latency SLO, such as p99 <= 300 ms",
       &check_latency_slo},
      {"disk_full", "a database's disk filled up and it stopped", &check_disk_full, "database"},
      {"oom", "a database used more memory than its node has and was killed", &check_oom, "database"},
      {"rto_exceeded", "a database whose disk was lost was not restored within the RTO", &check_rto_exceeded,
       "backup"},
      {"no_valid_backup",
       "the newest backup that restored after a disk was lost was older than the RPO (or none restored)",
       &check_no_valid_backup, "backup"},
      {"schema_mismatch",
       "requests failed because the code and the database's schema disagreed: a statement named a column the table "
       "did not have (counted per code version and time window)",
       &check_schema_mismatch, "database"},
      {"unnoticed_failure",
       "a scheduled job failed or did less than its work, and no alert named the job within the bound",
       &check_unnoticed_failure, "scheduler"},
      {"unintended_deletion",
       "a DELETE removed rows of a table whose rows must be kept (directly or through ON DELETE CASCADE)",
       &check_unintended_deletion, "database"},
      {"erasure_incomplete",
       "a copy of a person's data outlived the erasure deadline after they asked to be erased (a store the job "
       "missed, a backup or a log kept too long)",
       &check_erasure_incomplete, "personal_data"},
      {"outside_local_window",
       "a scheduled charge was made outside the customer's allowed local hours (such as 08:00-20:00 their time)",
       &check_outside_local_window, "billing"},
      {"wrong_day_report",
       "a daily report included rows from another local day, or missed rows of its own day",
       &check_wrong_day_report, "billing"},
      {"value_corruption",
       "a value read back end to end differs from the value written (a total summed in floating point, an id above 2^53 read as a double)",
       &check_value_corruption},
  };
  return checkers;
}

const CheckerInfo* find_checker(std::string_view name) {
  for (const CheckerInfo& checker : registry()) {
    if (name == checker.name) return &checker;
  }
  return nullptr;
}

} // namespace faultlab::check
