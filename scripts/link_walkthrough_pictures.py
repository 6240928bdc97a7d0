"""Put each curriculum graph's picture in its sheet's walkthrough: under the first heading that
names the file, else in a closing gallery. Idempotent: lines it added before are replaced."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
MARK = "<!-- picture -->"


def picture(sheet: str, name: str) -> str:
    """The picture's Markdown: op by op, and beside it layer by layer when the graph has groups."""
    one = f"![{name}.gd](img/{sheet}/{name}.svg)"
    if not (ROOT / "docs" / "walkthroughs" / "img" / sheet / f"{name}-layers.svg").exists():
        return one
    return (f"{one} ![{name}.gd, a layer at a time](img/{sheet}/{name}-layers.svg) — op by op, then layer by "
            f"layer (`--collapse all`), at the last step of the reverse sweep: the same adjoints")

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
                    out.append(f"\n{picture(sheet, name)} {MARK}")
                    placed.add(name)
    rest = [name for name in graphs if name not in placed]
    if rest:
        if out and out[-1].strip():
            out.append("")
        out.append("## Pictures")
        for name in rest:
            out.append(f"\n`{name}.gd`: {picture(sheet, name)} {MARK}")
    doc.write_text("\n".join(out).rstrip() + "\n")
