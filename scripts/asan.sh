#!/usr/bin/env bash
# Builds faultlab-sim with AddressSanitizer and UndefinedBehaviorSanitizer
# into build-asan/ and runs every catalog scenario (its first variant, seed 1)
# under it. Any sanitizer report fails the script.
#
# The build is CMakePresets.json's `asan` preset (the one `make test-asan`
# uses); a sanitized faultlab-sim runs SimGrid's actors on threads by itself
# (see sim/model/simulation.cpp and README, "Sanitizers"), so the runs need no
# --cfg. Each takes tens of seconds.
#
# usage: scripts/asan.sh
set -euo pipefail
cd "$(dirname "$0")/.."
build=build-asan
cmake --preset asan > /dev/null
cmake --build "$build" -j "${JOBS:-2}" --target faultlab-sim
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 LSAN_OPTIONS=suppressions=scripts/lsan.supp UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=0
for file in scenarios/*.json; do
  [ "$(basename "$file")" = schema.json ] && continue
  log=$(mktemp)
  if "$build/sim/cli/faultlab-sim" run "$file" --seed 1 --quiet > "$log" 2>&1 &&
    ! grep -q "ERROR: [A-Za-z]*Sanitizer\|runtime error" "$log"; then
    echo "clean  $file"
  else
    echo "REPORT $file"
    sed -n '1,40p' "$log"
    failed=1
  fi
  rm -f "$log"
done
exit $failed
