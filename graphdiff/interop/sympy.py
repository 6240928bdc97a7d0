"""SymPy expressions as graphs, and graphs as SymPy expressions (the extra graphdiff[sympy]).

    g = gd.from_sympy(log(x + sqrt(x**2 + 1))/sqrt(x**2 + 1) - log(x + sqrt(x**2 + 1))**3, at={"x": 0.7})
    gd.to_sympy(g)               {node label: its expression}, every node
    partial_text(g, term)        a chain-rule term's local partial as a formula: `1/(2·√u)`

`from_sympy` walks the expression (a loop, not recursion) and applies ops through the graph, so
equal subexpressions are one node, as in the language: the one-line Peyré expression is the
8-op DAG. It writes SymPy's sums and products the way people do: `a − b` rather than
`a + (−1)·b`, `a/√s` rather than `a·s^(−1/2)`. Scalar expressions only (SymPy's symbols are
numbers); a SymPy function with no op is an error that names it.

SymPy is imported when these functions are first called, never by `import graphdiff`.
"""
from __future__ import annotations

import math

import numpy as np

from ..source import GraphError


def _sympy():
    try:
        import sympy
    except ImportError:
        raise GraphError("SymPy is not installed", hint="pip install 'graphdiff[sympy]'") from None
    return sympy


# SymPy function (by class name) → op name (unary or binary, operands in SymPy's order).
FUNCTIONS = {"sin": "sin", "cos": "cos", "tan": "tan", "tanh": "tanh", "exp": "exp", "log": "log",
             "Abs": "abs", "atan2": "atan2", "Max": "max", "Min": "min"}


# ------------------------------------------------------------------ SymPy → graph

def from_sympy(expr, *, at: dict | None = None, inputs=None, name: str = "f", share: bool = True):
    """The graph of a SymPy expression (or a dict {output name: expression}).

    Its free symbols are the inputs, in the order of `inputs` (symbols or names) or by name;
    `at` gives their values ({symbol or name: number}); an input without one must be given a
    value when the graph runs (`--at`, `g.eval(at=…)`)."""
    sp = _sympy()
    from ..api import Graph
    outputs = dict(expr) if isinstance(expr, dict) else {name: expr}
    exprs = {}
    for out_name, e in outputs.items():
        try:
            exprs[str(out_name)] = sp.sympify(e)
        except (sp.SympifyError, TypeError, ValueError) as err:
            raise GraphError(f"output '{out_name}' is not a SymPy expression: {err}") from None
        if not isinstance(exprs[str(out_name)], sp.Expr):
            raise GraphError(f"output '{out_name}' is a {type(exprs[str(out_name)]).__name__}, not a scalar "
                             "SymPy expression")
    symbols = set().union(*(e.free_symbols for e in exprs.values()))
    if inputs is None:
        order = sorted(symbols, key=lambda s: s.name)
    else:
        by_name = {s.name: s for s in symbols}
        order = [by_name.get(str(s), sp.Symbol(str(s))) for s in inputs]
        missing = symbols - set(order)
        if missing:
            raise GraphError(f"inputs= leaves out {', '.join(sorted(s.name for s in missing))}")
    values = {str(k): v for k, v in (at or {}).items()}
    unknown = set(values) - {s.name for s in order}
    if unknown:
        raise GraphError(f"at= names {', '.join(sorted(unknown))}, which the expression does not use",
                         hint=f"its symbols are {', '.join(s.name for s in order) or 'none'}")
    g = Graph()
    ids = {s: g.add_input(s.name, values.get(s.name)) for s in order}
    for out_name, e in exprs.items():
        g.set_output(out_name, _build(g, e, ids, sp))
    return g if share else g.tree()           # share=False: the expression tree


def _build(g, root, ids: dict, sp) -> int:
    """The node of `root`: an explicit post-order walk, each SymPy node converted once."""
    stack = [root]
    while stack:
        e = stack[-1]
        if e in ids:
            stack.pop()
            continue
        children, build = _rule(e, sp)
        todo = [c for c in children if c not in ids]
        if todo:
            stack.extend(reversed(todo))
            continue
        stack.pop()
        ids[e] = build(g, [ids[c] for c in children])
    return ids[root]


