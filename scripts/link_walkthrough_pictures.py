"""Put each curriculum graph's picture in its sheet's walkthrough: under the first heading that
names the file, else in a closing gallery. Idempotent: lines it added before are replaced."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
MARK = "<!-- picture -->"

for doc in sorted((ROOT / "docs" / "walkthroughs").glob("sheet*.md")):
    sheet = doc.stem
    graphs = sorted(p.stem for p in (ROOT / "graphs" / sheet).glob("*.gd"))
    old = doc.read_text().splitlines()
    # drop what an earlier run added: each picture line and the blank line put before it
    lines = [ln for k, ln in enumerate(old)
             if MARK not in ln and not (not ln.strip() and k + 1 < len(old) and MARK in old[k + 1])]
    while lines and lines[-1] == "## Pictures":
        lines.pop()
    placed, out = set(), []
    for ln in lines:
        out.append(ln)
        if ln.startswith("#"):
            for name in re.findall(r"`([\w]+)\.gd`", ln):
                if name in graphs and name not in placed:
                    out.append(f"\n![{name}.gd](img/{sheet}/{name}.svg) {MARK}")
                    placed.add(name)
    rest = [name for name in graphs if name not in placed]
    if rest:
        if out and out[-1].strip():
            out.append("")
        out.append("## Pictures")
        for name in rest:
            out.append(f"\n`{name}.gd`: ![{name}.gd](img/{sheet}/{name}.svg) {MARK}")
    doc.write_text("\n".join(out).rstrip() + "\n")
