# %% [markdown]
# # The newsletter that stopped going out, and the heartbeat that said all was well
#
# Every morning at 09:00 a scheduled job sends the newsletter: 80,000
# subscribers at launch and a thousand more every day, in batches of 1,000,
# through an email provider. The provider's plan allows 100,000 messages a
# day for the newsletter's API key (the application's password resets go out
# under a key of their own, so the product keeps working).
#
# Around day 20 the list outgrows the quota. From then on the provider answers
# the last batches of every run with `429 daily sending quota exceeded`, and
# the shortfall grows by a thousand emails a day. The job was written to be
# robust: on an error it writes a log line and carries on, and it exits 0. Its
# dead-man's switch (a heartbeat monitor that alerts when no ping came for a
# day and an hour) is pinged when the job *starts*. So the monitor sees a ping
# every morning, and nobody hears anything for the rest of the quarter.
#
# Three ways to notice, each leaving the quota problem in place:
#
# - `fixed-heartbeat`: the job fails on an error (exit 1) and pings only after
#   a run that succeeded, so the switch fires an hour after the ping that did
#   not come;
# - `fixed-outcome-check`: the job reports its counts (sent, expected) and an
#   alert fires on any shortfall;
# - `fixed-error-alert`: the job ships its error log lines to an alert rule.
#
# The checker `unnoticed_failure` compares what each run had to do with what
# the provider's own log says it accepted, and asks whether an alert named the
# job within two hours of the first short run.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import exercises as ex
import faultlab_helper as fl

DAY = 86400
JOB, ALERTS = ex.JOB, ex.ALERTS  # the newsletter job's settings, the alerting component's
VARIANTS = {"broken": "tab:red", "fixed-heartbeat": "tab:blue", "fixed-outcome-check": "tab:green"}
runs = {v: fl.run("silent-job-failure", variant=v, seed=1) for v in VARIANTS}
job = {v: ex.job_runs(r.trace) for v, r in runs.items()}
alerts = {v: ex.job_alerts(r.trace) for v, r in runs.items()}
pd.DataFrame({v: {**r.counts, "runs short": int((job[v]["short"] > 0).sum()),
                  "emails not sent": int(job[v]["short"].sum()), "alerts": len(alerts[v])}
              for v, r in runs.items()}).T

# %% [markdown]
# ## What each run had to do, and what the provider took
#
# `ex.job_runs` reads the job's `job` events (one at the start and one at the
# end of each run) and adds up the provider's `work_done` ops for the run:
# what the provider itself says it accepted, whatever the job believed.

# %%
b = job["broken"]
fig, ax = plt.subplots(figsize=(12, 3.5))
ax.plot(b["start_s"] / DAY, b["expected"], color="black", label="emails to send (the list)")
ax.plot(b["start_s"] / DAY, b["done"], color="tab:red", label="accepted by the provider")
ax.fill_between(b["start_s"] / DAY, b["done"], b["expected"], color="tab:red", alpha=0.2, label="not sent")
ax.set_xlabel("day")
ax.set_ylabel("emails")
ax.legend(loc="upper left")
plt.show()
b[b["short"] > 0].head()

# %% [markdown]
# Every run ends with exit code 0, short or not: the errors went to a log
# nobody reads. The violation says how much was lost before anyone was told:

# %%
print(fl.events(runs["broken"].trace, "violation")["message"].iloc[0])

# %% [markdown]
# ## The pings
#
# The heartbeat pings are messages from the job's node to the alerting
# component. In `broken` one leaves every morning at 09:00, before the job has
# sent anything; in `fixed-heartbeat` only after a run that succeeded, so they
# stop with the first short run, and the switch fires a day and an hour after
# the last one.

# %%
fig, ax = plt.subplots(figsize=(12, 2.6))
for row, (variant, color) in enumerate(VARIANTS.items()):
    pings = fl.events(runs[variant].trace, "send", having="heartbeat_ping")
    ax.scatter(pings["t"] / DAY, [row] * len(pings), color=color, marker="|", s=200)
    a = alerts[variant]
    ax.scatter(a["t"] / DAY, [row] * len(a), color="black", marker="x", s=60)
ax.set_yticks(range(len(VARIANTS)), list(VARIANTS))
ax.set_xlabel("day (|: a ping, x: an alert)")
plt.show()
pd.concat({v: a.head(2) for v, a in alerts.items() if not a.empty})[["t", "monitor", "why"]]

# %% [markdown]
# ## Exercise: make the failure be noticed
#
# **Starting from `broken`, choose settings of the newsletter job
# (`JOB + ...`) and of the alerting component (`ALERTS + ...`) so that
# the shortfall is noticed within two hours of the first short run, on every
# seed, with no alert before anything went wrong.** The check runs the
# scenario with your settings. Changing the provider's quota or the list
# makes the failure go away this time; that is not the exercise.
#
# A new monitor is a setting too: `{ALERTS + "monitors.my-monitor": {"kind":
# "outcome", "job": "newsletter"}}` (see the README for the kinds and their
# fields).

# %%
ANSWER = {JOB + "on_error": "fail", JOB + "monitoring.heartbeat": "success"}  # a student replaces these

ex.silent_job_failure(ANSWER).show()

# %% [markdown]
# **To think about:** which of the three signals would also catch a job that
# never starts (its host is gone)? Which one catches a run that did half its
# work and believed it did it all?
