# %% [markdown]
# # 59.970000000000006 and an order that does not exist: numbers through JSON
#
# JSON has one kind of number, and a JavaScript client reads every one of
# them into an IEEE 754 double: 53 bits of precision, in binary. A shop's
# order API sits in front of an exact database (prices in DECIMAL, order ids
# in BIGINT from a Snowflake-style generator), and its web client is
# JavaScript.
#
# In the broken design the API adds up each cart the way JavaScript code
# does, `parseFloat` of each price and `+`, and sends the total and the
# 64-bit id as JSON numbers. In this notebook you will see what the client
# ends up holding, why, and how to send numbers so that nothing changes them.

# %%
from decimal import Decimal

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Image, display

import exercises as ex
import faultlab_helper as fl

pd.set_option("display.max_colwidth", 220)
SCENARIO = "serialization"
VARIANTS = ["broken", "minor-units", "string-ids", "fixed"]

# %% [markdown]
# ## Python's floats are the same doubles
#
# Python's `float` is an IEEE 754 double too, and `repr` prints the shortest
# digits that read back as the same double, as JavaScript does. So the
# arithmetic of the API's JavaScript can be tried here:

# %%
print(2.35 + 2.35 + 2.35, "instead of", Decimal("2.35") * 3)
print(0.10 + 0.20, "instead of", Decimal("0.10") + Decimal("0.20"))
print(Decimal(2.35), "is the double nearest to 2.35")
big = 1557183897812996097
print(float(big), int(float(big)), "2^53 =", 2 ** 53)

# %% [markdown]
# ## The broken design

# %%
broken = fl.run(SCENARIO, variant="broken", seed=1)
t = fl.load_trace(broken.trace, messages=False)
print(t.header["design"])
print(broken.counts)
for text in t.violations[t.violations["check"] == "value_corruption"]["message"].head(4):
    print(text)

# %% [markdown]
# ## What was written, what was read
#
# The API records each value it wrote to its database as a `stored` op, and
# the client each value it holds after `JSON.parse` as a `received` op; the
# key is `<order>/<field>=<value>`. Side by side:

# %%
bad = ex.corrupted_values(t)
print(len(bad), "values changed on the way")
bad.head(10)

# %% [markdown]
# Which totals change? Those whose products' prices, as doubles, do not add up
# to the double nearest to the exact sum. About one cart in three here, and
# the number of products matters:

# %%
ops = t.ops
stored = ops[ops["f"] == "stored"]["key"].str.split("=", n=1, expand=True)
totals = stored[stored[0].str.endswith("/total")].rename(columns={0: "field", 1: "written"})
totals["changed"] = totals["field"].isin(bad["field"])
fig, ax = plt.subplots(figsize=(8, 3))
totals.groupby(totals["written"].astype(float).round(-1))["changed"].mean().plot.bar(ax=ax, color="tab:red")
ax.set_xlabel("order total, rounded to 10")
ax.set_ylabel("share changed")
plt.show()

# %% [markdown]
# And the ids: every one of them is above 2^53, where a double can hold only
# every 128th or 256th integer. The client holds the nearest double, prints it
# as JavaScript does, and asks for that order:

# %%
orders = ops[ops["f"] == "order"]
print(orders["outcome"].value_counts().to_dict())
print(orders[orders["outcome"] == "fail"]["error"].iloc[0])

# %% [markdown]
# ## Every design, three seeds

# %%
by_variant = pd.concat([fl.sweep(SCENARIO, {}, seeds="1..3", variant=v) for v in VARIANTS])
assert by_variant["error"].isna().all(), by_variant["error"].dropna().tolist()
by_variant.groupby("variant", sort=False)[["value_corruption", "availability"]].mean()

# %% [markdown]
# ## Exercise: send numbers so that nothing changes them
#
# **Change the order API's settings so that, in `broken`, the client reads
# back every total and every id exactly, and finds every order.** Put them in
# `ANSWER` as `{"components.api.<setting>": value}` (the README's `order_api`
# type lists them). The prices, the carts and the id generator stay as they
# are.

# %%
ANSWER = {"components.api.money": "minor_units", "components.api.ids": "string"}

ex.serialization(ANSWER).show()

# %% [markdown]
# ## In the viewer
#
# The first value_corruption violation selected: the stored and the received
# op are outlined.

# %%
png = fl.screenshot(broken.trace, fl.default_out_dir() / "serialization.png", select_violation=1)
if png:
    display(Image(filename=str(png), width=900))
