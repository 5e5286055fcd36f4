#!/bin/sh
# Installs what clnum needs from Debian 12's packages (run as root). Quick when they are there.
set -eu
# zlib1g-dev: IDX files, gzipped (Fashion-MNIST); libjansson-dev: JSON (saved models, reports);
# help2man: the programs' man pages, made from their --help.
packages="cmake make gcc pkg-config ocl-icd-opencl-dev opencl-headers pocl-opencl-icd \
libclblast-dev liblapacke-dev libjansson-dev zlib1g-dev libcmocka-dev clinfo help2man"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "installing:$missing"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi
