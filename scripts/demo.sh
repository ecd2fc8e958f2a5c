#!/usr/bin/env bash
# The main job: run replica-lag broken, then fixed, and show the difference.
set -euo pipefail
build="${1:-build}"
faultlab="$build/sim/cli/faultlab"
viz="$build/viz/faultlab-viz"
out=out/demo
mkdir -p "$out"

for variant in broken fixed; do
  echo
  echo "=== replica-lag, variant $variant ==="
  "$faultlab" run scenarios/replica-lag.json --variant "$variant" --seed 1 \
    --trace "$out/replica-lag-$variant.jsonl" --summary "$out/replica-lag-$variant.json"
done

echo
echo "The broken design shows users their old profile after they saved a new one"
echo "(read_your_writes violations); the fixed one never does, while other users"
echo "may still see a slightly old profile (stale_read, allowed by the design)."

# The other catalog scenarios' broken runs, for the viewer.
for scenario in scenarios/*.json; do
  name=$(basename "$scenario" .json)
  [[ "$name" == replica-lag || "$name" == schema ]] && continue
  "$faultlab" run "$scenario" --variant broken --seed 1 --quiet \
    --trace "$out/$name-broken.jsonl" --summary "$out/$name-broken.json"
done

screenshot() { # screenshot OUT.png TRACE [TRACE2] [viewer options...]
  local png="$1"
  shift
  if xvfb-run -a -s "-screen 0 1920x1080x24" "$viz" "$@" --screenshot "$png" --size 1600x900 >/dev/null 2>&1; then
    echo "Screenshot: $png"
  else
    echo "(could not render $png with $viz)"
  fi
}
if [[ -x "$viz" ]] && command -v xvfb-run >/dev/null; then
  echo
  for trace in "$out"/*-broken.jsonl; do
    screenshot "${trace%.jsonl}.png" "$trace"
  done
  screenshot "$out/replica-lag-fixed.png" "$out/replica-lag-fixed.jsonl"
  screenshot "$out/replica-lag-compare.png" "$out/replica-lag-broken.jsonl" "$out/replica-lag-fixed.jsonl"
  screenshot "$out/replica-lag-broken-violation-1.png" "$out/replica-lag-broken.jsonl" --select-violation 1
fi

# The last thing on the screen is where to start.
first_violation=""
if command -v python3 >/dev/null; then
  first_violation=$(python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["violations"]; print(v[0]["message"] if v else "")' \
    "$out/replica-lag-broken.json" 2>/dev/null || true)
fi
echo
echo "=== Look here first ==="
echo "All traces, summaries and screenshots are in $out/."
if [[ -n "$first_violation" ]]; then
  echo "The first violation of replica-lag broken, in words:"
  echo "  $first_violation"
fi
echo "Open it selected in the viewer (violations count from 1; n/p step through them):"
echo "  ./faultlab-viz $out/replica-lag-broken.jsonl --select-violation 1"
echo "Broken and fixed on one time axis:"
echo "  ./faultlab-viz $out/replica-lag-broken.jsonl $out/replica-lag-fixed.jsonl"
echo "Every command: ./faultlab --help (run from this folder; it runs $faultlab)"
