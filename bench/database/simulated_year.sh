#!/usr/bin/env bash
# A simulated year of the database scenarios whose lesson takes months
# (index-growth, table-growth): wall time, peak memory and the ratio of
# simulated to wall time. Tables grow between statements without events, so
# a year should cost about as much as the statements in it.
#
# usage: bench/database/simulated_year.sh [FAULTLAB]   (default ./faultlab)
set -euo pipefail
cd "$(dirname "$0")/../.."
faultlab=${1:-./faultlab}
year_s=31536000
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-34s %10s %10s %12s %14s\n' "scenario / variant (365 d)" "wall s" "peak MiB" "ops" "sim : wall"
for run in index-growth:broken index-growth:fixed table-growth:broken table-growth:fixed-purge table-growth:fixed-partitions; do
  scenario=${run%%:*}
  variant=${run#*:}
  /usr/bin/time -f '%e %M' -o "$out/time" "$faultlab" run "scenarios/$scenario.json" --variant "$variant" --seed 1 \
    --set workload.duration=365d --summary "$out/summary.json" > /dev/null
  read -r wall kib < "$out/time"
  ops=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['metrics']['ops_total'])" "$out/summary.json")
  ratio=$(python3 -c "print(f'{$year_s / max($wall, 0.01):.2e} : 1')")
  printf '%-34s %10s %10d %12s %14s\n' "$scenario / $variant" "$wall" "$((kib / 1024))" "$ops" "$ratio"
done
