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
  [[ "$name" == replica-lag ]] && continue
  "$faultlab" run "$scenario" --variant broken --seed 1 --quiet \
    --trace "$out/$name-broken.jsonl" --summary "$out/$name-broken.json"
done

if [[ -x "$viz" ]] && command -v xvfb-run >/dev/null; then
  echo
  for trace in "$out"/*-broken.jsonl; do
    png="${trace%.jsonl}.png"
    if xvfb-run -a -s "-screen 0 1920x1080x24" "$viz" "$trace" --screenshot "$png" --size 1600x900 \
        >/dev/null 2>&1; then
      echo "Screenshot: $png"
    else
      echo "(could not render $png with $viz)"
    fi
  done
fi
echo
echo "Traces and summaries are in $out/ (open a trace with: $viz $out/replica-lag-broken.jsonl)"
