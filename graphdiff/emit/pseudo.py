"""The pseudo-code emitter: the evaluation trace and the derivative programs as in the textbook.

    forward:  v̇ᵢ = Σⱼ ∂vᵢ/∂vⱼ · v̇ⱼ          (topological order, beside vᵢ = …)
    reverse:  v̄ⱼ += v̄ᵢ · ∂vᵢ/∂vⱼ            (reverse topological order, after the trace)

Variables are the node ids (v0, v1, …, as in the TUI and `trace --json`); author names follow as
comments. Every line is a `Line(node, text)`: in reverse mode a line belongs to the node whose
step sends the term (vᵢ).
"""
from __future__ import annotations

import math
import re

from ..graph import Graph
from .plan import Line, Plan
from ..ops import OPS, fill, index_text

_PRODUCT = re.compile(r"[\w.̇̄²ᵀ⁻¹√·^\[\]]+|[\w]+\(.*\)")


def _num(x) -> str:
    return f"{float(x):g}"


def _factor(p: str) -> str:
    """p as a factor of a product: parenthesised unless it is a name, a number or a product."""
    atom = (_PRODUCT.fullmatch(p) and not p.startswith(("−", "-"))) or re.fullmatch(r"\[[^\[\]]*\]", p)
    return p if atom else f"({p})"


def _dotted(name: str) -> str:
    return name + "\u0307" if len(name) == 1 else f"{name}_dot"


