# %% [markdown]
# # The right to be forgotten: which copies does the erasure job reach?
#
# A user, `user-42`, asks to be erased on day 1.4 of the run. The law (GDPR
# article 17, with article 12's month to answer) gives the company 30 days.
# The erasure job deletes the user's row in the main database and their
# uploads in object storage, and reports success.
#
# But the data had been copied long before, each copy by a mechanism of its
# own: a nightly ETL into the analytics warehouse, log lines every few hours
# (kept 90 days), the CRM of a third-party processor (synced nightly), the
# session cache (a one-day TTL) and nightly backups (kept 35 days). A copy is
# taken only while its source still holds the data, through the network; a
# copy goes away only when it is erased, when its retention runs out, or when
# the key it is encrypted under is deleted. The CRM is also unreachable for
# two days, from a few hours before the request, and the job has to try again.
#
# Three variants:
#
# - `broken`: the job covers the main database and the uploads;
# - `fixed-shredding`: the job also covers the warehouse and the CRM (the
#   sources first, so no copy comes back), logs keep 14 days, and backups are
#   encrypted under a key per user that the job deletes (crypto-shredding);
# - `fixed-retention`: the same job and logs, and backups kept 28 days.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import exercises as ex
import faultlab_helper as fl

DAY = ex.DAY_S

# %% [markdown]
# ## Before running anything: `faultlab analyze`
#
# `analyze` walks the copy flows breadth first from the sources and says, for
# each store, how its copy goes away: erased by the job, unreadable once the
# key is gone, aged out by its retention (late if the retention is longer
# than the deadline), or never.

# %%
print(fl.command("analyze", "scenarios/gdpr-erasure.json", "--variant", "broken"))

# %% [markdown]
# ## The runs
#
# The component records what happened as ops of its own name: `copy` (the
# value is the second at which that copy ages out; none when nothing ages it
# out), `erased`, `expired`, `unreadable`, and the `erasure_request`. The
# job's attempts are `erase` ops of `user-data.job`.

# %%
VARIANTS = {"broken": "tab:red", "fixed-shredding": "tab:blue", "fixed-retention": "tab:green"}
runs = {v: fl.run("gdpr-erasure", variant=v, seed=1) for v in VARIANTS}
traces = {v: fl.load_trace(r.trace, messages=False) for v, r in runs.items()}
pd.DataFrame({v: r.counts for v, r in runs.items()}).T

# %%
for v in VARIANTS:
    print(f"{v}:")
    for line in traces[v].violations["message"]:
        print("   ", line)

# %% [markdown]
# ## When each copy went
#
# One line per store: from its first copy to the moment it was erased, aged
# out or made unreadable (or to the end of the run). The dashed line is the
# deadline.

# %%
fig, axes = plt.subplots(1, len(VARIANTS), figsize=(15, 3.6), sharey=True)
for ax, (v, colour) in zip(axes, VARIANTS.items()):
    spans = ex.copy_spans(traces[v])
    for i, row in enumerate(spans.itertuples()):
        ax.plot([row.first_s / DAY, row.gone_s / DAY], [i, i], color=colour, lw=6)
        ax.text(row.gone_s / DAY, i, " " + row.how, va="center", fontsize=8)
    ax.set_yticks(range(len(spans)))
    ax.set_yticklabels(spans["store"])
    request = ex.erasure_request_s(traces[v])
    ax.axvline(request / DAY, color="black", lw=1)
    ax.axvline((request + 30 * DAY) / DAY, color="black", ls="--", lw=1)
    ax.set_title(v)
    ax.set_xlabel("day")
plt.tight_layout()
plt.show()

# %% [markdown]
# The job's attempts on the CRM during its outage (each waits for the CRM's
# two-day processing time plus 30 s before giving up):

# %%
job = traces["fixed-retention"].ops
job[job["client"] == "user-data.job"][["key", "invoke_s", "complete_s", "outcome", "error"]].assign(
    invoke_day=lambda d: d["invoke_s"] / DAY, complete_day=lambda d: d["complete_s"] / DAY).round(3)

# %% [markdown]
# ## Exercise: erase every copy in time
#
# **Change the `broken` design so that no copy of `user-42`'s data is left 30
# days after the request.** Give the settings as `--set` paths under
# `components.user-data.` (for example `stores.analytics.erased_by_job`,
# `stores.<store>.retention`, `stores.<store>.encrypted`, `key_store`, and a
# new store). The check runs the scenario with your settings. A backup
# cannot be edited to take one person out.

# %%
ANSWER = {
    "components.user-data.stores.analytics.erased_by_job": True,
    "components.user-data.stores.crm.erased_by_job": True,
    "components.user-data.stores.app-logs.retention": "14d",
    "components.user-data.stores.backups.retention": "28d",
}

ex.gdpr_erasure(ANSWER).show()

# %% [markdown]
# **To think about:** a 28-day backup retention is a promise about restores
# too: what can you no longer restore? What does crypto-shredding cost
# instead (a key store on every read path, and losing a key is losing the
# data)?
