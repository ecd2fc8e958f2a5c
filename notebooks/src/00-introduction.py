# %% [markdown]
# # faultlab, a first look
#
# faultlab simulates a small distributed system (a database with its replicas,
# the clients that use it, the network between them) and breaks it on purpose:
# a replica falls behind, a link between data centres fails, a machine freezes.
# Every run records what each client asked for and what it got back, checks that
# record for the kinds of mistakes users notice (a change that seems to vanish,
# a write that was confirmed and then lost, two servers that both think they are
# in charge) and writes everything down in a trace you can replay.
#
# Nothing here is real time: faultlab runs on SimGrid, a discrete-event
# simulator, so 30 simulated seconds take a fraction of a second and the same
# seed always gives exactly the same run.
#
# This notebook shows the three things you will work with:
#
# 1. a **scenario** (JSON): the system, the workload, the faults, the checks;
# 2. a **summary** (JSON): the counts of one run;
# 3. a **trace** (JSON Lines): every operation and event of one run, which we load into pandas.
#
# Run the cells from top to bottom (Shift+Enter).

# %%
import json

import matplotlib.pyplot as plt
import pandas as pd

import exercises as ex
import faultlab_helper as fl

pd.set_option("display.max_colwidth", 120)
print("faultlab:", fl.faultlab_bin())

# %% [markdown]
# If that cell says faultlab is not built, build it once from a terminal
# (`make -C .. build` from this folder) and run the cell again.
#
# ## The catalog
#
# Each scenario is one JSON file in `scenarios/`. `faultlab list` shows them.

# %%
print(fl.command("list"))

# %% [markdown]
# ## A scenario
#
# We start with `replica-lag`: a web application that saves user profiles on a
# primary database and reads them back from two read replicas. A scenario has a
# story (`lesson`), the machines (`topology`), what runs on them (`components`),
# the traffic (`workload`), a fault timeline (`faults`, empty here: the lag
# alone is the problem), the checks to run, and `variants`: a broken design and
# a fixed one, written as small patches over the base.

# %%
scenario = json.loads((fl.REPO / "scenarios/replica-lag.json").read_text())
print(list(scenario))
print(json.dumps(scenario["components"], indent=2))

# %%
print(json.dumps(scenario["workload"]["clients"], indent=2))
print("checks:  ", list(scenario["checks"]))
print("variants:", {name: patch.get("components", {}) for name, patch in scenario["variants"].items()})

# %% [markdown]
# Reads go to any replica, and a replica applies each write between 200 ms and
# 1.5 s after the primary did. Users reload their profile 150 ms after saving it.
# You can probably guess what happens.
#
# ## A first run
#
# `fl.run` runs `faultlab run` once and keeps the trace and the summary in a
# temporary folder. The same thing from a terminal:
#
#     faultlab run scenarios/replica-lag.json --variant broken --seed 1 --trace t.jsonl --summary s.json
#
# Without `--quiet` faultlab prints a short report:

# %%
print(fl.command("run", "scenarios/replica-lag.json", "--variant", "broken", "--seed", 1))

# %%
r = fl.run("replica-lag", variant="broken", seed=1)
print(r.trace)
print(r.summary_path)

# %% [markdown]
# ## The summary
#
# The summary has the counts: client operations by outcome, messages, violations
# per checker, latency and availability, the first 200 violations explained in
# words, and the command line that reproduces the run.

# %%
s = r.summary
print("ops:       ", s["ops"])
print("violations:", s["counts"])
print("metrics:   ", {k: round(v, 4) for k, v in s["metrics"].items()})
print("reproduce: ", s["reproduce"])

# %% [markdown]
# ## The trace
#
# The trace is one JSON object per line. The first line is a header (which
# scenario, variant and seed, the nodes and their roles); every other line is an
# event with its simulated time `t` in seconds and its kind `ev`.

# %%
with open(r.trace) as f:
    for _, line in zip(range(8), f):
        print(line[:200].rstrip())

# %% [markdown]
# `fl.load_trace` turns it into pandas tables: `ops`, `messages`, `states`,
# `faults`, `node_status`, `discards` and `violations`, plus the `header` and
# the `end` line.

# %%
t = fl.load_trace(r.trace)
print(t.header["scenario"], t.header["variant"], "seed", t.header["seed"])
pd.DataFrame(t.header["nodes"])

