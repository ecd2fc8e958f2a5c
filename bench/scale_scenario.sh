#!/usr/bin/env bash
# Runs a catalog scenario at N times its load and reports wall time, peak
# memory and simulated operations per wall-clock second.
#
#   bench/scale_scenario.sh [SCENARIO] [VARIANT] [FACTOR] [CLIENT]
#   bench/scale_scenario.sh scenarios/hot-shard.json broken 10 customers
#
# The client group's arrival rate is multiplied by FACTOR through --set
# (a rate_per_s client only). Nothing is asserted: speed is reported here.
set -euo pipefail
scenario="${1:-scenarios/hot-shard.json}"
variant="${2:-broken}"
factor="${3:-10}"
client="${4:-customers}"
faultlab="${FAULTLAB_BIN:-build/sim/cli/faultlab}"
rate=$(python3 -c "import json,sys; print(json.load(open('$scenario'))['workload']['clients']['$client']['arrival']['rate_per_s'])")
scaled=$(python3 -c "print($rate * $factor)")
summary=$(mktemp)
trap 'rm -f "$summary" "$summary.time"' EXIT
/usr/bin/time -f "%e %M" -o "$summary.time" "$faultlab" run "$scenario" --variant "$variant" \
  --set "workload.clients.$client.arrival.rate_per_s=$scaled" --summary "$summary" --quiet
read -r wall_s rss_kib < "$summary.time"
python3 - "$summary" "$wall_s" "$rss_kib" "$scenario" "$variant" "$factor" "$scaled" <<'PY'
import json, sys
summary, wall, rss, scenario, variant, factor, rate = sys.argv[1:]
s = json.load(open(summary))
ops = s["ops"]["total"]
print(f"{scenario} / {variant} at {factor}x load ({rate}/s): {ops} ops, {s['sim_time_s']:.1f} s simulated, "
      f"{float(wall):.1f} s wall, {ops / float(wall):,.0f} simulated ops per wall second, "
      f"peak RSS {int(rss) / 1024:.0f} MiB, {s['refused_in_flight']} refused at limits.max_in_flight, "
      f"availability {s['metrics']['availability']:.3f}")
PY
