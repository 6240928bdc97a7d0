"""Operation counts: the primal, one tangent sweep, one adjoint sweep, full Jacobians by forward vs
reverse mode, the memory the reverse sweep keeps, the expression tree's counts, Jacobian chains.

The cost model is the op table's (`ops.Cost`): +, −, ×, ÷ and each elementary function count one
flop per entry; a matrix product (a×b)(b×c) counts 2abc; a reduction of n entries counts n; det,
inv and solve 2n³, sqrtm 25n³, a Sylvester solve 10n³. An op's JVP/VJP cost covers all its
operands: a sweep counts only the operands that carry a derivative (x² with a constant 2 pays for
one of its two terms), apportioned equally between operands (each rule's terms cost the same).

  tangent sweep     Σ over nodes that depend on an input (and feed an output) of their JVP cost
  adjoint sweep     Σ over the same nodes of their VJP cost
  Jacobian forward  primal + n × tangent sweep   (n = scalar entries of the inputs)
  Jacobian reverse  primal + m × adjoint sweep   (m = scalar entries of the outputs)
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

from .graph import Graph, base_name
from .ops import OPERANDS, OPS, fill, size
from .source import GraphError
from .values import count

SWEEP_KEYS = ("primal", "tangent_sweep", "adjoint_sweep", "jacobian_forward", "jacobian_reverse")


@dataclass
class NodeCost:
    """Flops of one op node: its evaluation, its share of a tangent and of an adjoint sweep."""

    node: int
    op: str
    primal: int
    tangent: int
    adjoint: int
    copies: int  # how many times the expression tree (sharing off) repeats this node


@dataclass
class CostReport:
    primal: int
    tangent_sweep: int
    adjoint_sweep: int
    n_inputs: int
    n_outputs: int
    nodes: list = field(default_factory=list)
    stored_values: int = 0    # entries the adjoint sweep reads (kept from the primal sweep)
    stored_nodes: int = 0
    peak_live: int = 0        # entries of values + adjoints alive at once during the adjoint sweep
    tree: dict = field(default_factory=dict)

    @property
    def jacobian_forward(self) -> int:
        return self.primal + self.n_inputs * self.tangent_sweep

    @property
    def jacobian_reverse(self) -> int:
        return self.primal + self.n_outputs * self.adjoint_sweep

    @property
    def ratio(self) -> float | None:
        """Jacobian by forward mode / by reverse mode (> 1: reverse is cheaper)."""
        return self.jacobian_forward / self.jacobian_reverse if self.jacobian_reverse else None

    def verdict(self) -> str:
        """One sentence: which mode builds the full Jacobian cheaper here, and why."""
        n, m = self.n_inputs, self.n_outputs
        jf, jr = self.jacobian_forward, self.jacobian_reverse
        ins, outs = _entries(n, "input"), _entries(m, "output")
        if n == 0 or m == 0:
            return "nothing to differentiate: the graph has no " + ("inputs" if n == 0 else "outputs") + "."
        if jf == jr:
            return (f"forward and reverse mode cost the same here ({ins}, {outs}: "
                    f"{n} tangent sweep{'s' * (n != 1)} vs {m} adjoint sweep{'s' * (m != 1)}); "
                    f"reverse mode must also keep {self.stored_values} stored value entr"
                    f"{'ies' if self.stored_values != 1 else 'y'} for its adjoint sweep, so forward mode is preferable.")
        much = lambda a, b: "≪" if b >= 10 * a else "<"  # noqa: E731
        if jr < jf:
            return f"reverse mode is {jf / jr:.3g}× cheaper here because {outs} {much(m, n)} {ins}."
        return f"forward mode is {jr / jf:.3g}× cheaper here because {ins} {much(n, m)} {outs}."

    def lines(self, g: Graph, *, nodes: bool = False) -> list[str]:
        """The cost table as `graphdiff cost` prints it."""
        r = self
        rows = [("primal (evaluation)", r.primal, ""),
                ("one tangent sweep", r.tangent_sweep, "v̇ for one input direction"),
                ("one adjoint sweep", r.adjoint_sweep, "v̄ for one output seed"),
                (f"Jacobian, forward (n = {r.n_inputs})", r.jacobian_forward, f"primal + {r.n_inputs} × tangent sweep"),
                (f"Jacobian, reverse (m = {r.n_outputs})", r.jacobian_reverse, f"primal + {r.n_outputs} × adjoint sweep")]
        w = max(len(f"{v:,}") for _, v, _ in rows)
        out = [f"{g.n_ops()} operations; flops by the op table's cost model (matmul (a×b)(b×c) = 2abc, "
               "elementwise = 1 per entry)"]
        out += [f"  {name:<28} {v:>{w},}   {note}".rstrip() for name, v, note in rows]
        if r.ratio is not None:
            out.append(f"  {'forward / reverse':<28} {r.ratio:>{w}.3g}")
        out.append(f"reverse-mode memory: {r.stored_values:,} value entries stored for the adjoint sweep "
                   f"({r.stored_nodes} node{'s' * (r.stored_nodes != 1)}); peak live set {r.peak_live:,} entries ({8 * r.peak_live:,} bytes)")
        t = r.tree
        if t["primal"] == r.primal:
            saving = "no subexpression is shared, so the tree costs the same"
        else:
            saving = (f"sharing saves {_big(t['primal'] - r.primal)} flops, "
                      f"{_times(t['primal'], r.primal)} on the primal")
        out.append(f"as an expression tree (sharing off): primal {_big(t['primal'])}, tangent sweep "
                   f"{_big(t['tangent_sweep'])}, adjoint sweep {_big(t['adjoint_sweep'])} flops ({saving})")
        out.append("verdict: " + r.verdict())
        if nodes:
            out.append("")
            out.append(f"  {'node':<14} {'op':<10} {'primal':>10} {'tangent':>10} {'adjoint':>10} {'tree copies':>12}")
            for row in r.nodes:
                out.append(f"  {('v' + str(row.node) + ' ' + (g.label(row.node) if g.node(row.node).names else '')).strip():<14} "
                           f"{row.op:<10} {row.primal:>10,} {row.tangent:>10,} {row.adjoint:>10,} {_big(row.copies):>12}")
        return out

    def to_json(self) -> dict:
        doc = {"primal": self.primal, "tangent_sweep": self.tangent_sweep, "adjoint_sweep": self.adjoint_sweep,
               "jacobian_forward": self.jacobian_forward, "jacobian_reverse": self.jacobian_reverse,
               "n_inputs": self.n_inputs, "n_outputs": self.n_outputs, "ratio": self.ratio,
               "verdict": self.verdict(),
               "memory": {"stored_values": self.stored_values, "stored_nodes": self.stored_nodes,
                          "peak_live": self.peak_live, "peak_live_bytes": 8 * self.peak_live},
               "tree": {k: count(v) for k, v in self.tree.items()}}   # a tree's counts may have thousands of digits
        return doc


def _big(n: int) -> str:
    """A flop count with thousands separators, or as a power of ten when it is astronomical."""
    c = count(n)
    return c if isinstance(c, str) else f"{n:,}"


def _times(a: int, b: int) -> str:
    """a / b as 'N×' for counts too large to divide as floats."""
    if a < 10 ** 300:
        return f"{a / b:.3g}×"
    return f"≈ 10^{math.log10(a) - math.log10(b):.0f}×"


def _entries(k: int, what: str) -> str:
    return f"{k} {what} entr{'y' if k == 1 else 'ies'}"


def _reads(node, k: int) -> frozenset:
    """Which values (operand slots 'a'/'b'/'c' and 'y') operand k's adjoint term reads."""
    return _reads_of(node.op, k, "p" in node.kw)


