"""The notebooks' exercise checks, one function per notebook, importable without Jupyter.

    import exercises as ex
    verdict = ex.replica_lag({"components.profiles.read_your_writes": True})
    verdict.passed, verdict.message   # True, "Each session now carries ..."
    verdict.table                     # the numbers per seed behind it (None if nothing ran)
    verdict.show()                    # what the notebook cell prints: the table, then "Well done!" or a hint

Each check runs the scenario over several seeds and tests the lesson's mechanism, not
only that the symptom went away (the replicas still answer most reads and some reloads
still find theirs behind; the cache still refuses late fills; the election timeout
outlasts the partition whatever the random wait; ...). An answer that makes the
symptom disappear by removing its cause (no lag, no pause, no price changes, lighter
traffic, a check turned off, ...) is refused with a hint that says why that is not the
fix: at once when the settings show it, else by what the runs measured.
tests/notebooks/test_wrong_answers.py holds known wrong answers that must stay
refused, and checks that the notebooks' reference answers pass.

Only the standard library, pandas and faultlab_helper.
"""

import copy
import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pandas as pd

import faultlab_helper as fl

# Setting prefixes the notebooks use too (their ANSWER cells are written with them).
FAILOVER = "components.orders.failover."   # 03-gc-pause
CACHE = "components.catalog-cache."        # 04-cache-invalidation
ORDERS = "components.orders."              # 06-hot-shard


@dataclass
class Verdict:
    passed: bool
    message: str               # why it works if passed, else a hint
    table: pd.DataFrame = None  # per seed: the counts and metrics the verdict is based on

    def show(self):
        """Prints the table and the verdict; with FAULTLAB_NB_REQUIRE_ANSWERS=1 a refused answer raises."""
        if self.table is not None:
            print(self.table.round(3).to_string(index=False))
        fl.check_answer(self.passed, self.message, self.message)


def _refuse(hint):
    return Verdict(False, hint)


# --- reading an answer ------------------------------------------------------------------------

def _leaves(sets):
    """Every setting an answer touches, as a dotted path: {"a.b": {"c": 1}} -> ["a.b.c"].

    An object value is a merge patch, so each of its fields counts as a setting of its own."""
    out = []

    def walk(path, value):
        if isinstance(value, dict) and value:
            for k, v in value.items():
                walk(f"{path}.{k}", v)
        else:
            out.append(path)

    for path, value in sets.items():
        walk(str(path), value)
    return out


def _under(path, prefix):
    """True if `path` is `prefix` or lies below it ("a.b" and "a.b.c" are under "a.b", "a.bc" is not)."""
    prefix = prefix.rstrip(".")
    return path == prefix or path.startswith(prefix + ".")


def _judge_paths(paths, rules, otherwise):
    """A hint refusing the answer's settings, or None if they may be run.

    rules: [(prefix, hint)], the first one a path is under decides: a hint refuses it (with {path}
    filled in), None lets it through. A path under no rule is refused with `otherwise`."""
    for path in paths:
        hint = next((hint for prefix, hint in rules if _under(path, prefix)), otherwise)
        if hint:
            return hint.format(path=path)
    return None


def _as_settings(answer, example, scenario, variant):
    """An answer that must be a dict of settings: (the settings it changes, their paths, None),
    or (None, None, a hint).

    Settings that only repeat the variant's own value are left out, so that writing down a
    value unchanged is never refused."""
    if not isinstance(answer, dict) or not answer:
        return None, None, f"ANSWER should be a dict of settings, {{path: value}}, for example {example}."
    doc = _with_variant(_scenario(scenario), variant)
    changed = {path: value for path, value in answer.items() if _lookup(doc, path) != value}
    if not changed:
        return None, None, "that is what the scenario has already: it changes nothing."
    return changed, _leaves(changed), None


def _merge_patch(target, patch):
    """RFC 7386, as faultlab applies a variant."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = _merge_patch(out.get(k), v)
    return out


def _with_variant(doc, variant):
    return _merge_patch(doc, doc.get("variants", {}).get(variant, {})) if variant else doc


_MISSING = object()


def _lookup(doc, path):
    """The value at a dotted path of a scenario, or a marker that equals nothing."""
    for part in str(path).split("."):
        if not isinstance(doc, dict) or part not in doc:
            return _MISSING
        doc = doc[part]
    return doc


def _as_duration(answer, example):
    """An answer that must be a duration like "16s": (seconds, None) or (None, a hint)."""
    try:
        return fl.seconds(answer), None
    except (ValueError, TypeError):
        return None, f"ANSWER should be a duration with a unit, like {example!r}, not {answer!r}."


def _scenario(name):
    return json.loads((fl.REPO / "scenarios" / f"{name}.json").read_text())


# Settings outside the component an exercise is about: changing them changes the problem, not the design.
def _outside(what):
    return [
        ("faults", "that changes the faults ({path}), the cause of the trouble. The exercise is to change the "
                   "design so that it copes with them, not to take them away."),
        ("workload", "that changes the traffic ({path}), not the design. Real users do what they do; "
                     "make the " + what + " cope with it."),
        ("checks", "that changes what the checker looks for ({path}), not what the users see. "
                   "Leave the checks alone and change the " + what + "."),
        ("topology", "that changes the machines or the network ({path}), not the " + what + "."),
    ]


def _runs(scenario, variant, seeds, sets, load=True):
    """fl.run for each seed, a few at a time: [(run, trace)], the traces loaded without their messages
    (or None with load=False)."""
    def one(seed):
        r = fl.run(scenario, variant=variant, seed=seed, sets=sets)
        return r, (fl.load_trace(r.trace, messages=False) if load else None)

    with ThreadPoolExecutor(max_workers=3) as pool:
        return list(pool.map(one, seeds))


def _count_lines(path, text):
    """How many lines of a file contain `text` (quicker than loading a big trace into pandas)."""
    with open(path) as f:
        return sum(text in line for line in f)


def _failed_run(error):
    """A faultlab run that refused the answer's settings: its own message (not the command line), as the hint."""
    text = str(error)
    if text.startswith("faultlab ") and "\n" in text:  # fl.command's "faultlab ARGS failed (exit N):\nMESSAGE"
        text = text.split("\n", 1)[1]
    return _refuse(f"faultlab could not run with this answer: {text.strip()}")


# --- 00-introduction --------------------------------------------------------------------------

PROFILES = "components.profiles."


def _replica_lag_rules(exercise):
    return [
        (PROFILES + "lag", "that takes away the replication lag ({path}), the cause of the stale reads, "
                           "instead of " + exercise + ". Real replicas are always somewhat behind (the network, "
                           "their load, a long transaction), and you cannot configure that away. Keep the lag "
                           "as it is."),
        (PROFILES + "replicas", "that changes which replicas there are ({path}). Keep the replicas; the "
                                "exercise is about " + exercise + "."),
        (PROFILES + "primary", "that changes the primary ({path}). Keep the nodes; the exercise is about "
                               + exercise + "."),
        (PROFILES, None),
    ] + _outside("profiles component")


def _profiles_only(paths, exercise):
    return _judge_paths(paths, _replica_lag_rules(exercise),
                        "the exercise asks for a setting of the profiles component (" + PROFILES + "...), not {path}.")


def _reads_by_node(trace, primary):
    """The share of the workload's reads (final reads left out) that the primary answered."""
    ops = trace.ops
    reads = ops[(ops["f"] == "read") & ~ops["final"] & (ops["outcome"] == "ok")]
    return (reads["node"] == primary).mean() if len(reads) else float("nan")


def introduction(answer, seeds=(1, 2, 3)):
    """Warm-up: one setting of the profiles component that makes no read stale (stale_read 0)."""
    answer, paths, hint = _as_settings(answer, '{"components.profiles.read_policy": "..."}', "replica-lag", "broken")
    if hint:
        return _refuse(hint)
    hint = _profiles_only(paths, "choosing where the reads go")
    if hint:
        return _refuse(hint)
    if len(answer) != 1:
        return _refuse("change one setting of the profiles component, not several.")
    try:
        runs = _runs("replica-lag", "broken", seeds, answer)
    except RuntimeError as e:
        return _failed_run(e)
    primary = _scenario("replica-lag")["components"]["profiles"]["primary"]
    table = pd.DataFrame([{"seed": r.seed, "stale_read": r.counts.get("stale_read"),
                           "read_your_writes": r.counts.get("read_your_writes"),
                           "reads on the primary": _reads_by_node(t, primary)} for r, t in runs])
    on_primary = (table["reads on the primary"] >= 0.999).all()  # the mechanism: reads go where the data is current
    if (table["stale_read"] == 0).all() and on_primary:
        return Verdict(True, "Every read now sees the latest write. Look at which node serves the reads, though: "
                             "the replicas have nothing left to do. The replica-lag notebook looks for a fix that "
                             "keeps them busy.", table)
    if (table["stale_read"] == 0).all():
        hint = ("no stale reads, yet the replicas still answer reads: with the lag as it is, they cannot all be up "
                "to date. Keep the lag, and choose where the reads go.")
    elif PROFILES + "read_your_writes" in paths:
        hint = ("read_your_writes only makes sure a session sees its own writes; stale_read counts reads that "
                "missed anyone's write. Where must a read go to be sure it sees every write?")
    else:
        hint = "look at the component's read_policy in the README (primary, any_replica, nearest)."
    return Verdict(False, hint, table)


# --- 01-replica-lag ---------------------------------------------------------------------------

def replica_lag(answer, seeds=(1, 2, 3)):
    """No read_your_writes violation while the replicas still answer most reads, the lag unchanged."""
    answer, paths, hint = _as_settings(answer, '{"components.profiles.some_setting": True}', "replica-lag", "broken")
    if hint:
        return _refuse(hint)
    hint = _profiles_only(paths, "making each session's reads see its own last write")
    if hint:
        return _refuse(hint)
    try:
        runs = _runs("replica-lag", "broken", seeds, answer)
    except RuntimeError as e:
        return _failed_run(e)
    primary = _scenario("replica-lag")["components"]["profiles"]["primary"]
    table = pd.DataFrame([{"seed": r.seed, "read_your_writes": r.counts.get("read_your_writes"),
                           "stale_read": r.counts.get("stale_read"),
                           "reads on replicas": 1 - _reads_by_node(t, primary)} for r, t in runs])
    no_violations = (table["read_your_writes"] == 0).all()
    replicas_busy = (table["reads on replicas"] >= 0.5).all()
    # The mechanism: with the lag as it is, some reloads find their replica behind, and those go to the primary.
    redirected = (table["reads on replicas"] < 1).all()
    if no_violations and replicas_busy and redirected:
        return Verdict(True, "Each session now carries the log position of its last write, and a replica that is "
                             "not there yet says so: only those reads go to the primary. The lag is still there, "
                             "and the replicas still answer most reads.", table)
    if not no_violations:
        hint = "read_your_writes is still above 0: something must know what each session has written."
    elif not redirected:
        hint = ("no violations, and the primary answers no read at all: with the lag as it is, some reloads must "
                "find their replica behind. Keep the lag; make the session's reads see its own write.")
    else:
        hint = ("no more violations, but the primary answers most reads now, as in the warm-up. Look for a "
                "setting that lets a replica refuse only the reads it cannot answer correctly.")
    return Verdict(False, hint, table)


# --- 02-split-brain ---------------------------------------------------------------------------

def split_brain(answer, seeds=(1, 2, 3)):
    """An election_timeout with which the broken design never has two primaries, by design, not by luck."""
    t, hint = _as_duration(answer, "16s")
    if hint:
        return _refuse(hint)
    if t > 30:
        return _refuse("that is a very long wait: every second of it is downtime when the primary really crashes. "
                       "Try less.")
    partition = fl.seconds(_scenario("split-brain")["faults"]["datacentre-link"]["duration"])
    try:
        table = fl.sweep("split-brain", {"components.accounts.failover.election_timeout": [answer]},
                         seeds=seeds, variant="broken", jobs=3)
    except RuntimeError as e:
        return _failed_run(e)
    if table["error"].notna().any():
        return _failed_run(table["error"].dropna().iloc[0])
    table = table[["seed", "single_leader", "lost_writes", "availability"]]
    clean = (table["single_leader"] == 0).all() and (table["lost_writes"] == 0).all()
    if not clean:
        return Verdict(False, f"some seeds still have two primaries. The partition lasts {partition:g} s; which t "
                              "makes sure that even the shortest wait, t itself, is longer than that?", table)
    if t < partition:
        return Verdict(False, f"these seeds got lucky. A replica waits a random time between t and 2t, and with "
                              f"t = {t:g} s some waits are shorter than the {partition:g} s partition: another seed "
                              "would elect a second primary. Which t makes even the shortest wait longer?", table)
    return Verdict(True, f"No replica gives up within the {partition:g} s partition, so there is only ever one "
                         "primary. Now look at the availability column, and read on.", table)


# --- 03-gc-pause ------------------------------------------------------------------------------

