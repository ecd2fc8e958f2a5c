# %% [markdown]
# # Charged at 4 AM: a cron at 9 AM server time, a report by UTC day
#
# A subscription business renews its customers every morning with a cron job
# on its billing server: "every day at 09:00". The server's clock, like most
# cloud servers', is set to UTC. The customers live in New York (UTC-5), Los
# Angeles (UTC-8), London (UTC+0) and Tokyo (UTC+9), and the business
# promises to charge them only between 08:00 and 20:00 *their* time. Its
# finance team, in New York, reads an end-of-day revenue report every
# morning.
#
# In this notebook you will see whose 09:00 the cron really uses, which rows
# the "daily" report adds up, and what a server clock that jumps does to a
# schedule. Then you will fix the design.
#
# Time zones in faultlab are fixed offsets from UTC (no daylight saving time),
# and simulated time 0 is midnight UTC of the scenario's start date,
# 2026-03-02. Python's `datetime` with a fixed `timezone` does the same
# arithmetic, so we use it to read the trace.

# %%
from datetime import datetime, timedelta, timezone

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Image, display

import exercises as ex
import faultlab_helper as fl

pd.set_option("display.max_colwidth", 220)
SCENARIO = "timezone-cron"
VARIANTS = ["broken", "local-schedule", "fixed", "clock-step", "clock-step-idempotent"]
CHECKS = ["outside_local_window", "wrong_day_report", "double_charge"]
START = datetime(2026, 3, 2, tzinfo=timezone.utc)
ZONES = {"ny": ("America/New_York", -5), "la": ("America/Los_Angeles", -8),
         "london": ("Europe/London", 0), "tokyo": ("Asia/Tokyo", 9)}


def local(t_s, offset_h):
    """Simulated seconds -> the local date and time in a zone at UTC+offset_h."""
    return (START + timedelta(seconds=float(t_s))).astimezone(timezone(timedelta(hours=offset_h)))


def renewals(trace):
    """The scheduler's renewals: who, when in UTC, when in the customer's own zone."""
    r = trace.ops[trace.ops["f"] == "renewal"].copy()
    r["zone"] = r["key"].str.split("-").str[0].map(lambda g: ZONES[g][0])
    r["utc"] = r["invoke_s"].map(lambda t: local(t, 0).strftime("%m-%d %H:%M"))
    r["their time"] = [local(t, ZONES[k.split("-")[0]][1]).strftime("%m-%d %H:%M")
                       for t, k in zip(r["invoke_s"], r["key"])]
    return r[["key", "zone", "utc", "their time", "outcome"]].reset_index(drop=True)


# %% [markdown]
# ## The broken design

# %%
broken = fl.run(SCENARIO, variant="broken", seed=1)
t = fl.load_trace(broken.trace, messages=False)
print(t.header["design"])
print(broken.counts)
for check in ["outside_local_window", "wrong_day_report"]:
    print(t.violations[t.violations["check"] == check]["message"].iloc[0])

# %% [markdown]
# ## Whose 09:00?
#
# The first day's renewals, in UTC and in each customer's own time. The cron
# reads the server's wall clock in the server's zone: 09:00 UTC for everyone.

# %%
renewals(t).head(12)

# %% [markdown]
# The billing node's state events say the same, from the inside: "cron: 09:00
# UTC on this node's clock ... renewing ny-1".

# %%
t.states[t.states["why"].str.startswith("cron:", na=False)][["t", "why"]].head(4)

# %% [markdown]
# ## Which rows does the report for a day add up?
#
# Every charge that went through is stored as a row (`charged` ops, at the
# time the row was written). The report for a date sums the rows between two
# midnights. Here are the purchases by hour of the day in New York, coloured
# by whether the broken report for that New York date counted them.

