#!/usr/bin/env bash
# Compares the traces two faultlab binaries write for every catalog scenario,
# every variant, and the given seeds (default 1), header line excepted:
# a refactoring that must not change behaviour passes this with no output
# but its last line.
#   scripts/compare_traces.sh OLD_FAULTLAB NEW_FAULTLAB [SEED...]
# A scenario or variant the old binary cannot run (new in the catalog) is
# named and skipped. Exit 0 when every compared trace matches, 1 otherwise.
set -euo pipefail
old="$1"
new="$2"
shift 2
seeds=("${@:-1}")
[[ ${#seeds[@]} -gt 0 ]] || seeds=(1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
compared=0
different=0
for scenario in scenarios/*.json; do
  name=$(basename "$scenario" .json)
  [[ "$name" == schema ]] && continue # the catalog's JSON Schema, not a scenario
  variants=$(python3 -c 'import json,sys; print(" ".join(["base"] + list(json.load(open(sys.argv[1])).get("variants", {}))))' "$scenario")
  for variant in $variants; do
    for seed in "${seeds[@]}"; do
      if ! "$old" run "$scenario" --variant "$variant" --seed "$seed" --quiet --trace "$work/old.jsonl" 2>/dev/null; then
        echo "new: $name / $variant (the old binary cannot run it; not compared)"
        continue
      fi
      "$new" run "$scenario" --variant "$variant" --seed "$seed" --quiet --trace "$work/new.jsonl"
      compared=$((compared + 1))
      if ! cmp -s <(tail -n +2 "$work/old.jsonl") <(tail -n +2 "$work/new.jsonl"); then
        different=$((different + 1))
        echo "DIFFERENT: $name / $variant, seed $seed (first difference:"
        diff <(tail -n +2 "$work/old.jsonl") <(tail -n +2 "$work/new.jsonl") | head -4 || true # diff exits 1 here
        echo ")"
      fi
    done
  done
done
echo "compared $compared traces (header lines excepted): $different different"
[[ $different -eq 0 ]]