@functools.lru_cache(maxsize=None)
def _reads_of(op: str, k: int, has_p: bool) -> frozenset:
    """Found by filling the op's code template with markers, so it follows the generated code."""
    tpl = OPS[op].code
    m = {"a": "«a»", "b": "«b»", "c": "«c»", "y": "«y»", "g": "«g»", "t": "«t»", "nd0": 1, "nd1": 1, "ndy": 1,
         "s0": "()", "s1": "()", "n0": 1, "size0": 1, "axes0": "(-1,)", "lift0": "[..., None]",
         "ix": "0", "nix": 1}
    if has_p:
        m["p"] = "«p»"
    code = fill(tpl.partials[k], m) if tpl.elementwise else fill(tpl.vjp[k], m)
    return frozenset(s for s in OPERANDS + "y" if f"«{s}»" in code)


def _op_cost(nodes, n):
    """The op table's Cost of node n."""
    return OPS[n.op].cost([nodes[j].shape for j in n.operands], n.shape, n.kw)


def _evaluated(g: Graph):
    """The op nodes one evaluation of the outputs runs, in topological order."""
    needed = g.ancestors([i for _, i in g.outputs])
    return [n for n in g.node_list() if needed[n.id] and not n.is_leaf]


def primal_flops(g: Graph) -> tuple[int, int]:
    """(flops of one evaluation, the same as an expression tree): what `stats` reports, without
    the sweeps' figures and the memory analysis of `cost`."""
    nodes, copies = g.node_list(), g.tree_copies()
    flops = [(int(_op_cost(nodes, n).primal), copies[n.id]) for n in _evaluated(g)]
    return sum(f for f, _ in flops), sum(f * c for f, c in flops)


