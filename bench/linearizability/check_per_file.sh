#!/usr/bin/env bash
# Per-file wall time of `faultlab check`, one process per file, as a script
# checking many histories calls it.
#   bench/linearizability/check_per_file.sh BINARY MODEL [ROUNDS] FILE... [-- EXTRA CHECK OPTIONS]
# BINARY is a faultlab binary (build/sim/cli/faultlab, or an older build's to
# compare). Prints the mean milliseconds per call over ROUNDS passes over the
# files (default 5), and the same for `true` (the cost of starting any process).
set -euo pipefail
binary="$1"; model="$2"; rounds="${3:-5}"; shift 3
files=(); extra=()
while [[ $# -gt 0 ]]; do
  if [[ "$1" == "--" ]]; then shift; extra=("$@"); break; fi
  files+=("$1"); shift
done
time_calls() {
  local start end
  start=$(date +%s%N)
  for ((r = 0; r < rounds; r++)); do
    for f in "${files[@]}"; do "$@" "$f" >/dev/null 2>&1 || true; done
  done
  end=$(date +%s%N)
  echo "scale=2; ($end - $start) / 1000000 / ($rounds * ${#files[@]})" | bc
}
echo "files: ${#files[@]}, rounds: $rounds"
echo "faultlab check: $(time_calls "$binary" check --model "$model" "${extra[@]}") ms per file"
echo "/bin/true (starting a process): $(time_calls /bin/true) ms per call"
