#!/usr/bin/env bash
# One picture per curriculum graph for the walkthroughs (part of `make assets`): the graph at the
# last step of its reverse sweep, every adjoint filled in (and, for a graph written with
# functions, the same step with every group collapsed). Needs Graphviz's `dot`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
for f in graphs/sheet*/*.gd; do
  sheet=$(basename "$(dirname "$f")")
  mkdir -p "docs/walkthroughs/img/$sheet"
  out="docs/walkthroughs/img/$sheet/$(basename "$f" .gd)"
  $PY -m graphdiff render "$f" -o "$out.svg" --mode reverse --step last
  # A graph written with functions: the same step drawn a layer at a time, beside the op-level one.
  if $PY -m graphdiff stats "$f" --json | grep -q '"groups"'; then
    $PY -m graphdiff render "$f" -o "$out-layers.svg" --mode reverse --step last --collapse all
  fi
done
$PY scripts/link_walkthrough_pictures.py
