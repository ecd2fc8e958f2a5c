# %% [markdown]
# # Renaming a column while the code is being deployed
#
# An API on four instances reads and writes `users.name`, a hundred requests
# a second. The next release renames the column to `full_name`: the
# migration runs `ALTER TABLE users RENAME COLUMN name TO full_name`, and a
# rolling deploy replaces the instances one at a time with the code that
# uses the new name. Each replacement takes a few seconds: the instance
# leaves the load balancer, finishes the requests it has, exits, and the new
# process starts.
#
# For those seconds two versions of the code serve at once, and there is only
# one schema. PostgreSQL looks up every column a statement names when the
# statement runs, so the moment the rename commits, every statement of the
# old code fails with `column "name" does not exist`. In this notebook you
# will see the errors move from one code version to the other wave by wave,
# find out why no order of "migrate" and "deploy" is safe, see what a rollback
# does after the rename, and then schedule the expand/contract migration that
# loses no request.

# %%
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Image, display

import exercises as ex
import faultlab_helper as fl

pd.set_option("display.max_colwidth", 140)


def with_version(ops):
    """The users' requests, each with the code version its instance ran when the request was sent.

    The service records, per instance, an op "run_version" (key: the version) whenever a process
    starts; a request's `node` is the instance that answered it."""
    runs = (ops[ops["f"] == "run_version"][["node", "invoke_s", "key"]]
            .rename(columns={"invoke_s": "started_s", "key": "version"}).sort_values("started_s"))
    users = ops[ops["client"] == "users"].sort_values("invoke_s")
    return pd.merge_asof(users, runs, left_on="invoke_s", right_on="started_s", by="node", direction="backward")


