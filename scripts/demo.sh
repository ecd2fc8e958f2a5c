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

if [[ -x "$viz" ]] && command -v xvfb-run >/dev/null; then
  png="$out/replica-lag-broken.png"
  if xvfb-run -a -s "-screen 0 1920x1080x24" "$viz" "$out/replica-lag-broken.jsonl" \
      --screenshot "$png" --size 1600x900 >/dev/null 2>&1; then
    echo "Screenshot of the broken run: $png"
  else
    echo "(could not render a screenshot of the broken run with $viz)"
  fi
fi
echo
echo "Traces and summaries are in $out/ (open a trace with: $viz $out/replica-lag-broken.jsonl)"