# %% [markdown]
# ## Reading the op table
#
# One row per client operation, the way a client saw it:
#
# | column | meaning |
# |---|---|
# | `op` | the operation's id (violations refer to these) |
# | `client`, `process` | the client group and the session within it (`-1`: the final reads) |
# | `f`, `key`, `value` | what it did: a `write` of `value`, or a `read` that returned `value` (empty: the key did not exist yet) |
# | `invoke_s`, `complete_s`, `latency_s` | when it was sent, when the answer came back, and the difference |
# | `outcome` | `ok`, `fail` (it surely did not happen) or `info` (no answer: it may or may not have happened) |
# | `node`, `error` | which server answered, and why it failed if it did |
# | `position`, `term` | where a write landed in the log, and the leader's term (when the design has terms) |
# | `final` | the reads faultlab makes after the workload, to see what survived |

# %%
t.ops.head(10)

# %%
print(t.ops["outcome"].value_counts())
reads = t.ops[(t.ops["f"] == "read") & ~t.ops["final"]]
print("\nreads served by:")
print(reads["node"].value_counts())

# %%
print("latency (ms):", (t.ops["latency_s"] * 1000).describe().round(2).to_dict())
workload = t.ops[~t.ops["final"]]
per_second = workload.assign(second=workload["invoke_s"].astype(int)).groupby(["second", "f"]).size().unstack()
per_second.plot(figsize=(9, 3), title="client ops per second (without the final reads)", xlabel="time (s)", ylabel="ops")
plt.show()

# %% [markdown]
# ## Violations
#
# Each violation names a checker, a time, the ops involved and one sentence.
# The ops are ids in the op table, so we can look at them side by side. The
# latencies above were all fine and every op was `ok`: these mistakes do not
# show in the usual dashboards.

# %%
t.violations.groupby("check").size()

# %%
first = t.violations.iloc[0]
print(first["check"], "at", round(first["t"], 3), "s:", first["message"])
t.ops.set_index("op").loc[first["ops"], ["client", "process", "f", "key", "value", "invoke_s", "complete_s", "node"]]

# %% [markdown]
# The session wrote its profile, got an `ok` from `db-primary`, and 150 ms later
# read it back from a replica that had not applied the write yet.
#
# ## Warm-up exercise
#
# Any value in a scenario can be changed for one run with `--set PATH=VALUE`;
# in Python, `fl.run(..., sets={PATH: VALUE})`. The path is the dotted path in
# the JSON, e.g. `components.profiles.lag`.
#
# **Change one setting of the `profiles` component so that no read at all is
# stale** (`stale_read` reports 0 in seeds 1 to 3). The replicas stay as they
# are, lag included: the lag is the situation, the design is what you change.
# Replace `ANSWER` with your own and run the cell. The check (`exercises.py`)
# runs your setting over three seeds and prints what it measured, then "Well
# done!" or a hint.

# %%
ANSWER = {"components.profiles.read_policy": "primary"}  # a student replaces this

ex.introduction(ANSWER).show()

# %% [markdown]
# ## The viewer
#
# `faultlab-viz` replays a trace: one lane per client and per node, messages as
# arrows, faults as bands, violations as markers. Here is a screenshot of the
# run above, zoomed to the first violation, the one we just looked at: the
# write, the reload, and the replication message that arrives much later. (It
# needs the viewer built, and `xvfb-run` to draw without a screen.)

# %%
from IPython.display import Image, display

png = fl.screenshot(r.trace, fl.default_out_dir() / "introduction.png", select_violation=1)
if png:
    display(Image(filename=str(png), width=900))

# %% [markdown]
# To look around yourself, open it in a terminal: `faultlab-viz <trace>` (the
# path is printed above).
#
# ## Next
#
# - `01-replica-lag.ipynb`: a user who cannot see their own change;
# - `02-split-brain.ipynb`: a network partition and two primaries;
# - `03-gc-pause.ipynb`: a frozen primary that wakes up still in charge;
# - `04-cache-invalidation.ipynb`: a cache that puts the old price back;
# - `05-redis-spof.ipynb`: one Redis behind every endpoint;
# - `06-hot-shard.ipynb`: one shard carrying the biggest customers;
# - `07-inventory-race.ipynb`: a flash sale that sells more than it has.
