# %% [markdown]
# # Split brain: two primaries, and writes that vanish
#
# Three database nodes: `db-1` (the primary) sits in the east data centre,
# `db-2` and `db-3` in the west one, and each side has its own application
# servers. Then the link between the data centres goes down for 15 seconds.
# Both sides can still reach their own databases. The side without the primary
# stops hearing its heartbeats and, in the broken design, one of its nodes
# simply promotes itself. Now each side has a primary that says "ok" to its
# users. When the link comes back only one of them can win, and every write the
# loser confirmed is thrown away.
#
# The broken variant has a second, smaller fault first: at 2 s `db-3` alone is
# cut off for three seconds. Watch what that does too.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import exercises as ex
import faultlab_helper as fl

pd.set_option("display.max_colwidth", 200)
ROLE_COLORS = {"primary": "tab:red", "candidate": "gold", "replica": "lightgrey"}


def plot_roles(trace, ax, title):
    """One bar per database node: which role it believed it had, when; partitions shaded."""
    roles = fl.role_intervals(trace)
    nodes = list(dict.fromkeys(roles["node"]))
    for i, node in enumerate(nodes):
        for _, r in roles[roles["node"] == node].iterrows():
            ax.broken_barh([(r["start_s"], r["end_s"] - r["start_s"])], (i - 0.3, 0.6),
                           color=ROLE_COLORS.get(r["role"], "black"), alpha=0.9)
            if r["role"] == "primary":
                ax.text(r["start_s"] + 0.1, i, f"term {r['term']}", va="center", fontsize=8, color="white")
    starts = trace.faults[trace.faults["phase"] == "start"].set_index("name")["t"]
    ends = trace.faults[trace.faults["phase"] == "end"].set_index("name")["t"]
    for name, start in starts.items():
        ax.axvspan(start, ends.get(name, trace.header["duration_s"]), color="tab:orange", alpha=0.2, zorder=0)
        ax.text(start + 0.1, -0.75, name, fontsize=8, color="tab:orange")
    ax.set_ylim(-0.9, len(nodes) - 0.5)
    ax.set_yticks(range(len(nodes)), nodes)
    ax.set_xlabel("time (s)")
    ax.set_title(title)
    ax.legend(handles=[plt.Rectangle((0, 0), 1, 1, color=c) for c in ROLE_COLORS.values()],
              labels=list(ROLE_COLORS), loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)


# %% [markdown]
# ## The broken design
#
# A replica that has not heard a heartbeat for a while (a random time between
# one and two seconds) makes itself primary, without asking anyone.

# %%
broken = fl.run("split-brain", variant="broken", seed=1)
t = fl.load_trace(broken.trace)
print(t.header["design"])
print(broken.counts)

# %% [markdown]
# ## Who thinks it is the primary?
#
# Role changes are `state` events with a `role`, a `term` and a reason `why`.
# `fl.role_intervals` turns them into one row per node and role.

# %%
fl.role_intervals(t)

# %%
fig, ax = plt.subplots(figsize=(11, 2.8))
plot_roles(t, ax, "broken: the role each database node believes it has")
plt.show()

# %% [markdown]
# Two things happened:
#
# 1. During the short cut-off `db-3` promoted itself (term 2) although it could
#    reach nobody. When it came back its higher term won: `db-1` stepped down and
#    threw away the writes it had accepted since `db-3` left.
# 2. During the data-centre partition the east side lost its primary, and `db-1`
#    promoted itself again (term 3), while `db-3` was still primary in the west.
#    For fifteen seconds both acknowledged writes.
#
# ## What was lost?
#
# The `lost_writes` checker compares acknowledged writes with what the final
# reads found. Each violation names the write and the final read.

# %%
ops = t.ops.set_index("op")
lost = t.violations[t.violations["check"] == "lost_writes"].copy()
lost["write_op"] = lost["ops"].str[0]
lost["acknowledged_by"] = lost["write_op"].map(ops["node"])
lost["client"] = lost["write_op"].map(ops["client"])
lost[["t", "client", "acknowledged_by", "message"]].reset_index(drop=True).head(6)

# %% [markdown]
# The checker can only prove a loss that the final reads can still see. If the
# winning side wrote the same key again later, the loss is covered up. The trace
# knows more: a `discard` event is a log entry thrown away when the logs were
# reconciled. `fl.discarded_writes` finds the acknowledged writes among them.

# %%
gone = fl.discarded_writes(t)
print(f"acknowledged writes thrown away: {len(gone)}; proven by lost_writes: {len(lost)}")

fig, ax = plt.subplots(figsize=(11, 3))
bins = [x / 2 for x in range(0, 2 * int(t.header["duration_s"]) + 2)]
for node, g in gone.groupby("node"):
    ax.hist(g["complete_s"], bins=bins, alpha=0.7, label=f"acknowledged by {node}")
