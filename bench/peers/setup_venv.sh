#!/usr/bin/env bash
# Make the peers' virtual environment (default build/peers-venv, or $1):
# Debian's python3-torch, seen through --system-site-packages, plus the
# pinned NumPy and JAX of requirements.txt from PyPI. Quick when re-run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${1:-$root/build/peers-venv}"

if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-torch
  else
    echo "warning: python3-torch is missing and we are not root; the torch peer will be skipped" >&2
  fi
fi

[ -x "$venv/bin/python" ] || /usr/bin/python3 -m venv --system-site-packages "$venv"

# pip only when requirements.txt changed since the last successful install.
stamp="$venv/.peers-requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
  echo "$want" > "$stamp"
fi

"$venv/bin/python" - <<'PY'
import numpy, jax
try:
    import torch
    torch.from_numpy(numpy.ones(2, numpy.float32))  # breaks if NumPy is too new for torch
    t = torch.__version__
except ImportError:
    t = "missing"
print(f"peers venv ok: numpy {numpy.__version__}, torch {t}, jax {jax.__version__}")
PY
echo "run: $venv/bin/python $here/run_all.py --json peers.json --markdown peers.md"
