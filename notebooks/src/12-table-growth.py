# %% [markdown]
# # The table nobody purged: a full disk stops the database
#
# Every request of a service writes an audit event: fifty a second, a
# kilobyte each. Nobody reads them after a month, and nothing deletes them.
# The database's disk, 500 GiB, looked generous at launch.
#
# When PostgreSQL cannot write its log it stops (a PANIC), and while the disk
# is still full it cannot start again: from that moment every request fails,
# and no `DELETE` can run to make room. The failure is entirely predictable:
# the disk fills in a straight line, months ahead, which is what a disk alert
# at 80 % is for.
#
# The scenario simulates 200 days (this notebook runs the fixed variants for 60). Three
# variants:
#
# - `broken`: nothing purges `audit_events`;
# - `fixed-purge`: a nightly job deletes the events older than 30 days. A
#   `DELETE` does not give space back to the disk, but the table reuses the
#   space of deleted rows for new ones;
# - `fixed-partitions`: the table is partitioned by day, and the same job
#   drops the partitions older than 30 days, which frees their files at once.
#
# These traces are long (a third of a million requests each), so this notebook
# reads only the kinds of events it plots, with `fl.events`.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import exercises as ex
import faultlab_helper as fl

DAY, GB = ex.DAY_S, 1e9
VARIANTS = {"broken": "tab:red", "fixed-purge": "tab:blue", "fixed-partitions": "tab:green"}
# The fixed variants level off after a month: 60 days of them are enough to see it, and quicker.
runs = {v: fl.run("table-growth", variant=v, seed=1, sets=None if v == "broken" else {"workload.duration": "60d"})
        for v in VARIANTS}
levels = {v: fl.events(r.trace, "level") for v, r in runs.items()}
full = {v: ex.disk_full(r.trace) for v, r in runs.items()}
pd.DataFrame({v: {**r.counts, "availability": round(r.summary["metrics"]["availability"], 3),
                  "disk full on day": round(full[v]["day"], 2) if full[v] else None}
              for v, r in runs.items()}).T

# %% [markdown]
# ## The disk, day by day
#
# The database's level events carry `disk_used` and `disk_size`. The broken
# line stops where the disk filled: from there on the database is stopped.

# %%
fig, ax = plt.subplots(figsize=(12, 4))
for variant, color in VARIANTS.items():
    lv = levels[variant]
    if full[variant]:
        lv = lv[lv["t"] <= full[variant]["t"]]
    ax.plot(lv["t"] / DAY, lv["disk_used"] / GB, color=color, label=variant)
size = levels["broken"]["disk_size"].iloc[0]
ax.axhline(size / GB, color="black", linestyle="--", label="disk_size")
ax.axhline(0.8 * size / GB, color="grey", linestyle=":", label="80 %")
if full["broken"]:
    ax.axvline(full["broken"]["day"], color="tab:red", linestyle=":")
    ax.text(full["broken"]["day"], size / GB * 0.5, " PANIC: disk full", color="tab:red")
ax.set_xlabel("day")
ax.set_ylabel("disk used (GB)")
ax.legend(loc="center right")
plt.show()
print(full["broken"]["error"])

# %% [markdown]
# ## What the service saw
#
# The share of the service's audit writes that succeeded in `broken`, per day
# (from the raw op events: one invoke and one completion per request). In the
# fixed variants every write succeeds (availability 1.0 above).

# %%
ops = fl.events(runs["broken"].trace, "op")
done = ops[(ops["type"] != "invoke") & (ops["client"] == "app")]
daily = (done["type"] == "ok").groupby(done["t"] // DAY).mean()
fig, ax = plt.subplots(figsize=(12, 2.8))
ax.plot(daily.index, daily, color=VARIANTS["broken"], label="broken")
ax.set_xlabel("day")
ax.set_ylabel("writes ok")
ax.legend(loc="lower left")
plt.show()

# %% [markdown]
# Nothing warns the service: every write succeeds until the day the disk is
# full, and none after it.
#
# ## What the fixes cost
#
# The nightly job's statements are query events (`who` is `purge`). For
# thirty days there is nothing old enough to delete; then, every night:

# %%
nightly = {}
for variant in ["fixed-purge", "fixed-partitions"]:
    q = fl.events(runs[variant].trace, "query")
    nightly[variant] = q[q["who"] == "purge"].assign(day=lambda d: d["t"] / DAY)
pd.concat({v: q[["day", "rows_examined", "plan", "run_s", "io_bytes"]].iloc[[29, 30, 31, -1]]
           for v, q in nightly.items()}).round(2)

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 3.5))
for variant in ["fixed-purge", "fixed-partitions"]:
    lv = levels[variant]
    axes[0].plot(lv["t"] / DAY, lv["rows"] / 1e6, color=VARIANTS[variant], label=variant)
    axes[1].plot(nightly[variant]["day"], nightly[variant]["run_s"], "o", ms=3, color=VARIANTS[variant],
                 label=variant)
axes[0].set_ylabel("rows in audit_events (millions)")
axes[1].set_ylabel("purge run time (s)")
for ax in axes:
    ax.set_xlabel("day")
    ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# Both keep about a month of events. The `DELETE` examines and writes every row
# it removes, about four million rows and a hundred seconds of work each night
# (ten minutes on the first night, which also deletes the 20 million rows the table started with); its disk line
# levels off a little higher, since the freed space is reused but never given
# back. Dropping a partition removes a file: no rows examined, no time.
#
# ## Exercise: when does the disk fill?
#
# **In `broken`, seed 1: by how many bytes a day does the disk grow, and on
# which day (day 0 is the start, fractions allowed) is it full?** First work
# it out by hand from the scenario: rows a second × bytes a row (what does a
# row take on disk? compare `disk_used` with `rows` in the first level event)
# × 86,400, and the free space on day 0. Then compare your estimate with the
# day in the trace, and put the run's numbers in `ANSWER`.

# %%
ANSWER = {"bytes_per_day": 4.563e9, "day": 113.03}  # a student replaces these with their own numbers

ex.table_growth(ANSWER).show()

# %% [markdown]
# **To think about:** how many days before the PANIC would an alert at 80 % have
# fired? At 90 %? Which of your tables only ever grow, and who decides how long
# their rows are kept?
