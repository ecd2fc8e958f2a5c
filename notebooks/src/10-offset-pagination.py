# %% [markdown]
# # The export that gets slower with every page: OFFSET pagination
#
# Every night a job exports the `events` table, two million rows, in pages of
# ten thousand:
#
# ```sql
# SELECT * FROM events ORDER BY id OFFSET :page * 10000 LIMIT 10000;
# ```
#
# Every page asks for the same number of rows, so every page should cost the
# same. It does not. An index lets the database find the row with a given
# *id* at once, but not the row at a given *position*: to skip the first
# `OFFSET` rows it has to walk past them, one by one, and throw them away.
# Page 1 examines ten thousand rows, page 100 a million, page 200 two million.
#
# The fixed job remembers the last id of each page and asks for the next page
# by value instead of position (keyset, or "seek", pagination):
#
# ```sql
# SELECT * FROM events WHERE id > :last_id ORDER BY id LIMIT 10000;
# ```
#
# In this notebook you will plot what each page examined and how long it took,
# and add it all up.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import exercises as ex
import faultlab_helper as fl

pd.set_option("display.max_colwidth", 90)
runs = {v: fl.run("offset-pagination", variant=v, seed=1) for v in ["broken", "fixed-keyset"]}
traces = {v: fl.load_trace(r.trace, messages=False) for v, r in runs.items()}
for v, r in runs.items():
    print(f"{v:13} {r.counts}")

# %% [markdown]
# ## The export's pages
#
# The job's statements are ops in the history (client `export`, key `batch-N`
# for page N + 1), and each one has a query event with the rows it examined,
# its plan and its run time. `ex.export_pages` joins the two:

# %%
pages = {v: ex.export_pages(tr) for v, tr in traces.items()}
pd.concat({v: p.iloc[[0, 1, 99, 199]].set_index("page") for v, p in pages.items()})

# %% [markdown]
# The plans say it: "skipping 1,990,000 rows (OFFSET)" against "starting
# after the last key seen".

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 4))
for variant, color in [("broken", "tab:red"), ("fixed-keyset", "tab:green")]:
    p = pages[variant]
    axes[0].plot(p["page"], p["rows_examined"] / 1e6, color=color, label=variant)
    axes[1].plot(p["page"], p["run_s"], color=color, label=variant)
axes[0].set_ylabel("rows examined (millions)")
axes[1].set_ylabel("run time of the page (s)")
axes[1].axhline(1, color="grey", linestyle=":", label="the 1 s objective")
for ax in axes:
    ax.set_xlabel("page")
    ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# Two straight lines and two flat ones. With OFFSET, page *n* examines *n*
# pages' worth of rows (plus a few for the index descent) and its time grows
# with them; from about page 50 a page takes longer than the one-second
# objective. With keyset pagination every page costs the same as the first.
#
# Does the trace match the formula, *n* × 10,000 rows for page *n*?

# %%
p = pages["broken"]
formula = p["page"] * 10_000
print(f"largest difference from n x 10,000: {(p['rows_examined'] - formula).abs().max():.0f} rows")
per_row_s = (p["run_s"] / p["rows_examined"]).median()
print(f"time per row examined: {per_row_s * 1e6:.2f} us")

# %% [markdown]
# ## The whole export
#
# How long did each export take, from its first page to its last?

# %%
summary = pd.DataFrame({v: {"pages": len(p), "rows examined": p["rows_examined"].sum(),
                            "first page sent (s)": p["t"].iloc[0] - p["run_s"].iloc[0],
                            "last page done (s)": p["t"].iloc[-1],
                            "slowest page (s)": p["run_s"].max()} for v, p in pages.items()}).T
summary.assign(**{"export took (s)": summary["last page done (s)"] - summary["first page sent (s)"]}).round(2)

# %% [markdown]
# The latency_slo violations are all the export's own pages (the endpoint
# `export_page`): the users' point reads share the database's cores with it
# and stay fast.

# %%
v = traces["broken"].violations
v[["t", "check", "message"]].head(3)

# %% [markdown]
# ## What if the table were ten times larger?
#
# Nothing needs to run for this: the rows each page examines follow from the
# page number, and the time per row was measured above.

# %%
rows = 2_000_000
for factor in [1, 10, 100]:
    n = rows * factor // 10_000  # pages
    offset_rows, keyset_rows = 10_000 * n * (n + 1) / 2, 10_000 * n
    print(f"{rows * factor / 1e6:>6.0f} M rows, {n:>6} pages: OFFSET examines {offset_rows:.2e} rows "
          f"({offset_rows * per_row_s / 3600:8.1f} h), keyset {keyset_rows:.2e} ({keyset_rows * per_row_s / 60:5.1f} min)")

# %% [markdown]
# Ten times the rows, a hundred times the OFFSET export's work: the total is a
# sum of a straight line, so it grows with the square of the table. That is why
# this pattern passes every test on a small table and then falls over.
#
# ## Exercise: add it up
#
# **In seed 1, how many rows did the export examine in all: with OFFSET
# (`broken`), and with keyset pagination (`fixed-keyset`)?** Add up the trace's
# query events, or work it out with a pen first (1 + 2 + ... + *n* = *n*(*n* +
# 1)/2) and check it against the trace. Put your numbers in `ANSWER`.

# %%
ANSWER = {"offset": 201_004_200, "keyset": 2_004_200}  # a student replaces these with their own numbers

ex.offset_pagination(ANSWER).show()

# %% [markdown]
# **To think about:** keyset pagination cannot jump to page 57. When would a
# user need that, and what would you offer instead?
