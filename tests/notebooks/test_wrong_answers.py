#!/usr/bin/python3
"""The notebooks' exercise checks refuse known wrong answers and accept the reference answers.

    FAULTLAB_BIN=build/sim/cli/faultlab /usr/bin/python3 tests/notebooks/test_wrong_answers.py [-v] [NAME...]

For each notebook, the reference answer is the ANSWER in notebooks/src/NN-*.py (read from
the source, so the test and the notebook cannot drift apart) and must pass its check in
notebooks/exercises.py; each wrong answer below must be refused. Most wrong answers make
the symptom go away by taking away its cause (no lag, no pause, no price changes, a
lighter load, a check turned off): the hint has to say so. Plain unittest, Debian's
python3 with pandas; CTest runs it (tests/notebooks/CMakeLists.txt). It prints one
closing line and exits non-zero if anything failed.
"""

import ast
import atexit
import os
import shutil
import sys
import tempfile
import time
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "notebooks"))
if not os.environ.get("FAULTLAB_NB_OUT"):  # CTest points it into the build folder; else a folder removed at exit
    os.environ["FAULTLAB_NB_OUT"] = tempfile.mkdtemp(prefix="faultlab-wrong-answers-")
    atexit.register(shutil.rmtree, os.environ["FAULTLAB_NB_OUT"], ignore_errors=True)
os.environ.pop("FAULTLAB_NB_REQUIRE_ANSWERS", None)  # the checks' verdicts are read here, not raised

import exercises as ex  # noqa: E402  (after the path is set)
from exercises import CACHE, FAILOVER, ORDERS  # noqa: E402

PROFILES = "components.profiles."
EVERYWHERE = ["shard-1", "shard-2", "shard-3", "shard-4"]

