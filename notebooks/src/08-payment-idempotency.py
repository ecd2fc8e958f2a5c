# %% [markdown]
# # Charged twice: the payment timeout that retries
#
# A shop's checkout asks a payment provider to charge a card and waits one
# second for the answer. Most charges take a few hundred milliseconds; one in
# seven takes two to four seconds; a few answers are lost on the way back
# after the money was taken; and for three seconds in the middle the
# provider's network is slow.
#
# When the second is up, the checkout does not know whether the card was
# charged. The broken design retries, as a brand-new request: the provider has
# no way to tell a retry from a second purchase. In this notebook you will find
# the customers who paid twice in the provider's ledger, see what the other
# designs do with the same slow answers, and count the money.
#
# Amounts are whole cents everywhere (the scenario, the trace, the checkers):
# no floating point comes near money.

# %%
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Image, display

import exercises as ex
import faultlab_helper as fl

pd.set_option("display.max_colwidth", 220)
VARIANTS = ["broken", "no-retry", "idempotent", "webhooks", "reconciled"]
CHECKS = ["double_charge", "unpaid_shipment", "charged_not_fulfilled"]


def money(cents):
    """4999 -> "49.99": cents stay integers until they are shown."""
    return f"{cents // 100}.{cents % 100:02d}"


def story(trace, order):
    """Everything the provider and the checkout traced about one order, in time order."""
    s = trace.states[trace.states["key"] == order]
    return s[["t", "node", "why"]].reset_index(drop=True)


# %% [markdown]
# ## The broken design

# %%
broken = fl.run("payment-idempotency", variant="broken", seed=1)
t = fl.load_trace(broken.trace)
print(t.header["design"])
print(broken.counts)
print(t.violations[t.violations["check"] == "double_charge"]["message"].iloc[0])

# %% [markdown]
# ## Where the history keeps the money
#
# Besides the customers' `checkout` requests, three kinds of ops are in the
# history: the checkout's attempts to charge (`charge`, as the checkout saw
# them: ok, or `info` after a timeout), the order's changes of state
# (`mark_paid`, `cancel`), and the provider's ledger: one `settled` op per
# charge it made, with the order as key, the amount in cents as value and the
# charge id as position.

# %%
t.ops.groupby(["client", "f", "outcome"]).size().rename("ops").to_frame()

# %% [markdown]
# ## One order, step by step
#
# The order of the first double_charge violation (the checker names the order
# first). Its state events on the provider's node (`psp`) and the shop's node
# (`shop-1`):

# %%
first = t.violations[t.violations["check"] == "double_charge"]["message"].iloc[0].split()[0]
story(t, first)

# %% [markdown]
# The first attempt was simply slow: it timed out at the checkout while the
# provider was still working on it. The checkout waited half a second and
# sent the charge again, without a key; the provider charged the card a
# second time. Both charges are in the ledger. The customer saw one "paid".
#
# ## Every design, five seeds

# %%
by_variant = pd.concat([fl.sweep("payment-idempotency", {}, seeds="1..5", variant=v) for v in VARIANTS])
assert by_variant["error"].isna().all(), by_variant["error"].dropna().tolist()
by_variant.groupby("variant", sort=False)[CHECKS + ["availability", "latency_p99_s"]].mean().round(3)

# %% [markdown]
# `no-retry` charges nobody twice, but cancels orders whose slow charge went
# through anyway (`charged_not_fulfilled`): the customer was told the payment
# failed, and the money is gone. `idempotent` retries with the same key for
# every attempt, and the provider answers a retry with the first result, so
# no order is charged twice or left charged and cancelled. `webhooks` and
# `reconciled` do not retry at all; they leave an unanswered order pending and
# find out later.
#
# ## What webhooks and reconciliation add
#
# For the orders whose answer never came, how long after the charge was the
# order marked paid?

# %%
def late_payments(variant):
    tr = fl.load_trace(fl.run("payment-idempotency", variant=variant, seed=1).trace, messages=False)
    ops = tr.ops
    settled = ops[(ops["f"] == "settled") & (ops["outcome"] == "ok")].groupby("key")["complete_s"].min()
    paid = ops[ops["f"] == "mark_paid"].set_index("key")["complete_s"]
    unsure = ops[(ops["f"] == "charge") & (ops["outcome"] == "info")]["key"].unique()
    delay = (paid - settled).dropna()
    return delay[delay.index.isin(unsure)]


fig, ax = plt.subplots(figsize=(9, 3))
for variant, color in [("webhooks", "tab:blue"), ("reconciled", "tab:orange")]:
    d = late_payments(variant)
    ax.hist(d, bins=30, alpha=0.6, color=color, label=f"{variant}: {len(d)} orders, median {d.median():.2f} s")
ax.set_xlabel("seconds from the charge to the order marked paid")
ax.set_ylabel("orders")
ax.legend()
plt.show()

# %% [markdown]
# A webhook arrives within a second or two (sometimes twice, sometimes out of
# order: the handler marks an order paid only once). The reconciliation job is
# slower, every three seconds, but it needs nothing to be delivered: it asks
# the ledger.
#
# ## Exercise: how much did the broken design cost?
#
# **In `broken`, seed 1, how many customers were charged more than once, and
# how much money were they charged too much, in cents?** Use the provider's
# ledger (the `settled` ops). Put your numbers in `ANSWER`.

# %%
ANSWER = {"customers": 67, "extra_cents": 1200037}  # a student replaces these with their own numbers

ex.payment_idempotency(ANSWER).show()

# %% [markdown]
# ## In the viewer
#
# The first double_charge violation selected: its ops (the checkout's
# attempts and the ledger's charges) are outlined.

# %%
png = fl.screenshot(broken.trace, fl.default_out_dir() / "payment-idempotency.png", select_violation=1)
if png:
    display(Image(filename=str(png), width=900))
