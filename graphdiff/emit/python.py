"""The Python emitter: a self-contained module (NumPy, SciPy where an op needs it) with

    evaluate(**inputs) -> {output: value}
    jvp(inputs, tangents) -> {output: tangent}        (forward mode; tangents may be batched)
    vjp(inputs, adjoints) -> {input: adjoint}         (reverse mode; adjoints may be batched)
    gradient(**inputs) -> (value, {input: gradient})  (a scalar output)
    jacobian(**inputs) -> matrix                      (rows: outputs' entries, cols: inputs')

straight-line code, one statement per node (or per chain-rule term), each with a `# vN` comment
naming the node it comes from. Scalar nodes run on Python floats and the `math` module.
"""
from __future__ import annotations

import builtins
import functools
import keyword
import re
from typing import NamedTuple

from ..graph import Graph
from ..ops import OPS, fill, literal, size, static_mapping
from .plan import Line, Plan, gc_paused
from .prelude import helper_closure, helper_source, names_called

MODES = ("primal", "forward", "reverse", "all")
_ATOM = re.compile(r"-?[\w.]+|\(.*\)|[\w.]+\(.*\)|[\w.]+\[.*\]")


_NAME = re.compile(r"[\w.]+")


def paren(e: str) -> str:
    """e, parenthesised unless it is one atom (a name, a number, a call, a subscript, (…))."""
    if _NAME.fullmatch(e):
        return e                        # the common case: a variable or a number
    if _ATOM.fullmatch(e) and _balanced(e):
        return e if not e.startswith("-") else f"({e})"
    return f"({e})"


def _balanced(e: str) -> bool:
    """True when no bracket closes before the end at depth 0 (so 'f(a) * g(b)' is not an atom)."""
    depth = 0
    for k, ch in enumerate(e):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth == 0 and k != len(e) - 1 and e[k + 1] not in "([.":
                return False
    return depth == 0


# Every name the generated code uses besides the `_`-prefixed locals and helpers and the node
# variables (vN, vN_dot, vN_bar, CN, DN, SN): the modules, the dict parameters and the module's own
# functions and tables. An input named like one of them would shadow it inside a function.
GENERATED_NAMES = frozenset({"np", "math", "scipy", "inputs", "tangents", "adjoints",
                             "evaluate", "jvp", "vjp", "gradient", "jacobian", "INPUTS", "OUTPUTS"})


def _safe(name: str) -> bool:
    """Whether an input name can be a Python parameter of the generated functions: an identifier
    that shadows nothing the code refers to (else the functions take `**inputs`). ASCII only:
    Python folds non-ASCII identifiers by NFKC (a parameter `ℓ` is really named `l`)."""
    return (name.isidentifier() and name.isascii() and not keyword.iskeyword(name)
            and not name.startswith("_") and name not in GENERATED_NAMES
            and not hasattr(builtins, name) and not re.fullmatch(r"[vCDS]\d+.*", name))


_QUOTES = re.compile(r"[\\\"']")


def comment_text(text: str) -> str:
    """User text (a file or node name) made safe for a `#` comment or a docstring: backslashes,
    quotes and every unprintable character (newlines, U+2028, NUL …) written as escapes, so no
    name can end the comment or the string and smuggle code into the module."""
    text = str(text)
    if text.isprintable() and not _QUOTES.search(text):
        return text        # the common case: nothing to escape
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch in "\"'":
            out.append("\\" + ch)
        elif not ch.isprintable():
            out.append(ascii(ch)[1:-1])
        else:
            out.append(ch)
    return "".join(out)


class Form(NamedTuple):
    """An elementwise op's code for one node, as a format string of its operands and output by
    position (`math.sin({0})`: {0} {1} {2} the operands a b c, {3} the output y), the helpers it
    calls, and whether `paren` leaves it as it is when the operands are names (`plain`)."""

    text: str
    calls: frozenset
    atom: bool


_SLOTS = {"a": "{0}", "b": "{1}", "c": "{2}", "y": "{3}"}
_new = tuple.__new__   # _new(Line, (node, text)) is Line(node, text) without NamedTuple's Python-level __new__


