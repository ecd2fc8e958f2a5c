# %% [markdown]
# # Black Friday: ten times the traffic at 8:00, and the autoscaler needs four minutes
#
# The sale opens at 8:00. Checkout traffic jumps from 3 to 30 requests a
# second. The run starts at 7:55 (t = 0), so 8:00 is t = 300 s.
#
# Checkout runs on two instances behind a round-robin load balancer. Each
# checkout takes 4 ms of CPU on its instance and makes two database calls,
# each with a connection from the instance's pool of 4. Pricing the cart
# reads 170,000 price rules, about 340 ms of one database core. Placing the
# order is one insert. An autoscaler scrapes the requests in progress on each
# instance every 15 s, averages them over a minute, and adds instances from
# four spare nodes when the average is above 4. A new instance needs
# 4 minutes to boot and pass its health check.
#
# Four variants:
#
# - `broken`: as above;
# - `fixed-prescale`: scheduled scaling raises the minimum to 4 instances at 7:55;
# - `fixed-pool-queue`: pools of 8 connections, at most 4 calls waiting, for
#   at most 200 ms, and a call beyond that fails at once;
# - `fixed-admission`: an instance answers 503 at once while 6 requests are
#   in progress on it.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import exercises as ex
import faultlab_helper as fl

VARIANTS = {"broken": "tab:red", "fixed-prescale": "tab:green", "fixed-pool-queue": "tab:blue",
            "fixed-admission": "tab:orange"}
runs = {v: fl.run("traffic-spike", variant=v, seed=1) for v in VARIANTS}
pd.DataFrame({v: r.counts for v, r in runs.items()}).T

# %% [markdown]
# ## What the buyers saw
#
# The share of checkouts that succeeded, per 10 seconds, against the wall
# clock (8:00 is the grey line):

# %%
def completed(v):
    """One row per checkout: invoke time, outcome, latency."""
    t = fl.load_trace(runs[v].trace, messages=False).ops
    t = t[t["f"] == "checkout"].copy()
    t["latency_s"] = t["complete_s"] - t["invoke_s"]
    return t