# notebook -> [(wrong answer, a word the hint must contain)]. Those refused before anything runs
# cost nothing; the ones that need a run are kept to one or two per notebook.
WRONG = {
    "00-introduction": [
        ({PROFILES + "lag": "0ms"}, "lag"),                        # no lag, nothing stale: accepted before
        ({"workload.clients.users.mix.write": 0}, "traffic"),      # no writes, nothing stale: accepted before
        ({PROFILES + "read_your_writes": True}, "read_your_writes"),  # only a session's own writes (runs)
    ],
    "01-replica-lag": [
        ({PROFILES + "lag": "0ms"}, "lag"),                        # the report: accepted before
        ({PROFILES: {"read_your_writes": True, "lag": {"distribution": "uniform", "min": "0ms", "max": "1ms"}}},
         "lag"),
        ({"workload.clients.users.reload_after_write": "3s"}, "traffic"),
        ({"checks.read_your_writes": None}, "checker"),
        ({PROFILES + "read_policy": "primary"}, "primary"),        # no violations, idle replicas (runs)
    ],
    "02-split-brain": [
        ("1s", "two primaries"),                                   # the broken design's own timeout (runs)
        ("60s", "long"),
        ("16", "duration"),
    ],
    "03-gc-pause": [
        ({FAILOVER + "lease": "50ms"}, "lease"),                   # availability 15-23 %: accepted before
        ({"faults.stop-the-world-gc": None}, "pause"),
        ({FAILOVER + "election_timeout": "10s"}, "election"),
        ({FAILOVER + "lease_check": "every_request"}, "clock"),    # the timer is not the problem (runs)
    ],
    "04-cache-invalidation": [
        ({CACHE + "fill_delay": "0ms"}, "fill_delay"),             # no race window: accepted before
        ({"workload.clients.pricing": None}, "price changes"),     # no writes: accepted before
        ({"checks.stale_cache.bound": "30s"}, "checker"),          # a blind checker: accepted before
        ({CACHE + "ttl": "500ms"}, "10 %"),                        # no stale prices, half the hits (runs)
    ],
    "05-redis-spof": [
        ({"faults.redis-dies-at-peak": None}, "list"),
        (["replica", "backoff", "auth_timeout", "fail_open"], "all four"),
        (["fail_open"], "single point of failure"),                # Redis still down for 15 s (runs)
    ],
    "06-hot-shard": [
        ({ORDERS + "placement": "directory", ORDERS + "directory": {"customer-99": ["shard-1"]},
          "workload.clients.customers.keys.zipf_s": 0.6}, "customers"),  # even customers: accepted before
        ({ORDERS + "placement": "directory", ORDERS + "directory": {"customer-99": ["shard-1"]},
          ORDERS + "service_time": "100us"}, "faster"),
        ({ORDERS + "shard_key": "tenant_and_record"}, "shard key"),
    ],
    "07-inventory-race": [
        ("1s", "oversells"),                                       # a lease as long as the pause (runs)
        ("30s", "shorter"),
        ("soon", "duration"),
    ],
    "08-payment-idempotency": [
        ({"customers": 67, "extra_cents": 12000.37}, "whole number of cents"),  # a float near money
        ({"customers": 67}, "dict"),
        ({"customers": 67, "extra_cents": 2024839}, "all they paid"),  # what they paid, not the extra (runs)
        ({"customers": 67, "extra_cents": 12000}, "cents"),            # whole currency units (runs)
    ],
    # The database notebooks ask for numbers measured in broken, seed 1; their checks reuse one run each.
    "09-alter-table-lock": [
        ({"migration_wait_s": 35.4}, "dict"),
        ({"migration_wait_s": 30, "get_order_down_s": 34.89}, "transaction open"),   # the report's hold only
        ({"migration_wait_s": 60.38, "get_order_down_s": 34.89}, "moment"),          # when, not how long
        ({"migration_wait_s": 35.38, "get_order_down_s": 35.38}, "still waiting"),   # the wait, twice
    ],
    "10-offset-pagination": [
        ({"offset": "201M", "keyset": 2_004_200}, "number"),
        ({"offset": 400_000_000, "keyset": 2_004_200}, "whole table"),   # every page reading every row
        ({"offset": 2_000_021, "keyset": 2_004_200}, "last page"),       # one page's rows
        ({"offset": 200_000_000, "keyset": 2_004_200}, "close"),         # n squared over two
    ],
    "11-index-growth": [
        ("day 77", "number"),
        (74, "one slow load"),      # the first load above 2 s, not a missed week
        (80, "right week"),
        (11, "week's number"),
        (42, "shared_buffers"),     # when the table outgrew the cache
    ],
    "12-table-growth": [
        ({"day": 113}, "dict"),
        ({"bytes_per_day": 50 * 1024 * 86400, "day": 113.03}, "index"),   # the rows without their index entries
        ({"bytes_per_day": 4.563e9, "day": 117.7}, "not empty"),           # as if the disk started empty
        ({"bytes_per_day": 4.563e9, "day": 112}, "disk_full"),             # the first week that missed
    ],
    "13-shared-database": [
        ({"full_at_s": 77.43, "checkouts_failed": 9913.5}, "whole number"),
        ({"full_at_s": 31, "checkouts_failed": 9913}, "analysts began"),
        ({"full_at_s": 70, "checkouts_failed": 9913}, "window"),
        ({"full_at_s": 77.43, "checkouts_failed": 10217}, "analysts"),     # every failed op
        ({"full_at_s": 77.43, "checkouts_failed": 9888}, "second call"),   # only those refused at the first call
    ],
    "14-underprovisioned": [
        ({"oom_crashes": True, "reports_at_first_crash": 6}, "number"),
        ({"oom_crashes": 7, "reports_at_first_crash": 6}, "whole run"),    # only before the zone outage
        ({"oom_crashes": 9, "reports_at_first_crash": 6}, "zone outage"),  # the outage counted as a crash
        ({"oom_crashes": 8, "reports_at_first_crash": 9}, "connections"),
    ],
    "16-backup-restore": [
        ("eight workers", "dict"),
        ({"faults.disk-dies": None}, "faults"),                                   # no disk to lose
        ({"checks.rto_exceeded.rto": "3d", "checks.no_valid_backup.rpo": "30d"}, "checker"),
        ({ex.BACKUPS + "staging": None, ex.BACKUPS + "restore.parallelism": 8,     # repairs this one breakage
          ex.BACKUPS + "restore.streams": 8, ex.BACKUPS + "restore.limit": None}, "staging"),
        ({"topology.nodes.db-2.cores": 64}, "machines"),
        ({ex.BACKUPS + "restore.streams": 8, ex.BACKUPS + "restore.limit": None,   # fast, but untested
          ex.BACKUPS + "restore.parallelism": 8}, "nothing ever restores"),
        ({ex.BACKUPS + "restore_test": {"node": "restore-test", "at": "180h", "every": "7d"}}, "6 h rto"),
    ],
    "17-rolling-rename": [
        ({"rename": "20s"}, "six steps"),
        # the fixed variant's own timetable: the drop comes too late
        ({"add_column": "10s", "dual-write": "15s", "backfill": "30s", "read-new": "40s", "v2": "55s",
          "drop_column": "75s"}, "leaving it out"),
        # never dropping name: the contract step taken away
        ({"add_column": "2s", "dual-write": "3s", "backfill": "16s", "read-new": "21s", "v2": "34s",
          "drop_column": "10min"}, "leaving it out"),
        # no deploy of the new code (after the drop, and after the run)
        ({"add_column": "2s", "dual-write": "3s", "backfill": "16s", "read-new": "21s", "v2": "200s",
          "drop_column": "47s"}, "after the drop"),
        # the drop while read-new instances still write name (runs)
        ({"add_column": "2s", "dual-write": "3s", "backfill": "16s", "read-new": "21s", "v2": "34s",
          "drop_column": "40s"}, "does not exist"),
        # reading full_name before the backfill is done (runs)
        ({"add_column": "2s", "dual-write": "3s", "backfill": "16s", "read-new": "18s", "v2": "34s",
          "drop_column": "47s"}, "backfill"),
    ],
    "18-timezone-cron": [
        ({"components.billing.customers.ny.zone": "UTC", "components.billing.customers.la.zone": "UTC",
          "components.billing.report.day": "business"}, "customers"),                      # make every customer UTC
        ({"components.billing.allowed_hours.from": "00:00", "components.billing.allowed_hours.to": "23:59",
          "components.billing.report.day": "business"}, "promise"),
        ({"components.billing.business_zone": "UTC", "components.billing.renewal.in": "customer"}, "New York"),
        ({"workload.clients.customers.arrival.rate_per_s": 0.0000001,
          "components.billing.renewal.in": "customer"}, "traffic"),
        ({"components.billing.renewal.in": "customer"}, "midnight"),                       # the report still by UTC day
        ({"components.billing.report.day": "business"}, "whose 09:00"),                    # the cron still in UTC
        ({"components.billing.server_zone": "America/New_York",
          "components.billing.report.day": "business"}, "one zone"),
    ],
    "19-serialization": [
        ({"components.api.money": "minor_units"}, "ids"),                                  # ids still numbers
        ({"components.api.ids": "string"}, "rounding"),                                    # totals still doubles
        ({"components.api.items_per_order.max": 1, "components.api.ids": "string"}, "carts"),
        ({"components.api.catalog": {"espresso": "2.50", "croissant": "1.25", "tea": "4.00", "mug": "10.00",
                                     "beans": "20.00", "sticker": "0.50"},
          "components.api.ids": "string"}, "prices"),
        ({"components.api.id_epoch": "2026-03-01", "components.api.money": "minor_units"}, "smaller"),
        ({"checks.value_corruption": None, "checks.availability": None}, "checker"),
    ],
}