def cost(g: Graph) -> CostReport:
    """The cost report of a graph under the op table's cost model."""
    nodes = g.node_list()
    needed, active = g.ancestors([i for _, i in g.outputs]), g.descendants(g.inputs)
    copies = g.tree_copies()   # in the expression tree: one per path to an output
    rows, primal, tangent, adjoint = [], 0, 0, 0
    tree = dict.fromkeys(("primal", "tangent_sweep", "adjoint_sweep"), 0)
    readers: dict[int, int] = {}  # stored value -> the last (lowest) node whose adjoint step reads it
    for n in _evaluated(g):
        c = _op_cost(nodes, n)
        slots = [k for k, j in enumerate(n.operands) if active[j]]
        share = len(slots) / max(len(n.operands), 1)
        row = NodeCost(n.id, n.op, int(c.primal), round(c.jvp * share), round(c.vjp * share), copies[n.id])
        rows.append(row)
        primal += row.primal
        tangent += row.tangent
        adjoint += row.adjoint
        tree["primal"] += row.primal * row.copies
        tree["tangent_sweep"] += row.tangent * row.copies
        tree["adjoint_sweep"] += row.adjoint * row.copies
        for k in slots:
            for s in _reads(n, k):
                j = n.id if s == "y" else n.operands[OPERANDS.index(s)]
                if nodes[j].op != "const":
                    readers[j] = min(readers.get(j, n.id), n.id)
    n_in = sum(size(nodes[i].shape) for i in g.inputs)
    n_out = sum(size(nodes[i].shape) for _, i in g.outputs)
    report = CostReport(primal, tangent, adjoint, n_in, n_out, rows)
    report.stored_nodes = len(readers)
    report.stored_values = sum(size(nodes[j].shape) for j in readers)
    report.peak_live = _peak_live(g, needed, active, readers)
    tree["jacobian_forward"] = tree["primal"] + n_in * tree["tangent_sweep"]
    tree["jacobian_reverse"] = tree["primal"] + n_out * tree["adjoint_sweep"]
    report.tree = tree
    return report


def _peak_live(g: Graph, needed, active, readers: dict) -> int:
    """Most entries alive at once in the adjoint sweep: stored values not yet read for the last
    time, plus adjoints that have received a term and not yet been sent on (inputs' stay)."""
    nodes = g.node_list()
    last_read: dict[int, list] = {}
    for j, i in readers.items():
        last_read.setdefault(i, []).append(j)
    live_values = sum(size(nodes[j].shape) for j in readers)
    adj: set = set()
    for _, i in g.outputs:
        if active[i] and nodes[i].op != "const":
            adj.add(i)
    live_adj = sum(size(nodes[i].shape) for i in adj)
    peak = live_values + live_adj
    for n in reversed(nodes):
        i = n.id
        if n.is_leaf or not needed[i] or not active[i] or i not in adj:
            continue
        for j in n.operands:
            if active[j] and j not in adj:
                adj.add(j)
                live_adj += size(nodes[j].shape)
        peak = max(peak, live_values + live_adj)
        adj.discard(i)  # v̄ᵢ has been sent to its operands
        live_adj -= size(n.shape)
        for j in last_read.get(i, ()):
            live_values -= size(nodes[j].shape)
    return peak