checkouts = {v: completed(v) for v in VARIANTS}
fig, ax = plt.subplots(figsize=(12, 3.5))
for v, color in VARIANTS.items():
    c = checkouts[v]
    ok = (c["outcome"] == "ok").groupby((c["invoke_s"] // 10) * 10).mean()
    ax.plot(ok.index, ok, color=color, label=v)
ax.axvline(ex.SPIKE_S, color="grey", linewidth=0.8)
ax.set_xticks(range(0, 661, 60), [ex.clock_time(t)[:-3] for t in range(0, 661, 60)])
ax.set_ylabel("checkouts ok")
ax.legend(loc="lower left", fontsize=8)
plt.show()

# %% [markdown]
# In `broken`, checkout is down within seconds of 8:00 and comes back only
# after 8:04, when the autoscaler's instances join. The failures are not
# errors, they are timeouts: the buyer's browser gave up after 3 s.

# %%
b = checkouts["broken"]
b[b["invoke_s"] >= ex.SPIKE_S].groupby(["outcome", "error"]).size().rename("checkouts").to_frame()

# %% [markdown]
# ## Where the requests waited
#
# Each call waits for a free connection of its instance's pool (the
# `pool_wait` events). In `broken` the queue grows by about 3 requests a
# second per instance, and each newcomer waits longer than the one before:

# %%
fig, ax = plt.subplots(figsize=(12, 3.5))
for v in ("broken", "fixed-pool-queue"):
    w = fl.events(runs[v].trace, "pool_wait")
    ax.scatter(w["t"], w["waited_s"], s=2, color=VARIANTS[v], label=v)
ax.axhline(3, color="black", linestyle=":", label="the buyer gives up (3 s)")
ax.axvline(ex.SPIKE_S, color="grey", linewidth=0.8)
ax.set_xlabel("time (s)")
ax.set_ylabel("waited for a connection (s)")
ax.legend(loc="upper right", fontsize=8)
plt.show()

# %% [markdown]
# Within about 15 s of 8:00, every call that gets a connection has waited
# longer than the buyer does: the instances work on, for nobody. The
# database was never the limit: it has 16 cores and 100 connections, and the
# two pools use 8.

# %%
lv = fl.events(runs["broken"].trace, "level")
lv[(lv["t"] > ex.SPIKE_S) & (lv["t"] < 540)][["connections", "running"]].describe().loc[["mean", "max"]]

# %% [markdown]
# ## What the autoscaler did
#
# Its `autoscale` events: a `sample` every 15 s (the average of requests in
# progress per instance over the last minute), the decisions, and the
# instances ordered, joining and leaving.

# %%
fig, ax = plt.subplots(figsize=(12, 3.5))
for v, color in VARIANTS.items():
    ev = fl.events(runs[v].trace, "autoscale")
    ax.step(ev["t"], ev["instances"], where="post", color=color, label=v)
ax.axvline(ex.SPIKE_S, color="grey", linewidth=0.8)
ax.set_xlabel("time (s)")
ax.set_ylabel("instances in service")
ax.legend(loc="upper left", fontsize=8)
plt.show()
ev = fl.events(runs["broken"].trace, "autoscale")
ev[ev["action"] != "sample"][["t", "action", "instances", "provisioning", "instance", "why"]]

# %% [markdown]
# It decided at 8:00:15, one sample after the spike; the instances joined
# four minutes later. Reacting faster would not have helped: the boot takes
# what it takes. Note the metric: the instances' CPU was at about 3 %. An
# autoscaler that watches CPU would not have added anything:

# %%
cpu = fl.run("traffic-spike", variant="broken", seed=1,
             sets={"components.autoscaler.metric": "cpu", "components.autoscaler.target": 0.6})
{k: cpu.summary["metrics"][k] for k in ("autoscaler_decisions", "autoscaler_max_instances", "availability")}

# %% [markdown]
# ## The fixes
#
# `fixed-pool-queue` sizes the pool to what the database can serve and
# bounds the wait: a few calls are shed at once in bursts, and nearly every
# checkout succeeds. `fixed-admission` keeps the small pool and refuses
# requests at the door: until a third instance joins, about one checkout in
# four gets a 503 within a millisecond, and the others are served fast. The
# scenario's SLO (at least half of the checkouts per 30 s window) accepts
# that; it does not accept a checkout that is down for everyone.

# %%
rows = []
for v in VARIANTS:
    c = checkouts[v]
    s = c[(c["invoke_s"] >= ex.SPIKE_S) & (c["invoke_s"] < ex.SPIKE_S + 240)]
    rows.append({"variant": v, "ok": (s["outcome"] == "ok").mean(),
                 "p99 of ok (s)": s[s["outcome"] == "ok"]["latency_s"].quantile(0.99),
                 "failed fast (<10 ms)": ((s["outcome"] != "ok") & (s["latency_s"] < 0.01)).sum(),
                 "timed out": (s["outcome"] == "info").sum()})
pd.DataFrame(rows).round(3)

# %% [markdown]
# ## Exercise: pre-scale for the sale
#
# **Give the autoscaler of `broken` a schedule so that checkout stays
# available through the spike on seeds 1 to 3.** A scheduled entry raises
# the minimum from its time on: `{"at": "...", "min": N}` under
# `components.autoscaler.scheduled.<name>`. You decide when and how many;
# the traffic, the machines and the service stay as they are. How long
# before 8:00 must it start, and how many instances finish 30 checkouts a
# second when each finishes about 4 / 0.34 s?

# %%
ANSWER = {"components.autoscaler.scheduled.sale": {"at": "30s", "min": 3}}  # a student replaces this with their own

ex.traffic_spike(ANSWER).show()

# %% [markdown]
# **To think about:** what does the pre-scale cost if the spike never comes,
# and how would you know the time of the next one? Which would you rather
# have on the day: the pre-scale, or a design that sheds load gracefully
# when the forecast is wrong (or both)?