# 20-cascade-delete and 21-gdpr-erasure (data graphs).
WRONG["20-cascade-delete"] = [
    ("set_null", "dict"),
    ({"components.db.tables.invoices.keep": None}, "law"),                    # the rule hidden, not obeyed
    ({"components.db.jobs.delete-org": None}, "customer"),                    # the customer never deleted
    ({"components.db.tables.invoices.foreign_keys.organization_id": None}, "foreign key"),
    ({"checks.unintended_deletion": None}, "checker"),
    ({"components.db.tables.invoices.foreign_keys.organization_id.on_delete": "restrict"}, "refused"),
]
WRONG["21-gdpr-erasure"] = [
    ({"components.user-data.deadline": "60d"}, "month"),                      # the deadline moved
    ({"components.user-data.stores.backups": None}, "whether or not"),        # a store left out of the picture
    ({"components.user-data.stores.analytics.copied_from": "uploads"}, "copies"),
    ({"faults.crm-outage": None}, "fault"),
    ({"components.user-data.stores.analytics.erased_by_job": True,
      "components.user-data.stores.crm.erased_by_job": True}, "backups"),     # logs and backups outlive it
]


def reference_answer(notebook):
    """The ANSWER = ... of notebooks/src/NOTEBOOK.py, evaluated with the exercises' constants."""
    source = (REPO / "notebooks" / "src" / f"{notebook}.py").read_text()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "ANSWER" for t in node.targets):
            return eval(compile(ast.Expression(node.value), notebook, "eval"), vars(ex).copy())
    raise AssertionError(f"{notebook}: no ANSWER = ... in its source")


