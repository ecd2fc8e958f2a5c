# %% [markdown]
# # Sold twice: the last pairs of a flash sale
#
# A flash sale: a hundred pairs of sneakers, two shop servers, buyers arriving
# about thirty times a second. A purchase reads the stock, spends a few tens of
# milliseconds on the order (the price, the payment authorisation), and writes
# back the stock minus one.
#
# Two purchases that overlap both read, say, 57, and both write 56: two pairs
# are sold, one is counted. Nothing looks wrong while there is stock left. But
# each lost decrement is a pair that the stock table still believes it has,
# and when the real pairs run out the shops keep confirming orders for shoes
# that do not exist.
#
# In this notebook you will watch the stock drift away from reality, compare
# the usual fixes across seeds, look at a lock that is only a lease, find out
# how long that lease must be, and see why fencing is the better answer.

# %%
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Image, display

import exercises as ex
import faultlab_helper as fl

pd.set_option("display.max_colwidth", 200)
UNITS = 100  # the scenario's items: {"sneaker-42": 100}
VARIANTS = ["broken", "locked", "atomic", "lease-lock", "fenced"]


def stock_values(trace):
    """What the stock table said, over time: its 'stock written' / 'stock decremented' events."""
    s = trace.states[(trace.states["component"] == "stock") & trace.states["value"].notna()]
    return s[["t", "value", "why"]].reset_index(drop=True)


def purchases(trace):
    """One row per buy: when its read reached the stock table and the number it saw, when its write landed."""
    stock = stock_values(trace)
    at_db = trace.messages[(trace.messages["ev"] == "deliver") & (trace.messages["to"] == "stock-db")]
    rows = []
    for op, g in at_db.groupby("op"):
        read_s, write_s = g[g["kind"] == "stock_read"]["t"].min(), g[g["kind"] == "stock_write"]["t"].min()
        before = stock[stock["t"] <= read_s]["value"]
        after = stock[stock["t"] >= write_s]["value"]
        rows.append({"op": op, "read_s": read_s, "saw": before.iloc[-1] if len(before) else UNITS,
                     "write_s": write_s, "wrote": after.iloc[0] if pd.notna(write_s) and len(after) else None})
    ops = trace.ops[~trace.ops["final"]][["op", "client", "outcome", "error", "complete_s"]]
    return pd.DataFrame(rows).merge(ops, on="op")


def leases(trace):
    """One row per lease from the lock service's events: token, shop, when granted, when and how it ended.

    A lease ends "released" (its holder gave it back) or "expired" (it ran out first); a release
    that comes after that is ignored by the lock service, and noted in late_release_s."""
    locks = trace.states[trace.states["component"] == "locks"]
    why = locks["why"]
    granted = locks[why.str.startswith("lease granted")]
    ended = locks[why.str.endswith(" released") | why.str.endswith(" expired")]
    late = locks[why.str.startswith("release of token")]
    out = pd.DataFrame({"token": granted["value"].values, "shop": granted["why"].str.extract(r"granted to (\S+)")[0].values,
                        "granted_s": granted["t"].values})
    out = out.merge(pd.DataFrame({"token": ended["value"].values, "ended_s": ended["t"].values,
                                  "ended": ended["why"].str.split().str[-1].values}), on="token", how="left")
    return out.merge(pd.DataFrame({"token": late["value"].values, "late_release_s": late["t"].values}),
                     on="token", how="left")


def around(trace, t0, t1):
    """Between t0 and t1, in order: the lock service's events, the stock writes arriving at the stock
    table and what it did with them, and the shops' pauses."""
    s = trace.states[trace.states["component"].isin(["locks", "stock"])]
    s = s.assign(what=s["why"].where(s["component"] == "locks", "stock table: " + s["why"] + ", now "
                                     + s["value"].astype(str)))
    m = trace.messages[(trace.messages["ev"] == "deliver") & (trace.messages["kind"] == "stock_write")]
    m = m.assign(what=m["from"] + "'s stock_write arrives (op " + m["op"].astype(str) + ")")
    n = trace.node_status.assign(what=trace.node_status["node"] + " " + trace.node_status["status"])
    events = pd.concat([s[["t", "what"]], m[["t", "what"]], n[["t", "what"]]]).sort_values("t", kind="stable")
    return events[events["t"].between(t0, t1)].reset_index(drop=True)


def oversold(df):
    """Confirmed purchases beyond the stock, per run of a sweep (what the oversell checker counts)."""
    return (df["ops_ok"] - UNITS).clip(lower=0)


