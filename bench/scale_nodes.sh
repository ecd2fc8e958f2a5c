#!/usr/bin/env bash
# Runs hot-shard's design spread over N nodes (N-1 shards behind one
# application node) with S client sessions, and reports wall time, peak
# memory and the most requests in flight at once (from the history).
#
#   bench/scale_nodes.sh [NODES] [SESSIONS] [RATE_PER_S] [TIMEOUT] [DURATION]
#   bench/scale_nodes.sh 1000 10000 20000 2s 20s
#
# Nothing is asserted: sizes and speed are reported here (bench/README.md).
set -euo pipefail
nodes="${1:-1000}"
sessions="${2:-10000}"
rate="${3:-20000}"
timeout="${4:-2s}"
duration="${5:-20s}"
faultlab="${FAULTLAB_BIN:-build/sim/cli/faultlab}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$nodes" "$sessions" "$rate" "$timeout" "$duration" "$work/scenario.json" <<'PY'
import json, sys
nodes, sessions, rate, timeout, duration, out = sys.argv[1:]
nodes, sessions = int(nodes), int(sessions)
s = json.load(open("scenarios/hot-shard.json"))
for key in ("variants", "expect", "seeds"):
    s.pop(key, None)
shards = nodes - 1
s["topology"]["nodes"] = {"app": {"zone": "eu"}, **{f"db-{i}": {"zone": "eu"} for i in range(1, shards + 1)}}
s["components"]["orders"]["shards"] = {f"shard-{i}": {"node": f"db-{i}"} for i in range(1, shards + 1)}
c = s["workload"]["clients"]["customers"]
c["sessions"] = sessions
c["arrival"]["rate_per_s"] = float(rate)
c["timeout"] = timeout
c["keys"]["count"] = max(c["keys"]["count"], sessions)
s["workload"]["duration"] = duration
s["checks"] = {"availability": {"slo": 0.99, "window": "5s"}}
json.dump(s, open(out, "w"))
PY
/usr/bin/time -f "%e %M" -o "$work/time" "$faultlab" run "$work/scenario.json" --seed 1 --quiet \
  --summary "$work/summary.json" --history "$work/history.jsonl" || true
read -r wall_s rss_kib < "$work/time"
python3 - "$work/summary.json" "$work/history.jsonl" "$wall_s" "$rss_kib" "$nodes" "$sessions" "$rate" "$timeout" <<'PY'
import json, sys
summary, history, wall, rss, nodes, sessions, rate, timeout = sys.argv[1:]
s = json.load(open(summary))
deltas = []
for line in open(history):
    e = json.loads(line)
    if e.get("ev") == "op":
        deltas.append((e["t"], 1 if e["type"] == "invoke" else -1))
deltas.sort()
now = peak = 0
for _, d in deltas:
    now += d
    peak = max(peak, now)
ops = s["ops"]
print(f"{nodes} nodes, {sessions} sessions, {rate}/s, timeout {timeout}: {ops['total']:,} ops "
      f"({ops['ok']:,} ok, {ops['info']:,} timed out, {ops['fail']:,} failed), {s['sim_time_s']:.1f} s simulated "
      f"in {float(wall):.1f} s wall, peak RSS {int(rss) / 1024:.0f} MiB, at most {peak:,} requests in flight, "
      f"{s['refused_in_flight']} refused at limits.max_in_flight")
PY
