#!/usr/bin/env bash
# Create .venv and install graphdiff with its test extras into it: with uv when it can be had
# from the package registry (seconds), else with pip (about a minute).
set -eu
cd "$(dirname "$0")/.."
PY="${PY:-python3}"
VENV=.venv
test -x "$VENV/bin/python" || "$PY" -m venv --without-pip "$VENV"
UV="$VENV/tools/bin/uv"
if [ ! -x "$UV" ]; then
  "$PY" -m pip install --quiet --disable-pip-version-check --target "$VENV/tools" uv >/dev/null 2>&1 || true
fi
# The packages are compiled to bytecode as they are installed (pip's default; uv's with
# --compile-bytecode), into make's PYTHONPYCACHEPREFIX: otherwise every test process compiles
# numpy, Textual, JAX … again on a fresh clone (about 8 s more of setup, 20 s less of pytest).
# The optional extras (SymPy, JAX) come too, so that their tests run; where they cannot be
# installed, graphdiff and its test extras still are, and those tests skip with a reason.
EXTRAS='.[dev,sympy,jax]'
if [ -x "$UV" ]; then
  if "$UV" pip install --quiet --compile-bytecode --python "$VENV/bin/python" -e "$EXTRAS"; then
    exit 0
  fi
  echo "setup: the sympy and jax extras did not install; their tests will be skipped" >&2
  if "$UV" pip install --quiet --compile-bytecode --python "$VENV/bin/python" -e '.[dev]'; then
    exit 0
  fi
fi
echo "setup: uv is not available here; installing with pip (slower)" >&2
"$VENV/bin/python" -m ensurepip --upgrade >/dev/null
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$EXTRAS" \
  || { echo "setup: the sympy and jax extras did not install; their tests will be skipped" >&2
       "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]'; }