# %%
ops = t.ops
charged = ops[ops["f"] == "charged"].set_index("op")
rows = ops[ops["f"] == "report_row"]
reports = ops[ops["f"] == "daily_report"][["process", "key"]].rename(columns={"key": "report_date"})
counted = rows.merge(reports, on="process")[["value", "report_date"]].rename(columns={"value": "op"})
charged = charged.join(counted.set_index("op"))
charged["ny_date"] = charged["invoke_s"].map(lambda s: local(s, -5).strftime("%Y-%m-%d"))
charged["ny_hour"] = charged["invoke_s"].map(lambda s: local(s, -5).hour)
charged["right day"] = charged["report_date"] == charged["ny_date"]

fig, ax = plt.subplots(figsize=(9, 3))
by_hour = (charged.groupby(["ny_hour", "right day"]).size().unstack(fill_value=0)
           .reindex(columns=[True, False], fill_value=0))
by_hour.columns = ["in the report of its own New York date", "in another date's report, or in none"]
by_hour.plot.bar(stacked=True, ax=ax, color=["tab:blue", "tab:red"], width=0.9)
ax.set_xlabel("hour of the day in New York when the row was stored")
ax.set_ylabel("rows")
plt.show()

# %% [markdown]
# Everything stored after 19:00 in New York is midnight or later in UTC: the
# report for "March 3" is the UTC March 3, which in New York runs from 19:00
# on March 2 to 19:00 on March 3.
#
# ## Every design, three seeds

# %%
by_variant = pd.concat([fl.sweep(SCENARIO, {}, seeds="1..3", variant=v) for v in VARIANTS])
assert by_variant["error"].isna().all(), by_variant["error"].dropna().tolist()
by_variant.groupby("variant", sort=False)[CHECKS].mean()

# %% [markdown]
# `local-schedule` converts each customer's 09:00 to the server's clock, and
# every renewal falls inside the allowed hours. But the report is still by UTC
# day, and now the Tokyo customers' 09:00 (00:00 UTC) is still the evening
# before in New York. `fixed` keeps storing UTC and reports by New York day.
#
# ## A clock that jumps
#
# In `clock-step` the design is the fixed one, but after a reboot the billing
# server's clock runs 8 hours ahead for six hours (its hardware clock had
# been set to Shanghai time and was read as UTC), until NTP steps it back.

# %%
step = fl.run(SCENARIO, variant="clock-step", seed=1)
ts = fl.load_trace(step.trace, messages=False)
print(step.counts)
print(ts.faults[["t", "name", "phase", "node", "details"]].to_string(index=False))
r = renewals(ts)
r[(r["utc"] >= "03-03") & (r["utc"] < "03-04")]

# %% [markdown]
# The scheduler reads the wall clock once a minute and runs every job whose
# time it passed since the last look, as cron does. At 06:00 UTC the clock
# jumps to 14:00: that passes 09:00 in London (09:00 UTC) and 09:00 in New
# York (14:00 UTC) at once, so they are renewed at 06:00 and 01:00 their time.
# Los Angeles' 09:00 (17:00 UTC on the server's clock) comes while the clock
# is still ahead: 01:00 in Los Angeles. At 12:00 NTP steps the clock back from
# 20:00 to 12:00, and the clock passes 14:00 and 17:00 a second time: New York
# and Los Angeles are renewed again, and `double_charge` finds those orders
# twice in the provider's ledger. An idempotency key per customer and day
# (`clock-step-idempotent`) makes the second charge harmless, but nothing
# makes the early one right.
#
# ## Exercise: fix the design
#
# **Change the billing's settings so that, in `broken`, no renewal falls
# outside the customers' allowed hours and every daily report holds exactly
# the rows of its New York day.** Put the settings in `ANSWER` as
# `{"components.billing.<setting>": value}` (the README's `billing` type lists
# them). The customers stay where they live, and the promise stays 08:00-20:00.

# %%
ANSWER = {"components.billing.renewal.in": "customer", "components.billing.report.day": "business"}

ex.timezone_cron(ANSWER).show()

# %% [markdown]
# ## In the viewer
#
# The first outside_local_window violation selected.

# %%
png = fl.screenshot(broken.trace, fl.default_out_dir() / "timezone-cron.png", select_violation=1)
if png:
    display(Image(filename=str(png), width=900))