def gc_pause(answer, seeds=(1, 2, 3)):
    """Lease settings of the fenced design with which the woken primary answers nothing stale."""
    answer, paths, hint = _as_settings(answer, f'{{"{FAILOVER}lease_check": "..."}}', "gc-pause", "fenced")
    if hint:
        return _refuse(hint)
    rules = [
        (FAILOVER + "lease_check", None), (FAILOVER + "lease_clock", None),
        (FAILOVER + "lease", "the lease's length ({path}) is not the problem: measured on a clock that stops "
                             "during the freeze, any lease still looks valid when db-1 wakes up, and a shorter one "
                             "only makes the primary step down for nothing. Change when or with which clock it is "
                             "checked (lease_check, lease_clock)."),
        (FAILOVER + "election_timeout", "a longer election timeout ({path}) only waits for a longer pause. "
                                        "Change the lease settings (lease_check, lease_clock)."),
        ("faults", "that removes or shortens the pause ({path}), the cause of the trouble: a garbage collector "
                   "or a hypervisor does not ask. Keep the pause and change the lease settings."),
    ]
    hint = _judge_paths(paths, rules, f"only change the lease settings ({FAILOVER}lease_check and "
                                      f"{FAILOVER}lease_clock), not {{path}}.")
    if hint:
        return _refuse(hint)
    try:
        table = fl.sweep("gc-pause", {}, seeds=seeds, variant="fenced", sets=answer, jobs=3)
    except RuntimeError as e:
        return _failed_run(e)
    if table["error"].notna().any():
        return _failed_run(table["error"].dropna().iloc[0])
    table = table[["seed", "single_leader", "linearizable", "lost_writes", "availability"]]
    clean = (table[["single_leader", "linearizable", "lost_writes"]] == 0).all().all()
    real_clock = answer.get(FAILOVER + "lease_clock") == "real"
    if clean and real_clock:
        return Verdict(True, "A clock that keeps counting through the freeze tells db-1 at once that its lease ran "
                             "out, so it steps down before answering anything. The fixed design checks it before "
                             "every request too, so the check does not wait for a timer to run.", table)
    return Verdict(False, "db-1 still answers reads after waking up. Checking more often does not help if the clock "
                          "says no time has passed: which clock knows about the freeze?", table)


# --- 04-cache-invalidation --------------------------------------------------------------------

def cache_invalidation(answer, seeds=(1, 2, 3)):
    """One cache setting: no stale_cache in seeds 1-3, a hit ratio of at least 90 %, the race still possible."""
    answer, paths, hint = _as_settings(answer, f'{{"{CACHE}some_setting": "..."}}', "cache-invalidation", "broken")
    if hint:
        return _refuse(hint)
    rules = [
        (CACHE + "fill_delay", "that shortens the page's work between reading the database and filling the "
                               "cache ({path}), the window the race needs. A real page always takes some time "
                               "to build, so the race is only rarer, not gone. Keep fill_delay and find a "
                               "setting that makes the cache refuse a fill older than the delete."),
        ("workload.clients.pricing", "that stops or slows the price changes ({path}): with fewer writes there "
                                     "is less to go stale, but the shop still has to change its prices. Keep "
                                     "the writes and change the cache."),
        ("components.catalog", "that changes the database ({path}), not the cache."),
        (CACHE, None),
    ] + _outside("cache")
    hint = _judge_paths(paths, rules, "change a setting of the catalog-cache component (" + CACHE + "...), not {path}.")
    if hint:
        return _refuse(hint)
    if len(answer) != 1:
        return _refuse("change one setting of the catalog-cache component, not several.")
    try:
        runs = _runs("cache-invalidation", "broken", seeds, answer, load=False)
    except RuntimeError as e:
        return _failed_run(e)
    table = pd.DataFrame([{"seed": r.seed, "stale_cache": r.counts.get("stale_cache"),
                           "lost_writes": r.counts.get("lost_writes"),
                           "cache_hit_ratio": r.summary["metrics"]["cache_hit_ratio"],
                           "db_reads": int(r.summary["metrics"]["db_reads"]),
                           "fills refused": _count_lines(r.trace, '"why":"fill refused')} for r, _ in runs])
    clean = (table["stale_cache"] == 0).all()
    useful = (table["cache_hit_ratio"] >= 0.9).all()
    caught = (table["fills refused"] > 0).all()  # the races still happen, and the cache turns them away
    if clean and useful and caught:
        return Verdict(True, "The late fill is refused, so the delete keeps its promise, and the cache stays as "
                             "useful as before.", table)
    if clean and useful:
        hint = ("no stale prices in these runs, but the cache never refused a fill: the race was avoided, not "
                "fixed. Find a setting that makes the cache turn away a fill older than the delete.")
    elif not clean:
        hint = ("the cache still takes a fill that was read before the write. Which of the cache's settings "
                "decides whether a fill is accepted?")
    else:
        hint = ("no more stale prices, but the cache now misses more than 10 % of the reads and the database does "
                "the work. A short TTL limits how long an old price stays; try a setting that refuses the old "
                "fill instead.")
    return Verdict(False, hint, table)


# --- 05-redis-spof ----------------------------------------------------------------------------

REDIS = "components.redis."
_API = "components.api.endpoints."
_BACKOFF = {"base": "50ms", "max": "400ms", "jitter": True}
REDIS_CHANGES = {
    "replica": {REDIS + "replicas": ["redis-2"], REDIS + "lag": "1ms",
                REDIS + "failover": {"heartbeat_interval": "50ms", "election_timeout": "200ms"}},
    "backoff": {"components.auth.endpoints.check.calls.session.retries": 3,
                "components.auth.endpoints.check.calls.session.backoff": _BACKOFF,
                _API + "login.calls.store_session.retries": 3,
                _API + "login.calls.store_session.backoff": _BACKOFF},
    "auth_timeout": {_API + "feed.calls.auth.timeout": "900ms", _API + "post.calls.auth.timeout": "900ms"},
    "fail_open": {_API + endpoint + ".calls.rate_limit.fallback": "fail_open" for endpoint in ["feed", "post", "search"]},
}
REDIS_SHORT = {"workload.duration": "38s"}  # stop 3 s after Redis is back: the same outage, quicker runs
# The check's own copy: a notebook may add to or edit its CHANGES, the check still means these four.
_REDIS_REFERENCE = copy.deepcopy((REDIS_CHANGES, REDIS_SHORT))


def redis_with_changes(names, changes=None):
    """The settings of the named changes (of REDIS_CHANGES, or `changes`), with the shorter run."""
    changes = REDIS_CHANGES if changes is None else changes
    return {**REDIS_SHORT, **{path: value for name in names for path, value in changes[name].items()}}


def redis_spof(answer, seeds=(1, 2, 3)):
    """The smallest set of the fixed design's changes that keeps every endpoint above its objective."""
    if isinstance(answer, str) or not isinstance(answer, (list, tuple, set)) \
            or not all(isinstance(name, str) for name in answer):
        return _refuse(f"ANSWER should be a list of the changes' names, from {list(_REDIS_REFERENCE[0])}; other settings "
                       "(a fault left out, a lighter load, another check) would change the problem, not the design.")
    reference, short = copy.deepcopy(_REDIS_REFERENCE)
    unknown = [name for name in answer if name not in reference]
    if unknown:
        return _refuse(f"not one of {list(reference)}: {unknown}.")
    names = list(dict.fromkeys(answer))
    if not names:
        return _refuse("with no change at all, every endpoint fails while redis-1 is down. Pick some changes.")
    if len(names) == len(reference):
        return _refuse("that is all four changes, the fixed design. Is every one of them needed? "
                       "Try leaving one out.")
    try:
        sets = {**short, **{path: value for name in names for path, value in reference[name].items()}}
        table = fl.sweep("redis-spof", {}, seeds=seeds, variant="broken", sets=sets, jobs=3)
    except RuntimeError as e:
        return _failed_run(e)
    if table["error"].notna().any():
        return _failed_run(table["error"].dropna().iloc[0])
    table = table[["seed", "availability_violations", "ops_fail", "availability"]]
    holds = (table["availability_violations"] == 0).all()
    if holds and "replica" in names:
        return Verdict(True, "A replica removes the single point of failure; retries with backoff let the session "
                             "calls (login's and auth's) ride out the few hundred milliseconds of the switch; and "
                             "failing open lets search, and the feed and post requests whose rate-limit call fell "
                             "into the switch, go on without Redis. Without the fail-open, search misses its "
                             "objective in seeds 1 and 3 (and scrapes through seed 2 at 95.1 %).", table)
    if "replica" not in names:
        hint = ("nothing answers for Redis while redis-1 is down for 15 s, and login cannot do without it: "
                "which change removes the single point of failure?")
    else:
        hint = ("some window is still below 95 %. Which endpoint is it, which call fails while redis-2 takes "
                "over, and which change would let that request wait for redis-2, or go on without Redis?")
    return Verdict(False, hint, table)


# --- 06-hot-shard -----------------------------------------------------------------------------

def hot_shard(answer, seeds=(1, 2, 3)):
    """A directory that moves as few customers as possible and leaves no shard skewed or overloaded."""
    answer, paths, hint = _as_settings(answer, f'{{"{ORDERS}placement": "directory", "{ORDERS}directory": {{...}}}}',
                               "hot-shard", "broken")
    if hint:
        return _refuse(hint)
    if answer.get(ORDERS + "shard_key", "tenant") != "tenant":
        return _refuse("keep the customer as the shard key here (the fixed variant changes it; this exercise "
                       "moves customers).")
    rules = [
        (ORDERS + "placement", None), (ORDERS + "directory", None), (ORDERS + "shard_key", None),
        (ORDERS + "service_time", "that makes the shards faster ({path}): more capacity hides the skew only until "
                                  "the biggest customer grows again, and buys four times the hardware for one "
                                  "customer. Keep the shards as they are and place the load."),
        (ORDERS + "shards", "that changes the shards ({path}). Keep the four shards and place the load."),
        ("workload.clients.customers", "that makes the customers more even or the traffic lighter ({path}): the "
                                       "big customers and their load are the scenario, not a setting you control. "
                                       "Move them instead."),
    ] + _outside("placement")
    hint = _judge_paths(paths, rules, f"only change the placement ({ORDERS}placement and {ORDERS}directory), "
                                      "not {path}.")
    if hint:
        return _refuse(hint)
    moved = answer.get(ORDERS + "directory") or {}
    if answer.get(ORDERS + "placement") != "directory" or not moved:
        return _refuse(f"set {ORDERS}placement to \"directory\" and give a directory that moves a customer: "
                       "{\"customer-N\": [\"shard-1\", ...]}.")
    try:
        table = fl.sweep("hot-shard", {}, seeds=seeds, variant="broken", sets=answer, jobs=3)
    except RuntimeError as e:
        return _failed_run(e)
    if table["error"].notna().any():
        return _failed_run(table["error"].dropna().iloc[0])
    table = table[["seed", "shard_skew", "availability_violations", "availability", "latency_p99_s"]]
    clean = (table["shard_skew"] == 0).all() and (table["availability_violations"] == 0).all()
    if clean and len(moved) <= 1:
        (customer, shards), = moved.items()
        where = "spread over all four shards" if len(shards) == 4 else f"moved to {', '.join(shards)}"
        return Verdict(True, f"With {customer} {where}, no shard is skewed or over capacity any more. One customer "
                             "was enough because one customer was most of the problem: the biggest sends a third "
                             "of the traffic.", table)
    if not clean:
        hint = ("some shard is still overloaded. Which customers make db-1's load? Look at the table of customers "
                "above.")
    else:
        hint = f"that works, moving {len(moved)} customers. Could fewer do?"
    return Verdict(False, hint, table)


# --- 07-inventory-race ------------------------------------------------------------------------

UNITS = 100  # inventory-race's items: {"sneaker-42": 100}


def inventory_race(answer, seeds=(1, 2, 3, 4, 5)):
    """The shortest lease at which lease-lock stops overselling, with the scenario's pauses."""
    t, hint = _as_duration(answer, "800ms")
    if hint:
        return _refuse(hint)
    if t > 2:
        return _refuse("a lease that long is safe here, but a shop that crashes holding it blocks the item for "
                       "that long. Look for a shorter one.")
    try:
        table = fl.sweep("inventory-race", {"components.locks.lease": [answer]}, seeds=seeds, variant="lease-lock",
                         jobs=3)
    except RuntimeError as e:
        return _failed_run(e)
    if table["error"].notna().any():
        return _failed_run(table["error"].dropna().iloc[0])
    table = table.assign(oversold=(table["ops_ok"] - UNITS).clip(lower=0))
    table = table[["seed", "oversell", "oversold", "ops_ok", "latency_p99_s"]]
    if (table["oversell"] == 0).all() and (table["oversold"] == 0).all():
        return Verdict(True, "A lease longer than the pause, with a little room for the rest of the purchase, is "
                             "still valid when shop-1 wakes up and finishes, so nobody else got it meanwhile. "
                             "(A lease of exactly a second is not enough.)", table)
    return Verdict(False, "some seed still oversells. How long is each pause, and how long must a lease outlast it?",
                   table)


# --- 08-payment-idempotency -------------------------------------------------------------------

def double_charges(trace):
    """One row per order the provider charged more than once: customer, charges, paid_cents, extra_cents.

    The provider's ledger is in the history as its `settled` ops (key: the order, value: the amount
    in cents); amounts stay whole cents, never floats."""
    ops = trace.ops
    settled = ops[(ops["f"] == "settled") & (ops["outcome"] == "ok")]
    rows = []
    for order, g in settled.sort_values("complete_s", kind="stable").groupby("key", sort=True):
        if len(g) < 2:
            continue
        amounts = [int(v) for v in g["value"]]
        rows.append({"order": order, "customer": int(g["process"].iloc[0]), "charges": len(g),
                     "paid_cents": sum(amounts), "extra_cents": sum(amounts) - amounts[0]})
    return pd.DataFrame(rows, columns=["order", "customer", "charges", "paid_cents", "extra_cents"])


