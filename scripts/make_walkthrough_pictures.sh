#!/usr/bin/env bash
# One picture per curriculum graph for the walkthroughs (part of `make assets`): the graph at the
# last step of its reverse sweep, every adjoint filled in. Needs Graphviz's `dot`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
for f in graphs/sheet*/*.gd; do
  sheet=$(basename "$(dirname "$f")")
  mkdir -p "docs/walkthroughs/img/$sheet"
  $PY -m graphdiff render "$f" -o "docs/walkthroughs/img/$sheet/$(basename "$f" .gd).svg" --mode reverse --step last
done
$PY scripts/link_walkthrough_pictures.py
