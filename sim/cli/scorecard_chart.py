# faultlab scorecard --png: one figure comparing a scenario's variants, drawn
# from the scorecard's CSV (the CLI hands this script to python3 on stdin,
# embedded at build time, so nothing has to be found at run time).
# Usage: python3 - CSV PNG TITLE
import csv
import sys

import matplotlib

matplotlib.use("Agg")  # no display: a file only
import matplotlib.pyplot as plt  # noqa: E402

csv_path, png_path, title = sys.argv[1], sys.argv[2], sys.argv[3]
with open(csv_path, newline="") as f:
    rows = list(csv.DictReader(f))
variants = [r["variant"] for r in rows]
x = list(range(len(rows)))
columns = list(rows[0].keys()) if rows else []
checks = [c[: -len("_violations")] for c in columns if c.endswith("_violations") and c != "runs_with_violations"]


def number(row, key):
    text = row.get(key, "")
    return float(text) if text not in ("", None) else None


fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))
fig.suptitle(title, fontsize=12)
blue, orange, grey, red = "#4C72B0", "#DD8452", "#8C8C8C", "#C44E52"

# Availability: the mean over the seeds, and the worst seed.
ax = axes[0][0]
mean = [100 * (number(r, "availability_mean") or 0) for r in rows]
worst = [100 * (number(r, "availability_min") or 0) for r in rows]
ax.bar([i - 0.2 for i in x], mean, 0.4, label="mean", color=blue)
ax.bar([i + 0.2 for i in x], worst, 0.4, label="worst seed", color=orange)
low = min(worst + mean + [100.0])
ax.set_ylim(max(0.0, low - (100 - low) * 0.3 - 1), 100.5)
ax.set_title("availability (%)")
ax.legend(loc="lower right", fontsize=8)

# Latency p99 of the worst seed.
ax = axes[0][1]
p99 = [1000 * (number(r, "latency_p99_s_max") or 0) for r in rows]
ax.bar(x, p99, 0.6, color=blue)
ax.set_title("latency p99, worst seed (ms)")
for i, v in enumerate(p99):
    ax.annotate(f"{v:.1f}", (i, v), ha="center", va="bottom", fontsize=8)

# Violations per checker, summed over the seeds ("-" checks: not run).
ax = axes[1][0]
if checks:
    width = 0.8 / len(checks)
    for k, c in enumerate(checks):
        values = [number(r, c + "_violations") for r in rows]
        offsets = [i - 0.4 + width * (k + 0.5) for i in x]
        ax.bar(offsets, [v or 0 for v in values], width, label=c)
        for o, v in zip(offsets, values):
            if v is None:
                ax.annotate("n/a", (o, 0), ha="center", va="bottom", fontsize=7, color=grey)
    ax.legend(fontsize=8)
else:
    ax.annotate("no checks", (0.5, 0.5), xycoords="axes fraction", ha="center")
ax.set_title("violations (sum over the seeds)")

# Recovery: the worst seed's longest time after a fault's end until healthy,
# its longest outage (how long a fault's first harm lasted), and the faults
# never recovered from.
ax = axes[1][1]
recovery = [number(r, "recovery_s_max") for r in rows]
outage = [number(r, "outage_s_max") for r in rows]
never = [int(number(r, "faults_not_recovered") or 0) for r in rows]
faults = [int(number(r, "faults") or 0) for r in rows]
after_bars = ax.bar([i - 0.2 for i in x], [v or 0 for v in recovery], 0.4, color=blue, label="after the fault's end")
outage_bars = ax.bar([i + 0.2 for i in x], [v or 0 for v in outage], 0.4, color=orange, label="outage (first harm)")
for i in x:
    if faults[i] == 0:
        ax.annotate("no faults", (i, 0), ha="center", va="bottom", fontsize=8)
        continue
    for bar, v in ((after_bars[i], recovery[i]), (outage_bars[i], outage[i])):
        ax.annotate(f"{v:.1f} s" if v is not None else "-", (bar.get_x() + bar.get_width() / 2, v or 0),
                    ha="center", va="bottom", fontsize=8)
    if never[i]:
        after_bars[i].set_color(red)
        top = max(recovery[i] or 0, outage[i] or 0)
        ax.annotate(f"{never[i]}/{faults[i]} faults never recovered", (i, top), xytext=(0, 14),
                    textcoords="offset points", ha="center", fontsize=8, color=red)
ax.set_title("recovery, worst seed (s)")
ymax = max([v or 0 for v in recovery + outage] + [1.0])
ax.set_ylim(0, ymax * 1.35)
ax.legend(loc="upper right", fontsize=8)

for row in axes:
    for ax in row:
        ax.set_xticks(x)
        ax.set_xticklabels(variants, rotation=15, fontsize=9)
        ax.grid(axis="y", alpha=0.3)
fig.tight_layout()
fig.savefig(png_path, dpi=100, metadata={"Software": None})
