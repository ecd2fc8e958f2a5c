# %% [markdown]
# # The noisy neighbour: another team's search takes down the checkout
#
# Two services share one PostgreSQL database. The shop's checkout reads a
# product by its id and inserts an order: microseconds of work each, and it
# opens a new connection for every request (as a PHP page or a serverless
# function does). The reports service lets analysts search products by name,
# with a condition no index can serve (`lower(name) LIKE ...`): every search
# scans five million rows, about ten seconds of CPU.
#
# From 30 s the analysts send about two searches a second. Four cores can
# finish at most 0.4 a second, so the searches pile up. Each one holds its
# connection until it finishes, even after the analyst's request has timed
# out, and the reports service has no limit on how many it opens. The
# database allows 100 connections. In this notebook you will watch them run
# out, see who is refused, and what a bulkhead (a pool per service) or a
# separate database changes.

# %%
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Image, display

import exercises as ex
import faultlab_helper as fl

pd.set_option("display.max_colwidth", 120)
VARIANTS = {"broken": "tab:red", "fixed-limits": "tab:blue", "fixed-separate": "tab:green"}
runs = {v: fl.run("shared-database", variant=v, seed=1) for v in VARIANTS}
traces = {v: fl.load_trace(r.trace, messages=False) for v, r in runs.items()}
broken = traces["broken"]
print(broken.header["design"])
pd.DataFrame({v: r.counts for v, r in runs.items()}).T

# %% [markdown]
# ## The connections run out
#
# The level events of the shared database (`db`), four times a second: the
# connections open, and the statements running on them.

# %%
fig, ax = plt.subplots(figsize=(12, 3.8))
for variant, color in VARIANTS.items():
    lv = traces[variant].levels
    lv = lv[lv["component"] == "db"]
    ax.plot(lv["t"], lv["connections"], color=color, label=f"{variant}: connections to db")
lv = traces["fixed-separate"].levels
lv = lv[lv["component"] == "analytics_db"]
ax.plot(lv["t"], lv["connections"], color="tab:green", linestyle="--", label="fixed-separate: to analytics_db")
ax.axhline(100, color="black", linestyle=":", label="max_connections")
ax.axvline(30, color="grey", linewidth=0.8)
ax.text(30, 50, " analysts start", color="grey")
ax.set_xlabel("time (s)")
ax.set_ylabel("connections")
ax.legend(loc="upper left", fontsize=8)
plt.show()

# %% [markdown]
# In `broken` the connections climb with the searches, each one a scan that
# will run for minutes on cores shared a hundred ways, and reach 100 about
# three quarters of a minute after the first search. In `fixed-limits` the
# reports service never has more than its 8. In `fixed-separate` the shop's
# database has almost nothing to do, and the analysts' connections pile up on
# `analytics_db` instead (the dashed line, under the red one: the same
# searches, the same pile).
#
# ## What the shop saw
#
# The share of checkouts that succeeded, per second:

# %%
fig, ax = plt.subplots(figsize=(12, 3))
for variant, color in VARIANTS.items():
    ops = traces[variant].ops
    c = ops[ops["client"] == "customers"]
    ok = (c["outcome"] == "ok").groupby(c["invoke_s"].astype(int)).mean()
    ax.plot(ok.index, ok, color=color, label=variant)
ax.set_xlabel("time (s)")
ax.set_ylabel("checkouts ok")
ax.legend(loc="lower left")
plt.show()

# %%
failed = broken.ops[(broken.ops["client"] == "customers") & (broken.ops["outcome"] != "ok")]
failed.groupby("error").size().rename("checkouts").to_frame()

# %% [markdown]
# The checkout's own queries are index lookups: the database's cores are
# busy, but shared fairly they would still run them in milliseconds. What ran
# out is the connections: "sorry, too many clients already". A few checkouts
# get through whenever a scan finishes and frees a connection for a moment.
#
# The searches themselves: the analysts gave up on them after 30 s, and the
# database kept running them. The few that finished took minutes:

# %%
q = broken.queries
q[q["query"] == "search_products"][["t", "rows_examined", "plan", "cpu_s", "run_s"]].head(4).round(1)

# %% [markdown]
# ## The fixes
#
# `fixed-limits` gives the reports service a pool of 8 connections (a
# bulkhead) and cancels its searches after 20 s (`statement_timeout`). The
# analysts now wait for a connection, and often fail, but only the reports
# service's requests do:

# %%
limits = traces["fixed-limits"]
pd.concat({"pool waits": limits.pool_waits.groupby(["component", "outcome"]).size(),
           "requests": limits.ops.groupby(["client", "outcome"]).size()}).rename("count").to_frame()

# %% [markdown]
# `fixed-separate` sends the searches to a copy of the products table on
# another database (a read replica or an analytics store would do the same):
# the analysts' scans still pile up there, but nothing they do reaches the
# shop's database.
#
# ## Exercise: when did the shop start failing, and how badly?
#
# **In `broken`, seed 1: at what time (in seconds) did the database first
# refuse a connection because all were taken, and how many checkouts failed
# in the whole run?** Put your numbers in `ANSWER`.

# %%
ANSWER = {"full_at_s": 77.43, "checkouts_failed": 9913}  # a student replaces these with their own numbers

ex.shared_database(ANSWER).show()

# %% [markdown]
# **To think about:** in a real PostgreSQL, how would you find out which service
# holds the connections (`pg_stat_activity`: `application_name`, `state`,
# `query_start`)? When is a pool limit per service enough, and when do the
# services need databases of their own?
#
# ## In the viewer

# %%
png = fl.screenshot(runs["broken"].trace, fl.default_out_dir() / "shared-database.png", window=(60, 100))
if png:
    display(Image(filename=str(png), width=900))
