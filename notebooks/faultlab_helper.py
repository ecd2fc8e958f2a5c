"""Run faultlab from a notebook and load what it writes into pandas.

    import faultlab_helper as fl
    r = fl.run("replica-lag", variant="broken", seed=1)
    r.summary["counts"]            # violations per checker
    t = fl.load_trace(r.trace)     # t.header, t.ops, t.messages, t.states, t.faults, t.violations
                                   # (a database's: t.queries, t.locks, t.pool_waits, t.levels)
    levels = fl.events(r.trace, "level")   # one kind of event only: quick on a long trace

Only the standard library, pandas and matplotlib. The trace format is
described in the repository's README ("Output formats").
"""

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
XVFB_SCREEN = "-screen 0 1920x1080x24"


def faultlab_bin():
    """The faultlab command: $FAULTLAB_BIN, else build/sim/cli/faultlab, else PATH."""
    candidates = [os.environ.get("FAULTLAB_BIN"), REPO / "build/sim/cli/faultlab", shutil.which("faultlab")]
    for c in candidates:
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return Path(c)
    raise FileNotFoundError(
        "faultlab is not built yet. Build it with:\n"
        f"    make -C {REPO} build\n"
        "or point FAULTLAB_BIN at a faultlab binary you built elsewhere.")


def viz_bin():
    """faultlab-viz next to the faultlab in use ($FAULTLAB_VIZ wins), or None."""
    here = faultlab_bin().resolve().parents[2] / "viz/faultlab-viz"  # <build>/sim/cli/faultlab
    for c in [os.environ.get("FAULTLAB_VIZ"), here, REPO / "build/viz/faultlab-viz"]:
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return Path(c)
    return None


_session_dir = None


def default_out_dir():
    """Where runs write their files: $FAULTLAB_NB_OUT, else one temporary folder per session."""
    global _session_dir
    if os.environ.get("FAULTLAB_NB_OUT"):
        path = Path(os.environ["FAULTLAB_NB_OUT"])
    else:
        if _session_dir is None:
            _session_dir = Path(tempfile.mkdtemp(prefix="faultlab-nb-"))
        path = _session_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


def scenario_path(scenario):
    """'replica-lag' -> scenarios/replica-lag.json (relative to the repository when inside it)."""
    path = Path(scenario)
    if not path.suffix:
        path = REPO / "scenarios" / f"{scenario}.json"
    path = path.resolve()
    try:
        return path.relative_to(REPO)  # keeps the "reproduce" lines short
    except ValueError:
        return path


def command(*args):
    """Runs `faultlab ARGS...` in the repository root and returns what it printed.

    A failure raises, with faultlab's own error message: command("list"), command("explain", "gc-pause")."""
    args = [str(a) for a in args]
    done = subprocess.run([str(faultlab_bin()), *args], cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"faultlab {' '.join(args)} failed (exit {done.returncode}):\n"
                           f"{done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def _text(value):
    """A value as faultlab's --set reads it: strings as they are, the rest as JSON (True -> true)."""
    return value if isinstance(value, str) else json.dumps(value)


def _set_args(sets):
    """{"a.b": "800ms", "c": True} -> ["--set", "a.b=800ms", "--set", "c=true"]."""
    return [a for path, value in (sets or {}).items() for a in ("--set", f"{path}={_text(value)}")]


_UNITS_S = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0}


def seconds(duration):
    """A duration as faultlab writes it, in seconds: "1500ms" -> 1.5, "3s" -> 3.0."""
    text = str(duration).strip()
    number = text.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = text[len(number):]
    if unit not in _UNITS_S:
        raise ValueError(f"not a duration with a unit: {duration!r}")
    return float(number) * _UNITS_S[unit]


@dataclass
class Run:
    scenario: str
    variant: str
    seed: int
    sets: dict
    trace: Path
    summary_path: Path
    summary: dict

    @property
    def counts(self):
        """Violations per checker, e.g. {"read_your_writes": 223, ...}."""
        return self.summary["counts"]


_runs = {}  # (scenario, variant, seed, sets, out_dir) -> the Run made in this session


