"""How a step reads as text for people: the Wengert line of a node, each chain-rule term in
matrix-calculus form, and values.

The debugger's trace table and inspector and the CLI's `trace` text all write through here:

* `wengert(g, i)`: `v = log(v6)`, `v10 = pow(v, 3)` (a literal constant written as its number);
* `term_rule(g, term, mode)`: one chain-rule term as the `w` program view writes it, from the
  op's pseudo-code template (`W̄ += v̄ xᵀ`, `x̄ += Wᵀ v̄`, `Ā += ȳ ⊙ (1 − v²)`); `term_numbers`
  its numbers (`= 1 × 0.819232 = 0.819232` for scalars, the resulting array otherwise);
* `value_text` (one line) and `value_lines` (a block): scalars, small vectors and matrices in
  full with their shape, larger ones summarised with an ellipsis. A local partial is shown, when
  asked for, as the Jacobian matrix of the flattened map (`jacobian_matrix`), never as a
  4-index tensor.

Step numbers a person reads count from 1 over the steps in `stops(...)`; Python indices into
`Sweep.steps` stay 0-based.
"""
from __future__ import annotations

import math
import re

import numpy as np

from .emit.pseudo import PseudoEmitter
from .graph import Graph
from .layers import boundary, function_name
from .ops import index_text

DOT_ABOVE, MACRON = "\u0307", "\u0304"
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_LETTER_INDEX = re.compile(r"([^\W\d_])(\d*|[₀-₉]*)")
ELLIPSIS, VDOTS = "…", "⋮"
INLINE = 6        # a vector up to this many entries is written out in full
GRID_ROWS, GRID_COLS = 6, 6    # a matrix up to this size is written out in full


# ------------------------------------------------------------------ nodes and steps

def is_literal(node) -> bool:
    """An unnamed scalar constant (the 2 in x^2): written as its number where it is used, never a
    step a person reads or a box in a picture of the graph."""
    return node.op == "const" and not node.names and node.shape == ()


def stops(g: Graph, sweep) -> list[int]:
    """The 0-based indices into `sweep.steps` of the steps a person reads: all but literals.
    Step k of a person (counted from 1) is `sweep.steps[stops(g, sweep)[k - 1]]`."""
    return [k for k, s in enumerate(sweep.steps) if not is_literal(g.node(s.node))]


def operand_text(g: Graph, j: int) -> str:
    """How an operand is written in a formula: its name, or a small unnamed constant's literal."""
    n = g.node(j)
    if n.op == "const" and not n.names and np.size(n.value) <= 4:
        return literal(n.value)
    return g.label(j)


def literal(v) -> str:
    """A constant as the language writes it: `3`, `-0.5`, `[1, -1]`, `[[3, 1], [1, 0]]`."""
    a = np.asarray(v, dtype=float)
    if a.ndim == 0:
        return num(a, 12)
    return "[" + ", ".join(literal(r) for r in a) + "]"


def _attr(key, value) -> str:
    if key == "index":
        return f"[{index_text(value)}]"
    return f"{key}={value:g}" if isinstance(value, (int, float)) else f"{key}={value}"


def wengert(g: Graph, i: int) -> str:
    """The Wengert-list line of node i: `v = log(v6)`, `x (input)`, `a = 2 (const)`."""
    n = g.node(i)
    if n.op == "input":
        return f"{g.label(i)} (input)"
    if n.op == "const":
        return f"{g.label(i)} = {value_text(n.value, width=40)} (const)"
    args = [operand_text(g, j) for j in n.operands] + [_attr(k, v) for k, v in n.attrs]
    return f"{g.label(i)} = {n.op}({', '.join(args)})"


def dname(label: str, mode: str) -> str:
    """A node's tangent or adjoint symbol: ẋ / x̄ for one letter, v̄₆ or W̄₂ for a letter and digits,
    v̄(loss) for a longer name; the label itself in the primal sweep."""
    mark = {"forward": DOT_ABOVE, "reverse": MACRON}.get(mode, "")
    if not mark:
        return label
    m = _LETTER_INDEX.fullmatch(label)
    if m:
        return m.group(1) + mark + m.group(2).translate(_SUBSCRIPT)
    return f"v{mark}({label})"


