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
}