# ------------------------------------------------------------------ Jacobian chains

@dataclass
class Chain:
    """A chain of Jacobians J_k ⋯ J_1 from one input to one output, and its three accumulations."""

    input: str
    output: str
    factors: list          # (node id, label, op, rows, cols) of J_1 … J_k
    forward: int           # ((J_k (… (J_2 J_1))): from the input layer
    reverse: int           # (((J_k J_{k−1}) …) J_1): from the output layer
    optimal: int | None    # None past CHAIN_SEARCH_LIMIT factors (the search grows as k³)
    bracketing: str

    def to_json(self) -> dict:
        return {"input": self.input, "output": self.output,
                "dims": [self.factors[0][4]] + [f[3] for f in self.factors] if self.factors else [],
                "factors": [{"node": f"v{i}", "name": lab, "op": op, "rows": r, "cols": c}
                            for i, lab, op, r, c in self.factors],
                "forward": self.forward, "reverse": self.reverse, "optimal": self.optimal,
                "bracketing": self.bracketing}


CHAIN_SEARCH_LIMIT = 200     # factors: the dynamic programme over bracketings takes about k³/6 steps


def chain(g: Graph, *, wrt: str | None = None, output: str | None = None) -> Chain:
    """The Jacobian chain from input `wrt` to `output` (other inputs held fixed).

    Every node on the way must depend on the input through exactly one operand and feed exactly
    one node of the chain; Jacobians are dense (d_out × d_in), products cost 2abc.
    """
    if wrt is None:
        if len(g.inputs) != 1:
            raise GraphError(f"--chain needs one input to start from; this graph has {len(g.inputs)} "
                             f"({', '.join(g.input_names())})", hint="choose one with --wrt NAME")
        wrt = g.input_names()[0]
    if output is None:
        if len(g.outputs) != 1:
            raise GraphError(f"--chain needs one output; this graph has {len(g.outputs)}",
                             hint="choose one with --of NAME")
        output = g.outputs[0][0]
    start, end = g.input_node(wrt), g.output_node(output)
    nodes = g.node_list()
    on = g.descendants([start])
    if not on[end]:
        raise GraphError(f"output '{output}' does not depend on input '{wrt}'")
    feeds = g.ancestors([end])
    path = [n for n in nodes if on[n.id] and feeds[n.id]]
    factors, prev = [], start
    for n in path[1:]:
        deps = {j for j in n.operands if on[j] and feeds[j]}
        if deps != {prev}:
            why = (f"it depends on '{wrt}' through {len(deps)} operands" if len(deps) > 1
                   else f"it does not take the previous node v{prev}")
            raise GraphError(f"not a chain of Jacobians: node v{n.id} = {n.op}(…) — {why}",
                             n.span, hint="--chain needs each node to use the one before it only")
        factors.append((n.id, g.label(n.id), n.op, size(n.shape), size(nodes[prev].shape)))
        prev = n.id
    d = [size(nodes[start].shape)] + [f[3] for f in factors]   # d_0 … d_k
    k = len(factors)
    fwd = sum(2 * d[i] * d[i - 1] * d[0] for i in range(2, k + 1))
    rev = sum(2 * d[k] * d[i] * d[i - 1] for i in range(1, k))
    if k > CHAIN_SEARCH_LIMIT:
        return Chain(wrt, output, factors, fwd, rev, None,
                     f"not searched: {k} factors, more than {CHAIN_SEARCH_LIMIT} (the search grows as k³)")
    opt, brk = _matrix_chain(d)
    return Chain(wrt, output, factors, fwd, rev, opt, brk)


def _matrix_chain(d: list) -> tuple[int, str]:
    """The cheapest bracketing of J_k ⋯ J_1 (J_i is d_i × d_{i−1}), by dynamic programming."""
    k = len(d) - 1
    if k == 0:
        return 0, "I"
    # best[(i, j)]: cost of J_j ⋯ J_i (i ≤ j), a d_j × d_{i−1} matrix
    best, split = {}, {}
    for i in range(1, k + 1):
        best[i, i] = 0
    for length in range(2, k + 1):
        for i in range(1, k - length + 2):
            j = i + length - 1
            best[i, j] = None
            for s in range(i, j):  # (J_j ⋯ J_{s+1}) (J_s ⋯ J_i)
                c = best[s + 1, j] + best[i, s] + 2 * d[j] * d[s] * d[i - 1]
                if best[i, j] is None or c < best[i, j]:
                    best[i, j], split[i, j] = c, s

    def text(i, j):
        if i == j:
            return f"J{i}"
        s = split[i, j]
        return f"({text(s + 1, j)} {text(i, s)})"
    return best[1, k], text(1, k)


