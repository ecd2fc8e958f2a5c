#!/usr/bin/env bash
# The workshop handout, for laptops that cannot build faultlab: the notebooks executed here,
# with their outputs saved (tables, plots and viewer screenshots embedded, so they read
# without running), the scenarios, README.md, WORKSHOP.md, the notebooks' Python helpers and
# the traces, summaries and screenshots of `make demo` (out/demo) if present.
#
#   scripts/handout.sh [BUILD]     # from anywhere; BUILD defaults to build (as make's BUILD)
#
# Writes out/faultlab-handout.tgz (one folder, faultlab-handout/, laid out like the
# repository) and leaves the unpacked tree in out/handout/faultlab-handout/. Run it after
# `make demo`: it needs build/sim/cli/faultlab, Jupyter's nbconvert, and for the screenshots
# build/viz/faultlab-viz and xvfb-run. Safe to run again: it starts from scratch each time.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
build="${1:-build}"
[[ "$build" = /* ]] || build="$repo/$build"
faultlab="$build/sim/cli/faultlab"
viz="$build/viz/faultlab-viz"
work=out/handout
stage="$work/faultlab-handout"
tarball=out/faultlab-handout.tgz

if [[ ! -x "$faultlab" ]]; then
  echo "handout: $faultlab is not built: run 'make demo' first" >&2
  exit 1
fi
nbconvert=$(command -v jupyter-nbconvert || true)
if [[ -z "$nbconvert" ]]; then
  echo "handout: jupyter-nbconvert is missing: scripts/setup.sh installs it (unless FAULTLAB_NOTEBOOKS=OFF)" >&2
  exit 1
fi
env=(FAULTLAB_BIN="$faultlab" FAULTLAB_NB_REQUIRE_ANSWERS=1 PYTHONDONTWRITEBYTECODE=1
     PYDEVD_DISABLE_FILE_VALIDATION=1)
if [[ -x "$viz" ]] && command -v xvfb-run >/dev/null; then
  env+=(FAULTLAB_VIZ="$viz")
else
  echo "handout: no faultlab-viz or no xvfb-run: the notebooks will have their plots but no viewer screenshots" >&2
fi
if [[ ! -d out/demo ]]; then
  echo "handout: no out/demo (make demo writes it): the handout will not have the demo's traces and PNGs" >&2
fi

rm -rf "$work"
mkdir -p "$stage/notebooks" "$work/runs"
# The runs' traces and sweeps go to $work/runs (deleted at the end), so the paths the
# notebooks print are the same every time.
trap 'rm -rf "$repo/$work/runs"' EXIT

for notebook in notebooks/[0-9]*.ipynb; do
  name=$(basename "$notebook" .ipynb)
  echo "handout: executing $name"
  start=$SECONDS
  if ! env "${env[@]}" FAULTLAB_NB_OUT="$repo/$work/runs/$name" \
      "$nbconvert" --to notebook --execute --ExecutePreprocessor.timeout=600 \
      --ExecutePreprocessor.record_timing=False --output-dir "$stage/notebooks" "$notebook" \
      >"$work/runs/$name.log" 2>&1; then
    cat "$work/runs/$name.log" >&2
    echo "handout: $name failed (above); nothing was packed" >&2
    exit 1
  fi
  images=$(grep -c '"image/png"' "$stage/notebooks/$name.ipynb" || true)
  echo "handout:   $((SECONDS - start)) s, $images images"
  if ((images == 0)); then
    echo "handout: $name has no image in its outputs; is matplotlib's inline backend there?" >&2
    exit 1
  fi
done

cp notebooks/faultlab_helper.py notebooks/exercises.py notebooks/README.md "$stage/notebooks/"
cp README.md WORKSHOP.md "$stage/"
cp -r scenarios "$stage/"
if [[ -d out/demo ]]; then
  mkdir -p "$stage/out"
  cp -r out/demo "$stage/out/"
fi
rm -rf "$stage/notebooks/__pycache__"

tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work" -czf "$tarball.tmp" faultlab-handout
mv "$tarball.tmp" "$tarball"
echo "handout: wrote $tarball ($(du -h "$tarball" | cut -f1)); unpacked in $stage/"
