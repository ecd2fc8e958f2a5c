#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets in fuzz/ with clang (ASan + UBSan,
# in their own build folder) and runs each for FUZZ_SECONDS, one after the
# other, on one core. Each target keeps its growing corpus in
# out/fuzz/<target>/corpus, so a second run starts where the first stopped;
# the seeds (fuzz/seeds.txt) and the fixed crashers (tests/fuzz/<target>/)
# are read too but never written. A crash, a hang (-timeout), a runaway
# allocation (-malloc_limit_mb, -rss_limit_mb) or an exception other than
# the reader's own error leaves out/fuzz/<target>/crash-* (timeout-*, oom-*,
# leak-*) and makes the run fail.
#
#   FUZZ_SECONDS=60   seconds per target
#   FUZZ_TARGETS="scenario edn history trace"
#   FUZZ_BUILD=build-fuzz, FUZZ_OUT=out/fuzz
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-60}"
targets="${FUZZ_TARGETS:-scenario edn history trace}"
build="${FUZZ_BUILD:-build-fuzz}"
out="${FUZZ_OUT:-out/fuzz}"
jobs="${JOBS:-2}"

FAULTLAB_FUZZ=ON ./scripts/setup.sh

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
# Only the fuzz targets and the libraries they link are built: no tests,
# benchmarks or simulator.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DFAULTLAB_FUZZ=ON \
  -DFAULTLAB_BUILD_TESTS=OFF -DFAULTLAB_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
build_targets=()
for t in $targets; do build_targets+=(--target "fuzz-$t"); done
cmake --build "$build" -j "$jobs" "${build_targets[@]}"

failed=()
for t in $targets; do
  seeds=$(awk -v t="$t" '$1 == t { $1 = ""; print }' fuzz/seeds.txt)
  if [[ -z "$seeds" ]]; then
    echo "fuzz: no seeds for target $t in fuzz/seeds.txt" >&2
    exit 2
  fi
  dict=fuzz/json.dict
  max_len=8192
  case "$t" in
    edn) dict=fuzz/edn.dict ;;
    scenario) max_len=16384 ;; # the catalog's scenarios are up to ~8 KiB
  esac
  mkdir -p "$out/$t/corpus" "tests/fuzz/$t"
  echo "fuzz: $t for ${seconds}s (log: $out/$t.log)"
  # -timeout: seconds per input; -malloc_limit_mb: one allocation this large
  # is a finding (no reader needs it for inputs of max_len bytes).
  # shellcheck disable=SC2086 # $seeds is a list of folders
  if ! nice -n 10 "$build/fuzz/fuzz-$t" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
      -rss_limit_mb=2048 -malloc_limit_mb=512 -dict="$dict" -print_final_stats=1 \
      -artifact_prefix="$out/$t/" "$out/$t/corpus" "tests/fuzz/$t" $seeds >"$out/$t.log" 2>&1; then
    failed+=("$t")
    echo "fuzz: $t FAILED:" >&2
    grep -E "^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written|.*runtime error)" "$out/$t.log" | head -8 >&2 || true
  fi
  grep -E "^stat::(number_of_executed_units|peak_rss_mb)" "$out/$t.log" | sed "s/^/  $t: /" || true
done

if ((${#failed[@]} > 0)); then
  echo "fuzz: findings in: ${failed[*]}; replay one with $build/fuzz/fuzz-<target> <file>," \
       "fix it, and move the file to tests/fuzz/<target>/ (README: Fuzzing)" >&2
  exit 1
fi
echo "fuzz: no findings in $targets (${seconds}s each)"