def _fold(g, op: str, nodes: list) -> int:
    acc = nodes[0]
    for n in nodes[1:]:
        acc = g.apply(op, (acc, n))
    return acc


def _rule(e, sp):
    """(the SymPy subexpressions e is made of, how to make e's node from theirs)."""
    if e.is_Number or isinstance(e, sp.NumberSymbol) or e is sp.S.ImaginaryUnit or (e.is_number and not e.free_symbols):
        try:
            value = float(e)
        except TypeError:
            raise GraphError(f"the constant {e} is not a real number") from None
        return (), lambda g, _: g.add_const(value)
    if e.is_Symbol:
        raise GraphError(f"the symbol {e} is not an input")        # every free symbol is declared first
    if e.is_Add:
        return _add_rule(e, sp)
    if e.is_Mul:
        return _mul_rule(e, sp)
    if e.is_Pow:
        return _pow_rule(e, sp)
    name = type(e).__name__
    op = FUNCTIONS.get(name)
    if op is not None:
        from ..ops import OPS
        if op not in OPS:
            raise GraphError(f"SymPy's {name} needs graphdiff's '{op}' op, which this version does not have")
        args = list(e.args)
        if name in ("Max", "Min"):
            return args, lambda g, ns: _fold(g, op, ns)
        if len(args) != OPS[op].arity:
            raise GraphError(f"SymPy's {name} with {len(args)} arguments has no op")
        return args, lambda g, ns: g.apply(op, tuple(ns))
    raise GraphError(f"SymPy's {name} has no op in graphdiff's op table",
                     hint="the SymPy functions that map: + − × ÷ and powers, " + ", ".join(sorted(FUNCTIONS)))


def _add_rule(e, sp):
    # People write a − b, and constants last: x² + 1, not 1 + x².
    terms = sorted(e.args, key=lambda t: (t.is_number, _negative(t)))
    mags = [(-t if _negative(t) else t) for t in terms]
    signs = [_negative(t) for t in terms]

    def build(g, ns):
        acc = g.apply("neg", (ns[0],)) if signs[0] else ns[0]
        for n, neg in zip(ns[1:], signs[1:]):
            acc = g.apply("sub" if neg else "add", (acc, n))
        return acc
    return mags, build


def _negative(t) -> bool:
    coeff, _ = t.as_coeff_Mul()
    return bool(coeff.is_negative)


def _mul_rule(e, sp):
    coeff, factors = e.as_coeff_mul()
    if coeff == -1:
        return [-e], lambda g, ns: g.apply("neg", (ns[0],))
    num, den = [], []
    for f in factors:
        if f.is_Pow and f.exp.is_number and f.exp.is_negative:
            den.append(f.base ** (-f.exp))
        else:
            num.append(f)
    if coeff.is_Rational and coeff.q != 1 and coeff.p in (1, -1) and den == [] and coeff.p == 1:
        den, coeff = [sp.Integer(coeff.q)], sp.Integer(1)          # x/2 rather than 0.5·x
    if coeff != 1:
        num.insert(0, coeff)
    n_num = len(num)

    def build(g, ns):
        top = _fold(g, "mul", ns[:n_num]) if n_num else g.add_const(1.0)
        if len(ns) == n_num:
            return top
        return g.apply("div", (top, _fold(g, "mul", ns[n_num:])))
    return num + den, build


def _pow_rule(e, sp):
    base, exp = e.base, e.exp
    if base is sp.E:
        return [exp], lambda g, ns: g.apply("exp", (ns[0],))
    if exp == sp.Rational(1, 2):
        return [base], lambda g, ns: g.apply("sqrt", (ns[0],))
    if exp.is_number and exp.is_negative:
        return [base ** (-exp)], lambda g, ns: g.apply("div", (g.add_const(1.0), ns[0]))
    return [base, exp], lambda g, ns: g.apply("pow", (ns[0], ns[1]))


# ------------------------------------------------------------------ graph → SymPy

