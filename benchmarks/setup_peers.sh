#!/usr/bin/env bash
# Create benchmarks/.venv-peers with graphdiff and the peers it is measured against.
# Usage: bash benchmarks/setup_peers.sh [--no-torch]
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
venv="$here/.venv-peers"
test -x "$venv/bin/python" || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -e "$root"
if [ "${1:-}" = "--no-torch" ]; then
  grep -v '^torch' "$here/peers-requirements.txt" > "$venv/reqs.txt"
else
  cp "$here/peers-requirements.txt" "$venv/reqs.txt"
fi
"$venv/bin/python" -m pip install --quiet -r "$venv/reqs.txt"
echo "peers installed in $venv"