def derivative_of(step, mode: str):
    """The tangent (forward) or adjoint (reverse) a step reached; None in the primal sweep."""
    return step.tangent if mode == "forward" else step.adjoint if mode == "reverse" else None


# ------------------------------------------------------------------ chain-rule terms

class _Names(PseudoEmitter):
    """The pseudo-code emitter with the debugger's names: author names and literals, not v{id}."""

    def ref(self, j: int) -> str:
        return operand_text(self.g, j)

    def mapping(self, n, **extra) -> dict:
        m = super().mapping(n, **extra)
        m["y"] = self.g.label(n.id)
        return m


def _names(g: Graph) -> _Names:
    key = ("explain.names", len(g))
    if key not in g.cache:
        g.cache[key] = _Names(g)
    return g.cache[key]


def formulas(g: Graph) -> PseudoEmitter:
    """The pseudo-code emitter with the debugger's names (author names, literals): the textbook
    form of a node's operation and of its local partials (cached on the graph)."""
    return _names(g)


def term_expr(g: Graph, term, mode: str) -> str:
    """The right-hand side of one chain-rule term in matrix-calculus form: what the consumer sends
    (reverse: `v̄ xᵀ`) or the operand's share of the tangent (forward: `Ȧ x`)."""
    node = g.node(term.dst)
    times = "·" if node.shape == () else " ⊙ "
    names = _names(g)
    if mode == "forward":
        return names.tangent_term(node, term.slot, dname(g.label(term.src), "forward"), times=times)
    return names.adjoint_term(node, term.slot, dname(g.label(term.dst), "reverse"), times=times)


def term_rule(g: Graph, term, mode: str) -> str:
    """One term as an update: `x̄ += v̄₂·2·x` (reverse) or `v̇₂ += 2·x·ẋ` (forward)."""
    target = term.src if mode == "reverse" else term.dst
    return f"{dname(g.label(target), mode)} += {term_expr(g, term, mode)}"


def sum_rule(g: Graph, step, mode: str, *, most: int = 6) -> str:
    """The whole step as one equation of its terms: `ż = Ȧ x + A ẋ`, `v̄ = v̄₁₀·3·v^2 + v̄₈·(1/u)`;
    past `most` terms, the first ones and a count (`x̄ = v̄₃·… + v̄₇·… + … (2000 terms)`)."""
    target = dname(g.label(step.node), mode)
    if not step.terms:
        return f"{target} = seed"
    parts = [term_expr(g, t, mode) for t in step.terms[:most]]
    expr = parts[0]
    for p in parts[1:]:
        expr += f" − {p[1:]}" if p.startswith("−") else f" + {p}"
    if len(step.terms) > most:
        expr += f" + {ELLIPSIS} ({len(step.terms)} terms)"
    return f"{target} = {expr}"


def partial_formula(g: Graph, term) -> str | None:
    """A term's local partial as a formula, `∂v/∂u = 1/(2·√u)`, when the graph was asked to show
    them (graphdiff.interop.sympy.show_formulas: `--symbolic`, with SymPy); else None."""
    formulas = g.cache.get("partial_formulas")
    return formulas(g, term) if formulas is not None else None


def is_scalar(v) -> bool:
    return v is not None and np.ndim(v) == 0


def term_numbers(term, other, mode: str, *, width: int | None = 60) -> str:
    """The numbers of one term, in the order `term_rule` writes its factors: `= -1 × 1.27792 =
    -1.27792` (reverse: the consumer's adjoint `other` × the partial; forward: the partial × the
    operand's tangent `other`) when all are scalars, else `= ` and the resulting value."""
    if is_scalar(term.partial) and is_scalar(other) and is_scalar(term.term):
        a, b = (other, term.partial) if mode == "reverse" else (term.partial, other)
        return f"= {num(a)} × {num(b)} = {num(term.term)}"
    return "= " + value_text(term.term, width=width)