class Exercises(unittest.TestCase):
    checked = 0        # answers judged
    notebooks = set()  # notebooks whose check was tried

    def test_every_notebook_has_a_check_and_wrong_answers(self):
        sources = sorted(p.stem for p in (REPO / "notebooks" / "src").glob("*.py"))
        self.assertEqual(sorted(ex.CHECKS), sources, "notebooks and exercises.CHECKS differ")
        self.assertEqual(sorted(WRONG), sources, "every notebook needs known wrong answers here")


def add_tests(notebook):
    def test(self):
        check = ex.CHECKS[notebook]
        Exercises.notebooks.add(notebook)
        ref = reference_answer(notebook)
        verdict = check(ref)
        self.assertTrue(verdict.passed, f"{notebook}: the reference answer {ref!r} is refused: {verdict.message}"
                                        f"\n{verdict.table}")
        Exercises.checked += 1
        for answer, word in WRONG[notebook]:
            with self.subTest(answer=answer):
                verdict = check(answer)
                Exercises.checked += 1
                self.assertFalse(verdict.passed, f"{notebook}: the wrong answer {answer!r} passes: {verdict.message}")
                self.assertIn(word.lower(), verdict.message.lower(),
                              f"{notebook}: the hint for {answer!r} does not say why: {verdict.message}")
    test.__name__ = f"test_{notebook.replace('-', '_')}"
    setattr(Exercises, test.__name__, test)


for name in WRONG:
    add_tests(name)


# 15-silent-job-failure: monitoring settings that make the newsletter's shortfall be noticed.
WRONG["15-silent-job-failure"] = [
    ({"components.mailer.daily_quota": 1_000_000}, "provider"),          # no failure left to notice
    ({ex.JOB + "send_emails.growth_per_day": 0}, "work"),                 # a list that never outgrows the quota
    ({"checks.unnoticed_failure.bound": "100d"}, "checker"),              # a blind checker
    ({ex.JOB + "monitoring.heartbeat": "success"}, "exits 0"),            # errors still swallowed (runs)
    ({ex.ALERTS + "monitors.newsletter-heartbeat.period": "1h"}, "all is well"),  # pages every day (runs)
]
add_tests("15-silent-job-failure")

# 23-sync-logging: how the api logs, so that a slow log disk neither stalls it nor loses lines.
WRONG["23-sync-logging"] = [
    ({"faults.slow-log-disk-1": None, "faults.slow-log-disk-2": None}, "fault"),   # no slow disk at all
    ({"components.api.endpoints.place_order.log_bytes": "200B"}, "logs less"),      # the debug dump gone
    ({"checks.latency_slo": None}, "checker"),
    ({"components.api.logging.mode": "async", "components.api.logging.buffer": 1_000_000}, "memory"),
    ({"components.api.event_loop": False}, "own write"),                            # broken-threads (runs)
    ({"components.api.logging.mode": "async", "components.api.logging.buffer": 64}, "dropped"),  # (runs)
]
add_tests("23-sync-logging")


# 22-queue-vs-call: a design that keeps the orders within their SLO at the peak and confirms every order.
WRONG["22-queue-vs-call"] = [
    ({"components.mailer.work": "10ms"}, "provider"),                                   # a bigger provider plan
    ({"workload.clients.users.arrival.steps.0.rate_per_s": 2}, "traffic"),              # no peak
    ({"checks.latency_slo.bound": "5s"}, "checker"),                                    # a blind checker
    ({ex.NOTIFY + ".fallback": "fail_open", ex.NOTIFY + ".timeout": "100ms",
      ex.NOTIFY + ".retries": 0}, "never confirmed"),                                   # fast, but drops them (runs)
    ({ex.NOTIFY: ex.PUBLISH, "components.events": ex.queue_component(1, 12)}, "partition"),  # one reader (runs)
    ({ex.NOTIFY + ".timeout": "5s"}, "provider"),                                       # still waits for it (runs)
]
add_tests("22-queue-vs-call")