# %% [markdown]
# ## The broken design

# %%
broken = fl.run("inventory-race", variant="broken", seed=1)
t = fl.load_trace(broken.trace)
print(t.header["design"])
print(broken.counts)
print(t.violations["message"].iloc[0])

# %% [markdown]
# ## The stock table against reality
#
# The stock table traces every value written to it. What is *really* left is
# 100 minus the purchases confirmed so far.

# %%
stock = stock_values(t)
confirmed = t.ops[(t.ops["f"] == "buy") & (t.ops["outcome"] == "ok")].sort_values("complete_s")
really_left = UNITS - pd.Series(range(1, len(confirmed) + 1), index=confirmed["complete_s"])

fig, ax = plt.subplots(figsize=(10, 3.5))
ax.step(stock["t"], stock["value"], where="post", color="tab:blue", label="what the stock table says")
ax.step(really_left.index, really_left.values, where="post", color="tab:red", label="100 − confirmed purchases")
ax.axhline(0, color="black", linewidth=0.8)
ax.set_xlabel("time (s)")
ax.set_ylabel("pairs")
ax.set_title("broken: the stock table drifts away from what was sold")
ax.legend()
plt.show()

# %% [markdown]
# The red line crosses zero long before the blue one: from then on, every
# confirmed order is a pair that does not exist. When the table finally says 0,
# the shops answer "sold out", and the damage is done.
#
# ## Where the decrements went
#
# `purchases` (defined above) rebuilds each buy from the messages: when its
# read reached the stock table, the number it saw (the last value written
# before that), and when its write landed. The first few:

# %%
buys = purchases(t)
buys.head(8).round(3)

# %% [markdown]
# Ops 1, 2 and 3 all saw 99 and all wrote 98: three pairs sold, one counted.
# They came through the same shop server, so this is not about two servers at
# all; any two purchases that overlap will do. How many buys saw a number some
# other confirmed buy had already seen?

# %%
ok = buys[buys["outcome"] == "ok"]
lost = ok["saw"].duplicated().sum()
print(f"{len(ok)} confirmed purchases, {ok['saw'].nunique()} distinct stock values seen: "
      f"{lost} decrements lost, {len(ok) - UNITS} pairs oversold")

# %% [markdown]
# ## The violation
#
# The `oversell` checker compares the confirmed purchases with the stock and
# names the purchases beyond it (the first 20 of them, in `ops`).

# %%
t.violations[["t", "check", "message"]]

# %% [markdown]
# ## The usual fixes, across seeds
#
# The scenario has four other designs: `locked` (the read takes a row lock,
# `SELECT ... FOR UPDATE`, held until the write), `atomic` (one statement,
# `UPDATE ... SET units = units - 1 WHERE units > 0`), `lease-lock` (a 500 ms
# lease from a lock service around the read and the write, while `shop-1`
# freezes twice for a second, like a long garbage-collection pause) and
# `fenced` (the same, with fencing tokens). Five seeds each:

# %%
by_variant = pd.concat([fl.sweep("inventory-race", {}, seeds="1..5", variant=v) for v in VARIANTS])
assert by_variant["error"].isna().all(), by_variant["error"].dropna().tolist()
by_variant["oversold"] = oversold(by_variant)
summary = by_variant.groupby("variant", sort=False).agg(
    oversold_mean=("oversold", "mean"), oversold_max=("oversold", "max"),
    runs_that_oversold=("oversell", "sum"), latency_p50_ms=("latency_p50_s", lambda s: 1000 * s.mean()),
    latency_p99_ms=("latency_p99_s", lambda s: 1000 * s.mean()))
summary.round(1)

# %% [markdown]
# (The `availability` metric is no use here: it counts a "sold out" answer as
# a failed request, so the broken design, which rarely says sold out, looks the
# most available.)
#
# `locked` and `atomic` never oversell; `atomic` is also the fastest, because it
# holds nothing while the shop does its own work. The lease does not save
# `lease-lock`. It, and `fenced`, are also by far the slowest: every purchase
# queues for the one lease, and while `shop-1` sleeps on it, the queue does
# not move.
#
# ## A lock that is only a lease
#
# Who held the lease, and when? The lock service traces every lease: granted
# (to which shop, with which token), then released by its holder, or expired
# because the holder took longer than the lease; a release that comes after
# the expiry is ignored. `leases` (defined above) puts the four together. The
# shops' pauses are `node` events.