def run(scenario, variant=None, seed=1, sets=None, out_dir=None, reuse=False):
    """faultlab run SCENARIO --trace ... --summary ... --quiet; returns a Run.

    reuse=True returns the run made earlier in this session with the same arguments, if its
    files are still there (an exercise check uses it to judge the very run the notebook plotted)."""
    path = scenario_path(scenario)
    memo = (str(path), variant, seed, json.dumps(sets or {}, sort_keys=True), str(out_dir))
    done = _runs.get(memo)
    if reuse and done and done.trace.is_file() and done.summary_path.is_file():
        return done
    name = f"{path.stem}-{variant or 'default'}-seed{seed}"
    if sets:
        name += "-" + hashlib.sha1(json.dumps(sets, sort_keys=True).encode()).hexdigest()[:8]
    folder = Path(out_dir) if out_dir else default_out_dir()
    folder.mkdir(parents=True, exist_ok=True)
    trace, summary = folder / f"{name}.jsonl", folder / f"{name}.summary.json"
    args = ["run", str(path), "--seed", str(seed), "--trace", str(trace), "--summary", str(summary), "--quiet"]
    if variant:
        args += ["--variant", variant]
    command(*args, *_set_args(sets))
    s = load_summary(summary)
    _runs[memo] = Run(path.stem, s["variant"], seed, dict(sets or {}), trace, summary, s)
    return _runs[memo]


def load_summary(path):
    """The summary JSON as a dict (see README, "Output formats")."""
    with open(path) as f:
        return json.load(f)


@dataclass
class Trace:
    header: dict       # scenario, variant, seed, nodes, clients, checks, ...
    ops: pd.DataFrame  # one row per client op, invoke and completion joined
    messages: pd.DataFrame    # send / deliver / drop events
    states: pd.DataFrame      # role changes (role, term, why), applies (applied, key, value), other
                              # components' changes (key, value, why; a cache's entries)
    faults: pd.DataFrame      # fault start / end
    node_status: pd.DataFrame  # down / up / paused / running
    discards: pd.DataFrame    # log entries thrown away when logs were reconciled
    violations: pd.DataFrame  # check, t, ops, message
    end: dict
    # A database's events (empty without one); see QUERY_COLUMNS and the others below.
    queries: pd.DataFrame = None     # one row per statement that ran: rows examined, plan, run time, outcome
    locks: pd.DataFrame = None       # lock_wait (a statement queued for a table lock) and lock_timeout
    pool_waits: pd.DataFrame = None  # a service waited for a connection of its pool
    levels: pd.DataFrame = None      # samples of a database's rows, disk, memory, connections, ...


# The columns of a database's events, in the order the frames keep them.
QUERY_COLUMNS = ["t", "node", "component", "query", "who", "op", "rows_examined", "plan", "cpu_s", "io_bytes",
                 "run_s", "outcome"]
LOCK_COLUMNS = ["t", "ev", "node", "component", "lock", "mode", "who", "behind", "queue", "waited_s"]
POOL_WAIT_COLUMNS = ["t", "node", "component", "pool", "waited_s", "outcome", "in_use", "waiting", "size"]
LEVEL_COLUMNS = ["t", "node", "component", "rows", "disk_used", "disk_size", "memory_used", "memory_size",
                 "connections", "running", "lock_waiting", "cache_hit"]
_COLUMNS = {"query": QUERY_COLUMNS, "lock_wait": LOCK_COLUMNS, "lock_timeout": LOCK_COLUMNS,
            "pool_wait": POOL_WAIT_COLUMNS, "level": LEVEL_COLUMNS}
# Quantities that stay floats (bytes, rows and ratios can be whole in one trace and not in the next).
_FLOATS = {"rows", "disk_used", "disk_size", "memory_used", "memory_size", "cache_hit", "rows_examined", "io_bytes"}


_MESSAGE_EVENTS = ('"ev":"send"', '"ev":"deliver"', '"ev":"drop"')