def _ops_table(sp) -> dict:
    """op name → its SymPy expression from the operands' (and the node's attributes)."""
    piece = lambda cond: sp.Piecewise((1, cond), (0, True))  # noqa: E731   comparisons give 0 or 1
    return {
        "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b, "neg": lambda a: -a, "pow": lambda a, b: a ** b,
        "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
        "tanh": sp.tanh, "abs": sp.Abs, "atan2": sp.atan2, "max": sp.Max, "min": sp.Min,
        "sigmoid": lambda a: 1 / (1 + sp.exp(-a)), "relu": lambda a: sp.Max(a, 0),
        "softplus": lambda a: sp.log(1 + sp.exp(a)), "log1p": lambda a: sp.log(1 + a),
        "expm1": lambda a: sp.exp(a) - 1, "hypot": lambda a, b: sp.sqrt(a ** 2 + b ** 2),
        "lt": lambda a, b: piece(a < b), "le": lambda a, b: piece(a <= b), "gt": lambda a, b: piece(a > b),
        "ge": lambda a, b: piece(a >= b), "eq": lambda a, b: piece(sp.Eq(a, b)), "ne": lambda a, b: piece(sp.Ne(a, b)),
        "where": lambda c, a, b: sp.Piecewise((a, sp.Ne(c, 0)), (b, True)),
    }


def _constant(sp, value):
    x = float(value)
    if x.is_integer() and abs(x) < 2 ** 53:
        return sp.Integer(int(x))
    if math.isfinite(x):
        r = sp.Rational(x).limit_denominator(10 ** 6)
        return r if float(r) == x else sp.Float(x, 17)
    return sp.oo if x > 0 else -sp.oo if x < 0 else sp.nan


def to_sympy(g, node=None, *, symbols: dict | None = None):
    """Each node's expression in the graph's inputs: {label: SymPy expression} in topological
    order, or with `node` (a name, `v7` or an id) that node's. An array node is a SymPy Array of
    its entries' expressions (an input W of shape 2×3 has the entries W[0, 0] … W[1, 2]); `sqrtm`
    has no closed form and is refused."""
    sp = _sympy()
    table = _ops_table(sp)
    exprs: dict[int, object] = {}
    for n in g.node_list():
        if n.op == "input":
            exprs[n.id] = (symbols or {}).get(n.names[0]) or _input_symbols(sp, n.names[0], n.shape)
        elif n.op == "const":
            exprs[n.id] = _constant(sp, n.value) if n.shape == () else \
                _object_array([_constant(sp, v) for v in np.asarray(n.value).ravel()], n.shape)
        else:
            args = [exprs[j] for j in n.operands]
            if n.shape == () and all(np.ndim(a) == 0 for a in args) and n.op in table:
                exprs[n.id] = table[n.op](*args)
            else:
                exprs[n.id] = _array_rule(sp, table, g, n, args)
    out = {i: (sp.Array(e.tolist()) if isinstance(e, np.ndarray) and e.ndim else
               e[()] if isinstance(e, np.ndarray) else e) for i, e in exprs.items()}
    if node is None:
        return {g.label(i): e for i, e in out.items()}
    return out[_node_id(g, node)]


def _object_array(entries, shape) -> np.ndarray:
    a = np.empty(len(entries), dtype=object)
    a[:] = entries
    return a.reshape(shape)


def _input_symbols(sp, name: str, shape: tuple):
    if shape == ():
        return sp.Symbol(name, real=True)
    index = lambda k: ", ".join(map(str, k))  # noqa: E731
    return _object_array([sp.Symbol(f"{name}[{index(k)}]", real=True) for k in np.ndindex(*shape)], shape)