class PseudoEmitter:
    def __init__(self, g: Graph, *, wrt=None, output=None):
        self.g = g
        self.plan = Plan(g, wrt=wrt, output=output)
        self.nodes = self.plan.nodes

    def ref(self, j: int) -> str:
        n = self.nodes[j]
        if n.op == "const":
            return _num(n.value) if n.shape == () else (n.names[0] if n.names else f"c{j}")
        return f"v{j}"

    def mapping(self, n, **extra) -> dict:
        o = n.operands
        m = {"a": self.ref(o[0]) if o else "", "b": self.ref(o[1]) if len(o) > 1 else "",
             "c": self.ref(o[2]) if len(o) > 2 else "", "y": f"v{n.id}"}
        kw = n.kw
        if "p" in kw:
            m["p"] = _num(kw["p"])
        if "index" in kw:
            m["ix"] = index_text(kw["index"])
        if n.op == "pow" and self.nodes[n.operands[1]].op == "const" and self.nodes[n.operands[1]].shape == ():
            m["const_b"] = float(self.nodes[n.operands[1]].value)
        if n.operands:
            m["size0"] = max(1, int(math.prod(self.nodes[n.operands[0]].shape)))
        m.update(extra)
        return m

    def constant_note(self, i: int) -> str:
        """A comment naming the node of an output that is a constant (written as its value)."""
        return "" if self.ref(i) == f"v{i}" else f"   # v{i}, a constant"

    def comment(self, n) -> str:
        return f"   # {'/'.join(n.names)}" if n.names and n.op != "input" else ""

    def primal(self, n) -> str:
        if n.op == "input":
            return f"v{n.id} = {n.names[0]}"
        return f"v{n.id} = {fill(OPS[n.op].code.pseudo, self.mapping(n))}"

    def trace(self) -> list[tuple]:
        """(node, primal text) for the evaluation trace: inputs, then the needed op nodes."""
        return [(n, self.primal(n)) for n in self.nodes
                if self.plan.needed[n.id] and n.op != "const"]

    # ------------------------------------------------------------ forward

    def tangent(self, n) -> str | None:
        if n.op == "input":
            return f"v̇{n.id} = {_dotted(n.names[0])}" if self.plan.active[n.id] else None
        if not self.plan.active[n.id]:
            return None
        terms = [self.tangent_term(n, k, f"v̇{j}") for k, j in enumerate(n.operands) if self.plan.active[j]]
        expr = terms[0]
        for t in terms[1:]:
            expr += f" − {t[1:]}" if t.startswith("−") else f" + {t}"
        return f"v̇{n.id} = {expr}"

    def tangent_term(self, n, k: int, t: str, *, times: str = "·") -> str:
        """Operand k's term of n's tangent, `t` being that operand's tangent: ∂y/∂x_k · t for an
        elementwise op (`times` joins the factors), the op's JVP form otherwise."""
        tpl = OPS[n.op].code
        if tpl.elementwise:
            p = fill(tpl.pseudo_partials[k], self.mapping(n))
            return t if p == "1" else f"−{t}" if p == "−1" else f"{_factor(p)}{times}{t}"
        return fill(tpl.jvp_pseudo[k], self.mapping(n, t=t))

    def adjoint_term(self, n, k: int, g: str, *, times: str = "·") -> str:
        """The term node n sends to its operand k, `g` being n's adjoint: g · ∂y/∂x_k for an
        elementwise op (summed over broadcast axes), the op's VJP form otherwise."""
        tpl = OPS[n.op].code
        if tpl.elementwise:
            p = fill(tpl.pseudo_partials[k], self.mapping(n))
            term = g if p == "1" else f"−{g}" if p == "−1" else f"{g}{times}{_factor(p)}"
            return f"unbroadcast({term})" if self.nodes[n.operands[k]].shape != n.shape else term
        return fill(tpl.vjp_pseudo[k], self.mapping(n, g=g))

    def forward_seed(self) -> str:
        """The seed line: ẋ = 1 for a scalar input, a unit direction eₖ for an array."""
        if not self.plan.wrt:
            return "seed: none (no input to differentiate)"
        i = self.plan.wrt[0]
        name = self.g.input_name(i)
        if self.nodes[i].shape == ():
            text = f"seed: {_dotted(name)} = 1 for ∂/∂{name}"
        else:
            text = f"seed: {_dotted(name)} = eₖ, a unit direction (one sweep per entry k of {name} gives ∂/∂{name}ₖ)"
        return text + (" (the other inputs' tangents 0)" if len(self.plan.wrt) > 1 else "")

    def forward(self) -> list[Line]:
        rows = self.trace()
        width = max((len(p) for _, p in rows), default=0) + 4
        lines = [Line(None, "forward mode (tangent sweep): v̇ᵢ = Σⱼ ∂vᵢ/∂vⱼ · v̇ⱼ, in topological order"),
                 Line(None, self.forward_seed()), Line(None, "")]
        for n, p in rows:
            t = self.tangent(n)
            text = p if t is None else p.ljust(width) + t
            lines.append(Line(n.id, text + self.comment(n)))
        lines.append(Line(None, ""))
        for name, i in self.plan.outputs:
            d = f"v̇{i}" if self.plan.active[i] else "0"
            lines.append(Line(i, f"return {name} = {self.ref(i)}, {_dotted(name)} = {d}" + self.constant_note(i)))
        return lines

    # ------------------------------------------------------------ reverse

    def reverse(self) -> list[Line]:
        plan = self.plan
        lines = [Line(None, "reverse mode (adjoint sweep): v̄ⱼ += v̄ᵢ · ∂vᵢ/∂vⱼ, in reverse topological order"),
                 Line(None, ""), Line(None, "forward pass (every vᵢ is kept for the reverse pass):")]
        lines += [Line(n.id, p + self.comment(n)) for n, p in self.trace()]
        lines += [Line(None, ""), Line(None, "reverse pass (v̄ᵢ = 0 for every node, then):")]
        seeded = [(name, i) for name, i in plan.outputs if plan.active[i] and self.nodes[i].op != "const"]
        first = plan.output or (seeded[0] if seeded else None)
        scalar_seed = first is None or self.nodes[first[1]].shape == ()
        if first is not None and scalar_seed:
            lines.append(Line(first[1], f"v̄{first[1]} = 1   # seed: ∂{first[0]}/∂{first[0]}"))
        elif first is not None:
            lines.append(Line(first[1], f"v̄{first[1]} = {first[0]}̄   # seed: a unit {first[0]}̄ = eₖ "
                                        f"gives row k of ∂{first[0]}/∂inputs"))
        have = {first[1]} if first else set()
        for n in reversed(self.nodes):
            i = n.id
            if n.is_leaf or not plan.needed[i] or not plan.active[i] or i not in have:
                continue
            step = []
            for k, j in enumerate(n.operands):
                if not plan.active[j]:
                    continue
                step.append(Line(i, f"v̄{j} += {self.adjoint_term(n, k, f'v̄{i}')}"))
                have.add(j)
            if step:
                width = max(len(s.text) for s in step) + 4
                head = step[0].text.ljust(width) + f"# {self.primal(n)}" + self.comment(n).replace("   #", ",")
                lines += [Line(i, head)] + step[1:]
        lines.append(Line(None, ""))
        if first is not None:
            for i in plan.wrt:
                d = f"v̄{i}" if i in have else "0"
                what = f"∂{first[0]}/∂{self.g.input_name(i)}"
                if not scalar_seed:
                    what = f"{first[0]}̄ᵀ {what}"
                note = "" if i in have else f"   # v{i}: {first[0]} does not depend on it"
                lines.append(Line(i, f"return {what} = {d}{note}"))
        return lines

    def primal_only(self) -> list[Line]:
        lines = [Line(None, "evaluation trace (Wengert list): one line per node, shared nodes once"), Line(None, "")]
        lines += [Line(n.id, p + self.comment(n)) for n, p in self.trace()]
        lines.append(Line(None, ""))
        lines += [Line(i, f"return {name} = {self.ref(i)}" + self.constant_note(i)) for name, i in self.plan.outputs]
        return lines


def pseudo_lines(g: Graph, *, mode: str = "all", wrt=None, output=None) -> list[Line]:
    """The pseudo-code of one mode (primal, forward, reverse, or all: forward then reverse)."""
    e = PseudoEmitter(g, wrt=wrt, output=output)
    if mode == "primal":
        return e.primal_only()
    if mode == "forward":
        return e.forward()
    if mode == "reverse":
        return e.reverse()
    if mode == "all":
        return e.forward() + [Line(None, "")] + e.reverse()
    raise ValueError(f"unknown mode '{mode}' (expected primal, forward, reverse or all)")


def pseudo_code(g: Graph, *, mode: str = "all", wrt=None, output=None) -> str:
    return "\n".join(ln.text for ln in pseudo_lines(g, mode=mode, wrt=wrt, output=output)) + "\n"