def load_trace(path, messages=True):
    """Reads a faultlab-trace (JSON Lines) into a header dict and DataFrames.

    messages=False skips the send / deliver / drop events (t.messages is then empty):
    in a busy run they are most of the file, and reading them takes a few seconds."""
    with open(path) as f:
        header = json.loads(f.readline())
        if header.get("format") not in ("faultlab-trace", "faultlab-history"):
            raise ValueError(f"{path}: not a faultlab trace (format {header.get('format')!r})")
        events = [json.loads(line) for line in f
                  if messages or not any(m in line[:60] for m in _MESSAGE_EVENTS)]
    by_kind = {}
    for e in events:
        by_kind.setdefault(e["ev"], []).append(e)

    def frame(kinds, columns):
        rows = [e for k in kinds for e in by_kind.get(k, [])]
        df = pd.DataFrame(rows)
        for c in columns:
            if c not in df:
                df[c] = None
        df["t"] = df["t"].astype(float)
        return _typed(df[columns].sort_values("t", kind="stable").reset_index(drop=True))

    return Trace(
        header=header,
        ops=_join_ops(by_kind.get("op", [])),
        messages=frame(["send", "deliver", "drop"], ["t", "ev", "msg", "from", "to", "kind", "op", "size", "reason"]),
        states=frame(["state"], ["t", "node", "component", "role", "term", "why", "applied", "key", "value", "entries"]),
        faults=frame(["fault"], ["t", "name", "type", "phase", "node", "details"]),
        node_status=frame(["node"], ["t", "node", "status"]),
        discards=frame(["discard"], ["t", "node", "component", "position", "key", "value", "term", "origin"]),
        violations=frame(["violation"], ["t", "check", "ops", "message"]),
        end=(by_kind.get("end") or [{}])[-1],
        queries=frame(["query"], QUERY_COLUMNS),
        locks=frame(["lock_wait", "lock_timeout"], LOCK_COLUMNS),
        pool_waits=frame(["pool_wait"], POOL_WAIT_COLUMNS),
        levels=frame(["level"], LEVEL_COLUMNS),
    )


def events(path, kind, having=None):
    """The trace's events of one kind as a DataFrame, parsing only their lines.

    events(r.trace, "level") takes a fraction of a second where load_trace reads a
    year-long trace for many: use it when one kind of event is all a plot needs.
    "op" gives the raw invoke and completion events (load_trace joins them).
    having: keep only the lines that contain this text, e.g. '"f":"disk_full"'."""
    mark = f'"ev":"{kind}"'
    with open(path) as f:
        f.readline()  # the header
        rows = [json.loads(line) for line in f if mark in line[:60] and (having is None or having in line)]
    columns = _COLUMNS.get(kind) or list(dict.fromkeys(["t"] + [k for r in rows for k in r if k != "ev"]))
    df = pd.DataFrame(rows)
    for c in columns:
        if c not in df:
            df[c] = None
    df["t"] = df["t"].astype(float)
    return _typed(df[columns].reset_index(drop=True))


