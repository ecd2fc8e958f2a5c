# %% [markdown]
# # Order confirmations: a direct call, or a queue?
#
# When a user places an order, a confirmation has to reach them. The order
# service can send it in two ways:
#
# - **a direct call**: inside the user's request it calls the notification
#   provider (timeout 1 s, one retry) and answers once the provider said yes;
# - **a queue**: it publishes the notification to a topic on a broker (a disk
#   write, then the answer) and answers at once; a group of consumers reads the
#   topic and sends the notifications to the provider at its own pace.
#
# The provider is small: one core, 50 ms of work per notification, so 20
# notifications a second at most, and 20 ms away on the network.
#
# The scenario `queue-vs-call` has six variants:
#
# - `call-at-500`: the direct call with 500 users (2 orders a second);
# - `broken`: the direct call during a campaign peak of 7,500 users (30 orders a
#   second for 20 s, then 2 a second);
# - `fixed-queue`: the same peak through the queue (12 partitions, 12 consumers);
# - `queue-worker-crash`: the queue, and one worker with 6 consumers crashes;
# - `call-provider-down` and `queue-provider-down`: 500 users, and the provider
#   is down for 15 s.
#
# The question this notebook is about is not "which one is better" but **at
# what size the queue starts to pay for what it costs**.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import exercises as ex
import faultlab_helper as fl

VARIANTS = {"call-at-500": "tab:green", "broken": "tab:red", "fixed-queue": "tab:blue"}
runs = {v: fl.run("queue-vs-call", variant=v, seed=1) for v in VARIANTS}
traces = {v: fl.load_trace(r.trace, messages=False) for v, r in runs.items()}
pd.DataFrame({v: {"orders": r.summary["ops"]["total"], "ok": r.summary["ops"]["ok"],
                  "order p50 (ms)": 1000 * r.summary["metrics"]["latency_p50_s"],
                  "order p99 (ms)": 1000 * r.summary["metrics"]["latency_p99_s"],
                  **r.counts,
                  "queue lag max": r.summary["metrics"].get("queue_lag_max", float("nan")),
                  "delivery lag p99 (s)": r.summary["metrics"].get("queue_delivery_lag_p99_s", float("nan"))}
              for v, r in runs.items()}).T

# %% [markdown]
# ## What the user waits for
#
# With the direct call every order waits for the provider: about 90 ms of the
# order's time at 500 users is the call (two 20 ms hops and 50 ms of work).
# At the peak the provider's CPU is shared by more notifications than it can
# finish: each one takes longer, the order service gives up after 1 s and
# retries, and the provider goes on working on the requests whose callers gave
# up. Almost every order fails. Through the queue an order takes about 4 ms,
# whatever the provider does.

# %%
fig, ax = plt.subplots(figsize=(12, 3.5))
for v, color in VARIANTS.items():
    o = traces[v].ops
    o = o[o["f"] == "place_order"]
    ok = o[o["outcome"] == "ok"]
    bad = o[o["outcome"] != "ok"]
    ax.scatter(ok["invoke_s"], 1000 * ok["latency_s"], s=4, color=color, label=f"{v} (ok)")
    ax.scatter(bad["invoke_s"], 1000 * bad["latency_s"].fillna(3.0), s=8, color=color, marker="x",
               label=f"{v} (failed or timed out)")
ax.axhline(300, color="black", linestyle=":", label="SLO: p99 300 ms")
ax.set_yscale("log")
ax.set_xlabel("time (s)")
ax.set_ylabel("order latency (ms)")
ax.legend(loc="upper right", fontsize=8)
plt.show()

# %% [markdown]
# ## Where the peak goes with a queue: consumer lag
#
# The broker samples each group's **lag** every second: the messages appended
# to the topic that the group has not committed yet (log end offset minus
# committed offset, summed over the partitions). During the peak the orders
# come in faster than the provider can send, so the lag grows; after it, the
# consumers catch up. The lag falls in steps: a consumer commits only after
# its whole batch (up to 50 messages, which take a while when the provider is
# busy), and lag is counted from the committed offsets, as Kafka's tools count
# it. Each `deliver` op in the history carries, as its value,
# the order it confirms, so the **delivery lag** of each confirmation can be
# read straight from the history.

# %%
q = runs["fixed-queue"]
lag = fl.events(q.trace, "queue_lag")
conf = ex.confirmations(traces["fixed-queue"])
fig, (a, b) = plt.subplots(1, 2, figsize=(13, 3.5))
a.plot(lag["t"], lag["lag"], color="tab:blue")
a.set_xlabel("time (s)")
a.set_ylabel("consumer lag (messages)")
b.scatter(conf["invoke_s"], conf["confirmed_s"] - conf["invoke_s"], s=4, color="tab:blue")
b.set_xlabel("order placed at (s)")
b.set_ylabel("confirmation arrived after (s)")
plt.show()
# Who owns which partition once the group has settled (each member's last queue_assign):
assign = fl.events(q.trace, "queue_assign")
print(assign.groupby("member").tail(1).sort_values("t").tail(12)[["t", "member", "partitions", "why"]]
      .to_string(index=False))

