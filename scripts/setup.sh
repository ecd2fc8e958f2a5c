#!/usr/bin/env bash
# Installs the Debian packages faultlab builds with, and only the missing ones,
# so running it twice is cheap. Used by `make demo` and `make test`.
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  libsimgrid-dev libboost-graph-dev nlohmann-json3-dev catch2 libcli11-dev
  python3-jsonschema # tests/schema: catalog files against scenarios/schema.json
)
if [[ "${FAULTLAB_BUILD_VIZ:-ON}" == "ON" ]]; then
  packages+=(libimgui-dev libglfw3-dev libstb-dev libgl-dev xvfb xauth libgl1-mesa-dri fonts-dejavu-core)
fi
# Notebooks (notebooks/, executed by `make test`): Jupyter (nbconvert to run them,
# ipykernel for the Python kernel, the notebook server to open them), pandas, matplotlib.
if [[ "${FAULTLAB_NOTEBOOKS:-ON}" == "ON" ]]; then
  packages+=(jupyter-core jupyter-nbconvert python3-nbconvert python3-ipykernel jupyter-notebook
             python3-pandas python3-matplotlib)
fi
# The Slurm test (tests/slurm/run_slurm_test.sh) starts its own munged, slurmctld
# and slurmd, with their key, sockets, ports and state in a temporary folder.
# Installing starts no Slurm daemon (their services need /etc/slurm/slurm.conf);
# where services start at install, munge's starts the system munged on
# /run/munge, which the test does not use. Left out on a machine that already
# has /etc/slurm/slurm.conf: there the packages would start the site's daemons.
if [[ "${FAULTLAB_SLURM:-ON}" == "ON" && ! -e /etc/slurm/slurm.conf ]]; then
  packages+=(munge slurmctld slurmd slurm-client)
fi
# `make fuzz` (scripts/fuzz.sh): clang and its runtime libraries (libFuzzer, ASan, UBSan).
if [[ "${FAULTLAB_FUZZ:-OFF}" == "ON" ]]; then
  packages+=(clang libclang-rt-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then sudo_cmd=(sudo); else
    echo "setup: need root (or sudo) to apt-get install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