# %%
lease = fl.run("inventory-race", variant="lease-lock", seed=1)
tl = fl.load_trace(lease.trace)
held = leases(tl)
print(held.groupby(["shop", "ended"]).size().rename("leases").to_string())
held[held["ended"] != "released"].round(4)

# %% [markdown]
# All but two leases were given back in time. The two that expired were both
# granted to `shop-1`, and both of its releases came too late. Drawn over time
# (each bar is one lease, from its grant to its release or expiry):

# %%
writes = tl.messages[(tl.messages["ev"] == "deliver") & (tl.messages["kind"] == "stock_write")]
status = tl.node_status
fig, ax = plt.subplots(figsize=(11, 2.8))
for i, shop in enumerate(["shop-1", "shop-2"]):
    for ended, color in [("released", "tab:blue"), ("expired", "tab:red")]:
        these = held[(held["shop"] == shop) & (held["ended"] == ended)]
        ax.broken_barh(list(zip(these["granted_s"], these["ended_s"] - these["granted_s"])), (i + 0.05, 0.3),
                       color=color, alpha=0.7, label=f"lease, {ended}" if i == 0 else None)
    late = held[(held["shop"] == shop) & held["late_release_s"].notna()]
    ax.plot(late["late_release_s"], [i + 0.2] * len(late), "kx", label="release ignored" if i == 0 else None)
    w = writes[writes["from"] == shop]
    ax.plot(w["t"], [i - 0.15] * len(w), "|", color="black", markersize=9,
            label="its stock write lands" if i == 0 else None)
for start, end in zip(status[status["status"] == "paused"]["t"], status[status["status"] == "running"]["t"]):
    ax.axvspan(start, end, ymin=0.0, ymax=0.5, color="grey", alpha=0.3)
ax.set_yticks([0, 1], ["shop-1", "shop-2"])
ax.set_ylim(-0.5, 1.9)
ax.set_xlim(0, 5)
ax.set_xlabel("time (s); grey: shop-1 is frozen")
ax.legend(loc="upper right", fontsize=8, ncol=4)
plt.show()

# %% [markdown]
# Around the second pause, event by event:

# %%
wake = status[status["status"] == "running"]["t"].iloc[-1]
pause = status[status["status"] == "paused"]["t"].iloc[-1]
around(tl, pause - 0.05, wake + 0.05).round(4)

# %% [markdown]
# `shop-1` got lease 61 and froze 13 ms later. The lease ran out while it
# slept ("expired"), and the lock service, correctly, gave it to the next in
# line: first another of `shop-1`'s own purchases (62), whose grant arrived
# while it was frozen and which expired too, then `shop-2` (63). When `shop-1`
# woke up it carried on with the purchase it was in the middle of: its clock
# had stopped too, so by its clock lease 61 was still fresh. It wrote 39 while
# `shop-2`, which had read the same 40, was about to write 39 too; then
# `shop-1`'s second purchase (lease 62) and `shop-2`'s next one both wrote 38:
# two pairs sold that do not exist. `shop-1` gave both leases back afterwards,
# and the lock service ignored the releases, because those leases were over.
# The lock service knew; nothing asked it.
#
# ## Exercise: how long must the lease be?
#
# If the trouble is a lease that runs out during a pause, a longer lease
# should help. **Find the shortest lease (`components.locks.lease`) for which
# `lease-lock` oversells nothing in seeds 1 to 5, with the scenario's two
# one-second pauses.** Try a sweep over a few values first, then put yours in
# `ANSWER`.

# %%
ANSWER = "1100ms"  # a student replaces this with their own lease length

ex.inventory_race(ANSWER).show()

# %% [markdown]
# That holds as long as no pause is longer than the lease. Make the second
# pause two seconds, with the same lease:

# %%
longer = fl.sweep("inventory-race", {"faults.gc-2.duration": ["2s"]}, seeds="1..5", variant="lease-lock",
                  sets={"components.locks.lease": ANSWER})
fenced_longer = fl.sweep("inventory-race", {"faults.gc-2.duration": ["2s"]}, seeds="1..5", variant="fenced",
                         sets={"components.locks.lease": ANSWER})
pd.DataFrame({"lease-lock: oversold": oversold(longer).values, "fenced: oversold": oversold(fenced_longer).values},
             index=pd.Index(longer["seed"], name="seed"))

