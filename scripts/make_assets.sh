#!/usr/bin/env bash
# README pictures (`make assets`): the Peyré DAG, one reverse-mode step, a strip of frames, a
# 16:9 slide, and the HTML page at two steps (screenshots by headless Chromium, when installed).
# Needs Graphviz's `dot`; uses the project venv's graphdiff (PY=... to choose another Python).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
GD="$PY -m graphdiff"
G=graphs/peyre.gd
mkdir -p assets
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The DAG with its values: log and √ shared (fan-out 2), beside nothing else.
$GD render $G -o assets/peyre-dag.png --mode primal --dpi 150
$GD render $G -o assets/peyre-dag.svg --mode primal
# Expression tree vs DAG: what sharing saves.
$GD render $G -o assets/peyre-tree-vs-dag.png --tree --show values --dpi 120
# Reverse mode at v = log(x + u): v̄ collects one term from each of its two consumers.
$GD render $G -o assets/peyre-reverse-step.png --mode reverse --step 4 --dpi 150
$GD render $G -o assets/peyre-reverse-step-dark.png --mode reverse --step 4 --dpi 150 --theme dark
# Forward mode, frame by frame: four pinned frames stacked into one strip, plus the GIF.
$GD frames $G --mode forward -o "$tmp/frames" --dpi 110 --gif assets/peyre-forward.gif
$PY - "$tmp/frames" assets/peyre-forward-strip.png <<'PY'
import sys
from pathlib import Path
from PIL import Image
frames = sorted(Path(sys.argv[1]).glob("frame-*.png"))
pick = [frames[k] for k in (0, 3, 6, len(frames) - 1)]
ims = [Image.open(p).convert("RGB") for p in pick]
w, h = max(i.width for i in ims), sum(i.height for i in ims) + 6 * (len(ims) - 1)
strip = Image.new("RGB", (w, h), "#d3d9e0")           # thin rules between the frames
y = 0
for im in ims:
    strip.paste(im, (0, y))
    y += im.height + 6
strip.save(sys.argv[2], optimize=True)
PY
# A slide: --fit 16:9 chooses the direction and spacing that fill 1920×1080.
$GD render $G -o assets/peyre-slide-16x9.png --fit 16:9 --mode reverse --step 4
# The web page (graphdiff html) at two steps, as a browser shows it.
$GD html $G -o "$tmp/peyre.html"
$GD html $G -o "$tmp/peyre-dark.html" --theme dark
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -n "$browser" ]; then
  shot() {  # shot URL OUT.png: a 1400×800 screenshot, no network, no profile left behind
    "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
      --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
      --user-data-dir="$tmp/profile" --window-size=1400,800 --screenshot="$2" "$1" 2>/dev/null
  }
  shot "file://$(realpath "$tmp/peyre.html")#reverse/4" assets/html-peyre-reverse-4.png
  shot "file://$(realpath "$tmp/peyre-dark.html")#forward/5" assets/html-peyre-forward-5-dark.png
else
  echo "make_assets: no Chromium (scripts/ensure-chromium.sh installs it): page screenshots not remade" >&2
fi
ls -l assets