def payment_idempotency(answer, seed=1):
    """In broken, seed 1: how many customers were charged twice (or more), and how much too much, in cents."""
    example = '{"customers": 12, "extra_cents": 34567}'
    if not isinstance(answer, dict) or set(answer) != {"customers", "extra_cents"}:
        return _refuse(f"ANSWER should be a dict like {example}: how many customers, and how many cents.")
    customers, extra = answer["customers"], answer["extra_cents"]
    if isinstance(extra, float) or isinstance(extra, str) or isinstance(extra, bool) or not isinstance(extra, int):
        return _refuse("extra_cents should be a whole number of cents, like 34567 for 345.67: money is counted "
                       "in cents, never in floating point.")
    if isinstance(customers, bool) or not isinstance(customers, int):
        return _refuse(f"customers should be a whole number, like in {example}.")
    try:
        run = fl.run("payment-idempotency", variant="broken", seed=seed)
    except RuntimeError as e:
        return _failed_run(e)
    trace = fl.load_trace(run.trace, messages=False)
    twice = double_charges(trace)
    true_customers, true_extra = twice["customer"].nunique(), int(twice["extra_cents"].sum())
    attempts = trace.ops[trace.ops["f"] == "charge"]
    timed_out = int((attempts["outcome"] == "info").sum())
    table = pd.DataFrame([{"": "yours", "customers": customers, "extra_cents": extra},
                          {"": "the ledger's", "customers": true_customers, "extra_cents": true_extra}])
    if customers == true_customers and extra == true_extra:
        return Verdict(True, f"{true_customers} customers paid {true_extra // 100}.{true_extra % 100:02d} they "
                             "did not owe, every cent of it from a retry of a charge that had only been slow. "
                             "The idempotent variant charges them once.", table)
    if customers == timed_out:
        return Verdict(False, "that counts the attempts that timed out. A timed-out attempt is not a charge: "
                              "some of them were charged once, some never got that far, some were retried. "
                              "Count what the provider's ledger (the settled ops) says.", table)
    if customers == true_customers and extra == int(twice["paid_cents"].sum()) and extra != true_extra:
        return Verdict(False, "the right customers, but that is all they paid. How much did they pay too much, "
                              "beyond the one charge each order should have had?", table)
    if customers == true_customers and abs(extra * 100 - true_extra) < 100:
        return Verdict(False, "the right customers; the amount looks like it is in whole currency units, "
                              "not in cents.", table)
    if customers == true_customers:
        return Verdict(False, "the right customers, not the right amount: add up, per order, every charge "
                              "after the first.", table)
    return Verdict(False, "count the customers whose order has two or more settled charges in the provider's "
                          "ledger (the double_charge violations name them).", table)


# --- the database notebooks (09 to 14): a number read from the run ---------------------------------
#
# These exercises ask for something measured in broken, seed 1 (how long, how many, which day). The
# check computes it from the same run the notebook plotted (fl.run(..., reuse=True)), so a change to
# the scenario or the simulator moves the right answer with it. A close answer passes (a reading off
# a plot is allowed its tolerance); a known wrong one is refused with a hint that says what it was.