def jacobian_matrix(partial, out_shape: tuple, in_shape: tuple):
    """A recorded local partial as the Jacobian matrix of the flattened map: rows are the output's
    entries, columns the operand's (row-major). An elementwise partial (shaped like the output) is
    its diagonal. None when the step recorded no dense partial."""
    if partial is None:
        return None
    p = np.asarray(partial, dtype=float)
    n_out, n_in = math.prod(out_shape), math.prod(in_shape)
    if p.size == n_out * n_in:
        return p.reshape(n_out, n_in)
    if p.shape == tuple(out_shape):   # elementwise: the diagonal (operands broadcast: not square)
        if n_out == n_in:
            return np.diag(p.reshape(-1))
    return None


# ------------------------------------------------------------------ values

def num(x, digits: int = 6) -> str:
    """A scalar: `digits` significant digits, −0 as 0, `nan`, `inf`, `-inf`."""
    x = float(x) + 0.0
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.{digits}g}"


def shape_text(shape) -> str:
    """`3` for a vector, `2×3` for a matrix, `scalar` for ()."""
    return "×".join(str(s) for s in shape) if shape else "scalar"


def _row(entries, digits, limit) -> str:
    """`a, b, c`, or `a, b, …, z` when there are more than `limit` entries."""
    return ", ".join(ELLIPSIS if k is None else num(entries[k], digits) for k in _pick(len(entries), limit))


def value_text(v, *, digits: int = 6, width: int | None = 60, full: bool = False) -> str:
    """A value on one line, at most `width` characters (None or full=True: no limit):
    `0.652667`, `[0.5, -1, 2]`, `[0.1, 0.2, …, 0.9] (10)`, `2×3 [[0.3, -0.2, 0.1], [-0.4, 0.6, 0.2]]`,
    `2×3 [[0.3, -0.2, …], …]`. Cut entries are always marked with an ellipsis."""
    if v is None:
        return "·"
    a = np.asarray(v, dtype=float)
    if a.ndim == 0:
        return num(a, digits)
    if a.size == 0:
        return f"[] ({shape_text(a.shape)})"
    if full or width is None:
        return _full_line(a, digits)
    # keep as many entries as fit, then as many digits: entries say more than digits
    for cols in (None, INLINE, 4, 3, 2, 1):
        for rows in ((None, 1) if a.ndim == 2 else (None,)):
            for d in dict.fromkeys((digits, min(digits, 4), min(digits, 3), 2)):
                text = _line(a, d, cols, rows)
                if len(text) <= width:
                    return text
    text = f"{shape_text(a.shape)} [{ELLIPSIS}]"
    return text if len(text) <= width else text[:max(width - 1, 0)] + ELLIPSIS


def _full_line(a, digits) -> str:
    if a.ndim == 1:
        return "[" + ", ".join(num(x, digits) for x in a) + "]"
    return shape_text(a.shape) + " " + literal_digits(a, digits)


def literal_digits(a, digits) -> str:
    if a.ndim == 0:
        return num(a, digits)
    return "[" + ", ".join(literal_digits(r, digits) for r in a) + "]"


def _line(a, digits, limit, row_limit=None) -> str:
    """One line: at most `limit` entries of a vector or of each matrix row, at most `row_limit` rows."""
    if a.ndim == 1:
        body = "[" + _row(a, digits, limit) + "]"
        return body if limit is None or a.size <= limit else f"{body} ({a.size})"
    if a.ndim == 2:
        n = a.shape[0] if row_limit is None else min(row_limit, a.shape[0])
        inner = ", ".join("[" + _row(r, digits, limit) + "]" for r in a[:n])
        if n < a.shape[0]:
            inner += f", {ELLIPSIS}"
        return f"{shape_text(a.shape)} [{inner}]"
    flat = a.reshape(-1)
    return f"{shape_text(a.shape)} [{_row(flat, digits, limit)}]"