def _typed(df):
    """_ints, but the database's quantities stay floats."""
    floats = [c for c in df.columns if c in _FLOATS]
    out = _ints(df.drop(columns=floats))
    for c in floats:
        out[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    return out[list(df.columns)]


def _join_ops(op_events):
    """invoke + completion -> one row per op: invoke_s, complete_s, latency_s, outcome, ..."""
    ops = pd.DataFrame(op_events)
    if ops.empty:
        return pd.DataFrame(columns=["op", "process", "client", "f", "key", "value", "invoke_s", "complete_s",
                                     "latency_s", "outcome", "node", "error", "position", "term", "final"])
    for c in ["value", "node", "error", "position", "term", "final"]:
        if c not in ops:
            ops[c] = None
    inv = ops[ops["type"] == "invoke"].set_index("op")
    done = ops[ops["type"] != "invoke"].set_index("op")
    out = inv[["process", "client", "f", "key"]].copy()
    out["value"] = done["value"].combine_first(inv["value"])  # a read's value comes with its completion
    out["invoke_s"] = inv["t"]
    out["complete_s"] = done["t"]
    out["latency_s"] = out["complete_s"] - out["invoke_s"]
    out["outcome"] = done["type"]  # ok / fail / info; missing if it never completed
    for c in ["node", "error", "position", "term"]:
        out[c] = done[c]
    out["final"] = inv["final"].fillna(False).astype(bool)
    return _ints(out.reset_index())


def _ints(df):
    """Whole-number columns with gaps (term, position, op, ...) as pandas' nullable Int64, not floats."""
    for c in df.columns:
        if c == "t" or c.endswith("_s") or df[c].dtype == bool:
            continue
        col = pd.to_numeric(df[c], errors="coerce")  # strings and lists become NaN: left alone below
        all_numbers = col.notna().sum() == df[c].notna().sum() > 0
        if all_numbers and (col.dropna() % 1 == 0).all():
            df[c] = col.astype("Int64")
    return df


def role_intervals(trace):
    """From role changes: one row per (node, role, term) with start_s and end_s."""
    roles = trace.states.dropna(subset=["role"])
    end_s = trace.end.get("t", trace.header.get("duration_s"))
    rows = []
    for node, g in roles.groupby("node", sort=False):
        g = g.sort_values("t", kind="stable")
        ends = list(g["t"].iloc[1:]) + [end_s]
        for (_, r), stop in zip(g.iterrows(), ends):
            rows.append({"node": node, "role": r["role"], "term": r["term"], "start_s": r["t"],
                         "end_s": stop, "why": r["why"]})
    return pd.DataFrame(rows, columns=["node", "role", "term", "start_s", "end_s", "why"])


def discarded_writes(trace):
    """Acknowledged writes whose log entry was later thrown away somewhere (one row per write).

    The lost_writes checker only proves a loss the final reads can still see; a lost
    write that a later write of the same key covered up is found here."""
    ok = trace.ops[(trace.ops["f"] == "write") & (trace.ops["outcome"] == "ok")]
    first = trace.discards.sort_values("t", kind="stable").drop_duplicates(["key", "value"])
    gone = ok.merge(first[["key", "value", "t", "node"]].rename(columns={"t": "discarded_s", "node": "discarded_on"}),
                    on=["key", "value"])
    return gone.sort_values("complete_s", kind="stable").reset_index(drop=True)


def sweep(scenario, params, seeds="1..3", variant=None, jobs=2, sets=None, out=None):
    """faultlab sweep: params {"path": [v1, v2, ...]} -> DataFrame, one row per run.

    Values are given as for --set ("800ms", 3, True, {...}); a run that failed has its
    reason in the "error" column. sets={...} are fixed overrides applied to every run."""
    path = scenario_path(scenario)
    out = Path(out) if out else default_out_dir() / f"sweep-{path.stem}-{variant or 'default'}-{os.getpid()}.csv"
    args = ["sweep", str(path), "--seeds", seeds if isinstance(seeds, str) else ",".join(map(str, seeds)),
            "--jobs", str(jobs), "--out", str(out), "--no-progress"]
    if variant:
        args += ["--variant", variant]
    for p, values in params.items():
        args += ["--param", f"{p}={','.join(_text(v) for v in values)}"]
    for p, value in (sets or {}).items():  # a fixed override is a parameter with one value
        args += ["--param", f"{p}={_text(value)}"]
    command(*args)
    df = pd.read_csv(out)
    return df


def screenshot(trace, png, compare_with=None, window=None, select_violation=None):
    """A PNG of faultlab-viz showing the trace (headless, under xvfb-run), or None without them.

    compare_with: a second trace, drawn below the first on the same time axis.
    window: (t0, t1) in seconds; select_violation: N to zoom to the N-th violation."""
    viz, xvfb = viz_bin(), shutil.which("xvfb-run")
    if viz is None or xvfb is None:
        print("No screenshot: " + ("faultlab-viz is not built" if viz is None else "xvfb-run is not installed")
              + " (make -C " + str(REPO) + " build builds the viewer; setup.sh installs xvfb).")
        return None
    args = [xvfb, "-a", "-s", XVFB_SCREEN, str(viz), str(trace)]
    if compare_with:
        args.append(str(compare_with))
    args += ["--screenshot", str(png), "--size", "1600x900"]
    if window:
        args += ["--window", f"{window[0]}:{window[1]}"]
    if select_violation:
        args += ["--select-violation", str(select_violation)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if done.returncode != 0 or not Path(png).is_file():
        print(f"No screenshot: faultlab-viz failed (exit {done.returncode}): {done.stderr.strip()}")
        return None
    return Path(png)


def check_answer(condition, ok_message, hint):
    """For exercise cells: prints a friendly line, "Well done! ..." or "Not yet. Hint: ...".

    With FAULTLAB_NB_REQUIRE_ANSWERS=1 (the test suite sets it) a wrong answer raises,
    so the reference answers in the notebooks are checked too."""
    if condition:
        print("Well done! " + ok_message)
    else:
        print("Not yet. Hint: " + hint)
        if os.environ.get("FAULTLAB_NB_REQUIRE_ANSWERS") == "1":
            raise AssertionError("the reference answer no longer passes its check")
