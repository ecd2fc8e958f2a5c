# %% [markdown]
# # Ten times the users: what saturates first?
#
# A shop runs fine for 1,000 users, each sending a request about every ten
# seconds: 100 requests a second. Marketing plans for 10,000. Before anyone
# buys machines, find out which resource runs out first, at how many users,
# and which ones do not need to change at all.
#
# The system: three app instances (four cores each) behind a load balancer,
# each with a pool of ten connections to one database on four cores, and
# Redis for sessions. Half the requests open a category page; its query reads
# the category's 8,000 products to rank them. The rest are index lookups and
# inserts.
#
# `faultlab run --saturation` measures how busy each resource was over the
# run: each node's CPU (the work its computations did over what its cores
# could do, added up from SimGrid's executions), each service's connection pool
# (connections in use, calls waiting), each link (bytes over bandwidth). A
# resource counts as saturated at 90 % busy, or a pool when calls queue for
# it (README "Saturation").

# %%
import matplotlib.pyplot as plt
import pandas as pd

import exercises as ex
import faultlab_helper as fl

today, _ = ex.saturation_of("capacity-10x", "today")
tenx, _ = ex.saturation_of("capacity-10x", "broken")
both = today[["id", "capacity", "utilization"]].merge(
    tenx[["id", "utilization", "saturated"]], on="id", suffixes=(" today", " at 10x"))
both[~both["id"].str.startswith("link:")].round(3)

# %% [markdown]
# At 1,000 users the database's CPU is about a fifth busy and everything else
# is nearly idle. At 10,000 the database's four cores are full, and the pool
# is full behind them: each query now shares the cores with more queries and
# takes longer, so each connection is held longer. The app instances are at
# about 15 %.
#
# Which of the two saturated first? A single run at 10x cannot tell: one
# caused the other. A sweep over the number of users can.
#
# ## The sweep
#
# `faultlab sweep --saturation` runs the scenario at each value, adds a column
# per resource, and prints which resource saturated first and where. Users are
# ten times the request rate. (A short run per point keeps the notebook fast;
# the command line sweeps more points.)

# %%
table, lines = ex.capacity_sweep(rates=[100, 300, 500, 700, 1000])
print("\n".join(lines))

# %%
rate = ex.CAPACITY_RATE
cols = [c for c in table.columns if c.startswith(("cpu:", "pool:"))]
fig, ax = plt.subplots(figsize=(10, 4))
for c in cols:
    ax.plot(table[rate] * 10, table[c] * 100, marker="o", label=c)
ax.axhline(90, color="black", linestyle="--", linewidth=0.8, label="saturated (90 %)")
ax.set_xlabel("users")
ax.set_ylabel("busy (%)")
ax.legend(loc="upper left", fontsize=8)
plt.show()

# %% [markdown]
# Everything grows with the users, but only two lines get near the top, and
# the database's CPU gets there first. The pool follows it: it does not run
# out of connections because it is too small, but because every connection
# waits on the same four cores. The "never saturated" line is the half of a
# capacity plan that saves money: the app instances, Redis and the network
# can stay as they are.
#
# ## Exercise: name it, then fix it
#
# **Which resource saturates first (its id as the sweep prints it), and what
# one change lets 10,000 users (variant `broken`) pass every check?**
# `change` holds `--set` style settings applied to `broken`. The check runs
# the sweep itself, then your change on two seeds at 10,000 users. Lowering
# the users is not a plan, and changing what never saturated is money spent
# on the wrong thing.

# %%
ANSWER = {"first_to_saturate": "cpu:db-1", "change": {"topology.nodes.db-1.cores": 16}}  # a student replaces this

ex.capacity_10x(ANSWER).show()
