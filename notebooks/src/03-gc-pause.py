# %% [markdown]
# # The primary that fell asleep
#
# No network fault this time. The primary `db-1` simply stops for five seconds:
# a very long garbage-collection pause, or a virtual machine frozen by its host.
# Its own clock stops too, so when it wakes up it has no idea that time passed.
# Meanwhile the other two nodes noticed the silence and elected a new primary.
# For a short moment after waking up, `db-1` still acts as the primary: it
# answers the requests that queued up while it slept, using a lease that, by its
# frozen clock, has not run out yet.
#
# The moment is short (tens of milliseconds) but it is enough to confirm writes
# that are thrown away a moment later, and to answer reads with old data.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import exercises as ex
import faultlab_helper as fl

pd.set_option("display.max_colwidth", 200)
ROLE_COLORS = {"primary": "tab:red", "candidate": "gold", "replica": "lightgrey"}
FAILOVER = "components.orders.failover."


def plot_roles(trace, ax, title, window=None):
    """One bar per database node: which role it believed it had, when; faults shaded."""
    roles = fl.role_intervals(trace)
    nodes = list(dict.fromkeys(roles["node"]))
    for i, node in enumerate(nodes):
        for _, r in roles[roles["node"] == node].iterrows():
            ax.broken_barh([(r["start_s"], r["end_s"] - r["start_s"])], (i - 0.3, 0.6),
                           color=ROLE_COLORS.get(r["role"], "black"), alpha=0.9)
    starts = trace.faults[trace.faults["phase"] == "start"].set_index("name")["t"]
    ends = trace.faults[trace.faults["phase"] == "end"].set_index("name")["t"]
    for name, start in starts.items():
        ax.axvspan(start, ends.get(name, trace.header["duration_s"]), color="tab:blue", alpha=0.12, zorder=0)
        ax.text(start + 0.05, -0.75, name, fontsize=8, color="tab:blue")
    ax.set_ylim(-0.9, len(nodes) - 0.5)
    ax.set_yticks(range(len(nodes)), nodes)
    if window:
        ax.set_xlim(*window)
    ax.set_xlabel("time (s)")
    ax.set_title(title)
    ax.legend(handles=[plt.Rectangle((0, 0), 1, 1, color=c) for c in ROLE_COLORS.values()],
              labels=list(ROLE_COLORS), loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)


# %% [markdown]
# ## The broken design
#
# Elections need a majority, and the primary holds a 500 ms lease. But the lease
# is measured on the node's own clock and only checked by a timer every 100 ms;
# a request just looks at an "I am the primary" flag.

# %%
broken = fl.run("gc-pause", variant="broken", seed=1)
t = fl.load_trace(broken.trace)
print(t.header["design"])
print(broken.counts)
t.node_status

# %% [markdown]
# ## Leaders around the pause

# %%
fig, ax = plt.subplots(figsize=(11, 2.6))
plot_roles(t, ax, "broken: the role each database node believes it has", window=(9, 17))
plt.show()
fl.role_intervals(t)

# %% [markdown]
# From about 11.3 s `db-3` is the primary of term 2, while `db-1` still believes
# it leads term 1. While `db-1` is frozen that belief does no harm. The trouble
# starts when it wakes up at 15 s. Zoom in on the writes each node confirmed
# (`ok` writes, by the node that answered):

# %%
acked = t.ops[(t.ops["f"] == "write") & (t.ops["outcome"] == "ok")]
window = (14.95, 15.15)
near = acked[acked["complete_s"].between(*window)]
stepped_down = t.states[(t.states["node"] == "db-1") & (t.states["role"] == "replica")]["t"].min()

fig, ax = plt.subplots(figsize=(11, 2.2))
nodes = sorted(near["node"].unique())
for i, node in enumerate(nodes):
    ax.vlines(near[near["node"] == node]["complete_s"], i - 0.3, i + 0.3, color=f"C{i}")
ax.axvline(15.0, color="tab:blue", linestyle=":", label="db-1 wakes up")
ax.axvline(stepped_down, color="black", linestyle="--", label="db-1 learns about term 2")
ax.set_yticks(range(len(nodes)), nodes)
ax.set_xlim(*window)
ax.set_xlabel("time the client got 'ok' for a write (s)")
ax.set_title("Writes confirmed, by node: two primaries within a tenth of a second")
ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
plt.show()
print("writes db-1 confirmed after waking up:", ((near["node"] == "db-1") & (near["complete_s"] >= 15.0)).sum())

# %% [markdown]
# ## The violations

# %%
t.violations[["t", "check", "message"]]

# %% [markdown]
# `single_leader` found the two primaries. And the writes `db-1` confirmed?
# `lost_writes` says 0, yet they were all thrown away when `db-1` caught up with
# term 2: there are only ten keys, and later writes to the same keys hide the
# loss from the final reads. The `discard` events in the trace show it:

# %%
gone = fl.discarded_writes(t)
print(f"acknowledged writes thrown away: {len(gone)}, all confirmed by {sorted(gone['node'].unique())} "
      f"between {gone['complete_s'].min():.3f} s and {gone['complete_s'].max():.3f} s")
