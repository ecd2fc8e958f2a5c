# %% [markdown]
# # "The app is slow": for whom, where, and why?
#
# A shop's API serves shoppers (about 120 requests a second), a few hundred
# sellers (about one request a second between them) and a few admins. The
# dashboard shows a median of a few milliseconds and a p99 well under the
# SLO. Yet the sellers say the app is slow.
#
# Averages over everyone are the shoppers' averages. `faultlab run --profile`
# splits the latency by user class (a client group) and endpoint (the op),
# and adds up where each endpoint's time went: which dependency, which query.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import exercises as ex
import faultlab_helper as fl

broken = fl.run("slow-endpoint", variant="broken", seed=1)
m = broken.summary["metrics"]
print(f"all requests: p50 {m['latency_p50_s'] * 1000:.1f} ms, p99 {m['latency_p99_s'] * 1000:.1f} ms; "
      f"violations {broken.counts}")

# %% [markdown]
# A p99 of a few milliseconds, and yet the latency SLO per endpoint fails. The
# profile:

# %%
profile = ex.profile_of("slow-endpoint", "broken")
endpoints = pd.DataFrame(profile["endpoints"])
endpoints[["client", "endpoint", "count", "error_rate", "p50_s", "p99_s", "max_s"]].round(4)

# %%
deps = pd.DataFrame(profile["dependencies"])
print(deps[["client", "endpoint", "dependency", "calls", "mean_s", "share"]].head(5).round(4).to_string(index=False))
print("\nslowest:", profile["slowest"])

# %% [markdown]
# ## The query
#
# The database records each statement it runs: the rows it examined, its
# plan, its CPU time. Here are the statements behind the slowest endpoint,
# next to the shoppers' lookups:

# %%
t = fl.load_trace(broken.trace, messages=False)
q = t.queries
q.groupby("query")[["rows_examined", "cpu_s", "run_s"]].mean().round(4).join(
    q.groupby("query")["plan"].first())

# %%
fig, ax = plt.subplots(figsize=(10, 3))
for name, group in q.groupby("query"):
    ax.scatter(group["t"], group["run_s"] * 1000, s=6, label=name)
ax.set_yscale("log")
ax.set_xlabel("time (s)")
ax.set_ylabel("statement time (ms)")
ax.legend(loc="center right", fontsize=8)
plt.show()

# %% [markdown]
# One statement reads the whole table, every time, to return fifty rows. It
# does not slow the shoppers down: it uses one of the database's four cores
# for most of a second, about once a second, and the other queries share the
# rest. It will, once the table or the sellers grow.
#
# ## Exercise: name it, then fix it
#
# **From the profile: which user class, which endpoint, and which dependency
# (as the profile names it)? Then a `fix`: settings applied to `broken` that
# make every endpoint meet its SLO.** The check runs `faultlab run --profile`
# itself and compares, then runs your fix on two seeds. Removing the sellers,
# their orders page or the query is not a fix; neither is a bigger machine.

# %%
ANSWER = {"user_class": "sellers", "endpoint": "orders", "dependency": "db.seller_orders",
          "fix": {"components.db.tables.orders.indexes": [{"column": "id"}, {"column": "customer_id"},
                                                          {"column": "seller_id"}]}}  # a student replaces this

ex.slow_endpoint(ANSWER).show()