def _numbers(answer, fields, example, whole=()):
    """An answer that must be a dict of numbers with exactly these fields (those in `whole` counts, so
    whole numbers): (the dict, None) or (None, a hint)."""
    if not isinstance(answer, dict) or set(answer) != set(fields):
        return None, f"ANSWER should be a dict like {example}."
    for name in fields:
        value = answer[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None, f"{name} should be a number, like in {example}, not {value!r}."
        if name in whole and value != int(value):
            return None, f"{name} is a count, so a whole number, not {value!r}."
    return answer, None


def _close(value, target, tolerance):
    return abs(value - target) <= tolerance


def _table(rows):
    """[(what, yours, the run's)] -> the table a verdict shows."""
    return pd.DataFrame([{"": what, "yours": yours, "the run's": right} for what, yours, right in rows])


def _trace(scenario, variant, seed):
    run = fl.run(scenario, variant=variant, seed=seed, reuse=True)
    return run, fl.load_trace(run.trace, messages=False)


# --- 09-alter-table-lock ----------------------------------------------------------------------

def migration_lock(trace):
    """The migration's statement that ran: when it was sent, when it got its lock, and how long it waited.

    A migration that gave up and retried (lock_timeout) counts from its first attempt."""
    ops, queries = trace.ops, trace.queries
    attempts = ops[ops["client"] == "migration"].sort_values("invoke_s")
    done = queries[(queries["who"] == "migration") & (queries["outcome"] == "ok")]
    if attempts.empty or done.empty:
        return None
    got_s = float(done["t"].iloc[0] - done["run_s"].iloc[0])  # the statement's work starts once it has the lock
    sent_s = float(attempts["invoke_s"].iloc[0])
    return {"sent_s": sent_s, "locked_s": got_s, "waited_s": got_s - sent_s, "attempts": len(attempts)}


def failed_requests(trace, endpoint):
    """The span of the endpoint's failed requests, by when they were sent: first, last, and how many."""
    ops = trace.ops
    failed = ops[(ops["client"] == "users") & (ops["f"] == endpoint) & (ops["outcome"] != "ok")]
    if failed.empty:
        return {"first_s": None, "last_s": None, "down_s": 0.0, "failed": 0}
    first, last = float(failed["invoke_s"].min()), float(failed["invoke_s"].max())
    return {"first_s": first, "last_s": last, "down_s": last - first, "failed": len(failed)}


def alter_table_lock(answer, seed=1):
    """In broken, seed 1: how long the migration waited for its lock, and for how long get_order failed."""
    example = '{"migration_wait_s": 12.3, "get_order_down_s": 4.5}'
    answer, hint = _numbers(answer, ["migration_wait_s", "get_order_down_s"], example)
    if hint:
        return _refuse(hint)
    try:
        _, trace = _trace("alter-table-lock", "broken", seed)
    except RuntimeError as e:
        return _failed_run(e)
    lock, down = migration_lock(trace), failed_requests(trace, "get_order")
    report = trace.queries[trace.queries["who"] == "report"]
    scan_s = float(report["run_s"].iloc[0])
    report_ops = trace.ops[trace.ops["client"] == "report"]
    report_start, report_end = float(report_ops["invoke_s"].iloc[0]), float(report_ops["complete_s"].iloc[0])
    wait, gone = answer["migration_wait_s"], answer["get_order_down_s"]
    table = _table([("migration_wait_s", wait, round(lock["waited_s"], 2)),
                    ("get_order_down_s", gone, round(down["down_s"], 2))])
    # Tight enough to tell the two apart: the last requests that failed were sent about half a second
    # before the lock was granted.
    wait_ok, gone_ok = _close(wait, lock["waited_s"], 0.2), _close(gone, down["down_s"], 0.2)
    if wait_ok and gone_ok:
        return Verdict(True, f"The migration asked for its lock at {lock['sent_s']:.0f} s and got it at "
                             f"{lock['locked_s']:.1f} s, when the report's transaction ended; for all that time every "
                             f"get_order queued behind it, and {down['failed']} of them failed. The ALTER itself then "
                             "took no time at all.", table)
    if not wait_ok:
        hold_s = report_end - report_start - scan_s
        if _close(wait, hold_s, 0.5):
            return Verdict(False, "that is how long the report kept its transaction open after its scan. The "
                                  "migration was already waiting during the scan: when did it ask for its lock?", table)
        if _close(wait, scan_s, 0.5):
            return Verdict(False, "that is how long the report's scan ran (its query event). The report kept its "
                                  "lock until its transaction ended: look at when the migration's statement ran.", table)
        if _close(wait, report_end - report_start, 0.5):
            return Verdict(False, "that is how long the report held its lock, from when it started. The migration "
                                  "came later: when did it ask?", table)
        if _close(wait, lock["locked_s"], 0.5):
            return Verdict(False, "that is the moment the migration got its lock, not how long it waited: subtract "
                                  "the time it asked.", table)
        return Verdict(False, "find the migration's op (client \"migration\") and its query event: it waited from "
                              "the time it was sent until its statement began.", table)
    if _close(gone, lock["waited_s"], 0.2):
        return Verdict(False, "the right wait, and get_order's outage is close to it but not the same: the requests "
                              "sent in the last moments before the migration got its lock were still waiting when "
                              "it did, and succeeded. Take the first and the last get_order that failed.", table)
    return Verdict(False, "the right wait. For the outage, take the get_order requests that failed (outcome not ok) "
                          "and the time between the first and the last of them was sent.", table)


# --- 10-offset-pagination ---------------------------------------------------------------------

def export_pages(trace):
    """One row per page of the export job: page (from 1), rows_examined, run_s, plan."""
    q = trace.queries[trace.queries["who"] == "export"]
    pages = trace.ops[trace.ops["client"] == "export"][["op", "key"]]
    out = q.merge(pages, on="op")
    out["page"] = out["key"].str.removeprefix("batch-").astype(int) + 1
    return out[["page", "t", "rows_examined", "run_s", "plan"]].sort_values("page").reset_index(drop=True)


def offset_pagination(answer, seed=1):
    """In seed 1: how many rows the export examined in all, with OFFSET (broken) and with keyset pagination."""
    example = '{"offset": 123456789, "keyset": 1234567}'
    answer, hint = _numbers(answer, ["offset", "keyset"], example)
    if hint:
        return _refuse(hint)
    try:
        totals = {}
        for field, variant in [("offset", "broken"), ("keyset", "fixed-keyset")]:
            _, trace = _trace("offset-pagination", variant, seed)
            pages = export_pages(trace)
            totals[field] = (float(pages["rows_examined"].sum()), len(pages), float(pages["rows_examined"].iloc[-1]))
    except RuntimeError as e:
        return _failed_run(e)
    table = _table([(f, answer[f], int(totals[f][0])) for f in ["offset", "keyset"]])
    right = {f: _close(answer[f], totals[f][0], 0.003 * totals[f][0]) for f in totals}
    if all(right.values()):
        return Verdict(True, f"{totals['offset'][0] / totals['keyset'][0]:.0f} times as many rows for the same "
                             f"{totals['offset'][1]} pages: page n of the OFFSET export walks past the n - 1 pages "
                             "before it, so the total grows with the square of the number of pages, while keyset "
                             "pagination reads each row about once.", table)
    offset, (total, pages, last) = answer["offset"], totals["offset"]
    table_rows = float(fl.load_trace(fl.run("offset-pagination", variant="broken", seed=seed, reuse=True).trace,
                                     messages=False).levels["rows"].iloc[0])
    if not right["offset"]:
        if _close(offset, pages * table_rows, 0.01 * pages * table_rows):
            return Verdict(False, "that is as if every page read the whole table. Page n reads only up to its own "
                                  "offset plus one page: add up what each page examined.", table)
        if _close(offset, last, 0.01 * last) or _close(offset, table_rows, 0.01 * table_rows):
            return Verdict(False, "that is about what the last page examined alone (or the table's size). Add up "
                                  "every page's rows_examined.", table)
        if _close(offset, total, 0.02 * total):
            return Verdict(False, "close, but not quite: page n examines n pages of 10,000 rows, so the total is "
                                  "10,000 x (1 + 2 + ... + 200); a squared number over two is a little short.", table)
        return Verdict(False, "add up rows_examined over the export's query events (who == \"export\") in broken, "
                              "or work it out: page n skips n - 1 pages and reads one more.", table)
    return Verdict(False, "the OFFSET total is right. With keyset pagination every page starts where the last one "
                          "ended: how many rows does each page examine, and how many pages are there?", table)


# --- 11-index-growth --------------------------------------------------------------------------

DAY_S = 86400.0


def weekly_p99(trace):
    """The dashboard's loads per week of the run: week (from 0), first day, loads, p99 latency, slowest."""
    ops = trace.ops[trace.ops["client"] == "dashboard"]
    week = (ops["invoke_s"] // (7 * DAY_S)).astype(int)
    out = ops.groupby(week)["latency_s"].agg(loads="size", p99_s=lambda s: s.quantile(0.99), slowest_s="max")
    out.index.name = "week"
    return out.reset_index().assign(first_day=lambda d: d["week"] * 7)[["week", "first_day", "loads", "p99_s",
                                                                        "slowest_s"]]


def index_growth(answer, seed=1):
    """In broken, seed 1: the first day of the first week in which the dashboard missed its 2 s objective."""
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return _refuse(f"ANSWER should be a day, as a number (day 0 is when the run starts), not {answer!r}.")
    try:
        _, trace = _trace("index-growth", "broken", seed)
    except RuntimeError as e:
        return _failed_run(e)
    slo = trace.violations[trace.violations["check"] == "latency_slo"]
    missed_day = float(slo["t"].min()) / DAY_S
    ops = trace.ops[trace.ops["client"] == "dashboard"]
    first_slow_day = float(ops[ops["latency_s"] > 2]["invoke_s"].min()) / DAY_S
    levels = trace.levels
    outgrown_day = float(levels[levels["cache_hit"] < 1]["t"].min()) / DAY_S
    table = _table([("first day of the first week missed", answer, round(missed_day, 2)),
                    ("(first load slower than 2 s)", None, round(first_slow_day, 2)),
                    ("(table outgrew shared_buffers)", None, round(outgrown_day, 2))])
    if _close(answer, missed_day, 0.01):
        return Verdict(True, f"Week {missed_day / 7:.0f}, from day {missed_day:.0f}: the first week whose slowest 1 % "
                             "of loads took longer than 2 s. The code had not changed since day 0; the table had "
                             "grown by one row a second, and every load scanned all of it.", table)
    if missed_day < answer < missed_day + 7:
        return Verdict(False, f"that day is in the right week. The windows start at day 0, 7, 14, ...: on which "
                              f"day does this one begin?", table)
    if _close(answer, missed_day / 7, 0.01):
        return Verdict(False, "that is the week's number; the question asks for the day it begins (weeks start on "
                              "days 0, 7, 14, ...).", table)
    if _close(answer, first_slow_day, 1):
        return Verdict(False, "that is the first load slower than 2 s, and one slow load does not miss the "
                              "objective: it is the 99th percentile of a week's loads. Which was the first week whose "
                              "p99 was above 2 s?", table)
    if _close(answer, outgrown_day, 1):
        return Verdict(False, "that is when the table outgrew shared_buffers (cache_hit drops below 1): from then "
                              "on the loads slowed faster, but they were still well under 2 s.", table)
    return Verdict(False, "group the dashboard's loads by week (invoke_s // 7 days) and find the first week whose "
                          "99th percentile latency is above 2 s; or read it off the latency_slo violations.", table)


# --- 12-table-growth --------------------------------------------------------------------------

def disk_full(trace_path):
    """The disk_full incident of a run (the database's history op), or None: t and day, and its message."""
    ops = fl.events(trace_path, "op", having='"f":"disk_full"')
    incident = ops[ops["type"] != "invoke"] if not ops.empty else ops
    if incident.empty:
        return None
    row = incident.iloc[0]
    return {"t": float(row["t"]), "day": float(row["t"]) / DAY_S, "error": row.get("error")}


def disk_growth_per_day(levels, until_s):
    """The disk's growth in bytes a day, from the level samples before until_s (a straight-line fit)."""
    before = levels[levels["t"] < until_s]
    slope = ((before["t"] - before["t"].mean()) * (before["disk_used"] - before["disk_used"].mean())).sum() / \
        ((before["t"] - before["t"].mean()) ** 2).sum()
    return slope * DAY_S


def table_growth(answer, seed=1):
    """In broken, seed 1: how many bytes the disk grew by a day, and on which day it was full."""
    example = '{"bytes_per_day": 1.5e9, "day": 123.4}'
    answer, hint = _numbers(answer, ["bytes_per_day", "day"], example)
    if hint:
        return _refuse(hint)
    try:
        run = fl.run("table-growth", variant="broken", seed=seed, reuse=True)
    except RuntimeError as e:
        return _failed_run(e)
    full = disk_full(run.trace)
    levels = fl.events(run.trace, "level")
    per_day = disk_growth_per_day(levels, full["t"])
    spec = _scenario("table-growth")["components"]["db"]["tables"]["audit_events"]
    rows_only = spec["growth_per_s"] * 1024 * DAY_S  # 1 KiB rows, without their index entries
    table = _table([("bytes_per_day", answer["bytes_per_day"], round(per_day)), ("day", answer["day"],
                                                                                  round(full["day"], 2))])
    growth_ok = _close(answer["bytes_per_day"], per_day, 0.01 * per_day)
    day_ok = _close(answer["day"], full["day"], 0.5)
    if growth_ok and day_ok:
        return Verdict(True, f"{per_day / 1e9:.2f} GB a day onto a disk with {(levels['disk_size'].iloc[0] - levels['disk_used'].iloc[0]) / 1e9:.0f} GB "
                             f"free: full on day {full['day']:.1f}, and the estimate said so on day 0. An alert at "
                             "80 % would have fired weeks before.", table)
    if not growth_ok:
        for per_row in (1000, 1024):
            if _close(answer["bytes_per_day"], spec["growth_per_s"] * per_row * DAY_S, 0.005 * rows_only):
                return Verdict(False, "that counts the rows' own bytes. Every row also adds an entry to the table's "
                                      "index on id: compare disk_used with rows in the first level event.", table)
        return Verdict(False, "fit a line to disk_used over time in the level events (before the disk is full), or "
                              "work it out: rows a second x bytes a row (disk_used / rows) x 86,400.", table)
    if _close(answer["day"], levels["disk_size"].iloc[0] / per_day, 0.5):
        return Verdict(False, "the disk was not empty on day 0: the table already had 20 million rows. Start from "
                              "the free space.", table)
    ops = fl.events(run.trace, "violation")
    weeks = ops[ops["check"] == "availability"]["t"] / DAY_S
    if not weeks.empty and _close(answer["day"], float(weeks.min()), 0.01):
        return Verdict(False, "that is where the first week that missed the availability objective begins; the disk "
                              "filled during that week. When exactly? Look for the database's disk_full op.", table)
    return Verdict(False, "the right growth. The day the disk filled is in the trace: the database's disk_full "
                          "op (client \"db\") or its PANIC state event, in seconds; divide by 86,400.", table)


# --- 13-shared-database -----------------------------------------------------------------------

def refused_connections(trace):
    """The requests the database refused for want of a connection (too many clients), in time order."""
    ops = trace.ops
    refused = ops[ops["error"].fillna("").str.contains("too many clients")]
    return refused.sort_values("complete_s").reset_index(drop=True)


def shared_database(answer, seed=1):
    """In broken, seed 1: when the database first had no connection left, and how many checkouts failed."""
    example = '{"full_at_s": 12.3, "checkouts_failed": 456}'
    answer, hint = _numbers(answer, ["full_at_s", "checkouts_failed"], example, whole=["checkouts_failed"])
    if hint:
        return _refuse(hint)
    try:
        _, trace = _trace("shared-database", "broken", seed)
    except RuntimeError as e:
        return _failed_run(e)
    refused = refused_connections(trace)
    full_s = float(refused["complete_s"].iloc[0])
    ops = trace.ops
    checkouts = ops[(ops["client"] == "customers") & (ops["f"] == "checkout")]
    failed = checkouts[checkouts["outcome"] != "ok"]
    searches = ops[ops["client"] == "analysts"]
    table = _table([("full_at_s", answer["full_at_s"], round(full_s, 2)),
                    ("checkouts_failed", answer["checkouts_failed"], len(failed))])
    full_ok = _close(answer["full_at_s"], full_s, 1.0)
    count_ok = answer["checkouts_failed"] == len(failed)
    if full_ok and count_ok:
        return Verdict(True, f"From {full_s:.1f} s the reports' abandoned scans held every connection, and "
                             f"{len(failed)} checkouts were turned away, by a database whose cores were busy but "
                             "which would still have run their index lookups in milliseconds.", table)
    if not full_ok:
        first_search = float(searches["invoke_s"].min())
        if _close(answer["full_at_s"], first_search, 2):
            return Verdict(False, "that is when the analysts began searching. It took a while for their scans to "
                                  "take every connection: when was the first request refused?", table)
        windows = trace.violations[trace.violations["check"] == "availability"]["t"]
        if not windows.empty and _close(answer["full_at_s"], float(windows.min()), 0.01):
            return Verdict(False, "that is where the first 10 s window that missed the objective begins; the "
                                  "connections ran out during it. Look for the first refusal, or for connections "
                                  "reaching max_connections in the level events.", table)
        return Verdict(False, "look for the first op refused with \"too many clients\", or the first level event "
                              "of db whose connections reach max_connections.", table)
    if answer["checkouts_failed"] == int((ops["outcome"] != "ok").sum()):
        return Verdict(False, "that counts the analysts' failed searches too. Only the shop's checkouts.", table)
    at_product = int(failed["error"].fillna("").str.startswith("product:").sum())
    if answer["checkouts_failed"] == at_product:
        return Verdict(False, "those failed at the first call (product). Some checkouts got a connection for the "
                              "product and were refused at the second call (order): count every failed "
                              "checkout.", table)
    return Verdict(False, "the right time. Count the customers' checkout ops whose outcome is not ok.", table)


# --- 14-underprovisioned ----------------------------------------------------------------------

def oom_crashes(trace):
    """The database's out-of-memory crashes: t, and the memory and statements its message names."""
    ops = trace.ops
    crashes = ops[(ops["f"] == "oom") & (ops["client"] == "db")].sort_values("invoke_s")
    out = crashes[["invoke_s", "error"]].rename(columns={"invoke_s": "t"}).reset_index(drop=True)
    out["connections"] = out["error"].str.extract(r"(\d+) connections", expand=False).astype(int)
    out["work_mem_statements"] = out["error"].str.extract(r"(\d+) statements' work_mem", expand=False).astype(int)
    return out


def underprovisioned(answer, seed=1):
    """In broken, seed 1: how many times the database ran out of memory, and how many reports it held then."""
    example = '{"oom_crashes": 3, "reports_at_first_crash": 2}'
    answer, hint = _numbers(answer, ["oom_crashes", "reports_at_first_crash"], example,
                            whole=["oom_crashes", "reports_at_first_crash"])
    if hint:
        return _refuse(hint)
    try:
        _, trace = _trace("underprovisioned", "broken", seed)
    except RuntimeError as e:
        return _failed_run(e)
    crashes = oom_crashes(trace)
    first = crashes.iloc[0]
    outage = trace.faults[trace.faults["phase"] == "start"]["t"]
    before_outage = int((crashes["t"] < float(outage.min())).sum()) if not outage.empty else len(crashes)
    table = _table([("oom_crashes", answer["oom_crashes"], len(crashes)),
                    ("reports_at_first_crash", answer["reports_at_first_crash"], int(first["work_mem_statements"]))])
    crashes_ok = answer["oom_crashes"] == len(crashes)
    reports_ok = answer["reports_at_first_crash"] == first["work_mem_statements"]
    if crashes_ok and reports_ok:
        return Verdict(True, f"{len(crashes)} crashes, each when about {first['work_mem_statements']} reports' sorts "
                             "(512 MiB each) came on top of shared_buffers and the connections: the reports arrive "
                             "faster than two cores finish them, so they pile up until the memory runs out, and "
                             "after each recovery it starts again.", table)
    if not crashes_ok:
        if answer["oom_crashes"] == before_outage and before_outage != len(crashes):
            return Verdict(False, "those are the crashes before the zone outage. The database came back at the "
                                  "end of it, and the reports with it: count the whole run.", table)
        if answer["oom_crashes"] == len(crashes) + len(outage):
            return Verdict(False, "that counts the zone outage as well. It stopped the database too, but not "
                                  "because it ran out of memory.", table)
        return Verdict(False, "count the database's oom incidents: ops with client \"db\" and f \"oom\" (or the oom "
                              "violations, or the state events that say \"out of memory\").", table)
    if answer["reports_at_first_crash"] == first["connections"]:
        return Verdict(False, "that is the number of connections. The reports are the statements that hold "
                              "work_mem: the first crash's message says how many.", table)
    return Verdict(False, "the right count. How many statements' work_mem did the first crash's message name? "
                          "Check it: shared_buffers + connections x 10 MiB + reports x 512 MiB is just over 4 GiB.",
                   table)


# The check of each notebook, by its file name.
CHECKS = {
    "00-introduction": introduction,
    "01-replica-lag": replica_lag,
    "02-split-brain": split_brain,
    "03-gc-pause": gc_pause,
    "04-cache-invalidation": cache_invalidation,
    "05-redis-spof": redis_spof,
    "06-hot-shard": hot_shard,
    "07-inventory-race": inventory_race,
    "08-payment-idempotency": payment_idempotency,
    "09-alter-table-lock": alter_table_lock,
    "10-offset-pagination": offset_pagination,
    "11-index-growth": index_growth,
    "12-table-growth": table_growth,
    "13-shared-database": shared_database,
    "14-underprovisioned": underprovisioned,
}


# --- 16-backup-restore ------------------------------------------------------------------------

BACKUPS = "components.backups."   # 16-backup-restore
HOUR_S = 3600.0


def backup_recovery(trace_path):
    """What the disaster restore did in one run: files tried, hours down, hours of writes lost, failed tests."""
    ops = fl.events(trace_path, "op")
    done = ops[(ops["type"] != "invoke") & (ops["client"] == "backups")]
    invokes = ops[(ops["type"] == "invoke") & (ops["client"] == "backups")]
    lost = invokes[invokes["f"] == "disk_lost"]
    loss_s = float(lost["t"].iloc[0]) if not lost.empty else float("nan")
    restores = done[done["f"] == "restore"]
    ok = restores[restores["type"] == "ok"]
    taken = invokes[invokes["f"] == "backup"].set_index("key")["t"]
    restored_s = float(ok["t"].iloc[0]) if not ok.empty else float("nan")
    snapshot_s = float(taken[ok["key"].iloc[0]]) if not ok.empty else float("nan")
    tests = done[(done["f"] == "restore_test") & (done["t"] < loss_s)]  # the ones that could still help
    return {"files_tried": len(restores), "down_h": round((restored_s - loss_s) / HOUR_S, 1),
            "writes_lost_h": round((loss_s - snapshot_s) / HOUR_S, 1),
            "tests_failed_before": int((tests["type"] != "ok").sum())}


def backup_restore(answer, seeds=(1, 2, 3)):
    """Settings of the broken design that meet both the 6 h RTO and the 24 h RPO on every seed."""
    example = (f'{{"{BACKUPS}restore_test": {{"node": "restore-test", "at": "180h", "every": "7d"}}, '
               f'"{BACKUPS}restore.parallelism": 4}}')
    answer, paths, hint = _as_settings(answer, example, "backup-restore", "broken")
    if hint:
        return _refuse(hint)
    rules = [
        (BACKUPS + "restore_test", None),
        (BACKUPS + "restore.streams", None),
        (BACKUPS + "restore.limit", None),
        (BACKUPS + "restore.parallelism", None),
        (BACKUPS + "staging", "that repairs the staging volume ({path}), the one way these dumps broke, which you "
                              "only know because you read the trace. The next dump will break some other way (a "
                              "version mismatch, an expired key, a full bucket): only a restore finds out. Keep the "
                              "job as it is and test what it makes."),
        (BACKUPS + "restore.node", "that restores somewhere else ({path}). Keep db-2 and make the restore faster."),
        ("components.db", "that changes the database ({path}): its tables and their growth are the shop's data. "
                          "Make the backups and the restore cope with them."),
    ] + _outside("backups and the restore")
    hint = _judge_paths(paths, rules, f"only add a restore test ({BACKUPS}restore_test) and change the restore's "
                                      "streams, limit and parallelism, not {path}.")
    if hint:
        return _refuse(hint)
    try:
        runs = _runs("backup-restore", "broken", seeds, answer, load=False)
    except RuntimeError as e:
        return _failed_run(e)
    rows = []
    for seed, (r, _) in zip(seeds, runs):
        rows.append({"seed": seed, "rto_exceeded": r.counts.get("rto_exceeded", 0),
                     "no_valid_backup": r.counts.get("no_valid_backup", 0), **backup_recovery(r.trace)})
    table = pd.DataFrame(rows)
    rto_ok = (table["rto_exceeded"] == 0).all()
    rpo_ok = (table["no_valid_backup"] == 0).all()
    if rto_ok and rpo_ok:
        workers = int(answer.get(BACKUPS + "restore.parallelism", 1))
        extra = (" More than eight workers only share the eight cores." if workers > 8 else
                 " Two workers are enough here: the events table alone (loaded by one worker, then indexed by one) "
                 "sets the floor, and the other tables fit beside it." if workers > 2 else "")
        return Verdict(True, "A restore test found the cut dumps and the job was fixed, so the restore took last "
                             f"night's file (about {table['writes_lost_h'].max():.0f} h of writes lost at most); the "
                             f"download and the load fit in {table['down_h'].max():.1f} h." + extra, table)
    if not rpo_ok:
        if not any(_under(p, BACKUPS + "restore_test") for p in paths):
            return Verdict(False, "the restore still falls back through the cut files to day 7: nothing ever "
                                  "restores a backup before the disk dies. What would find out in time?", table)
        if (table["tests_failed_before"] == 0).all():
            return Verdict(False, "your restore test never failed before the disk died: it came too late or too "
                                  "rarely to see the cut files. When does the first cut dump happen?", table)
        return Verdict(False, "your test found the cut files, but the fix came too late for a whole dump to be "
                              "taken before the disk died: test more often, or respond sooner.", table)
    ok_seeds = table[(table["rto_exceeded"] == 0)]["seed"].tolist()
    if ok_seeds:
        return Verdict(False, f"the RTO holds on seed(s) {ok_seeds} only: by luck, not by design. Leave more room: "
                              "where does the time go, download or load?", table)
    return Verdict(False, "the newest backup restores now, but the restore takes longer than the 6 h RTO. Look at "
                          "the restore event's download_s and load_s: what holds each of them back (the limit, one "
                          "TCP stream to another region, one pg_restore worker)?", table)


CHECKS["16-backup-restore"] = backup_restore
# --- 17-rolling-rename ------------------------------------------------------------------------

# The six steps of expand/contract in fixed-expand-contract, and the setting that times each.
RENAME_STEPS = {
    "add_column": "components.db.jobs.add_column.at",
    "dual-write": "components.deploy.rollouts.dual-write.at",
    "backfill": "components.db.jobs.backfill.at",
    "read-new": "components.deploy.rollouts.read-new.at",
    "v2": "components.deploy.rollouts.v2.at",
    "drop_column": "components.db.jobs.drop_column.at",
}
RENAME_DEADLINE_S = 60.0


def rename_steps(trace):
    """When each step of expand/contract started and ended in a run: one row per step (from the ops of the
    migration jobs and of the deploy's waves), with its outcome."""
    ops = trace.ops
    rows = []
    for job in ["add_column", "backfill", "drop_column"]:
        o = ops[ops["client"] == job]
        if not o.empty:
            rows.append((job, float(o["invoke_s"].min()), float(o["complete_s"].max()),
                         "ok" if (o["outcome"] == "ok").all() else "failed"))
    waves = ops[ops["client"] == "deploy"].copy()
    waves["rollout"] = waves["key"].str.split("/").str[0]
    for rollout, w in waves.groupby("rollout", sort=False):
        rows.append((rollout, float(w["invoke_s"].min()), float(w["complete_s"].max()),
                     "ok" if (w["outcome"] == "ok").all() and len(w) == 4 else "failed"))
    return pd.DataFrame(rows, columns=["step", "start_s", "end_s", "outcome"]).sort_values("start_s").reset_index(drop=True)


def rolling_rename(answer, seeds=(1, 2)):
    """A timetable of the six expand/contract steps that finishes with the drop of `name` by 60 s, without one
    request failing and without reading full_name before every row has it."""
    example = '{"add_column": "5s", "dual-write": "10s", ...}'
    if not isinstance(answer, dict) or sorted(answer) != sorted(RENAME_STEPS):
        return _refuse(f"ANSWER should give a time to each of the six steps, {list(RENAME_STEPS)}, like {example}.")
    times = {}
    for step, value in answer.items():
        at_s, hint = _as_duration(value, "20s")
        if hint:
            return _refuse(f"{step}: {hint}")
        times[step] = at_s
    if times["drop_column"] >= RENAME_DEADLINE_S:
        return _refuse("the drop of name is the step that finishes the migration (until it runs, every write "
                       "still pays for two columns and the old name is still there to be used by mistake); "
                       f"leaving it out is not the answer. It has to run before {RENAME_DEADLINE_S:.0f} s.")
    late = [s for s in RENAME_STEPS if s != "drop_column" and times[s] >= times["drop_column"]]
    if late:
        return _refuse(f"{late} would start after the drop, which must be the last step.")
    sets = {RENAME_STEPS[step]: value for step, value in answer.items()}
    try:
        runs = _runs("rolling-rename", "fixed-expand-contract", seeds, sets)
    except RuntimeError as e:
        return _failed_run(e)
    rows = []
    for (r, trace), seed in zip(runs, seeds):
        steps = rename_steps(trace).set_index("step")
        rows.append({"seed": seed, "schema_mismatch": r.counts["schema_mismatch"],
                     "availability": r.counts["availability"],
                     "failed_steps": int((steps["outcome"] != "ok").sum()),
                     "dual_write_done_s": steps.loc["dual-write", "end_s"], "backfill_s": steps.loc["backfill", "start_s"],
                     "backfill_done_s": steps.loc["backfill", "end_s"], "read_new_s": steps.loc["read-new", "start_s"],
                     "drop_done_s": steps.loc["drop_column", "end_s"]})
    table = pd.DataFrame(rows)
    if (table["schema_mismatch"] > 0).any():
        return Verdict(False, "some requests failed with \"column ... does not exist\": a step ran while instances "
                              "still ran code that needs the schema as it was (or as it would be). Look at which code "
                              "version failed and when, in the schema_mismatch violations.", table)
    if (table["failed_steps"] > 0).any() or (table["availability"] > 0).any():
        return Verdict(False, "a step failed or requests were lost: every job must succeed and every rollout must "
                              "get through its four waves.", table)
    if (table["backfill_s"] < table["dual_write_done_s"]).any():
        return Verdict(False, "the backfill started before every instance wrote both columns: a v1 instance that "
                              "updates a name after the backfill passed its row leaves full_name stale. Start the "
                              "backfill once the dual-write rollout's last wave is through.", table)
    if (table["read_new_s"] < table["backfill_done_s"]).any():
        return Verdict(False, "read-new started reading full_name before the backfill had filled it: users whose row "
                              "it had not reached yet would see no name at all (no checker sees a NULL; the "
                              "timetable must).", table)
    if (table["drop_done_s"] > RENAME_DEADLINE_S).any():
        return Verdict(False, f"the drop ran after {RENAME_DEADLINE_S:.0f} s in some run.", table)
    return Verdict(True, "Every step is compatible with the code before and after it: the column exists before any "
                         "code writes it, every row has it before any code reads it, and name is dropped only "
                         "after the last instance that used it is gone. A rollout takes four waves of about 3 s, so "
                         "the whole migration needs three of them plus the backfill.", table)


CHECKS["17-rolling-rename"] = rolling_rename
# --- 15-silent-job-failure --------------------------------------------------------------------

JOB = "components.cron.schedule.newsletter."  # the newsletter job's settings
ALERTS = "components.alerts."             # the alerting component's settings


def job_runs(path):
    """The newsletter's runs from a trace: run, start, end, exit code, expected, done (what the
    provider's own log says it accepted for the run) and short (expected - done)."""
    ends = fl.events(path, "job")
    ends = ends[ends["phase"] == "end"]
    done = fl.events(path, "op", having='"f":"work_done"')
    done = done[done["type"] == "ok"].groupby("key")["value"].sum() if not done.empty else pd.Series(dtype=float)
    starts = fl.events(path, "job")
    starts = starts[starts["phase"] == "start"].set_index("run")["t"]
    out = pd.DataFrame({
        "run": ends["run"].astype(int).values,
        "start_s": starts.reindex(ends["run"]).values,
        "end_s": ends["t"].values,
        "exit": ends["exit"].astype(int).values,
        "expected": ends["expected"].astype(int).values,
    })
    out["done"] = [int(done.get(f"newsletter#{r}", 0)) for r in out["run"]]
    out["short"] = out["expected"] - out["done"]
    return out


def job_alerts(path):
    """The alerting component's alerts: t, monitor, kind, job, why."""
    a = fl.events(path, "alert")
    return a[["t", "monitor", "kind", "job", "why"]] if not a.empty else pd.DataFrame(
        columns=["t", "monitor", "kind", "job", "why"])


def _silent_job_rules():
    return [
        (JOB + "send_emails", "that changes the newsletter's work ({path}): the list is what it is, and sending "
                              "less of it is not a fix. Keep the work and make its failure be noticed."),
        (JOB + "at", "that moves the job ({path}); the quota runs out whenever it runs. Make the failure be "
                     "noticed instead."),
        (JOB + "every", "that changes how often the job runs ({path}); the newsletter is daily. Make the failure be "
                        "noticed instead."),
        ("components.cron", None),
        (ALERTS + "node", "that moves the alerting component ({path}); keep the machines and change what is watched."),
        (ALERTS, None),
        ("components.mailer", "that changes the mail provider ({path}), the cause of the failure: a bigger plan "
                              "fixes this shortfall, not the next job that fails quietly (a rotated key, a full "
                              "disk, a renamed bucket). Keep the provider as it is and make the failure be noticed."),
    ] + _outside("monitoring")


def silent_job_failure(answer, seeds=(1, 2)):
    """Monitoring settings under which the newsletter's shortfall is noticed within the bound, with
    no false alarm, while the provider still rejects what is over its quota."""
    example = f'{{"{JOB}monitoring.heartbeat": "...", ...}}'
    answer, paths, hint = _as_settings(answer, example, "silent-job-failure", "broken")
    if hint:
        return _refuse(hint)
    hint = _judge_paths(paths, _silent_job_rules(),
                        "the exercise asks for settings of the newsletter job (" + JOB + "...) or of the alerting "
                        "component (" + ALERTS + "...), not {path}.")
    if hint:
        return _refuse(hint)
    try:
        done = _runs("silent-job-failure", "broken", seeds, answer, load=False)
    except RuntimeError as e:
        return _failed_run(e)
    rows, false_alarm = [], None
    for r, _ in done:
        runs, alerts = job_runs(r.trace), job_alerts(r.trace)
        short = runs[(runs["short"] > 0) | (runs["exit"] != 0)]
        first_bad_s = float(short["start_s"].min()) if not short.empty else float("inf")
        early = alerts[alerts["t"] < first_bad_s]
        if not early.empty and false_alarm is None:
            false_alarm = early.iloc[0]
        rows.append({"seed": r.seed, "short_runs": len(short), "emails_not_sent": int(runs["short"].sum()),
                     "alerts": len(alerts), "alerts_before_the_failure": len(early),
                     "unnoticed_failure": r.counts.get("unnoticed_failure", 0)})
    table = pd.DataFrame(rows)
    if (table["short_runs"] == 0).any():
        return Verdict(False, "no run fell short: your settings took the failure away instead of making it "
                              "visible. Keep the provider's quota and the list as they are.", table)
    job = _with_variant(_scenario("silent-job-failure"), "broken")["components"]["cron"]["schedule"]["newsletter"]
    heartbeat = answer.get(JOB + "monitoring.heartbeat", job.get("monitoring", {}).get("heartbeat"))
    on_error = answer.get(JOB + "on_error", job.get("on_error"))
    if false_alarm is not None and false_alarm["kind"] == "heartbeat" and heartbeat == "none":
        return Verdict(False, f"the job no longer pings, so its heartbeat monitor fired on day "
                              f"{false_alarm['t'] / 86400:.2f}, before anything went wrong (and stays down from then on). "
                              "Keep a ping the monitor can trust, or take that monitor away.", table)
    if false_alarm is not None:
        return Verdict(False, f"an alert fired on day {false_alarm['t'] / 86400:.2f}, before anything went wrong "
                              f"({false_alarm['why']}). A monitor that pages when all is well is soon ignored: "
                              "give it the period and grace the job really has.", table)
    if (table["unnoticed_failure"] == 0).all():
        return Verdict(True, "The provider still rejects what is over its quota, and the runs still fall short, "
                             "but now someone hears about it within two hours of the first short run instead of "
                             "never. What made the difference is that the signal depends on the outcome: a ping "
                             "sent only after a run that really succeeded, or the counts compared with the list, "
                             "or the errors themselves shipped to an alert.", table)
    if heartbeat == "success" and on_error != "fail":
        return Verdict(False, "the ping now waits for the run to succeed, but the job still exits 0 when batches "
                              "are rejected (on_error log_and_continue), so every run counts as a success. What "
                              "decides the exit code?", table)
    if (table["alerts"] == 0).all():
        return Verdict(False, "no alert fired at all. The heartbeat monitor sees a ping every morning, sent when the "
                              "job starts: what would the job have to send, and when, for a monitor to see the "
                              "shortfall?", table)
    return Verdict(False, "alerts fired, but too late for some failures: the checker wants one within two hours of "
                          "the first short run. Look at when the alerts came compared with the runs' ends.", table)


CHECKS["15-silent-job-failure"] = silent_job_failure
# --- 20-cascade-delete ------------------------------------------------------------------------

CASCADE_DB = "components.db."


def rows_removed(trace, database="db"):
    """What the database's DELETEs removed: {"deleted": {table: rows}, "set_null": {table: rows}}."""
    ops = trace.ops
    mine = ops[(ops["client"] == database) & (ops["outcome"] == "ok")]
    return {f: mine[mine["f"] == f].groupby("key")["value"].sum().astype(int).to_dict()
            for f in ("deleted", "set_null")}


def _cascade_rule(path):
    """A hint refusing one setting of the cascade-delete exercise, or None."""
    parts = path.split(".")
    if not _under(path, CASCADE_DB.rstrip(".")):
        return next((hint.format(path=path) for prefix, hint in _outside("database") if _under(path, prefix)),
                    f"the exercise is about the database's design (components.db...), not {path}.")
    rest = parts[2:]
    if rest[:1] == ["jobs"] and len(rest) > 1 and rest[1] == "delete-org":
        return (f"that changes the admin's DELETE ({path}). The customer left and asked for their data to go: "
                "the organization is still deleted, and the design must make that safe.")
    if rest[:1] == ["tables"] and len(rest) > 2 and rest[2] == "keep":
        return (f"that drops the rule that the table must be kept ({path}). The tax law still keeps invoices ten "
                "years whatever the scenario says; keep the rule and change what deletes them.")
    if rest[:1] == ["tables"] and len(rest) > 2 and rest[2] == "rows":
        return f"that changes how much data there is ({path}), not the design."
    if rest[:1] == ["tables"] and len(rest) > 2 and rest[2] == "foreign_keys":
        if len(rest) == 5 and rest[4] == "on_delete":
            return None
        return (f"that removes or repoints a foreign key ({path}). Without it the invoices would point at an "
                "organization that no longer exists; keep the foreign key and choose its ON DELETE rule.")
    if rest[:1] in (["tables"], ["jobs"], ["queries"]):
        return None  # indexes, new cleanup jobs and the queries they run
    return f"the exercise is about tables, foreign keys and jobs of the database, not {path}."


def cascade_delete(answer, seeds=(1, 2)):
    """Broken with the answer's settings: org-17's users are deleted and no kept row is."""
    example = '{"components.db.tables.invoices.foreign_keys.organization_id.on_delete": "..."}'
    answer, paths, hint = _as_settings(answer, example, "cascade-delete", "broken")
    if hint:
        return _refuse(hint)
    for path in paths:
        hint = _cascade_rule(path)
        if hint:
            return _refuse(hint)
    try:
        runs = _runs("cascade-delete", "broken", seeds, answer)
    except RuntimeError as e:
        return _failed_run(e)
    rows = []
    for (run, trace), seed in zip(runs, seeds):
        removed = rows_removed(trace)
        jobs = trace.ops[trace.ops["client"] == "delete-org"]
        rows.append({"seed": seed, "unintended_deletion": run.counts.get("unintended_deletion", 0),
                     "users deleted": removed["deleted"].get("users", 0),
                     "invoices deleted": removed["deleted"].get("invoices", 0)
                                         + removed["deleted"].get("invoice_lines", 0),
                     "delete-org": jobs["outcome"].iloc[-1] if len(jobs) else "-",
                     "error": jobs["error"].iloc[-1] if len(jobs) else ""})
    table = pd.DataFrame(rows)
    kept = (table["unintended_deletion"] == 0).all()
    erased = (table["users deleted"] >= 40).all()
    if kept and erased:
        return Verdict(True, "The organization's users (and their tasks' assignee) are gone and every invoice "
                             "stays: the foreign key that carried the DELETE into invoices no longer deletes. "
                             "The rule is part of the schema, so no code path and no admin tool can forget it.",
                       table)
    if not kept:
        return Verdict(False, "invoices or their lines are still deleted. `faultlab analyze` shows the path: which "
                              "foreign key carries the DELETE from organizations into invoices, and what should it do "
                              "instead?", table)
    if (table["delete-org"] == "fail").any():
        return Verdict(False, "the invoices are safe, but the DELETE is refused now (see the error), so nothing "
                              "else is deleted either: the users' personal data is still there. Delete it first with "
                              "jobs of your own, or pick a rule that keeps the invoice rows and lets the "
                              "organization go.", table)
    return Verdict(False, "the invoices are safe, but the organization's users are not deleted. Whose personal data "
                          "must go when a customer leaves?", table)


CHECKS["20-cascade-delete"] = cascade_delete


# --- 21-gdpr-erasure --------------------------------------------------------------------------

GDPR = "components.user-data."


def erasure_request_s(trace, component="user-data"):
    ops = trace.ops
    request = ops[(ops["client"] == component) & (ops["f"] == "erasure_request")]
    return float(request["invoke_s"].iloc[0]) if len(request) else float("nan")


def copy_spans(trace, component="user-data"):
    """Per store: when it first held the data, when its copy went (or the run's end) and how."""
    ops = trace.ops
    mine = ops[(ops["client"] == component) & (ops["f"] != "erasure_request")].sort_values("invoke_s", kind="stable")
    end_s = float(trace.end.get("t", ops["invoke_s"].max())) if isinstance(trace.end, dict) else ops["invoke_s"].max()
    rows = []
    for store, group in mine.groupby("key", sort=True):
        copies = group[group["f"] == "copy"]
        if copies.empty:
            continue
        gone = group[group["f"].isin(["erased", "expired", "unreadable"])]
        last = gone.iloc[-1] if len(gone) else None
        rows.append({"store": store, "first_s": float(copies["invoke_s"].iloc[0]),
                     "gone_s": float(last["invoke_s"]) if last is not None else end_s,
                     "how": last["f"] if last is not None else "still there"})
    return pd.DataFrame(rows, columns=["store", "first_s", "gone_s", "how"])


def _gdpr_rule(path):
    """A hint refusing one setting of the gdpr-erasure exercise, or None."""
    if not _under(path, GDPR.rstrip(".")):
        return next((hint.format(path=path) for prefix, hint in _outside("erasure job") if _under(path, prefix)),
                    f"the exercise is about where the data lives and the erasure job (components.user-data...), "
                    f"not {path}.")
    rest = path.split(".")[2:]
    if rest[:1] in (["deadline"], ["request_at"], ["person"]):
        return (f"that changes the request or the deadline ({path}). The law gives one month from the person's "
                "request; change what the job reaches, not when it is judged.")
    if rest[:1] == ["stores"] and len(rest) == 2:
        return (f"that removes a store from the description ({path}). The data is there whether or not the "
                "scenario lists it; erase the copy, let it age out or make it unreadable.")
    if rest[:1] == ["stores"] and len(rest) > 2 and rest[2] in ("copied_from", "every", "node", "kind"):
        return (f"that changes where the copies come from or how often they are taken ({path}), which is how the "
                "other systems work, not the erasure. Leave the copies as they are and make them go away in time.")
    if rest[:1] in (["stores"], ["key_store"], ["retry"], ["timeout"]):
        return None
    return f"the exercise is about the stores and the erasure job, not {path}."


def gdpr_erasure(answer, seeds=(1, 2)):
    """Broken with the answer's settings: no copy of the person's data outlives the deadline."""
    example = '{"components.user-data.stores.analytics.erased_by_job": true}'
    answer, paths, hint = _as_settings(answer, example, "gdpr-erasure", "broken")
    if hint:
        return _refuse(hint)
    for path in paths:
        hint = _gdpr_rule(path)
        if hint:
            return _refuse(hint)
    try:
        runs = _runs("gdpr-erasure", "broken", seeds, answer)
    except RuntimeError as e:
        return _failed_run(e)
    rows, late = [], set()
    for (run, trace), seed in zip(runs, seeds):
        spans = copy_spans(trace)
        erased = spans[spans["how"] == "erased"]["store"].tolist()
        messages = trace.violations["message"].tolist() if len(trace.violations) else []
        for m in messages:
            late.add(m.split(" was still in ")[1].split(" at the deadline")[0] if " was still in " in m else "?")
        rows.append({"seed": seed, "erasure_incomplete": run.counts.get("erasure_incomplete", 0),
                     "main-db erased": "main-db" in erased, "stores erased by the job": len(erased)})
    table = pd.DataFrame(rows)
    if not table["main-db erased"].all():
        return Verdict(False, "the main database still holds the person's data: the job must at least erase the "
                              "source.", table)
    if (table["erasure_incomplete"] == 0).all():
        return Verdict(True, "Every copy is gone by the deadline: the stores that keep data forever are erased by "
                             "the job (sources first, so no nightly copy brings the data back), and the logs and "
                             "backups go by themselves before the month is out, by a shorter retention or because "
                             "the key they are encrypted under is deleted.", table)
    return Verdict(False, f"still there at the deadline: {', '.join(sorted(late))}. For each: does the job reach it, "
                          "and if it cannot (backups), what makes the copy go away within 30 days?", table)


CHECKS["21-gdpr-erasure"] = gdpr_erasure
# --- 18-timezone-cron -------------------------------------------------------------------------

BILLING = "components.billing."


def renewals_per_customer(trace):
    """How many times the scheduler renewed each customer (once a day when all is well)."""
    r = trace.ops[trace.ops["f"] == "renewal"]
    return r.groupby("key").size()


def timezone_cron(answer, seeds=(1, 2, 3)):
    """Billing settings with which, in broken, every renewal falls in the customer's allowed hours and every
    daily report holds exactly the rows of its New York day; customers, zones and the promise unchanged."""
    answer, paths, hint = _as_settings(answer, f'{{"{BILLING}renewal.in": "..."}}', "timezone-cron", "broken")
    if hint:
        return _refuse(hint)
    rules = [
        (BILLING + "customers", "that moves the customers ({path}). They live where they live: making every "
                                "customer UTC, or putting them all in one zone, only hides whose 09:00 it is. "
                                "Keep the customers, and schedule their renewals in their own time."),
        (BILLING + "zones", "that changes what a time zone is ({path}). New York is five hours behind UTC "
                            "whatever the configuration says; keep the zones."),
        (BILLING + "allowed_hours", "that changes the promise to the customers ({path}) instead of keeping it: "
                                    "charge them between 08:00 and 20:00 their time."),
        (BILLING + "business_zone", "that changes whose days the finance team reads ({path}). Their 'March 5' "
                                    "is New York's; make the report add up New York's days."),
        (BILLING + "start_date", "that changes the calendar ({path}), not the design."),
        (BILLING + "purchase_cents", "the amounts ({path}) have nothing to do with when things happen."),
        (BILLING + "renewal", None), (BILLING + "report", None), (BILLING + "server_zone", None),
        (BILLING, "the exercise is about when the renewals run and which rows a report adds up; {path} is "
                  "neither."),
    ] + _outside("billing")
    hint = _judge_paths(paths, rules, "the exercise asks for settings of the billing (" + BILLING + "...), "
                                      "not {path}.")
    if hint:
        return _refuse(hint)
    try:
        runs = _runs("timezone-cron", "broken", seeds, answer)
    except RuntimeError as e:
        return _failed_run(e)
    customers = sum(g["count"] for g in _scenario("timezone-cron")["components"]["billing"]["customers"].values())
    rows = []
    for r, t in runs:
        per_customer = renewals_per_customer(t)
        reports = t.ops[t.ops["f"] == "daily_report"]
        rows.append({"seed": r.seed, "outside_local_window": r.counts.get("outside_local_window"),
                     "wrong_day_report": r.counts.get("wrong_day_report"),
                     "customers renewed": int(per_customer.size),
                     "renewals per customer": int(per_customer.min()) if per_customer.size else 0,
                     "reports": len(reports)})
    table = pd.DataFrame(rows)
    outside_ok = (table["outside_local_window"] == 0).all()
    reports_ok = (table["wrong_day_report"] == 0).all()
    # The mechanism, not an absence: every customer is still renewed every day, and a report still comes out
    # every morning.
    renewed = (table["customers renewed"] == customers).all() and (table["renewals per customer"] >= 3).all()
    reported = (table["reports"] >= 3).all()
    if outside_ok and reports_ok and renewed and reported:
        return Verdict(True, "Each renewal now runs at 09:00 in its customer's own zone, converted to the server's "
                             "clock, and each report adds up the rows stored between two New York midnights. The "
                             "rows still store UTC: only the question 'which day?' needed a zone.", table)
    if not renewed or not reported:
        return Verdict(False, "some customers were not renewed every day, or the reports did not come out every "
                              "morning: keep the daily renewal and the daily report, and change when they run.",
                       table)
    if not outside_ok:
        if BILLING + "server_zone" in answer:
            return Verdict(False, "the server has one zone, the customers four: whatever the server's 09:00 is, it "
                                  "is the middle of the night somewhere. Whose 09:00 should each renewal use?", table)
        return Verdict(False, "some renewals still run at one time for everyone, the middle of the night for some "
                              "customers. Whose 09:00 should each renewal use (the renewal's \"in\")?", table)
    return Verdict(False, "every renewal is in the allowed hours now. The reports still add up the wrong rows: "
                          "between which two midnights, in which zone, does the report for a date add up the "
                          "rows (the report's \"day\")?", table)


CHECKS["18-timezone-cron"] = timezone_cron


# --- 19-serialization -------------------------------------------------------------------------

API = "components.api."


def corrupted_values(trace):
    """Each value the client read back differently from what was written: field, written, read."""
    ops = trace.ops
    split = ops["key"].str.split("=", n=1, expand=True)
    ops = ops.assign(field=split[0], text=split[1])
    written = ops[ops["f"] == "stored"].set_index("field")["text"]
    read = ops[ops["f"] == "received"].set_index("field")["text"]
    both = pd.DataFrame({"written": written, "read": read}).dropna()
    same = both.apply(lambda r: _same_decimal(r["written"], r["read"]), axis=1)
    return both[~same].reset_index().rename(columns={"index": "field"})


def _same_decimal(a, b):
    try:
        from decimal import Decimal
        return Decimal(a) == Decimal(b)
    except Exception:
        return a == b


def serialization(answer, seeds=(1, 2, 3)):
    """Order API settings with which the JavaScript client reads back every total and every id exactly, and
    finds every order it was given; the catalog, the carts and the ids unchanged."""
    answer, paths, hint = _as_settings(answer, f'{{"{API}money": "..."}}', "serialization", "broken")
    if hint:
        return _refuse(hint)
    rules = [
        (API + "money", None), (API + "ids", None),
        (API + "catalog", "that changes the prices ({path}). Prices that happen to add up exactly in binary "
                          "(0.50, 2.25) only hide the bug until the next price change; the arithmetic is the "
                          "problem. Keep the catalog."),
        (API + "items_per_order", "that changes the carts ({path}). An order of one product needs no addition, "
                                  "but customers buy several things: keep the carts and make the arithmetic "
                                  "exact."),
        (API + "id_epoch", "that makes the ids smaller ({path}). They fit in a double for a while, until they "
                           "grow past 2^53 again; keep the id generator and send ids so that nothing converts "
                           "them."),
        (API + "start_date", "that moves the calendar ({path}) to make the ids smaller. Keep the id generator "
                             "and send ids so that nothing converts them."),
        (API + "worker_id", "the worker number ({path}) only changes a few bits in the middle of each id; the ids "
                            "stay above 2^53."),
        (API, "the exercise is about how numbers are sent; {path} is not."),
    ] + _outside("order API")
    hint = _judge_paths(paths, rules, "the exercise asks for settings of the order API (" + API + "...), not "
                                      "{path}.")
    if hint:
        return _refuse(hint)
    try:
        runs = _runs("serialization", "broken", seeds, answer)
    except RuntimeError as e:
        return _failed_run(e)
    rows = []
    for r, t in runs:
        bad = corrupted_values(t)
        orders = t.ops[t.ops["f"] == "order"]
        stored = t.ops[t.ops["f"] == "stored"]
        ids = stored[stored["key"].str.contains("/id=")]["key"].str.split("=").str[1].astype(int)
        rows.append({"seed": r.seed, "value_corruption": r.counts.get("value_corruption"),
                     "totals changed": int(bad["field"].str.endswith("/total").sum()),
                     "ids changed": int(bad["field"].str.endswith("/id").sum()),
                     "orders not found": int(orders["error"].fillna("").str.contains("404").sum()),
                     "ids above 2^53": bool((ids > 2 ** 53).all())})
    table = pd.DataFrame(rows)
    totals_ok = (table["totals changed"] == 0).all() and (table["value_corruption"] == 0).all()
    ids_ok = (table["ids changed"] == 0).all() and (table["orders not found"] == 0).all()
    if totals_ok and ids_ok and table["ids above 2^53"].all():
        return Verdict(True, "Totals now travel as integer cents, which a double holds exactly, and the client "
                             "formats them without dividing in floating point; ids travel as strings, which "
                             "nothing converts. The ids are still above 2^53, the carts still hold several "
                             "products: the design copes with them.", table)
    if not ids_ok and not totals_ok:
        return Verdict(False, "both totals and ids still change on the way: look at how the API sends money and "
                              "how it sends ids.", table)
    if not ids_ok:
        return Verdict(False, "the totals come back exactly now, but the ids do not: a JSON number is a double to "
                              "a JavaScript client, and these ids are above 2^53. How else can an id travel?", table)
    return Verdict(False, "the ids come back exactly now, but some totals do not: a sum of doubles is not a sum "
                          "of cents. Rounding what is displayed is not the fix either: the client still holds, "
                          "adds up and sends back the double. How can money travel so that no fraction is ever "
                          "in binary?", table)


CHECKS["19-serialization"] = serialization


# --- 22-queue-vs-call -------------------------------------------------------------------------

NOTIFY = "components.orders.endpoints.place_order.calls.notify"  # the order's call to the provider
PUBLISH = {"to": "events", "op": "notifications", "key": "user:{user}", "timeout": "500ms", "retries": 0}
CONFIRM_BY_S = 55.0      # orders placed before this must be confirmed by the end of the 60-second run
CONFIRM_WITHIN_S = 30.0  # and each within this long of its order


def queue_component(partitions, consumers):
    """The queue of queue-vs-call's fixed-queue variant with `partitions` and `consumers` of your choice."""
    return {"type": "queue", "brokers": ["broker-1"],
            "topics": {"notifications": {"partitions": partitions, "retention": {"time": "1h"},
                                         "message_size": "2KiB"}},
            "consumer_groups": {"notifier": {
                "topic": "notifications", "nodes": ["worker-1", "worker-2"], "consumers": consumers,
                "fetch_max": 50, "poll_interval": "100ms", "work": "1ms", "heartbeat_interval": "1s",
                "session_timeout": "6s",
                "deliver": {"to": "mailer", "op": "send", "timeout": "2s", "retry_backoff": "500ms"}}}}


def confirmations(trace):
    """One row per order that succeeded: invoke_s and, with a queue, confirmed_s (its first `deliver`, NaN if
    none). With the direct call an order that succeeded was confirmed at once, unless a fallback skipped it."""
    ops = trace.ops
    orders = ops[(ops["f"] == "place_order") & (ops["outcome"] == "ok")][["op", "invoke_s", "complete_s"]]
    deliver = ops[ops["f"] == "deliver"]
    if len(deliver):
        first = deliver.groupby(deliver["value"].astype(int))["complete_s"].min()
        return orders.assign(confirmed_s=orders["op"].astype(int).map(first))
    return orders.assign(confirmed_s=orders["complete_s"])


def unconfirmed_orders(trace):
    """Orders placed before CONFIRM_BY_S that were not confirmed within CONFIRM_WITHIN_S, plus the
    notifications a fallback skipped."""
    c = confirmations(trace)
    c = c[c["invoke_s"] < CONFIRM_BY_S]
    late = c["confirmed_s"].isna() | (c["confirmed_s"] - c["invoke_s"] > CONFIRM_WITHIN_S)
    skipped = trace.states[trace.states["why"].fillna("").str.startswith("fallback: notify")]
    return int(late.sum()) + len(skipped)


def queue_vs_call(answer, seeds=(1, 2, 3)):
    """broken (the 7,500-user peak) with the answer's settings: every order within its SLO, and every order
    confirmed within 30 s; the provider, the peak and the checks unchanged."""
    example = f'{{"{NOTIFY}": ex.PUBLISH, "components.events": ex.queue_component(12, 12)}}'
    answer, paths, hint = _as_settings(answer, example, "queue-vs-call", "broken")
    if hint:
        return _refuse(hint)
    rules = [
        ("components.orders", None), ("components.events", None),
        ("components.mailer", "that changes the provider ({path}): a bigger plan buys room for this peak, and the "
                              "next campaign's peak will be bigger. Keep the provider and change how orders hand "
                              "their notifications over."),
    ] + _outside("design")
    hint = _judge_paths(paths, rules, "the exercise asks for a design of the order service and what it sends "
                                      "notifications through, not {path}.")
    if hint:
        return _refuse(hint)
    try:
        runs = _runs("queue-vs-call", "broken", seeds, answer)
    except RuntimeError as e:
        return _failed_run(e)
    rows = []
    for r, t in runs:
        m = r.summary["metrics"]
        rows.append({"seed": r.seed, "latency_slo": r.counts.get("latency_slo"),
                     "availability": r.counts.get("availability"), "order p99 (s)": m["latency_p99_s"],
                     "unconfirmed orders": unconfirmed_orders(t),
                     "queue lag max": m.get("queue_lag_max", 0), "delivery lag max (s)": m.get("queue_delivery_lag_max_s", 0)})
    table = pd.DataFrame(rows)
    users_ok = (table["latency_slo"] == 0).all() and (table["availability"] == 0).all()
    confirmed = (table["unconfirmed orders"] == 0).all()
    uses_queue = any(_under(p, "components.events") for p in paths)
    if users_ok and confirmed:
        return Verdict(True, "Every order answers in a few milliseconds and every one is confirmed: the orders "
                             "only hand their notification to the broker, and the consumers send them at the "
                             "provider's pace. The peak became consumer lag (see the table) that drains after it; "
                             "that lag, the broker and the duplicates after a crash are what you now run.", table)
    if not users_ok:
        if uses_queue:
            return Verdict(False, "orders still miss their SLO: does place_order publish to the queue (its notify "
                                  "call's \"to\" and \"op\"), or does it still wait for the provider?", table)
        return Verdict(False, "orders still miss their SLO: as long as each order waits for the provider, the "
                              "provider's overload is the users' latency. What could the order hand the "
                              "notification to instead?", table)
    if not uses_queue:
        return Verdict(False, "orders are fast now, but some were never confirmed: a fallback skips the "
                              "notification when the provider is slow, so those users get nothing. The exercise "
                              "asks for every order to be confirmed.", table)
    return Verdict(False, "orders are fast, but some confirmations came more than 30 s after their order, or "
                          "not before the run ended: the consumers do not keep up. How many of them actually work? A partition is read by one "
                          "consumer of the group at a time, so consumers beyond the partitions idle.", table)


CHECKS["22-queue-vs-call"] = queue_vs_call


# --- 23-sync-logging --------------------------------------------------------------------------

API_SERVICE = "components.api."
# The biggest line the api logs (place_order's log_bytes in sync-logging.json) and the memory the
# exercise allows the log buffer: 32 MiB, 2048 such lines.
LOG_LINE_MAX_BYTES = 16 * 1024
LOG_BUFFER_BUDGET_BYTES = 32 * 1024 * 1024


def _with_sets(doc, sets):
    """The scenario with --set style settings applied (an object value is a merge patch)."""
    doc = copy.deepcopy(doc)
    for path, value in sets.items():
        parts = str(path).split(".")
        at = doc
        for part in parts[:-1]:
            if not isinstance(at.get(part), dict):
                at[part] = {}
            at = at[part]
        at[parts[-1]] = _merge_patch(at.get(parts[-1]), value) if isinstance(value, dict) else value
    return doc


def sync_logging(answer, seeds=(1, 2, 3)):
    """Settings of the api with which, in broken, both endpoints keep their SLO while the log disk is slow and
    no log line is dropped, with a log buffer that fits in 32 MiB."""
    answer, paths, hint = _as_settings(answer, f'{{"{API_SERVICE}logging.mode": "..."}}', "sync-logging", "broken")
    if hint:
        return _refuse(hint)
    less = ("that logs less ({path}). Not dumping every order at debug level is a fine idea in real life, but "
            "here the lines are what the team needs; keep them as they are and change how they are written.")
    rules = [
        (API_SERVICE + "logging.mode", None), (API_SERVICE + "logging.buffer", None),
        (API_SERVICE + "event_loop", None),
        (API_SERVICE + "logging.bytes_per_request", less),
        (API_SERVICE + "endpoints", less + " (Calls are not the problem either.)"),
        (API_SERVICE + "logging", "without a logger, or with its lines elsewhere ({path}), nothing is logged; the "
                                  "exercise keeps the log on the disk."),
        (API_SERVICE + "work", "that changes the CPU work of a request ({path}), not how it logs."),
        (API_SERVICE + "instances", "more instances ({path}) need more machines; each would still wait for its "
                                    "disk. Change how the api logs."),
        (API_SERVICE, "the exercise is about how the api logs and runs its requests; {path} is neither."),
    ] + _outside("api")
    hint = _judge_paths(paths, rules, "the exercise asks for settings of the api (" + API_SERVICE + "...), "
                                      "not {path}.")
    if hint:
        return _refuse(hint)
    api = _lookup(_with_sets(_with_variant(_scenario("sync-logging"), "broken"), answer), "components.api")
    logging = api.get("logging") if isinstance(api, dict) else None
    if not isinstance(logging, dict):
        return _refuse("the api needs its logger: keep \"logging\" and change how it writes.")
    if logging.get("mode") == "async":
        buffer = logging.get("buffer", 1000)
        if isinstance(buffer, int) and buffer * LOG_LINE_MAX_BYTES > LOG_BUFFER_BUDGET_BYTES:
            return _refuse(f"a buffer of {buffer} lines of up to 16 KiB needs up to "
                           f"{buffer * LOG_LINE_MAX_BYTES / 2**20:.0f} MiB of memory, more than the 32 MiB "
                           "allowed: a buffer that holds everything is an unbounded buffer, and a longer slowdown "
                           "fills it until the process runs out of memory. How many lines pile up in these 20 s?")
    try:
        runs = _runs("sync-logging", "broken", seeds, answer, load=False)
    except RuntimeError as e:
        return _failed_run(e)
    rows = []
    for r, _ in runs:
        m = r.summary["metrics"]
        rows.append({"seed": r.seed, "latency_slo": r.counts.get("latency_slo", 0),
                     "p99 (s)": m["latency_p99_s"], "lines written": int(m.get("log_lines_written", 0)),
                     "lines dropped": int(m.get("log_lines_dropped", 0))})
    table = pd.DataFrame(rows)
    slow = (table["latency_slo"] > 0).any()
    dropped = int(table["lines dropped"].max())
    if not slow and dropped == 0:
        return Verdict(True, "Both endpoints keep their SLO and no line is lost: no request waits for the disk "
                             "any more, and the buffer is big enough for the lines that pile up while the disk "
                             "writes 1.1 MB/s of the 1.24 MB/s logged. A longer slowdown would still fill it: "
                             "then lines are dropped, and counted, rather than users made to wait.", table)
    if slow:
        if logging.get("mode", "sync") == "sync" and api.get("event_loop") is False:
            return Verdict(False, "with a thread per request get_price is fine, but place_order still waits for its "
                                  "own write of 16 KiB on a disk that falls behind. What if no request waited for "
                                  "the disk at all?", table)
        return Verdict(False, "requests still wait for the slow disk: with a sync logger the event loop is held "
                              "for every write, so every endpoint waits. Which mode lets a request go on without "
                              "waiting for the disk?", table)
    return Verdict(False, f"the SLO holds now, but up to {dropped} log lines were dropped in a run: the buffer "
                          "fills while the disk is slow. About how many lines arrive per second per instance, "
                          "and how many can the slow disk write?", table)


CHECKS["23-sync-logging"] = sync_logging


# --- 24-traffic-spike -------------------------------------------------------------------------

SCALER = "components.autoscaler."
SPIKE_S = 300.0  # 8:00, five minutes after the run starts


def clock_time(t):
    """A time of the traffic-spike run as a wall clock: the run starts at 7:55, so 300 s is 8:00:00."""
    total = int(round(7 * 3600 + 55 * 60 + t))
    return f"{total // 3600}:{total // 60 % 60:02d}:{total % 60:02d}"


def instances_at(trace_path, t):
    """How many checkout instances were in the load balancer at time t (the autoscaler's samples and joins)."""
    ev = fl.events(trace_path, "autoscale")
    before = ev[ev["t"] <= t + 1e-6]
    return int(before["instances"].iloc[-1]) if len(before) else 0


def traffic_spike(answer, seeds=(1, 2, 3)):
    """Scheduled scaling for the autoscaler with which, in broken, checkout stays available through the
    8:00 spike on every seed: the traffic, the machines and the service unchanged."""
    answer, paths, hint = _as_settings(answer, f'{{"{SCALER}scheduled.sale": {{"at": "...", "min": ...}}}}',
                                       "traffic-spike", "broken")
    if hint:
        return _refuse(hint)
    rules = [
        (SCALER + "scheduled", None),
        (SCALER + "provisioning", "that makes the machines boot faster ({path}). A new instance takes four "
                                  "minutes to boot and pass its health check whatever the configuration says; "
                                  "plan around it."),
        (SCALER + "min", "that raises the minimum for good ({path}): you would pay for the extra instances every "
                         "hour of the year. The spike comes at a known time: schedule the capacity for it."),
        (SCALER, "reacting sooner or harder ({path}) cannot beat a four-minute boot: the pools' queues are "
                 "hopeless within seconds of 8:00. The capacity must be there before the spike."),
        ("components.checkout", "that changes the checkout service ({path}). Its pool can be fixed too (see "
                                "fixed-pool-queue), but this exercise is about having the instances in time."),
        ("components.db", "the database ({path}) was never the limit here; leave it."),
    ] + _outside("autoscaler's schedule")
    hint = _judge_paths(paths, rules, "the exercise asks for the autoscaler's schedule (" + SCALER +
                        "scheduled...), not {path}.")
    if hint:
        return _refuse(hint)
    try:
        runs = _runs("traffic-spike", "broken", seeds, answer, load=False)
    except RuntimeError as e:
        return _failed_run(e)
    rows = []
    for r, _ in runs:
        ev = fl.events(r.trace, "autoscale")
        joined = ev[ev["action"] == "joined"]
        rows.append({"seed": r.seed, "availability": r.counts.get("availability"),
                     "instances at 8:00": instances_at(r.trace, SPIKE_S),
                     "first join": clock_time(joined["t"].min()) if len(joined) else "none",
                     "mean instances": round(r.summary["metrics"].get("autoscaler_mean_instances", float("nan")), 2)})
    table = pd.DataFrame(rows)
    base = len(_scenario("traffic-spike")["components"]["checkout"]["instances"])
    ready = (table["instances at 8:00"] > base).all()  # more than the two it always has
    available = (table["availability"] == 0).all()
    if ready and available:
        return Verdict(True, "The extra instances were ordered early enough to have booted and joined before "
                             "8:00, so at 8:00 enough pools are there to finish 30 checkouts a second. The spike "
                             "still came, tenfold; the capacity was simply there first.", table)
    if not ready:
        return Verdict(False, "at 8:00 checkout still had too few instances in service: a scheduled minimum "
                              "takes effect at its time, and the instances it orders need the provisioning time "
                              "(4 minutes) to boot and join. When must the schedule start, and how many "
                              "instances does the spike need (each finishes about 11.7 checkouts a second)?",
                       table)
    return Verdict(False, "the instances were there at 8:00 but too few: each instance's pool of 4 finishes about "
                          "11.7 checkouts a second, and 30 come. How many instances does that take?", table)


CHECKS["24-traffic-spike"] = traffic_spike


# --- 25-capacity-10x --------------------------------------------------------------------------

CAPACITY_RATE = "workload.clients.users.arrival.rate_per_s"
CAPACITY_SWEEP = [100, 500, 1000]  # 1,000, 5,000 and 10,000 users


def _capacity_dir():
    folder = fl.default_out_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def capacity_sweep(rates=None, duration="4s", seeds="1"):
    """faultlab sweep capacity-10x (variant today) --saturation over the request rate (users / 10): the table
    (one row per run, a column per resource) and the lines the sweep printed about saturation."""
    rates = rates or CAPACITY_SWEEP
    out = _capacity_dir() / f"capacity-sweep-{'-'.join(map(str, rates))}.csv"
    printed = fl.command("sweep", fl.scenario_path("capacity-10x"), "--variant", "today", "--saturation",
                         "--seeds", seeds, "--jobs", "2", "--no-progress", "--out", out,
                         "--param", f"workload.duration={duration}",
                         "--param", f"{CAPACITY_RATE}={','.join(map(str, rates))}")
    lines = [line for line in printed.splitlines() if not line.startswith("wrote ")]
    return pd.read_csv(out), lines


def first_to_saturate(lines):
    """The resource id on the sweep's "first to saturate:" line, or None when nothing saturated."""
    for line in lines:
        if line.startswith("first to saturate: "):
            name = line[len("first to saturate: "):].split(" ")[0]
            return None if name == "none" else name
    return None


def saturation_of(scenario, variant, seed=1, sets=None):
    """faultlab run --saturation: the summary's resources as a table (id, kind, utilization, saturated, why)."""
    name = f"{scenario}-{variant}-seed{seed}-saturation"
    if sets:
        name += "-" + hashlib.sha1(json.dumps(sets, sort_keys=True).encode()).hexdigest()[:8]
    summary = _capacity_dir() / f"{name}.summary.json"
    fl.command("run", fl.scenario_path(scenario), "--variant", variant, "--seed", seed, "--saturation",
               "--summary", summary, "--quiet", *fl._set_args(sets))
    s = fl.load_summary(summary)
    return pd.DataFrame(s["saturation"]["resources"]), s


# Parts of the design the sweep shows never saturate, and why changing them is not the answer.
_CAPACITY_UNTOUCHED = [
    ("workload", "that lowers the traffic ({path}). The 10,000 users are the plan, not a setting: make the "
                 "design carry them."),
    ("checks", "that changes what the checker looks for ({path}), not what the users see."),
    ("faults", "there are no faults here; {path} changes nothing the users see."),
    ("components.db.queries", "that changes what the category page reads ({path}): it ranks the category's "
                              "8,000 products, and that is the product's decision. Give the work more CPU, or "
                              "take it off the database."),
    ("components.app.pools", "that changes the pool ({path}). The pool filled because each query waited for the "
                             "database's four cores; more connections let more queries share them, each one "
                             "slower. The sweep says the pool saturates after the database's CPU, not before."),
    ("components.app.instances", "that adds or moves app instances ({path}): their CPU never went past 20 % in "
                                 "the sweep, so more of them only add callers to the same database."),
    ("components.app.work", "that changes the app's own work ({path}): its CPU never saturated."),
    ("components.sessions", "that changes Redis ({path}): it never went past a few percent."),
    ("topology.latency", "that changes the network ({path}): no link went past 1 %."),
    ("topology.bandwidth", "that changes the network ({path}): no link went past 1 %."),
]


def _capacity_rule(path):
    hint = next((h for prefix, h in _CAPACITY_UNTOUCHED if _under(path, prefix)), None)
    if hint:
        return hint.format(path=path)
    if _under(path, "topology.nodes"):
        node = path.split(".")[2] if len(path.split(".")) > 2 else ""
        if node in ("web", "redis-1") or node.startswith("app-"):
            return (f"that changes node {node} ({path}), which never saturated in the sweep. Change what "
                    "saturated first.")
    return None


def capacity_10x(answer, seeds=(1, 2)):
    """The first resource to saturate (compared with the sweep's own answer) and the one change that makes
    10,000 users (variant broken) pass every check on every seed."""
    example = '{"first_to_saturate": "cpu:app-1", "change": {"topology.nodes.app-1.cores": 8}}'
    if not isinstance(answer, dict) or set(answer) != {"first_to_saturate", "change"}:
        return _refuse(f"ANSWER should be a dict like {example}.")
    try:
        _, lines = capacity_sweep()
    except RuntimeError as e:
        return _failed_run(e)
    first = first_to_saturate(lines)
    named = str(answer["first_to_saturate"]).strip()
    if named != first:
        return Verdict(False, f"the sweep does not say {named!r} saturates first. Read its \"first to saturate\" "
                              "line (the resource id, like cpu:NODE or pool:SERVICE.DEPENDENCY), and the "
                              "\"never saturated\" one.",
                       pd.DataFrame({"sweep": lines}))
    change, paths, hint = _as_settings(answer["change"], '{"topology.nodes.db-1.cores": 8}', "capacity-10x",
                                       "broken")
    if hint:
        return _refuse(hint)
    for path in paths:
        hint = _capacity_rule(path)
        if hint:
            return _refuse(hint)
    try:
        runs = _runs("capacity-10x", "broken", seeds, change, load=False)
        resources, _ = saturation_of("capacity-10x", "broken", seeds[0], change)
    except RuntimeError as e:
        return _failed_run(e)
    rows = [{"seed": r.seed, "latency_slo": r.counts.get("latency_slo", 0),
             "availability": r.counts.get("availability", 0),
             "ops": r.summary["ops"]["ok"] + r.summary["ops"]["fail"] + r.summary["ops"]["info"]}
            for r, _ in runs]
    table = pd.DataFrame(rows)
    saturated = resources[resources["saturated"]]["id"].tolist() if len(resources) else []
    if (table["latency_slo"] == 0).all() and (table["availability"] == 0).all() and not saturated:
        busiest = resources.iloc[0]
        return Verdict(True, f"10,000 users pass on every seed, and nothing saturates: the busiest resource, "
                             f"{busiest['id']}, is at {busiest['utilization']:.0%}. You grew (or relieved) the one "
                             "resource that saturated first and left the app instances, Redis and the network "
                             "alone: the sweep said they did not need to change.", table)
    if saturated:
        return Verdict(False, f"with this change, at 10,000 users these still saturate: {', '.join(saturated)}. "
                              f"The first to saturate was {first}: what makes it carry ten times the work?", table)
    return Verdict(False, "nothing saturates over the whole run, but requests still miss their SLO: look at the "
                          "violations (faultlab run --variant broken --saturation with your --set).", table)


CHECKS["25-capacity-10x"] = capacity_10x


# --- 26-slow-endpoint -------------------------------------------------------------------------

def profile_of(scenario, variant, seed=1, sets=None):
    """faultlab run --profile: the summary's profile (endpoints, dependencies, slowest)."""
    name = f"{scenario}-{variant}-seed{seed}-profile"
    if sets:
        name += "-" + hashlib.sha1(json.dumps(sets, sort_keys=True).encode()).hexdigest()[:8]
    folder = fl.default_out_dir()
    folder.mkdir(parents=True, exist_ok=True)
    summary = folder / f"{name}.summary.json"
    fl.command("run", fl.scenario_path(scenario), "--variant", variant, "--seed", seed, "--profile",
               "--summary", summary, "--quiet", *fl._set_args(sets))
    return fl.load_summary(summary)["profile"]


_SLOW_RULES = [
    ("workload", "that changes who uses the API or how ({path}). The sellers are customers too: dropping their "
                 "class, or their orders page, hides the slow query instead of fixing it."),
    ("checks", "that changes what the checker looks for ({path}), not what the sellers wait for."),
    ("components.db.queries", "that changes or removes the query ({path}). The sellers need the orders of their "
                              "products; make the database find them without reading the whole table."),
    ("components.api.endpoints", "that changes what the endpoint calls ({path}): the orders page still needs "
                                 "the sellers' orders. Fix how the database finds them."),
    ("components.db.statement_timeout", "a statement_timeout ({path}) makes the slow query fail instead of "
                                        "being slow: the sellers get an error instead of a wait."),
    ("topology", "that changes the machines ({path}). A faster CPU scans the 400,000 rows faster, but the scan "
                 "still grows with the table, and more cores do not split one query. Make it stop scanning."),
]


def slow_endpoint(answer, seeds=(1, 2)):
    """Which class, endpoint and dependency the profile names as slowest, then a fix of that dependency
    (settings on variant broken) after which no endpoint misses its latency SLO."""
    example = ('{"user_class": "shoppers", "endpoint": "browse", "dependency": "db.get_product", '
               '"fix": {"components.db.memory.shared_buffers": "16GiB"}}')
    fields = {"user_class", "endpoint", "dependency", "fix"}
    if not isinstance(answer, dict) or set(answer) != fields:
        return _refuse(f"ANSWER should be a dict like {example}.")
    try:
        slowest = profile_of("slow-endpoint", "broken")["slowest"]
    except RuntimeError as e:
        return _failed_run(e)
    table = _table([("user_class", answer["user_class"], slowest["client"]),
                    ("endpoint", answer["endpoint"], slowest["endpoint"]),
                    ("dependency", answer["dependency"], slowest["dependency"])])
    for field, key in (("user_class", "client"), ("endpoint", "endpoint"), ("dependency", "dependency")):
        if str(answer[field]).strip() != slowest[key]:
            return Verdict(False, f"{field}: the profile says otherwise. Read the line that starts \"slowest:\" "
                                  "(and the top dependencies): which class, which endpoint, and where its time "
                                  "went.", table)
    fix, paths, hint = _as_settings(answer["fix"], '{"components.db.memory.shared_buffers": "16GiB"}',
                                    "slow-endpoint", "broken")
    if hint:
        return _refuse(hint)
    hint = _judge_paths(paths, _SLOW_RULES, None)
    if hint:
        return _refuse(hint)
    try:
        runs = _runs("slow-endpoint", "broken", seeds, fix, load=False)
        after = profile_of("slow-endpoint", "broken", seeds[0], fix)
    except RuntimeError as e:
        return _failed_run(e)
    sellers = [e for e in after["endpoints"] if e["client"] == slowest["client"] and e["endpoint"] ==
               slowest["endpoint"]]
    rows = [{"seed": r.seed, "latency_slo": r.counts.get("latency_slo", 0),
             "availability": r.counts.get("availability", 0)} for r, _ in runs]
    table = pd.DataFrame(rows)
    p99 = sellers[0]["p99_s"] if sellers else None
    table["orders p99 (s), seed 1"] = p99
    if not sellers or sellers[0]["count"] == 0:
        return Verdict(False, "the sellers' orders page is no longer called: fix the query, not the traffic.",
                       table)
    if (table["latency_slo"] == 0).all() and (table["availability"] == 0).all():
        return Verdict(True, f"The sellers' orders page now answers in {p99 * 1000:.1f} ms at p99: with an index "
                             "on seller_id the database reads the index and the fifty rows instead of all "
                             "400,000. Nothing else changed, and the other endpoints never needed to.", table)
    return Verdict(False, "some endpoint still misses its SLO. Look at the query event of seller_orders "
                          "(rows_examined and plan): what would let the database find one seller's orders "
                          "without reading every row?", table)


CHECKS["26-slow-endpoint"] = slow_endpoint
