# %% [markdown]
# # Deleting one customer: what ON DELETE CASCADE reaches
#
# A support admin deletes an organization that cancelled its subscription:
# one `DELETE FROM organizations WHERE id = 'org-17'`. The foreign keys do
# the rest. Every table that references `organizations` with
# `ON DELETE CASCADE` loses that organization's rows, every table that
# references *those* rows loses theirs, and so on down the chain. Nobody
# wrote a `DELETE` for `invoices`, but `invoices.organization_id` is
# `ON DELETE CASCADE` too, and invoices must be kept ten years for the tax
# authorities.
#
# How many rows a cascade reaches follows from the row counts: 2,000
# organizations and 80,000 users make 40 users per organization, and so on.
# Three variants:
#
# - `broken`: every foreign key is `ON DELETE CASCADE`;
# - `fixed-soft-delete`: the organization is marked deleted (an `UPDATE` of
#   one row) and nothing is removed by the foreign keys;
# - `fixed-restrict`: `invoices` reference `organizations` with
#   `ON DELETE RESTRICT`; jobs delete the organization's users and projects
#   first, and the final `DELETE` of the organization is refused while
#   invoices still reference it.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import exercises as ex
import faultlab_helper as fl

# %% [markdown]
# ## Before running anything: `faultlab analyze`
#
# `analyze` walks the foreign keys from the table a `DELETE` names (with
# Boost.Graph, parents before children) and prints what each table loses, the
# rows examined to find them, the longest chain, and the kept tables it
# deletes from. `--format dot` draws the same graph for Graphviz.

# %%
print(fl.command("analyze", "scenarios/cascade-delete.json", "--variant", "broken"))

# %% [markdown]
# The 80 million rows examined are `tasks`: `tasks.assignee_id` is
# `ON DELETE SET NULL` but has no index, so for each of the 40 users
# PostgreSQL scans all two million tasks to find the ones to update.
#
# ## The runs
#
# The database records what every `DELETE` removed as ops of its own name
# (`f` is `deleted` or `set_null`, `key` the table, `value` the rows).

# %%
VARIANTS = ["broken", "fixed-soft-delete", "fixed-restrict"]
runs = {v: fl.run("cascade-delete", variant=v, seed=1) for v in VARIANTS}
traces = {v: fl.load_trace(r.trace, messages=False) for v, r in runs.items()}
removed = {v: ex.rows_removed(t) for v, t in traces.items()}
pd.DataFrame({v: removed[v]["deleted"] for v in VARIANTS}).fillna(0).astype(int)

# %%
pd.DataFrame({v: r.counts for v, r in runs.items()}).T

# %% [markdown]
# ## The statements
#
# Each job's statement is a query event: its plan, the rows it examined, its
# CPU time and its outcome. In `fixed-restrict` the last `DELETE` fails with
# PostgreSQL's foreign key error, and that is the point: the database refuses
# to drop the invoices silently.

# %%
statements = []
for v in VARIANTS:
    q = traces[v].queries
    q = q[q["who"] != "app"]
    statements.append(q.assign(variant=v)[["variant", "who", "plan", "rows_examined", "cpu_s", "outcome"]])
pd.concat(statements).reset_index(drop=True)

# %%
fig, ax = plt.subplots(figsize=(10, 3.5))
tables = ["users", "projects", "tasks", "comments", "invoices", "invoice_lines"]
width = 0.27
for i, v in enumerate(VARIANTS):
    rows = [removed[v]["deleted"].get(t, 0) + removed[v]["set_null"].get(t, 0) for t in tables]
    ax.bar([x + i * width for x in range(len(tables))], rows, width, label=v)
ax.set_xticks([x + width for x in range(len(tables))])
ax.set_xticklabels(tables)
ax.set_yscale("symlog")
ax.set_ylabel("rows deleted or set to NULL")
ax.legend()
plt.show()

# %% [markdown]
# ## Exercise: keep the invoices, erase the people
#
# **Change the `broken` design so that deleting `org-17` still removes its
# users (their personal data must go), and no invoice or invoice line is
# deleted.** Give the settings as `--set` paths, such as
# `"components.db.tables.invoices.foreign_keys.organization_id.on_delete"`.
# The check runs the scenario with your settings. Think about what each rule
# does: `restrict` refuses the whole `DELETE`; `set_null` keeps the child row
# and forgets its parent; `cascade` deletes it.

# %%
ANSWER = {"components.db.tables.invoices.foreign_keys.organization_id.on_delete": "set_null"}

ex.cascade_delete(ANSWER).show()

# %% [markdown]
# **To think about:** with `set_null`, an invoice no longer says whose it was.
# What must an invoice keep about its customer (a name, an address, a tax
# number) for the tax authorities, and where should that copy live?