def value_lines(v, *, digits: int = 6, full: bool = False, max_rows: int = GRID_ROWS,
                max_cols: int = GRID_COLS) -> list[str]:
    """A value as a block of lines: a scalar, a vector `[a, b, c]  (3)`, or a matrix with its shape
    and brackets, entries aligned in columns; past max_rows × max_cols (unless full) the middle
    rows and columns are replaced by ⋮ and …"""
    if v is None:
        return ["·"]
    a = np.asarray(v, dtype=float)
    if a.ndim == 0:
        return [num(a, digits)]
    if a.size == 0:
        return [f"[]  ({shape_text(a.shape)})"]
    if a.ndim == 1:
        limit = None if full else max_cols
        return [f"[{_row(a, digits, limit)}]  ({a.size})"]
    if a.ndim > 2:
        a = a.reshape(a.shape[0], -1)
    return _grid(a, digits, None if full else max_rows, None if full else max_cols)


def _pick(n, limit):
    """Indices shown of n when at most `limit` fit: head, None (the ellipsis), tail."""
    if limit is None or n <= limit:
        return list(range(n))
    head = (limit - 1) // 2 + (limit - 1) % 2
    tail = limit - 1 - head
    return list(range(head)) + [None] + list(range(n - tail, n))


def _grid(a, digits, max_rows, max_cols) -> list[str]:
    rows, cols = _pick(a.shape[0], max_rows), _pick(a.shape[1], max_cols)
    cells = [[("⋱" if c is None else VDOTS) if r is None else ELLIPSIS if c is None else num(a[r, c], digits)
              for c in cols] for r in rows]
    widths = [max(len(row[k]) for row in cells) for k in range(len(cols))]
    label = shape_text(a.shape)
    out = []
    for k, row in enumerate(cells):
        left, right = _brackets(k, len(cells))
        body = "  ".join(x.rjust(w) for x, w in zip(row, widths))
        out.append(f"{label if k == 0 else ' ' * len(label)} {left} {body} {right}")
    return out


def _brackets(k: int, n: int) -> tuple[str, str]:
    if n == 1:
        return "[", "]"
    if k == 0:
        return "⎡", "⎤"
    if k == n - 1:
        return "⎣", "⎦"
    return "⎢", "⎥"


def trace_lines(g: Graph, sweep) -> list[str]:
    """The text of `graphdiff trace`: steps numbered from 1 (literal constants such as the 2 in x^2
    are written where they are used, not as steps), each with its chain-rule terms in the form of
    the pseudo-code (`x̄ += Aᵀ z̄`) and their numbers."""
    shown = stops(g, sweep)
    at = {s.node: s for s in sweep.steps}
    lines = [f"{sweep.mode} sweep, {len(shown)} steps"]
    for number, k in enumerate(shown, start=1):
        s = sweep.steps[k]
        line = f"{number:4d}  {wengert(g, s.node):40s} value {value_text(s.value, digits=12, full=True)}"
        if sweep.mode != "primal":
            d = derivative_of(s, sweep.mode)
            line += f"   {dname(g.label(s.node), sweep.mode)} = {value_text(d, digits=12, full=True)}"
            if not s.terms:
                line += "   (seed)"
        lines.append(line)
        for t in s.terms:
            other = derivative_of(at[t.dst if sweep.mode == "reverse" else t.src], sweep.mode)
            lines.append(f"        {term_rule(g, t, sweep.mode)}   {term_numbers(t, other, sweep.mode, width=None)}")
            formula = partial_formula(g, t)
            if formula:
                lines.append(f"          {formula}")
        if s.note:
            lines.append(f"        note: {s.note}")
    return lines


# ------------------------------------------------------------------ layer-level steps

def layer_call(g: Graph, gid: int) -> str:
    """A group instance as a call: `h = layer(x, W1, b1)` (a block without a function: its name)."""
    b = boundary(g, gid)
    outs = ", ".join(g.label(y) for y in b.outputs) or "·"
    return f"{outs} = {function_name(g, gid)}({', '.join(operand_text(g, x) for x in b.inputs)})"