@functools.lru_cache(maxsize=None)
def fast_forms(op: str, scalar: bool):
    """(primal form, partial forms) of an elementwise op, made once from the op's own templates
    (on floats when `scalar`), so that a node's code is one `str.format`; None when a template is
    a function of the mapping (pow's, which looks at the exponent) or refers to more than a, b, c
    and y: those nodes fill the templates themselves."""
    code = OPS[op].code
    patterns = (code.py, code.scalar, *code.partials, *code.scalar_partials)
    if not code.elementwise or not all(p is None or isinstance(p, str) for p in patterns):
        return None
    primal = _form(lambda m: code.primal_text(m, scalar=scalar))
    partials = tuple(_form(lambda m, k=k: code.partial_text(k, m, scalar=scalar)) for k in range(len(code.partials)))
    return None if primal is None or None in partials else (primal, partials)


def _form(fill_slots) -> Form | None:
    try:
        text = fill_slots(_SLOTS)
    except (KeyError, IndexError):   # a template that needs more than the operands and y
        return None
    if text.format("{0}", "{1}", "{2}", "{3}") != text:   # braces of its own: not a plain form
        return None
    named = text.format("v0", "v0", "v0", "v0")
    return Form(text, frozenset(names_called(text)), paren(named) == named)


def plain(ref: str) -> bool:
    """Whether `paren` treats a ref as a name: then a form filled with plain refs is an atom
    exactly when the form is (`paren` looks only at brackets, signs and spaces)."""
    return bool(_NAME.fullmatch(ref)) and not ref.startswith(".")


