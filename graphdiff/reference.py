"""The language's operation reference, generated from the op table (docs/operations.md).

    python -m graphdiff.reference > docs/operations.md     (what `make docs` runs)

Every op's spelling, meaning, shape rule and derivative come from its stanza, so the reference
cannot drift from the code; a test compares the committed file with this output.
"""
from __future__ import annotations

import numpy as np

from .lang.lexer import UNICODE
from .lang.parser import PREFIX
from .ops import OPERANDS, OPS, fill, static_mapping

DOTS, BARS = ("ȧ", "ḃ", "ċ"), ("ā", "b̄", "c̄")   # the operands' tangents and adjoints

HEADER = """# Operations

Generated from graphdiff's op table by `make docs` (`python -m graphdiff.reference`): every
operation of the graph language, how it is written (in ASCII and in the Unicode spelling, see
[the language reference](language.md)), what it means, and its derivative in the notation of the
debugger and of `codegen --lang pseudo`.

Notation: `a`, `b`, `c` are the operands and `y` the result; `ȧ`, `ḃ` the operands' tangents (forward
mode) and `ȳ` the result's adjoint (reverse mode). An elementwise op's derivative is its partial
derivative `∂y/∂a` entry by entry (operands broadcast as in NumPy); for the others, forward mode
adds the term shown to `ẏ` and reverse mode adds the term shown to the operand's adjoint.
"""


def spelling(op) -> str:
    """How the language writes an op: its call and its operator forms."""
    forms = []
    args = ", ".join(OPERANDS[:op.arity])
    if op.syntax.function:
        forms.append(f"`{op.syntax.function}({args})`")
        for name, default in op.syntax.params:
            forms.append(f"`{op.syntax.function}({args}, {name})` ({name} = {default:g} when left out)")
    operators = list(op.syntax.operators)
    operators += [u for o in op.syntax.operators for u, ascii_ in UNICODE.items() if ascii_ == o]   # − · × ⊙ ᵀ
    operators += [p for p, name in PREFIX.items() if name == op.name and p not in operators]         # √
    for o in operators:
        if o.startswith("["):
            forms.append(f"`a{o}`")
        elif o in (".T", "ᵀ"):
            forms.append(f"`a{o}`")
        elif op.arity == 1:
            forms.append(f"`{o}a`")
        else:
            forms.append(f"`a {o} b`")
    if op.name == "pow":
        forms.append("`a²`, `a⁻¹`, `aⁿ` (superscripts)")
    return ", ".join(forms)


def _mapping(op, **names) -> dict:
    args, attrs = op.sample(np.random.default_rng(0))
    m = static_mapping([np.shape(a) for a in args], (), attrs)
    m.update(a="a", b="b", c="c", y="y", size0="n", n0="n", **names)   # symbols, not the sample's numbers
    if "ix" in m:
        m["ix"] = "i, j"[:3 * m["nix"] - 2]
    if "p" in m:
        m["p"] = "p"
    return m


def derivative(op) -> tuple[str, str]:
    """(forward, reverse) rules of an op in the textbook's notation."""
    code = op.code
    if code.elementwise:
        m = _mapping(op)
        parts = [f"∂y/∂{OPERANDS[k]} = {fill(p, m)}" for k, p in enumerate(code.pseudo_partials)]
        return "; ".join(parts), ", ".join(f"{BARS[k]} += ȳ·∂y/∂{OPERANDS[k]}" for k in range(op.arity))
    fwd = "; ".join(fill(p, _mapping(op, t=DOTS[k])) for k, p in enumerate(code.jvp_pseudo))
    rev = "; ".join(f"{BARS[k]} += {fill(p, _mapping(op, g='ȳ'))}" for k, p in enumerate(code.vjp_pseudo))
    return "ẏ += " + fwd.replace("; ", " + "), rev


def markdown() -> str:
    """The reference page."""
    rows = ["| operation | written | meaning | forward mode | reverse mode |",
            "|---|---|---|---|---|"]
    for name in sorted(OPS, key=lambda n: (not OPS[n].elementwise, n)):
        op = OPS[name]
        fwd, rev = derivative(op)
        cells = [f"`{name}`", spelling(op), op.doc, fwd, rev]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return HEADER + "\n" + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
