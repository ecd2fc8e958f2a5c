#!/usr/bin/env bash
# Porcupine and faultlab on the same histories, in one run, one table.
#
#   bench/linearizability/porcupine_side_by_side.sh PORCUPINE_SRC [BUILD_DIR]
#
# PORCUPINE_SRC: Porcupine's source, a checkout or a bare git directory of
# github.com/anishathalye/porcupine (the corpora in tests/corpora/porcupine
# came from commit 55508eb). BUILD_DIR (default: build) must hold faultlab and
# faultlab-bench-files (cmake --build BUILD --target faultlab faultlab-bench-files).
#
# Needs Go (Debian's golang-go); bench-only, never a test dependency. Nothing
# is downloaded: the Go program in bench/linearizability/porcupine/ is built
# in a temporary directory against a copy of PORCUPINE_SRC through a go.mod
# replace, with GOPROXY=off.
#
# Histories: Porcupine's originals (tests/corpora/porcupine/test_data) for
# Porcupine, their EDN conversions (tests/corpora/porcupine/edn) for faultlab.
# Columns, per group of files:
#   in one process: the sum over files of the fastest of 5 checks, parsing
#     excluded (Porcupine: CheckEvents; faultlab: check_linearizability);
#   a process per file: wall time of running the checker once per file, as a
#     script would (start-up, reading and checking), summed over the files.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
src="${1:?usage: porcupine_side_by_side.sh PORCUPINE_SRC [BUILD_DIR]}"
build="$(cd "${2:-$repo/build}" && pwd)"
faultlab="$build/sim/cli/faultlab"
files_bin="$build/bench/linearizability/faultlab-bench-files"
for b in "$faultlab" "$files_bin"; do
  [[ -x "$b" ]] || { echo "missing $b: cmake --build $build --target faultlab faultlab-bench-files" >&2; exit 2; }
done
if ! command -v go >/dev/null; then
  echo "Go is not installed (Debian: apt-get install golang-go); Porcupine cannot be timed." >&2
  exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/porcupine/main.go" "$here/porcupine/go.mod" "$work/"
mkdir "$work/porcupine-src"
if [[ -f "$src/go.mod" ]]; then
  cp -r "$src/." "$work/porcupine-src/"
else # a git directory without a work tree
  git --git-dir="$src" archive HEAD | tar -x -C "$work/porcupine-src"
fi
commit="$( (git --git-dir="$src" rev-parse --short HEAD || git -C "$src" rev-parse --short HEAD) 2>/dev/null || echo unknown)"
(cd "$work" && GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local GOCACHE="$work/gocache" GOPATH="$work/gopath" \
  go build -o porcupine-bench .)
pbench="$work/porcupine-bench"

corpus="$repo/tests/corpora/porcupine"
etcd_logs=(); etcd_edn=()
while IFS=$'\t' read -r name model verdict; do
  [[ "$name" == etcd/* ]] || continue
  stem="$(basename "$name" .edn)"
  etcd_logs+=("$corpus/test_data/jepsen/$stem.log"); etcd_edn+=("$corpus/edn/$name")
done < <(grep -v '^#' "$corpus/edn/expected.tsv")
kv1_txt=("$corpus/test_data/kv/c01-ok.txt" "$corpus/test_data/kv/c01-bad.txt")
kv1_edn=("$corpus/edn/kv/c01-ok.edn" "$corpus/edn/kv/c01-bad.edn")
kvbig_txt=("$corpus"/test_data/kv/c10-*.txt "$corpus"/test_data/kv/c50-*.txt)

sum_col() { awk -v c="$1" '{s += $c} END {printf "%.2f", s * 1000}'; }
verdicts() { awk -v c="$1" '{print ($c == "ok" || $c == "linearizable") ? "L" : "N"}' | tr -d '\n'; }
per_file_ms() { # command prefix..., then -- files...
  local cmd=() files=() start end
  while [[ "$1" != "--" ]]; do cmd+=("$1"); shift; done; shift; files=("$@")
  start=$(date +%s%N)
  for f in "${files[@]}"; do "${cmd[@]}" "$f" >/dev/null 2>&1 || true; done
  end=$(date +%s%N)
  echo "scale=1; ($end - $start) / 1000000" | bc
}

row() { # label kind porcupine-files faultlab-model faultlab-files (arrays by name)
  local label="$1" kind="$2" model="$4"
  local -n pf="$3" ff="$5"
  local p_out f_out p_one f_one p_proc f_proc agree
  p_out="$("$pbench" -repeat 5 "$kind" "${pf[@]}")"
  p_one="$(sum_col 5 <<<"$p_out")"
  p_proc="$(per_file_ms "$pbench" -repeat 1 "$kind" -- "${pf[@]}")"
  if [[ "$model" == "-" ]]; then
    printf '| %s | %d | %s ms | — | %s ms | — | Porcupine only (faultlab has no append model) |\n' \
      "$label" "${#pf[@]}" "$p_one" "$p_proc"
    return
  fi
  f_out="$("$files_bin" --repeat 5 "$model" "${ff[@]}")"
  f_one="$(sum_col 4 <<<"$f_out")"
  f_proc="$(per_file_ms "$faultlab" check --model "$model" -- "${ff[@]}")"
  if [[ "$(verdicts 3 <<<"$p_out")" == "$(verdicts 2 <<<"$f_out")" ]]; then
    agree="all $(verdicts 3 <<<"$p_out" | tr -cd L | wc -c) L / $(verdicts 3 <<<"$p_out" | tr -cd N | wc -c) not agree"
  else
    agree="DISAGREE: porcupine $(verdicts 3 <<<"$p_out"), faultlab $(verdicts 2 <<<"$f_out")"
  fi
  printf '| %s | %d | %s ms | %s ms | %s ms | %s ms | %s |\n' \
    "$label" "${#pf[@]}" "$p_one" "$f_one" "$p_proc" "$f_proc" "$agree"
}

echo "Porcupine $commit ($(go version | awk '{print $3}')), faultlab $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "$(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| histories | files | Porcupine, one process | faultlab, one process | Porcupine, a process per file | faultlab check, a process per file | verdicts |"
echo "|---|---|---|---|---|---|---|"
row "etcd (Jepsen)" etcd etcd_logs cas-register etcd_edn
row "kv c01 (1 client)" kv kv1_txt kv kv1_edn
row "kv c10, c50 (10, 50 clients)" kv kvbig_txt - kvbig_txt