# %% [markdown]
# A lease is a bet that no holder ever stops for longer than the lease. The
# bet is lost as soon as a pause is longer (and the garbage collector, the
# hypervisor or a swapped-out page do not ask). `fenced` does not bet at all.
#
# ## The fixed design: fencing
#
# In `fenced`, every lease comes with a token that only grows, every read and
# write carries it, and the stock table refuses a token older than one it has
# already seen:

# %%
fenced = fl.run("inventory-race", variant="fenced", seed=1)
tfen = fl.load_trace(fenced.trace)
print(fenced.counts)
final = tfen.ops[tfen.ops["final"]]
print("faultlab's final reads, after the sale:", final["outcome"].tolist(), "stock", final["value"].tolist())
refused = tfen.states[tfen.states["why"].str.startswith("refused", na=False)]
display(refused[["t", "node", "why"]])
tfen.ops[tfen.ops["error"].str.startswith("fenced", na=False)][["op", "client", "complete_s", "error"]]

# %% [markdown]
# The same pause, the same expired leases, but the woken shop's write (token
# 61) and its next read (token 62) are refused, since `shop-2` has already
# read the stock with token 63, and those two purchases fail instead of
# selling a pair twice.
# In this design the stock table also says which token wrote each value:

# %%
wake_f = tfen.node_status[tfen.node_status["status"] == "running"]["t"].iloc[-1]
around(tfen, wake_f - 0.02, wake_f + 0.035).round(4)

# %% [markdown]
# The lock service still cannot stop a frozen holder from believing it holds
# the lease, but now the storage no longer takes its word for it. A read
# without a token is not fenced: faultlab's own final reads of the stock (the
# first line above) hold no lease, and the stock table answers them as usual.
#
# ## What if the shops spend longer on each order?
#
# The longer a purchase takes between its read and its write, the more
# purchases overlap. A sweep over the time each shop spends on the order (drawn
# between 1 ms and the value shown), three seeds each:

# %%
thinks = ["10ms", "20ms", "40ms", "80ms", "160ms"]
sweep = pd.concat([fl.sweep("inventory-race", {"components.stock.think.max": thinks}, seeds="1..3", variant=v,
                            sets={"components.stock.think.min": "1ms"}, jobs=2)
                   for v in ["broken", "locked", "atomic"]])
assert sweep["error"].isna().all(), sweep["error"].dropna().tolist()
sweep["think_s"] = sweep["components.stock.think.max"].map(fl.seconds)
sweep["oversold"] = oversold(sweep)
sweep["sold"] = sweep["ops_ok"].clip(upper=UNITS)
table = sweep.groupby(["variant", "think_s"])[["oversold", "sold", "latency_p99_s"]].mean().reset_index()

fig, axes = plt.subplots(1, 3, figsize=(14, 3.5))
for variant, color in [("broken", "tab:red"), ("locked", "tab:orange"), ("atomic", "tab:green")]:
    g = table[table["variant"] == variant]
    axes[0].plot(g["think_s"], g["oversold"], "o-", color=color, label=variant)
    axes[1].plot(g["think_s"], g["sold"], "o-", color=color, label=variant)
    axes[2].plot(g["think_s"], g["latency_p99_s"], "o-", color=color, label=variant)
axes[0].set_ylabel("pairs oversold (mean of 3 seeds)")
axes[1].set_ylabel("real pairs sold in the 10 s sale")
axes[2].set_ylabel("p99 latency of a purchase (s)")
axes[2].set_yscale("log")
for ax in axes:
    ax.set_xscale("log")
    ax.set_xticks(table["think_s"].unique(), thinks, fontsize=8)
    ax.set_xlabel("longest time spent on an order")
axes[0].legend()
plt.tight_layout()
plt.show()
table.round(3)

# %% [markdown]
# The broken design oversells more the longer an order takes, until every
# buyer in the sale gets a confirmation. The row lock never oversells, but
# purchases wait for each other: once the orders take longer than the gap
# between buyers, the queue grows, buyers time out, and the sale no longer
# sells out. `atomic` is untouched, because it holds nothing while the shop
# works. (Which leaves the question from `faultlab explain inventory-race`:
# what if the payment fails after the unit was taken?)
#
# ## In the viewer
#
# `lease-lock` above, `fenced` below, around the second pause.

# %%
png = fl.screenshot(lease.trace, fl.default_out_dir() / "inventory-race.png", compare_with=fenced.trace,
                    window=(2.3, 3.7))
if png:
    display(Image(filename=str(png), width=900))