def accumulation_text(k: int, *, reverse: bool) -> str:
    """The bracketing of forward ((J_k (… (J_2 J_1)))) or reverse (((J_k J_{k−1}) …) J_1) accumulation."""
    if k == 0:
        return "I"
    if reverse:
        s = f"J{k}"
        for i in range(k - 1, 0, -1):
            s = f"({s} J{i})"
        return s
    s = "J1"
    for i in range(2, k + 1):
        s = f"(J{i} {s})"
    return s


# ------------------------------------------------------------------ per group (`--by-group`)

def instance_counts(g: Graph) -> dict:
    """How many group instances each function has (`stats`' "groups"): {"layer": 2, …}; a block
    without a function counts under its name."""
    out: dict[str, int] = {}
    for grp in g.groups:
        key = grp.function or base_name(grp.name)
        if grp.function is None and "=" in grp.name:
            key = f"for {key}"          # the iterations of a loop over t count together
        out[key] = out.get(key, 0) + 1
    return out


@dataclass
class GroupCost:
    """Totals of one group instance, the groups inside it included (`group` -1: the nodes
    outside every group). Flops as in `cost`: primal, one tangent sweep, one adjoint sweep."""

    group: int
    path: str | None       # the call path, dotted (None: outside every group)
    function: str | None
    depth: int
    nodes: int = 0
    ops: int = 0
    primal: int = 0
    tangent: int = 0
    adjoint: int = 0

    def to_json(self) -> dict:
        return {"group": self.path, "function": self.function, "depth": self.depth, "nodes": self.nodes,
                "ops": self.ops, "flops": {"primal": self.primal, "tangent_sweep": self.tangent,
                                           "adjoint_sweep": self.adjoint}}


def group_costs(g: Graph, report: CostReport | None = None) -> list[GroupCost]:
    """One row per group instance, in the order they were opened (a parent before its children),
    then one for the nodes outside every group (only when there are some)."""
    report = report or cost(g)
    paths = [g.group_path(grp.id) for grp in g.groups]
    rows = [GroupCost(grp.id, ".".join(g.groups[k].name for k in paths[grp.id]), grp.function, grp.depth)
            for grp in g.groups]
    rows.append(GroupCost(-1, None, None, 0))
    by_node = {r.node: r for r in report.nodes}
    for n in g.node_list():
        c = by_node.get(n.id)
        for k in paths[n.group] if n.group >= 0 else (-1,):
            row = rows[k]
            row.nodes += 1
            row.ops += not n.is_leaf
            if c is not None:
                row.primal += c.primal
                row.tangent += c.tangent
                row.adjoint += c.adjoint
    return rows if rows[-1].nodes else rows[:-1]


def group_lines(rows: list, columns: list[tuple[str, object]], *, title: str) -> list[str]:
    """Rows (GroupCost or anything with `path` and `depth`) as a table: the group's name indented
    by its depth, then one right-aligned column per (heading, row -> value)."""
    def name(r):
        return "(outside any group)" if r.path is None else "  " * (r.depth - 1) + r.path.rsplit(".", 1)[-1]

    def cell(v):
        return f"{v:,}" if isinstance(v, int) else str(v)
    cells = [[name(r), r.function or "—"] + [cell(get(r)) for _, get in columns] for r in rows]
    heads = ["group", "function"] + [h for h, _ in columns]
    widths = [max(len(c[k]) for c in [heads, *cells]) for k in range(len(heads))]
    fmt_row = lambda c: "  " + "  ".join(v.ljust(w) if k < 2 else v.rjust(w)   # noqa: E731
                                         for k, (v, w) in enumerate(zip(c, widths))).rstrip()
    return [title, fmt_row(heads)] + [fmt_row(c) for c in cells]