# 24-traffic-spike: a schedule that has the instances in service before the 8:00 spike.
WRONG["24-traffic-spike"] = [
    ({"workload.clients.buyers.arrival.steps": [{"at": "0s", "rate_per_s": 3}]}, "traffic"),  # no spike
    ({ex.SCALER + "provisioning": "10s"}, "boot"),                          # machines that boot at once
    ({ex.SCALER + "min": 4}, "every hour of the year"),                     # paid for all year
    ({"components.checkout.pools.db.size": 100}, "checkout service"),       # another fix, not this exercise
    ({ex.SCALER + "scheduled.sale": {"at": "200s", "min": 4}}, "provisioning time"),  # too late (runs)
    ({ex.SCALER + "scheduled.sale": {"at": "0s", "min": 2}}, "too few instances"),  # the two it has (runs)
]
add_tests("24-traffic-spike")


# 25-capacity-10x: the first resource to saturate, and the one change that carries 10,000 users.
_DB = "cpu:db-1"
WRONG["25-capacity-10x"] = [
    ({"first_to_saturate": "pool:app.db", "change": {"topology.nodes.db-1.cores": 16}}, "sweep"),  # the second
    ({"first_to_saturate": _DB, "change": {ex.CAPACITY_RATE: 100}}, "traffic"),             # fewer users
    ({"first_to_saturate": _DB, "change": {"components.app.pools.db.size": 50}}, "pool"),    # a longer queue
    ({"first_to_saturate": _DB, "change": {"components.app.instances": ["app-1", "app-2", "app-3", "web"]}},
     "instances"),                                                                         # more callers
    ({"first_to_saturate": _DB, "change": {"topology.nodes.app-1.cores": 16}}, "never saturated"),
    ({"first_to_saturate": _DB, "change": {"components.db.queries.category_page.rows": 24}}, "category page"),
    ({"first_to_saturate": _DB, "change": {"topology.nodes.db-1.cores": 6}}, "still saturate"),  # not enough (runs)
]
add_tests("25-capacity-10x")

# 26-slow-endpoint: what the profile names, and a fix of that dependency.
_SLOW = {"user_class": "sellers", "endpoint": "orders", "dependency": "db.seller_orders"}
WRONG["26-slow-endpoint"] = [
    ({**_SLOW, "user_class": "shoppers", "fix": {}}, "profile"),                  # the averages' class
    ({**_SLOW, "dependency": "sessions (read)", "fix": {}}, "profile"),
    ({**_SLOW, "fix": {"workload.clients.sellers.mix": {"orders": 0, "catalogue": 1.0}}}, "hides"),  # no orders page
    ({**_SLOW, "fix": {"workload.clients.sellers.arrival.rate_per_s": 0.01}}, "dropping"),
    ({**_SLOW, "fix": {"components.db.queries.seller_orders.column": "id"}}, "query"),  # another query
    ({**_SLOW, "fix": {"components.db.statement_timeout": "200ms"}}, "fail"),
    ({**_SLOW, "fix": {"topology.nodes.db-1.cores": 64}}, "machines"),
    ({**_SLOW, "fix": {"components.db.memory.shared_buffers": "16GiB"}}, "rows_examined"),  # not the cause (runs)
]
add_tests("26-slow-endpoint")


def main():
    verbose = "-v" in sys.argv[1:]
    only = [a for a in sys.argv[1:] if not a.startswith("-")]
    loader = unittest.TestLoader()
    if only:
        names = [f"test_{n.replace('-', '_')}" for n in only]
        suite = unittest.TestSuite(Exercises(n) for n in names)
    else:
        suite = loader.loadTestsFromTestCase(Exercises)
    start = time.monotonic()
    result = unittest.TextTestRunner(verbosity=2 if verbose else 1, stream=sys.stdout).run(suite)
    took = time.monotonic() - start
    bad = len(result.failures) + len(result.errors)
    if result.wasSuccessful():
        print(f"test_wrong_answers: OK, {Exercises.checked} answers to the exercises of {len(Exercises.notebooks)} "
              f"notebooks judged as expected (wrong ones refused, reference ones accepted) in {took:.1f} s")
        return 0
    print(f"test_wrong_answers: FAILED, {bad} problem(s) in {result.testsRun} tests ({took:.1f} s); see above")
    return 1


if __name__ == "__main__":
    sys.exit(main())
