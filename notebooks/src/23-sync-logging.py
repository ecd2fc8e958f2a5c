# %% [markdown]
# # A slow log disk stalls a Node.js service: synchronous logging on an event loop
#
# The `api` runs like a Node.js process: each instance has one thread, the
# event loop. A request's CPU work runs on it; its calls to the database are
# asynchronous, so while a request waits for the database the loop runs other
# requests. Anything synchronous holds the thread: here, the log line every
# request writes to the node's disk, with a synchronous write that waits until
# the disk has taken it.
#
# Two endpoints: `place_order` inserts an order and logs a 16 KiB debug dump of
# it; `get_price` calls nothing and logs a 200-byte line. About 150 requests a
# second reach each of the two instances, so each logs about 1.24 MB/s. From
# 20 s to 40 s both log disks get 270 times slower: 300 MB/s becomes 1.1 MB/s.
#
# Three variants:
#
# - `broken`: event loop, synchronous logger;
# - `broken-threads`: the same logger, but a thread per request (Java, Go, a
#   thread pool);
# - `fixed-async`: event loop, asynchronous logger: a buffer of 256 lines that a
#   background writer drains; a line that finds the buffer full is dropped and
#   counted.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import exercises as ex
import faultlab_helper as fl

VARIANTS = {"broken": "tab:red", "broken-threads": "tab:orange", "fixed-async": "tab:blue"}
runs = {v: fl.run("sync-logging", variant=v, seed=1) for v in VARIANTS}
traces = {v: fl.load_trace(r.trace, messages=False) for v, r in runs.items()}
METRICS = ["latency_p99_s", "loop_wait_max_s", "log_lines_written", "log_lines_dropped", "log_write_max_s"]
pd.DataFrame({v: {**r.counts, **{m: r.summary["metrics"].get(m) for m in METRICS}} for v, r in runs.items()}).T

# %% [markdown]
# ## What the users saw, per endpoint
#
# Each dot is a request: when it was sent, and how long it took (1 s is the
# clients' timeout). The grey band is the slow disk.

# %%
fig, axes = plt.subplots(1, len(VARIANTS), figsize=(15, 3.8), sharey=True)
for ax, v in zip(axes, VARIANTS):
    ops = traces[v].ops
    for f, colour in [("place_order", "tab:purple"), ("get_price", "tab:green")]:
        o = ops[ops["f"] == f]
        ax.scatter(o["invoke_s"], o["complete_s"] - o["invoke_s"], s=2, color=colour, label=f)
    ax.axvspan(20, 40, color="grey", alpha=0.15)
    ax.set_yscale("log")
    ax.set_title(v)
    ax.set_xlabel("sent at (s)")
axes[0].set_ylabel("latency (s)")
axes[0].legend(loc="upper left", markerscale=5)
plt.tight_layout()
plt.show()

# %% [markdown]
# In `broken` both endpoints go from milliseconds to the 1 s timeout within
# a few seconds of the slowdown, `get_price` as badly as `place_order`,
# though its own line takes 0.2 ms to write: it waits for the loop behind
# the place_orders writing theirs. In `broken-threads` only `place_order`
# suffers: each request waits only for its own write, and the disk shares its
# bandwidth between the writes in progress, so a short line goes through
# (more slowly as the writes in progress pile up: tens of milliseconds). In
# `fixed-async` nobody waits for the disk.
#
# ## The event loop's lag
#
# Each instance traces a `loop_lag` event every second: how long a timer due
# at that moment waited for the loop (what Node's `monitorEventLoopDelay`
# measures).

# %%
fig, ax = plt.subplots(figsize=(12, 3.5))
for v in ["broken", "fixed-async"]:
    lag = fl.events(runs[v].trace, "loop_lag")
    for node, style in [("app-1", "-"), ("app-2", "--")]:
        l = lag[lag["node"] == node]
        ax.plot(l["t"], l["lag_s"], style, color=VARIANTS[v], label=f"{v}, {node}")
ax.axvspan(20, 40, color="grey", alpha=0.15)
ax.set_xlabel("time (s)")
ax.set_ylabel("loop lag (s)")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# Each `place_order` holds the loop about 15 ms for its line while the disk
# is slow, and the loop has about 1.4 s of work to do every second: the queue
# of requests waiting for it grows until the disk is fast again. Then it
# drains in a second or two: what is left in the queue is CPU work.
#
# ## What the async logger lost
#
# The `log_buffer` events: `full` when a line first found the buffer full,
# `accepting` when there was room again, with the lines dropped meanwhile.

# %%
buffer = fl.events(runs["fixed-async"].trace, "log_buffer")
print(buffer.to_string(index=False))
print("lines dropped:", runs["fixed-async"].summary["metrics"]["log_lines_dropped"],
      "of", runs["fixed-async"].summary["metrics"]["log_lines_written"]
      + runs["fixed-async"].summary["metrics"]["log_lines_dropped"])

# %% [markdown]
# The disk writes 1.1 MB/s while the lines arrive at about 1.24 MB/s: the
# writer falls behind, the buffer fills, and the lines that find it full are
# dropped. That is the trade-off, chosen on purpose: lose some log lines
# instead of losing users. An audit log that must never lose a line needs
# another design (a durable queue, or a smaller line that the disk can take).
#
# ## Exercise: keep the SLO and lose no line
#
# **Change the `broken` design so that both endpoints keep their SLO through
# the slow disk on seeds 1-3 and no log line is dropped, with a log buffer of
# at most 32 MiB** (2048 lines of up to 16 KiB). Give the settings as `--set`
# paths under `components.api.` (`logging.mode`, `logging.buffer`,
# `event_loop`). The check runs the scenario with your settings. The lines
# stay as they are, and the disk stays slow.

# %%
ANSWER = {
    "components.api.logging.mode": "async",
    "components.api.logging.buffer": 512,
}

ex.sync_logging(ANSWER).show()

# %% [markdown]
# **To think about:** your buffer holds these 20 s of slowdown. What happens
# when the disk is slow for ten minutes? Which of your own logs may be
# dropped, and which must not? How would you see the loop lag in production
# before the users do?