ax.set_xlabel("time the client got 'ok' (s)")
ax.set_ylabel("writes later thrown away")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## The violations
#
# `single_leader` names the two primaries and when they overlapped;
# `linearizable` finds reads that no single copy of the data could explain.

# %%
t.violations.groupby("check").size()

# %%
t.violations[t.violations["check"] != "lost_writes"][["t", "check", "message"]].reset_index(drop=True).head(5)

# %% [markdown]
# ## Exercise: wait it out?
#
# A tempting fix: make the replicas more patient. If no replica gives up on the
# primary before the link is back, there is never a second primary.
#
# **Find an `election_timeout` (`components.accounts.failover.election_timeout`)
# for which the broken design loses no acknowledged write in seeds 1 to 3.**
# A replica waits a random time between *t* and *2t*. Try a sweep over a few
# values first (`fl.sweep(..., {"components.accounts.failover.election_timeout": [...]})`),
# then put your value in `ANSWER`. A value that works in these three seeds by
# luck is not enough: the check asks for one that works whatever the random
# wait is.

# %%
ANSWER = "16s"  # a student replaces this with their own timeout

verdict = ex.split_brain(ANSWER)
verdict.show()

# %% [markdown]
# What did it cost? While the link was down the west side had no primary at all:
# its writes got no answer. And a primary that really crashes now takes at
# least that long to be replaced.

# %%
availability = {"broken": broken.summary["metrics"]["availability"]}
if verdict.table is not None:  # None if the check refused the answer without running it
    availability[f"broken, election_timeout={ANSWER}"] = verdict.table["availability"].iloc[0]
pd.Series(availability, name="availability (seed 1)").round(3)

# %% [markdown]
# ## The fixed design
#
# The fixed variant keeps a one-second timeout and adds four things: votes from
# a majority, a lease (the primary steps down after 500 ms without hearing from
# a majority, checked before every request), writes acknowledged only once a
# majority has them, and fencing (replicas refuse anything from an older term).

# %%
fixed = fl.run("split-brain", variant="fixed", seed=1)
tf = fl.load_trace(fixed.trace)
print(tf.header["design"])
print(fixed.counts, "availability", round(fixed.summary["metrics"]["availability"], 3))
fig, ax = plt.subplots(figsize=(11, 2.8))
plot_roles(tf, ax, "fixed: one primary at a time")
plt.show()

# %% [markdown]
# `db-1` gives up being primary soon after the link fails, before the west side
# elects `db-2` or `db-3`. The east clients pay for it: their requests time out
# until the link is back.

# %%
east_west = tf.ops[~tf.ops["final"]].groupby(["client", "outcome"]).size().unstack(fill_value=0)
east_west

# %% [markdown]
# ## What if the partition is shorter or longer?
#
# A sweep over the length of the data-centre partition, for the three designs.

# %%
lengths = ["1s", "2s", "4s", "8s", "15s"]
frames = [fl.sweep("split-brain", {"faults.datacentre-link.duration": lengths}, seeds="1..2",
                   variant=v, jobs=2) for v in ["broken", "quorum", "fixed"]]
sweep = pd.concat(frames)
assert sweep["error"].isna().all(), sweep["error"].dropna().tolist()
sweep["length_s"] = sweep["faults.datacentre-link.duration"].map(fl.seconds)
table = sweep.groupby(["variant", "length_s"])[["lost_writes", "single_leader", "availability"]].mean().reset_index()

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.5))
for variant, color in [("broken", "tab:red"), ("quorum", "tab:orange"), ("fixed", "tab:green")]:
    g = table[table["variant"] == variant]
    left.plot(g["length_s"], g["lost_writes"], "o-", color=color, label=variant)
    right.plot(g["length_s"], g["availability"], "o-", color=color, label=variant)
left.set_xlabel("partition length (s)")
left.set_ylabel("lost_writes per run")
right.set_xlabel("partition length (s)")
right.set_ylabel("availability")
left.legend()
plt.show()
table

# %% [markdown]
# Majority votes alone (`quorum`) do not stop the second primary
# (`single_leader` stays at 1): the old primary never learns it was replaced
# and keeps saying "ok". Only the fixed design loses nothing, and
# its availability falls the longer the partition lasts: that is the trade it makes.
#
# (Why do the broken curves jump at 15 s? The checker can only prove losses
# the final reads still see. After a short partition there is plenty of time
# for the winning side to write the same keys again, which hides the loss.
# `fl.discarded_writes` on those runs would show the real count.)
#
# ## In the viewer
#
# The broken run, zoomed to the data-centre partition.

# %%
from IPython.display import Image, display

png = fl.screenshot(broken.trace, fl.default_out_dir() / "split-brain.png", window=(7, 25))
if png:
    display(Image(filename=str(png), width=900))