def failures_by_version(trace, width_s=1.0):
    """Failed requests per bin of width_s, one column per code version."""
    o = with_version(trace.ops)
    o = o[o["outcome"] != "ok"]
    return o.groupby([o["invoke_s"] // width_s * width_s, "version"]).size().unstack(fill_value=0)


def waves(trace_path):
    """The deploy's waves: when each started and ended, which instance, which version."""
    w = fl.events(trace_path, "deploy_wave")
    start = w[w["phase"] == "start"].set_index(["rollout", "wave"])
    end = w[w["phase"] == "end"].set_index(["rollout", "wave"])
    return pd.DataFrame({"instances": start["instances"], "version": start["version"], "start_s": start["t"],
                         "end_s": end["t"], "outcome": end["outcome"]}).reset_index()


# %% [markdown]
# ## The broken release
#
# The migration job `rename` runs at 20 s, when the deploy starts. Besides the
# users' requests, the trace holds the database's `schema` events (each change
# of a table's columns) and the deploy's `deploy_wave` events; the history holds
# each instance's `run_version` ops.

# %%
broken = fl.run("rolling-rename", variant="broken", seed=1)
t = fl.load_trace(broken.trace, messages=False)
print(t.header["design"])
print(broken.counts)
fl.events(broken.trace, "schema")[["t", "table", "change", "columns"]]

# %%
waves(broken.trace)

# %% [markdown]
# Four waves of about three seconds: each is the drain (the instance's
# requests take milliseconds, so it is over at once), then the 3 s the new
# process takes to start. The errors the users got, and the statements behind
# them:

# %%
failed = t.ops[(t.ops["client"] == "users") & (t.ops["outcome"] != "ok")]
print(failed.groupby(["f", "error"]).size().rename("requests").to_frame())
t.queries[t.queries["outcome"] != "ok"][["t", "query", "who", "plan", "outcome"]].head(3)

# %% [markdown]
# A failed statement did no work at all: the database refused it while
# resolving its column names, with the table's lock in hand. Now per second,
# by the version of the code that sent the request:

# %%
def plot_failures(trace, path, title, ax):
    f = failures_by_version(trace)
    for version in f.columns:
        ax.bar(f.index, f[version], width=1.0, align="edge", label=f"failed, code {version}", alpha=0.8)
    for _, w in waves(path).iterrows():
        ax.axvspan(w["start_s"], w["end_s"], color="grey", alpha=0.12 if w["wave"] % 2 else 0.22)
    for _, s in fl.events(path, "schema").iterrows():
        ax.axvline(s["t"], color="black", linestyle="--", linewidth=0.8)
        ax.text(s["t"], ax.get_ylim()[1] * 0.9, " " + s["change"], fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.set_ylabel("failed / s")
    ax.legend(loc="upper right", fontsize=8)


fig, ax = plt.subplots(figsize=(11, 3.2))
ax.set_ylim(0, 110)
plot_failures(t, broken.trace, "broken: rename at 20 s, deploy waves shaded", ax)
ax.set_xlabel("time (s)")
plt.tight_layout()
plt.show()

# %% [markdown]
# All of v1's requests fail from the rename on; each wave takes one v1
# instance away (its share of the traffic goes to the others, so the failures
# shrink by a quarter per wave), until no v1 instance is left. The checker
# `schema_mismatch` counts the same thing per code version and 5 s window:

# %%
t.violations[t.violations["check"] == "schema_mismatch"][["t", "message"]]

# %% [markdown]
# ## The other order, and a rollback
#
# `broken-deploy-first` deploys first and renames at 40 s; `broken-rollback`
# is the broken release followed, at 45 s, by a rollback of the code to v1
# (as one does when a release goes wrong). The rollback does not undo the
# migration.

# %%
others = {v: fl.run("rolling-rename", variant=v, seed=1) for v in ["broken-deploy-first", "broken-rollback"]}
fig, axes = plt.subplots(2, 1, figsize=(11, 6), sharex=True)
for ax, (variant, r) in zip(axes, others.items()):
    ax.set_ylim(0, 110)
    plot_failures(fl.load_trace(r.trace, messages=False), r.trace, variant, ax)
axes[-1].set_xlabel("time (s)")
plt.tight_layout()
plt.show()
{v: r.counts for v, r in others.items()}

# %% [markdown]
# Deploying first, v2 fails on every instance it reaches until the rename: the
# new code needs the new name as badly as the old code needs the old one. And
# after the rollback every instance runs v1 again, against a table that has no
# `name`: all requests fail, and will until someone renames the column back.
# No order of one migration and one deploy is safe, because while the deploy
# runs both versions serve, and no single schema suits both.
#
# ## Expand/contract
#
# `fixed-expand-contract` never changes a column that running code uses:
#
# 1. `add_column` (10 s): add `full_name`, nullable: a catalog change; no code uses it yet.
# 2. rollout `dual-write` (15 s): code that writes both columns and still reads `name`.
# 3. `backfill` (30 s): copy `name` into `full_name` for every row, 50,000 rows per statement.
# 4. rollout `read-new` (40 s): code that reads `full_name` and still writes both (a rollback to `dual-write` is still safe).
# 5. rollout `v2` (55 s): code that uses `full_name` only.
# 6. `drop_column` (75 s): drop `name`, once no instance runs code that uses it.

# %%
fixed = fl.run("rolling-rename", variant="fixed-expand-contract", seed=1)
tf = fl.load_trace(fixed.trace, messages=False)
print(fixed.counts)
steps = ex.rename_steps(tf)
steps

# %%
fig, ax = plt.subplots(figsize=(11, 2.8))
for y, s in enumerate(steps.itertuples()):
    ax.barh(y, max(s.end_s - s.start_s, 0.4), left=s.start_s, color="tab:blue" if s.outcome == "ok" else "tab:red")
    ax.text(s.end_s + 0.5, y, s.step, va="center", fontsize=9)
ax.set_yticks([])
ax.invert_yaxis()
ax.set_xlim(0, tf.header["duration_s"])
ax.set_xlabel("time (s)")
ax.set_title("fixed-expand-contract: the six steps", fontsize=10)
plt.show()

# %% [markdown]
# Not one request failed, and each step can be checked against its
# neighbours: the column exists before any code writes it; every instance
# writes both columns before the backfill starts (else an old instance could
# update a name behind the backfill's back); the backfill is done before any
# code reads `full_name` (else some users would see no name); and `name` goes
# only after the last instance that used it. The price is time: three
# rollouts instead of one.
#
# ## Exercise: the fastest safe timetable
#
# The fixed variant takes 75 s. **Give a time to each of the six steps so that
# the drop of `name` is done by 60 s, no request fails (no `schema_mismatch`,
# no `availability` violation), the backfill starts after the `dual-write`
# rollout is through and ends before `read-new` starts.** A rollout of four
# instances takes about 12 s (see the waves above), the backfill about 4.5 s.
# The check runs `fixed-expand-contract` with your times on two seeds and
# judges what happened.

# %%
ANSWER = {"add_column": "2s", "dual-write": "3s", "backfill": "16s", "read-new": "21s", "v2": "34s",
          "drop_column": "47s"}  # a student replaces these with their own timetable

ex.rolling_rename(ANSWER).show()

# %% [markdown]
# **To think about:** the timetable above leaves the rollback window short:
# once `name` is dropped, rolling back to `read-new` or `dual-write` breaks
# again. How long would you keep `name` in production, and what would tell
# you it is safe to drop it?
#
# ## In the viewer

# %%
png = fl.screenshot(broken.trace, fl.default_out_dir() / "rolling-rename.png", window=(15, 40))
if png:
    display(Image(filename=str(png), width=900))
