#!/usr/bin/env bash
# Builds faultlab-sim with AddressSanitizer and UndefinedBehaviorSanitizer
# into build-asan/ and runs every catalog scenario (its first variant, seed 1)
# under it. Any sanitizer report fails the script.
#
# SimGrid runs actors on stacks of its own (ucontext). Debian's SimGrid is
# built without ASan's stack annotations, so with those contexts ASan reports
# a stack-buffer-overflow the first time an exception unwinds inside an actor
# (a false positive, in __asan_handle_no_return). With
# --cfg contexts/factory:thread every actor is a thread ASan knows; the
# simulation and its trace are the same, only slower (about 40 s a run).
#
# usage: scripts/asan.sh [BUILD_DIR]   (default build-asan; takes ~20 min to build on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-asan}
flags="-fsanitize=address,undefined -fno-omit-frame-pointer -O1"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" > /dev/null
cmake --build "$build" -j "${JOBS:-2}" --target faultlab-sim
export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=0
for file in scenarios/*.json; do
  [ "$(basename "$file")" = schema.json ] && continue
  log=$(mktemp)
  if "$build/sim/cli/faultlab-sim" run "$file" --seed 1 --quiet --cfg contexts/factory:thread > "$log" 2>&1 &&
    ! grep -q "ERROR: AddressSanitizer\|runtime error" "$log"; then
    echo "clean  $file"
  else
    echo "REPORT $file"
    sed -n '1,40p' "$log"
    failed=1
  fi
  rm -f "$log"
done
exit $failed
