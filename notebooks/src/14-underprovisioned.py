# %% [markdown]
# # Too small, and in one zone: out of memory, then a zone outage
#
# The database runs on the smallest instance that passed the load test: two
# cores and 4 GiB of memory, in one availability zone. The load test sent
# the customers' order lookups. It did not send the analysts' sales report,
# which scans the orders table and sorts in 512 MiB of `work_mem`, about one
# report every two seconds.
#
# Two cores finish a report in five seconds at best, so the reports pile up,
# and each one holds its 512 MiB while it runs. When `shared_buffers` plus the
# connections plus the reports' sorts need more than 4 GiB, the kernel kills
# PostgreSQL: every statement in progress fails, and nothing is served for
# the ten seconds of crash recovery. Then the reports come back. Later, the
# zone the database lives in goes down for a minute, and with no copy in
# another zone the application goes down with it.
#
# The fixed variant has 8 cores and 16 GiB, and a synchronous standby in the
# other zone, promoted five seconds after the primary disappears.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import exercises as ex
import faultlab_helper as fl

GIB = 2**30
runs = {v: fl.run("underprovisioned", variant=v, seed=1) for v in ["broken", "fixed"]}
traces = {v: fl.load_trace(r.trace, messages=False) for v, r in runs.items()}
t = traces["broken"]
pd.DataFrame({v: {**r.counts, "availability": round(r.summary["metrics"]["availability"], 3)}
              for v, r in runs.items()}).T

# %% [markdown]
# ## The crashes
#
# Each out-of-memory crash is an incident in the history: an op of the
# database itself (client `db`, f `oom`) whose message says what the memory
# was asked for. `ex.oom_crashes` reads them:

# %%
crashes = ex.oom_crashes(t)
crashes[["t", "connections", "work_mem_statements", "error"]].round(2)

# %% [markdown]
# ## Memory, and what fills it
#
# The database's level events sample its memory (`shared_buffers`, 10 MiB per
# connection, and the `work_mem` of every statement that sorts) and the
# statements running. The red lines are the crashes, the grey band the zone
# outage. The level samples come from the database's node, so they end when
# the zone outage takes it down.

# %%
outage = t.faults[t.faults["type"] == "crash"].pivot(index="name", columns="phase", values="t").iloc[0]
levels = t.levels[t.levels["t"] <= outage["start"]]  # the samples end with the outage (see above)
fig, (mem, run) = plt.subplots(2, 1, figsize=(12, 5.5), sharex=True)
mem.plot(levels["t"], levels["memory_used"] / GIB, color="tab:blue", label="memory_used")
mem.axhline(levels["memory_size"].iloc[0] / GIB, color="black", linestyle="--", label="memory_size")
mem.set_ylabel("GiB")
run.plot(levels["t"], levels["running"], color="tab:purple", label="statements running")
run.set_ylabel("statements")
run.set_xlabel("time (s)")
for ax in (mem, run):
    for x in crashes["t"]:
        ax.axvline(x, color="tab:red", linewidth=0.8)
    ax.axvspan(outage["start"], outage["end"], color="grey", alpha=0.3)
    ax.set_xlim(0, t.header["duration_s"])
    ax.legend(loc="upper right")
plt.tight_layout()
plt.show()

# %% [markdown]
# The saw-tooth: memory climbs by 512 MiB with every report that starts,
# until the next one would pass 4 GiB; the crash takes everything down to
# `shared_buffers` and the climb begins again after recovery.
#
# ## What the customers saw
#
# The share of order lookups that succeeded, per second:

# %%
fig, ax = plt.subplots(figsize=(12, 3.2))
for variant, color in [("broken", "tab:red"), ("fixed", "tab:green")]:
    ops = traces[variant].ops
    c = ops[ops["client"] == "customers"]
    ok = (c["outcome"] == "ok").groupby(c["invoke_s"].astype(int)).mean()
    ax.plot(ok.index, ok, color=color, label=variant)
ax.axvspan(outage["start"], outage["end"], color="grey", alpha=0.3, label="zone a down")
ax.set_xlabel("time (s)")
ax.set_ylabel("lookups ok")
ax.legend(loc="lower left")
plt.show()

# %% [markdown]
# In `broken` each crash costs a little over ten seconds of failed lookups,
# and the zone outage a whole minute: the database comes back only with its
# zone (and crashes once more shortly after). In `fixed` the reports finish
# faster than they arrive, so they never pile up, and the zone outage costs
# the five seconds until the standby is promoted:

# %%
f = traces["fixed"]
f.states[f.states["component"] == "db"][["t", "node", "why"]]

# %% [markdown]
# ## Exercise: count the crashes
#
# **In `broken`, seed 1: how many times did the database run out of memory, and
# how many reports were holding their `work_mem` at the first crash?** Check
# the second number with arithmetic: `shared_buffers` (1 GiB) + connections ×
# 10 MiB + reports × 512 MiB against the node's 4 GiB. Put your numbers in
# `ANSWER`.

# %%
ANSWER = {"oom_crashes": 8, "reports_at_first_crash": 6}  # a student replaces these with their own numbers

ex.underprovisioned(ANSWER).show()

# %% [markdown]
# **To think about:** which number would you have needed to size this database:
# requests per second, or concurrent reports × `work_mem`? Where would the
# reports run best?