def _block_name(g: Graph, y: int, x: int) -> str:
    return f"∂{g.label(y)}/∂{g.label(x)}"


def _product(g: Graph, y: int, x: int, vector: str, *, transpose: bool = False) -> str:
    """A block of the layer's Jacobian times a tangent or adjoint: `(∂h/∂W1)ᵀ h̄`, `(∂h/∂x) ẋ`;
    between scalars a plain product, `∂h/∂w·h̄`."""
    if g.node(y).shape == () and g.node(x).shape == ():
        return f"{_block_name(g, y, x)}·{vector}"
    return f"({_block_name(g, y, x)}){'ᵀ' if transpose else ''} {vector}"


def layer_rule(g: Graph, layer) -> str:
    """The layer-level chain rule as one equation: `x̄, W̄₁, b̄₁ += J_layerᵀ h̄` (reverse, the VJP),
    `ḣ = J_layer (ẋ, Ẇ₁, ḃ₁)` (forward, the JVP), `h = layer(x, W1, b1)` (primal)."""
    if layer.mode == "primal":
        return layer_call(g, layer.group)
    fn = function_name(g, layer.group)
    J = f"J_{fn}"
    ins = [dname(g.label(x), layer.mode) for x, v in zip(layer.inputs, layer.into)
           if layer.mode == "reverse" or v is not None]
    outs = [dname(g.label(y), layer.mode) for y, v in zip(layer.outputs, layer.out)
            if layer.mode == "forward" or v is not None]
    if layer.mode == "reverse":
        return f"{', '.join(ins)} += {J}ᵀ {_tuple(outs)}"
    return f"{', '.join(outs)} = {J} {_tuple(ins)}"


def _tuple(names: list) -> str:
    return names[0] if len(names) == 1 else f"({', '.join(names)})" if names else "0"


def layer_terms(g: Graph, layer, shares: dict | None = None) -> list[tuple[str, object]]:
    """The layer-level rule input by input (reverse: `x̄ += (∂h/∂x)ᵀ h̄` and the share x received)
    or output by output (forward: `ḣ = (∂h/∂x) ẋ + (∂h/∂W1) Ẇ₁` and the tangent it reached), with
    the value each line comes to. `shares` (forward): {(y, x): J_yx ẋ} from graphdiff.layers."""
    out = []
    if layer.mode == "reverse":
        for x, share in zip(layer.inputs, layer.into):
            parts = [_product(g, y, x, dname(g.label(y), 'reverse'), transpose=True)
                     for y, ybar in zip(layer.outputs, layer.out) if ybar is not None]
            if share is not None and parts:
                out.append((f"{dname(g.label(x), 'reverse')} += {' + '.join(parts)}", share))
        return out
    for y, ydot in zip(layer.outputs, layer.out):
        parts = [_product(g, y, x, dname(g.label(x), 'forward'))
                 for x, xdot in zip(layer.inputs, layer.into) if xdot is not None]
        if ydot is not None and parts:
            out.append((f"{dname(g.label(y), 'forward')} = {' + '.join(parts)}", ydot))
            if shares and len(parts) > 1:
                for x, xdot in zip(layer.inputs, layer.into):
                    if xdot is not None and (y, x) in shares:
                        out.append((f"  {_product(g, y, x, dname(g.label(x), 'forward'))}", shares[(y, x)]))
    return out


def layer_jacobian_caption(g: Graph, layer, J) -> str:
    """Which rows and columns of a layer's Jacobian are whose: `rows: h[1–3]; columns: x 1–2, W1 3–8`."""
    def spans(nodes, slices):
        parts = []
        for i in nodes:
            sl = slices[i]
            parts.append(f"{g.label(i)} {sl.start + 1}" if sl.stop - sl.start == 1 else
                         f"{g.label(i)} {sl.start + 1}–{sl.stop}")
        return ", ".join(parts)
    return f"rows: {spans(layer.outputs, J.rows)}; columns: {spans(layer.inputs, J.cols)}"