def _array_rule(sp, table, g, n, args):
    """An op on NumPy object arrays of SymPy expressions (entry by entry, as graphdiff evaluates)."""
    from ..ops import OPS, index_key
    op, kw = n.op, n.kw
    arrays = [a if isinstance(a, np.ndarray) else _object_array([a], ()) for a in args]
    if OPS[op].elementwise:
        rule = table.get(op)
        if rule is None:
            raise GraphError(f"the op '{op}' has no SymPy form (node '{g.label(n.id)}')")
        return np.frompyfunc(rule, len(arrays), 1)(*arrays)
    a = arrays[0]
    total = lambda x: sp.Add(*x.ravel())  # noqa: E731
    if op == "sum":
        return total(a)
    if op == "mean":
        return total(a) / a.size
    if op == "prod":
        return sp.Mul(*a.ravel())
    if op == "norm":
        p = kw.get("p", 2.0)
        p = sp.Integer(int(p)) if float(p).is_integer() else _constant(sp, p)
        return sp.Add(*(sp.Abs(x) ** p for x in a.ravel())) ** (1 / p) if p != 2 else \
            sp.sqrt(sp.Add(*(x ** 2 for x in a.ravel())))
    if op == "logsumexp":
        return sp.log(sp.Add(*(sp.exp(x) for x in a.ravel())))
    if op == "dot":
        return sp.Add(*(x * y for x, y in zip(a.ravel(), arrays[1].ravel())))
    if op == "outer":
        return np.multiply.outer(a, arrays[1])
    if op == "matmul":
        return np.matmul(a, arrays[1])
    if op == "transpose":
        return a.T
    if op == "diag":
        if a.ndim == 1:
            out = _object_array([sp.Integer(0)] * (a.size * a.size), (a.size, a.size))
            for k, x in enumerate(a):
                out[k, k] = x
            return out
        return np.diagonal(a).copy()
    if op == "diff":
        return a[1:] - a[:-1]
    if op == "index":
        return a[index_key(kw["index"])]
    if op == "trace":
        return sp.Add(*np.diagonal(a))
    if op == "softmax":
        e = np.frompyfunc(sp.exp, 1, 1)(a)
        return e / _last_axis_sums(sp, e)
    if op in ("det", "inv"):
        m = sp.Matrix(a.tolist())
        return m.det() if op == "det" else _object_array(list(m.inv()), a.shape)
    raise GraphError(f"the op '{op}' has no SymPy form (node '{g.label(n.id)}'): it has no closed form")


def _last_axis_sums(sp, e: np.ndarray) -> np.ndarray:
    sums = np.empty(e.shape[:-1] + (1,), dtype=object)
    for k in np.ndindex(*e.shape[:-1]):
        sums[k + (0,)] = sp.Add(*e[k])
    return sums


def _node_id(g, node) -> int:
    if isinstance(node, int):
        return node
    if node in g.names:
        return g.names[node]
    if isinstance(node, str) and node.startswith("v") and node[1:].isdigit() and int(node[1:]) < len(g):
        return int(node[1:])
    raise GraphError(f"no node named '{node}'")


# ------------------------------------------------------------------ local partials as formulas

def local_partial(g, node: int, slot: int):
    """∂(node)/∂(operand `slot`) as a SymPy expression in the operands' names (symbols named
    by their labels; a literal constant stays a number)."""
    sp = _sympy()
    n = g.node(node)
    rule = _ops_table(sp).get(n.op)
    if rule is None or n.shape != () or any(g.node(j).shape != () for j in n.operands):
        return None
    args = []
    for j in n.operands:
        o = g.node(j)
        args.append(_constant(sp, o.value) if o.op == "const" and not o.names else sp.Symbol(g.label(j), real=True))
    if not isinstance(args[slot], sp.Symbol):
        return None
    return sp.diff(rule(*args), args[slot])


def show_formulas(g) -> None:
    """Have the trace text and the debugger's inspector write each scalar edge's local partial as
    a formula beside its number (`trace --symbolic`, `tui --symbolic`)."""
    _sympy()
    g.cache["partial_formulas"] = partial_text


def partial_text(g, term) -> str | None:
    """A chain-rule term's local partial as a formula, `∂v/∂u = 1/(2·√u)` (None when the edge is
    not between scalars or its op has no SymPy form)."""
    d = local_partial(g, term.dst, term.slot)
    if d is None:
        return None
    return f"∂{g.label(term.dst)}/∂{g.label(term.src)} = {formula(d)}"


def formula(expr) -> str:
    """A SymPy expression on one line in the textbook's notation: √u, x², a·b, 1/(2·√u)."""
    from sympy.printing.str import StrPrinter

    class Printer(StrPrinter):
        def _print_Pow(self, e, rational=False):
            if e.exp == 1 / 2 or e.exp == _sympy().Rational(1, 2):
                inner = self._print(e.base)
                return "√" + (inner if e.base.is_Atom else f"({inner})")
            if e.exp.is_Integer and e.exp > 0:
                base = self.parenthesize(e.base, 60)
                return base + str(int(e.exp)).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
            return super()._print_Pow(e, rational)

        def _print_Mul(self, e):
            return super()._print_Mul(e).replace("*", "·")

    return Printer({"order": "none"}).doprint(expr).replace("**", "^")