# %% [markdown]
# ## The crossover: sweep the peak
#
# Is 7,500 users the point where the call breaks, or does it break much
# earlier? Sweep the peak's rate with the direct call (users = 250 x the rate:
# each user orders about once every four minutes during a campaign):
#
# `./faultlab sweep scenarios/queue-vs-call.json --variant broken --param workload.clients.users.arrival.steps.0.rate_per_s=2,5,10,14,16,18,20,25,30 --seeds 1..3 --out sweep.csv`

# %%
RATES = [2, 5, 10, 14, 16, 18, 20, 25, 30]
PEAK = "workload.clients.users.arrival.steps.0.rate_per_s"
call = fl.sweep("queue-vs-call", {PEAK: RATES}, seeds="1..3", variant="broken", jobs=2)
queue = fl.sweep("queue-vs-call", {PEAK: RATES}, seeds="1..3", variant="fixed-queue", jobs=2)
table = pd.DataFrame({
    "users": [250 * r for r in RATES],
    "call: seeds missing the SLO": call.groupby(PEAK)["latency_slo"].apply(lambda s: int((s > 0).sum())).values,
    "call: order p99 (ms, worst seed)": (1000 * call.groupby(PEAK)["latency_p99_s"].max()).round().values,
    "call: availability (worst seed)": call.groupby(PEAK)["availability"].min().round(3).values,
    "queue: seeds missing the SLO": queue.groupby(PEAK)["latency_slo"].apply(lambda s: int((s > 0).sum())).values,
    "queue: lag max": queue.groupby(PEAK)["queue_lag_max"].max().values,
    "queue: delivery lag max (s)": queue.groupby(PEAK)["queue_delivery_lag_max_s"].max().round(1).values,
}, index=pd.Index(RATES, name="peak orders/s"))
table

# %% [markdown]
# Read the table from the top. Up to 5 orders a second (1,250 users) the direct
# call meets its SLO on every seed, and the queue would only add a broker, a
# consumer group and a lag to watch. At 10 a second (half the provider's
# capacity) the p99 starts to creep over 300 ms on some seeds: queueing at the
# provider shows in the tail long before the provider is full. From 14 a second
# (3,500 users) the SLO is missed on every seed, and from 16 to 18 orders start
# to fail. Through the queue the orders never miss their SLO; the price moves to
# the lag column: at 30 a second confirmations arrive up to about 15 s late.
#
# So at 500 users the direct call is the right design, and the crossover is
# somewhere between 2,500 and 3,500 users for this provider. Before then you
# would watch the provider's latency and the call's timeouts; after it, the
# consumer lag.

# %% [markdown]
# ## The price of the queue: duplicates after a crash
#
# A consumer fetches a batch, sends each message, and commits its position
# after the batch. In `queue-worker-crash` worker-1 (6 of the 12 consumers)
# crashes at 10 s in the middle of batches. After the session timeout (6 s with
# no heartbeat) the coordinator gives their partitions to the other consumers,
# which start from the last committed offset: the messages sent but not
# committed are sent again. At least once means exactly that.

# %%
crash = fl.run("queue-vs-call", variant="queue-worker-crash", seed=1)
ct = fl.load_trace(crash.trace, messages=False)
d = ct.ops[ct.ops["f"] == "deliver"]
twice = d.groupby("key").size()
print(f"{(twice > 1).sum()} messages delivered twice; "
      f"summary: {crash.summary['metrics']['queue_duplicates']:.0f} duplicates, "
      f"{crash.summary['counts']}")
pd.concat([fl.events(crash.trace, "queue_member_left").head(3),
           fl.events(crash.trace, "queue_duplicate").head(3)])[["t", "member", "partitions", "offset", "why"]]

# %% [markdown]
# ## Exercise: survive the peak without a bigger provider
#
# **Starting from `broken` (the 7,500-user peak, direct call), change the
# design so that no order misses its SLO and every order placed in the first
# 55 s is confirmed within 30 s, on seeds 1-3.** The provider, the peak and the
# checks stay as they are: a bigger provider plan or a smaller campaign makes
# the problem go away this time, and that is not the exercise.
#
# `ex.PUBLISH` is a notify call that publishes to a topic `notifications` of a
# queue `events`, and `ex.queue_component(partitions, consumers)` is that
# queue with the numbers of partitions and consumers you choose. What happens
# with one partition? With a fallback that skips the notification when the
# provider is slow?

# %%
NOTIFY, PUBLISH, queue_component = ex.NOTIFY, ex.PUBLISH, ex.queue_component
ANSWER = {NOTIFY: PUBLISH, "components.events": queue_component(12, 12)}  # a student replaces these

ex.queue_vs_call(ANSWER).show()

# %% [markdown]
# **To think about:** the queue now sits in every order's path (`./faultlab
# analyze scenarios/queue-vs-call.json --variant fixed-queue` lists the broker
# as a single point of failure). What happens to orders when the broker is
# down, and what would you run to avoid that? Which of your notifications can
# be sent twice without harm?