class PythonEmitter:
    """Writes the functions of one graph's module; `lines()` assembles them.

    The helpers the module defines are those its code calls, noted as the code is written
    (`found`): from each template the first time it is used, and from every line that is not a
    node's own (parameters, seeds, returns: a few per function); a module of millions of lines
    is never searched."""

    def __init__(self, g: Graph, *, mode: str = "all", wrt=None, output=None, title: str = "", only=None):
        if mode not in MODES:
            raise ValueError(f"unknown mode '{mode}' (expected one of {', '.join(MODES)})")
        self.g, self.mode, self.title = g, mode, title
        self.only = None if only is None else set(only)   # emit just these functions (the fast path)
        self.plan = Plan(g, wrt=wrt, output=output)
        self.nodes = self.plan.nodes
        self.kwargs = not all(_safe(n) for n in g.input_names())
        self._primal_lines: dict = {}    # node -> its line of the evaluation trace
        self._maps: dict = {}            # node -> its template mapping
        self._adjoint_terms: dict = {}   # (node, operand slot, adjoint name) -> the term
        self._comments: dict = {}        # node -> the `# vN (name)` comment of its lines
        self._sweeps: dict = {}          # seeded nodes -> (the adjoint sweep's lines, nodes with an adjoint)
        self._refs: list | None = None   # node -> ref(node), made on first use
        self._trace: list | None = None  # the evaluation trace's op lines
        self._plain: list | None = None  # node -> plain(ref(node))
        self.found: set = set()          # helpers and scaffolding functions the code written so far calls

    # ------------------------------------------------------------ expressions

    def ref(self, j: int) -> str:
        """An operand as code: a variable, an inlined scalar constant, or a module constant."""
        n = self.nodes[j]
        if n.op == "const":
            if n.shape != ():
                return f"C{j}"
            x = literal(n.value)
            return f"({x})" if x.startswith("-") else x
        return f"v{j}"

    def mapping(self, node, **extra) -> dict:
        """The op's template mapping for this node: operand refs, static shapes, parameters
        (an elementwise op's code refers only to its operands and its value). Made once per node."""
        m = self._maps.get(node.id)
        if m is None:
            m = self._maps[node.id] = self._mapping(node)
        return {**m, **extra} if extra else m

    def _mapping(self, node) -> dict:
        o = node.operands
        m = {"a": self.ref(o[0]) if o else "", "b": self.ref(o[1]) if len(o) > 1 else "",
             "c": self.ref(o[2]) if len(o) > 2 else "", "y": f"v{node.id}"}
        if not OPS[node.op].elementwise:
            m.update(static_mapping([self.nodes[j].shape for j in o], node.shape, node.kw))
        elif node.op == "pow" and self.nodes[o[1]].op == "const" and self.nodes[o[1]].shape == ():
            c = float(self.nodes[o[1]].value)
            m["const_b"], m["int_b"] = c, c.is_integer()
        return m

    def args(self, node) -> tuple:
        """A node's operand refs (a, b, c; "" where it has fewer) and its variable (y), the
        arguments of its forms."""
        refs = self._refs or self._make_refs()
        o = node.operands
        return (refs[o[0]] if o else "", refs[o[1]] if len(o) > 1 else "", refs[o[2]] if len(o) > 2 else "",
                refs[node.id])

    def _make_refs(self) -> list:
        refs = self._refs = [self.ref(j) for j in range(len(self.nodes))]
        self._plain = [n.op != "const" or plain(refs[n.id]) for n in self.nodes]
        return refs

    def primal_expr(self, node) -> str:
        scalar = self.plan.scalar_code(node)
        forms = fast_forms(node.op, scalar)
        if forms is not None:
            return self._filled(forms[0], node)
        return self.noted(OPS[node.op].code.primal_text(self.mapping(node), scalar=scalar))

    def _partial(self, node, k) -> str:
        scalar = self.plan.scalar_code(node)
        forms = fast_forms(node.op, scalar)
        if forms is not None:
            return self._filled(forms[1][k], node)
        return self.noted(OPS[node.op].code.partial_text(k, self.mapping(node), scalar=scalar))

    def _filled(self, form: Form, node) -> str:
        if form.calls:
            self.found |= form.calls
        return form.text.format(*self.args(node))

    def factor(self, form: Form, args: tuple, plain_args: bool) -> str:
        """A scalar node's partial (its form filled with `args`) as a factor of a product:
        "1.0" and "-1.0" as they are (the callers drop or negate them), else as `paren` writes it."""
        text = form.text
        if text == "1.0" or text == "-1.0":
            return text
        if form.calls:
            self.found |= form.calls
        p = text.format(*args)
        if not plain_args:
            return paren(p)
        return p if form.atom else f"({p})"

    def scalar_forms(self, n):
        """(partial forms, args, whether the operands are plain) of a scalar node whose op has
        fast forms; None for the others (arrays broadcast; some ops fill their own templates)."""
        forms = fast_forms(n.op, True) if n.scalar else None
        if forms is None:
            return None
        args = self.args(n)      # (which also makes self._plain)
        return forms[1], args, all(map(self._plain.__getitem__, n.operands))

    def noted(self, text: str) -> str:
        """text, its calls noted (the helpers the module must define)."""
        if "(" in text:
            self.found |= names_called(text)
        return text

    def scaffold(self, node, text: str) -> Line:
        """A line that is not a node's code (a parameter, a seed, a return …), its calls noted."""
        return Line(node, self.noted(text))

    def tangent_term(self, node, k, j, t) -> str:
        """Operand k's term of y_dot (operand node j, its tangent t)."""
        code = OPS[node.op].code
        if not code.elementwise:
            return self.noted(fill(code.jvp[k], self.mapping(node, t=t)))
        nd_j = len(self.nodes[j].shape)
        if nd_j < len(node.shape):
            t = f"_lift({t}, {nd_j}, {len(node.shape)})"
            self.found.add("_lift")
        p = self._partial(node, k)
        return t if p == "1.0" else f"-{paren(t)}" if p == "-1.0" else f"{paren(p)} * {paren(t)}"

    def adjoint_term(self, node, k, j, g) -> str:
        """Operand k's term of its adjoint (operand node j), from the node's adjoint g (made once
        per node and operand: vjp and gradient write the same adjoint sweep)."""
        key = (node.id, k, g)
        term = self._adjoint_terms.get(key)
        if term is None:
            term = self._adjoint_terms[key] = self._adjoint_term(node, k, j, g)
        return term

    def _adjoint_term(self, node, k, j, g) -> str:
        code = OPS[node.op].code
        if not code.elementwise:
            return self.noted(fill(code.vjp[k], self.mapping(node, g=g)))
        p = self._partial(node, k)
        t = g if p == "1.0" else f"-{g}" if p == "-1.0" else f"{g} * {paren(p)}"
        shape_j = self.nodes[j].shape
        if shape_j != node.shape:
            t = f"_unbroadcast({t}, {tuple(shape_j)!r}, {len(node.shape)})"
            self.found.add("_unbroadcast")
        return t

    # ------------------------------------------------------------ function bodies

    def input_line(self, i: int, source: str) -> Line:
        """v_i from the caller's value: a parameter, or `inputs[...]` in the dict-based functions."""
        n = self.nodes[i]
        name = n.names[0]
        default = None if n.value is None else (literal(n.value) if n.shape == () else f"D{i}")
        if source == "param" and not self.kwargs:
            v = name
        else:
            d = "inputs"
            v = f"{d}[{name!r}]" if default is None else f"{d}.get({name!r}, {default})"
        conv = f"float({v})" if n.shape == () else f"np.asarray({v}, dtype=float)"
        return self.scaffold(i, f"    v{i} = {conv}  # input {comment_text(name)}")

    def primal_line(self, n) -> Line:
        """vN = … for an op node (made once: several functions repeat the evaluation trace)."""
        line = self._primal_lines.get(n.id)
        if line is None:
            line = self._primal_lines[n.id] = _new(Line, (n.id, f"    v{n.id} = {self.primal_expr(n)}  # {self._comment(n)}"))
        return line

    def _comment(self, n) -> str:
        c = self._comments.get(n.id)
        if c is None:
            name = f" ({self.noted(comment_text('/'.join(n.names)))})" if n.names else ""
            c = self._comments[n.id] = f"v{n.id}{name}"
        return c

    def evaluation(self, source: str) -> list[Line]:
        """The evaluation trace (Wengert list): the inputs, then one line per op node."""
        lines = [self.input_line(i, source) for i in self.g.inputs if self.plan.needed[i]]
        if self._trace is None:
            self._trace = [self.primal_line(n) for n in self.plan.ops()]
        return lines + self._trace

    def tangent_lines(self, n) -> list[Line]:
        active = self.plan.active
        fast = self.scalar_forms(n)
        if fast is not None:   # the common case, in a few string operations a term
            forms, args, plain_args = fast
            terms = []
            for k, j in enumerate(n.operands):
                if active[j]:
                    p = self.factor(forms[k], args, plain_args)
                    terms.append(f"v{j}_dot" if p == "1.0" else f"-v{j}_dot" if p == "-1.0" else f"{p} * v{j}_dot")
        else:
            terms = [self.tangent_term(n, k, j, f"v{j}_dot") for k, j in enumerate(n.operands) if active[j]]
        if not terms:
            return []
        expr = terms[0]
        for t in terms[1:]:
            expr += f" - {t[1:]}" if t.startswith("-") and paren(t[1:]) == t[1:] else f" + {t}"
        if OPS[n.op].elementwise and n.shape and any(
                self.nodes[j].shape != n.shape for j in n.operands if self.plan.active[j]):
            expr = f"_fit({expr}, {tuple(n.shape)!r})"
            self.found.add("_fit")
        return [_new(Line, (n.id, f"    v{n.id}_dot = {expr}  # {self._comment(n)}"))]

    def forward_body(self, source: str, seed) -> list[Line]:
        """Primal and tangent lines interleaved in topological order (the classical chain rule)."""
        lines = []
        needed, active = self.plan.needed, self.plan.active
        for n in self.nodes:
            if not needed[n.id] or n.op == "const":
                continue
            if n.op == "input":
                lines.append(self.input_line(n.id, source))
                if active[n.id]:
                    lines.append(self.scaffold(n.id, f"    v{n.id}_dot = {seed(n)}  # v{n.id} seed"))
                continue
            lines.append(self.primal_line(n))
            if active[n.id]:
                lines += self.tangent_lines(n)
        return lines

    def reverse_body(self, source: str, seeds: dict) -> tuple[list[Line], set]:
        """The evaluation trace, then the adjoint sweep in reverse topological order.

        `seeds` maps an output node to the expression of its adjoint seed. Returns the lines and
        the set of nodes whose adjoint variable exists at the end.
        """
        lines = self.evaluation(source)
        for i, expr in seeds.items():
            lines.append(self.scaffold(i, f"    v{i}_bar = {expr}  # v{i} seed"))
        key = tuple(seeds)
        if key not in self._sweeps:       # vjp and gradient seed the same nodes: one sweep's lines
            self._sweeps[key] = self._adjoint_sweep(set(seeds))
        sweep, have = self._sweeps[key]
        return lines + sweep, set(have)

    def _adjoint_sweep(self, have: set) -> tuple[list[Line], set]:
        lines = []
        append = lines.append
        needed, active = self.plan.needed, self.plan.active
        for n in reversed(self.nodes):
            i = n.id
            if n.is_leaf or not needed[i] or not active[i] or i not in have:
                continue
            g, comment = f"v{i}_bar", self._comment(n)
            fast = self.scalar_forms(n)
            for k, j in enumerate(n.operands):
                if not active[j]:
                    continue
                if fast is not None:   # the common case: the term in a few string operations
                    p = self.factor(fast[0][k], fast[1], fast[2])
                    term = g if p == "1.0" else f"-{g}" if p == "-1.0" else f"{g} * {p}"
                else:
                    term = self.adjoint_term(n, k, j, g)
                if j in have:
                    append(_new(Line, (i, f"    v{j}_bar = v{j}_bar + {term}  # {comment}")))
                else:
                    append(_new(Line, (i, f"    v{j}_bar = {term}  # {comment}")))
                    have.add(j)
        return lines, have

    # ------------------------------------------------------------ functions

    def _signature(self, fn: str) -> str:
        if self.kwargs:
            return f"def {fn}(**inputs):"
        params = []
        for i in self.g.inputs:
            n = self.nodes[i]
            default = "" if n.value is None else "=" + (literal(n.value) if n.shape == () else f"D{i}")
            params.append(n.names[0] + default)
        return f"def {fn}(*, {', '.join(params)}):" if params else f"def {fn}():"

    def _out_ref(self, i: int, suffix: str, zero: str) -> str:
        n = self.nodes[i]
        if n.op == "const":
            return self.ref(i) if suffix == "" else zero
        if suffix and not self.plan.active[i]:
            return zero
        return f"v{i}{suffix}"

    def fn_evaluate(self) -> list[Line]:
        body = self.evaluation("param")
        outs = ", ".join(f"{name!r}: {self._out_ref(i, '', '')}" for name, i in self.outputs())
        return self._function(self._signature("evaluate"), "The outputs' values: {output: value}.",
                              body, f"return {{{outs}}}")

    def outputs(self):
        return self.plan.outputs

    def fn_jvp(self) -> list[Line]:
        body = [self.scaffold(None, "    _b = _batch(tangents, INPUTS)")]
        body += self.forward_body("dict", lambda n: f"_get(tangents, {n.names[0]!r}, {tuple(n.shape)!r}, _b)")
        outs = ", ".join(f"{name!r}: " + self._out_ref(i, "_dot", f"np.zeros(_b + {tuple(self.nodes[i].shape)!r})[()]")
                         for name, i in self.outputs())
        return self._function("def jvp(inputs, tangents):",
                              "Forward mode: {output: tangent} for {input: direction} (absent: 0); "
                              "directions may carry leading batch axes.", body, f"return {{{outs}}}")

    def fn_vjp(self) -> list[Line]:
        seeds = {}
        for name, i in self.outputs():
            if self.nodes[i].op == "const" or not self.plan.active[i]:
                continue
            e = f"_get(adjoints, {name!r}, {tuple(self.nodes[i].shape)!r}, _b)"
            seeds[i] = f"{seeds[i]} + {e}" if i in seeds else e
        lines, have = self.reverse_body("dict", seeds)
        body = [self.scaffold(None, "    _b = _batch(adjoints, OUTPUTS)")] + lines
        outs = ", ".join(f"{self.g.input_name(i)!r}: " + (f"v{i}_bar" if i in have else
                                                          f"np.zeros(_b + {tuple(self.nodes[i].shape)!r})[()]")
                         for i in self.plan.wrt)
        return self._function("def vjp(inputs, adjoints):",
                              "Reverse mode: {input: adjoint} for {output: adjoint seed} (absent: 0); "
                              "seeds may carry leading batch axes.", body, f"return {{{outs}}}")

    def fn_gradient_reverse(self) -> list[Line]:
        name, o = self.plan.output
        lines, have = self.reverse_body("param", {o: "1.0"} if self.plan.active[o] else {})
        outs = ", ".join(f"{self.g.input_name(i)!r}: " + (f"v{i}_bar" if i in have else self._zero(i))
                         for i in self.plan.wrt)
        return self._function(self._signature("gradient"),
                              f"({name}, {{input: ∂{name}/∂input}}) by one adjoint sweep (reverse mode).",
                              lines, f"return {self._out_ref(o, '', '')}, {{{outs}}}")

    def _zero(self, i: int) -> str:
        s = self.nodes[i].shape
        return "0.0" if s == () else f"np.zeros({tuple(s)!r})"

    def fn_gradient_forward(self) -> list[Line]:
        """One batched tangent sweep: a leading axis with one unit direction per input entry."""
        name, o = self.plan.output
        offsets, n = {}, 0
        for i in self.plan.wrt:
            offsets[i] = n
            n += size(self.nodes[i].shape)
        self.seed_blocks = {i: (offsets[i], n) for i in self.plan.wrt}
        body = self.forward_body("param", lambda nd: f"S{nd.id}")
        outs = []
        for i in self.plan.wrt:
            s, k = self.nodes[i].shape, size(self.nodes[i].shape)
            if not self.plan.active[o]:
                outs.append(f"{self.g.input_name(i)!r}: {self._zero(i)}")
            elif s == ():
                outs.append(f"{self.g.input_name(i)!r}: float(v{o}_dot[{offsets[i]}])")
            else:
                outs.append(f"{self.g.input_name(i)!r}: np.reshape(v{o}_dot[{offsets[i]}:{offsets[i] + k}], {tuple(s)!r})")
        return self._function(self._signature("gradient"),
                              f"({name}, {{input: ∂{name}/∂input}}) by one batched tangent sweep "
                              f"({n} directions, forward mode).",
                              body, f"return {self._out_ref(o, '', '')}, {{{', '.join(outs)}}}")

    def fn_jacobian(self, how: str) -> list[Line]:
        call = "inputs" if self.kwargs else "{" + ", ".join(f"{nm!r}: {nm}" for nm in self.g.input_names()) + "}"
        rows = sum(size(self.nodes[i].shape) for _, i in self.outputs())
        cols = sum(size(self.nodes[i].shape) for i in self.plan.wrt)
        # columns: the differentiated inputs (all of them unless --wrt chose some)
        if list(self.plan.wrt) == list(self.g.inputs):
            wrt_shapes, wrt_names = "INPUTS", "INPUTS"
        else:
            wrt_shapes = "{" + ", ".join(f"{self.g.input_name(i)!r}: {tuple(self.nodes[i].shape)!r}"
                                         for i in self.plan.wrt) + "}"
            wrt_names = repr(tuple(self.g.input_name(i) for i in self.plan.wrt))
        # The parameters are read first, into a dict; locals start with `_` (no input name can).
        body = [self.scaffold(None, f"    _inputs = {call}")]
        if how == "forward":
            body += [self.scaffold(None, f"    _seeds, _n = _identity({wrt_shapes})"),
                     self.scaffold(None, "    _t = jvp(_inputs, _seeds)"),
                     self.scaffold(None, "    _blocks = [np.reshape(_t[_k], (_n, -1)) for _k in OUTPUTS] if _n else []")]
            ret = f"return np.concatenate(_blocks, axis=1).T if _blocks and _n else np.zeros(({rows}, {cols}))"
            doc = ("The Jacobian (rows: outputs' entries, cols: the differentiated inputs' entries), "
                   "by one tangent sweep per input entry.")
        else:
            body += [self.scaffold(None, "    _seeds, _m = _identity(OUTPUTS)"),
                     self.scaffold(None, "    _a = vjp(_inputs, _seeds)"),
                     self.scaffold(None, f"    _blocks = [np.reshape(_a[_k], (_m, -1)) for _k in {wrt_names}] if _m else []")]
            ret = f"return np.concatenate(_blocks, axis=1) if _blocks and _m else np.zeros(({rows}, {cols}))"
            doc = ("The Jacobian (rows: outputs' entries, cols: the differentiated inputs' entries), "
                   "by one adjoint sweep per output entry.")
        return self._function(self._signature("jacobian"), doc, body, ret)

    def _function(self, header: str, doc: str, body: list[Line], ret: str) -> list[Line]:
        # body lines come indented (a node's evaluation line is one object in every function)
        out = [self.scaffold(None, header), self.scaffold(None, f'    """{doc}"""')]
        out += body
        out.append(self.scaffold(None, "    " + ret))
        return out

    # ------------------------------------------------------------ the module

    def functions(self) -> list[list[Line]]:
        """evaluate, jvp (forward), vjp (reverse), gradient (a scalar output), jacobian; all of them
        differentiate w.r.t. the chosen inputs (all by default). `only` keeps some (and what they call)."""
        m = sum(size(self.nodes[i].shape) for _, i in self.outputs())
        n = sum(size(self.nodes[i].shape) for i in self.plan.wrt)
        how = self.mode if self.mode != "all" else ("reverse" if m <= n else "forward")
        want = self.only
        if want is not None and "jacobian" in want:
            want = want | {"jvp" if how == "forward" else "vjp"}
        keep = lambda name: want is None or name in want  # noqa: E731
        fns = [self.fn_evaluate()] if keep("evaluate") else []
        self.seed_blocks = {}
        if self.mode in ("forward", "all") and keep("jvp"):
            fns.append(self.fn_jvp())
        if self.mode in ("reverse", "all") and keep("vjp"):
            fns.append(self.fn_vjp())
        if self.mode != "primal" and self.plan.output is not None and keep("gradient"):
            fns.append(self.fn_gradient_forward() if self.mode == "forward" else self.fn_gradient_reverse())
        if self.mode != "primal" and keep("jacobian"):
            fns.append(self.fn_jacobian(how))
        return fns

    def lines(self) -> list[Line]:
        """The module: the header (with the helpers the functions call), then the functions.
        Most lines are shared objects (a node's evaluation line is one Line in every function)."""
        with gc_paused():
            fns = self.functions()
        out = self.header(helper_closure(self.found))
        blank = Line(None, "")
        for fn in fns:
            out += (blank, blank)
            out += fn
        return out

    def header(self, helpers: list[str]) -> list[Line]:
        """The docstring, imports, shape tables, constants and the helper functions the code calls."""
        g = self.g
        imports = ["import math", "", "import numpy as np"]
        doc = [f'"""{comment_text(self.title) or "A graph"}: generated by graphdiff (codegen --mode {self.mode}).', "",
               "Straight-line code, one statement per node or chain-rule term; `# vN` names the node.",
               "Scalar nodes run on Python floats and `math`: a domain error (log of a negative number,",
               "division by zero) raises where graphdiff's interpreted sweeps give NaN.", '"""']
        out = [Line(None, s) for s in doc] + [Line(None, s) for s in imports] + [Line(None, "")]
        shapes = lambda pairs: "{" + ", ".join(f"{k!r}: {tuple(s)!r}" for k, s in pairs) + "}"  # noqa: E731
        out.append(Line(None, "INPUTS = " + shapes((g.input_name(i), self.nodes[i].shape) for i in g.inputs)
                        + "  # input shapes, in declaration order"))
        out.append(Line(None, "OUTPUTS = " + shapes((nm, self.nodes[i].shape) for nm, i in g.outputs)))
        for n in self.nodes:
            if n.op == "const" and n.shape != () and self.plan.needed[n.id]:
                nm = f" (const {comment_text('/'.join(n.names))})" if n.names else " (const)"
                out.append(Line(n.id, f"C{n.id} = np.array({literal(n.value)})  # v{n.id}{nm}"))
            if n.op == "input" and n.shape != () and n.value is not None:
                out.append(Line(n.id, f"D{n.id} = np.array({literal(n.value)})  # v{n.id}: default of input {comment_text(n.names[0])}"))
        for i, (offset, total) in sorted(getattr(self, "seed_blocks", {}).items()):
            s, k = tuple(self.nodes[i].shape), size(self.nodes[i].shape)
            out.append(Line(i, f"S{i} = np.eye({total})[:, {offset}:{offset + k}].reshape({(total,) + s!r})"
                               f"  # v{i}: unit directions for input {comment_text(self.g.input_name(i))}"))
        for h in helpers:
            out += [Line(None, "")] + [Line(None, s) for s in helper_source(h).strip("\n").split("\n")]
        return out


def python_lines(g: Graph, *, mode: str = "all", wrt=None, output=None, title: str = "",
                 only=None) -> list[Line]:
    """The module as lines, each with the node it comes from (None for scaffolding).
    `only`: the names of the functions to write (default: all of the mode's)."""
    return PythonEmitter(g, mode=mode, wrt=wrt, output=output, title=title, only=only).lines()


def python_source(g: Graph, *, mode: str = "all", wrt=None, output=None, title: str = "", only=None) -> str:
    """The generated module's text."""
    lines = python_lines(g, mode=mode, wrt=wrt, output=output, title=title, only=only)
    return "\n".join(ln.text for ln in lines) + "\n"