gone[["op", "client", "key", "value", "complete_s", "node", "discarded_s"]].head()

# %% [markdown]
# ## Exercise: make the lease mean something
#
# The scenario has a middle variant, `fenced`: replicas refuse anything from
# an older term, and a write is confirmed only once a majority has it. That
# stops `db-1`'s writes. But in the few milliseconds before the first refusal
# reaches it, `db-1` still answers reads from its own memory:

# %%
fenced = fl.run("gc-pause", variant="fenced", seed=1)
print(fenced.counts)

# %% [markdown]
# The lease has two settings (see the README, `failover`): **when** it is
# checked (`lease_check`: `timer` or `every_request`) and **with which clock**
# (`lease_clock`: `local`, the node's own clock, which stops during the pause,
# or `real`, which keeps counting).
#
# **Change the lease settings of the `fenced` design so that no read is
# answered with old data (`linearizable` 0 in seeds 1 to 3).** Change only
# those two: a longer election timeout only waits for a longer pause, a shorter
# lease makes the primary step down all the time, and the pause itself is not
# yours to remove. Try one setting at a time: which one matters?

# %%
ANSWER = {FAILOVER + "lease_check": "every_request", FAILOVER + "lease_clock": "real"}  # a student replaces this

ex.gc_pause(ANSWER).show()

# %% [markdown]
# ## The fixed design
#
# That is the fixed variant: both lease settings, fencing, and majority
# acknowledgement. Compare the three designs.

# %%
runs = {"broken": broken, "fenced": fenced, "fixed": fl.run("gc-pause", variant="fixed", seed=1)}
pd.DataFrame.from_dict({v: {**r.counts, "availability": round(r.summary["metrics"]["availability"], 3)}
                        for v, r in runs.items()}, orient="index")

# %% [markdown]
# What did `db-1` do in its first second after waking up, in each design?

# %%
def after_waking_up(trace, wake_s=15.0):
    roles = trace.states[(trace.states["node"] == "db-1") & trace.states["role"].notna()]
    answered = trace.ops[(trace.ops["node"] == "db-1") & (trace.ops["outcome"] == "ok")
                         & trace.ops["complete_s"].between(wake_s, wake_s + 1)]
    return {"steps down at (s)": round(roles[roles["t"] >= wake_s]["t"].min(), 3),
            "writes it confirmed": (answered["f"] == "write").sum(),
            "reads it answered": (answered["f"] == "read").sum()}


pd.DataFrame.from_dict({v: after_waking_up(fl.load_trace(r.trace)) for v, r in runs.items()}, orient="index")

# %% [markdown]
# With fencing, `db-1` confirms no write after waking up, but it still answers
# reads until the first refusal tells it about term 2. With the fixed lease it
# steps down the instant it wakes, before answering anything.
#
# ## What if the pause is shorter or longer?
#
# A pause shorter than the election timeout (1 s, plus up to 1 s of random
# wait) goes unnoticed: no election, no second primary. Longer ones are the
# dangerous ones. A sweep over the pause length, for the three designs:

# %%
pauses = ["500ms", "1s", "1500ms", "2s", "3s", "5s", "8s"]
frames = [fl.sweep("gc-pause", {"faults.stop-the-world-gc.duration": pauses}, seeds="1..2", variant=v, jobs=2)
          for v in ["broken", "fenced", "fixed"]]
sweep = pd.concat(frames)
assert sweep["error"].isna().all(), sweep["error"].dropna().tolist()
sweep["pause_s"] = sweep["faults.stop-the-world-gc.duration"].map(fl.seconds)
sweep["two_leaders"] = sweep["single_leader"] > 0
table = sweep.groupby(["variant", "pause_s"])[["two_leaders", "linearizable", "availability"]].mean().reset_index()

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.5))
for variant, color in [("broken", "tab:red"), ("fenced", "tab:orange"), ("fixed", "tab:green")]:
    g = table[table["variant"] == variant]
    left.plot(g["pause_s"], g["two_leaders"], "o-", color=color, label=variant)
    right.plot(g["pause_s"], g["linearizable"], "o-", color=color, label=variant)
left.set_xlabel("pause length (s)")
left.set_ylabel("runs with two primaries (share)")
right.set_xlabel("pause length (s)")
right.set_ylabel("linearizable violations per run")
left.legend()
plt.show()
table

# %% [markdown]
# The broken design gets a second primary as soon as the pause is long enough
# for an election. Fencing removes the second primary that confirms writes, yet
# its stale reads grow with the pause. Only the fixed design stays clean at
# every length. Its price shows in the table: after a pause of half a second,
# longer than the lease but too short for an election, `db-1` steps down
# anyway, and the clients wait for a new primary.
#
# **To think about:** which clock does the lease code you know use? Does it
# keep counting while the process or the virtual machine is frozen?
#
# ## In the viewer
#
# The broken run, zoomed to the moment `db-1` wakes up.

# %%
from IPython.display import Image, display

png = fl.screenshot(broken.trace, fl.default_out_dir() / "gc-pause.png", window=(14.9, 15.2))
if png:
    display(Image(filename=str(png), width=900))
