"""DOT source of the debugger's current frame, for the export key: the node being stepped
highlighted, done nodes with their derivatives, the edges of the step's chain-rule terms bold."""
from __future__ import annotations

from .layout import box_text, visible_nodes
from .state import Debugger, short


def _esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def frame_dot(dbg: Debugger) -> str:
    g = dbg.graph
    sym = {"forward": "v̇", "reverse": "v̄"}.get(dbg.mode, "")
    nodes = visible_nodes(g)
    keep = set(nodes)
    step_edges = {(t.src, t.dst) for t in dbg.step.terms}
    out = ["digraph frame {", '  rankdir=LR; fontname="DejaVu Serif";',
           f'  label="{_esc(f"{dbg.mode} sweep, step {dbg.index + 1} of {len(dbg.steps)}")}"; labelloc=t;',
           '  node [shape=box, style="rounded,filled", fontname="DejaVu Serif", fillcolor=white];',
           '  edge [color=gray50];']
    for i in nodes:
        status = dbg.status(i)
        s = dbg.step_of(i)
        label = box_text(g, i)
        if s is not None and status in ("done", "current"):
            label += f"\\n= {short(s.value)}"
            if sym:
                label += f"\\n{sym} = {short(dbg.derivative(s))}"
        fill = {"current": "gold", "done": "palegreen", "pending": "white", "idle": "gray95"}[status]
        shape = ', shape=ellipse' if g.node(i).op == "input" else (', peripheries=2' if any(o == i for _, o in g.outputs) else "")
        out.append(f'  n{i} [label="{_esc(label)}", fillcolor={fill}{shape}];')
    for n in g.node_list():
        for j in dict.fromkeys(n.operands):
            if j in keep and n.id in keep:
                attr = ' [color=darkorange, penwidth=2.5]' if (j, n.id) in step_edges else ""
                out.append(f"  n{j} -> n{n.id}{attr};")
    out.append("}")
    return "\n".join(out) + "\n"
