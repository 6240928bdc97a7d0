"""Feedback that teaches: graded hints and named mistakes, both read off the sweeps.

Hints come in three levels: (1) the rule that applies and the local partial's formula for this
op (`v̄ⱼ += v̄ᵢ · ∂vᵢ/∂vⱼ`, here `v̄ += v̄₁₀·3·v^2`), (2) the same formula with the numbers of the
quantities already known filled in, (3) the answer.

A mistake is recognised by computing the wrong quantity it would produce and comparing the
answer with it (with the session's tolerance): a shared node's adjoint without one consumer's
term, the value where the adjoint (or tangent) belongs, the transposed matrix, the opposite sign
(of the whole or of one term), the local partial without the chain factor, the derivative of
another seed, and for the questions after the sweep the DAG's count for the tree's (and back) or
the ratio upside down.
"""
from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np

from ..explain import dname, formulas, num, operand_text, sum_rule, term_expr, value_text, wengert
from ..ops import OPS, fill
from ..values import EXACT_DIGITS, count
from .answers import close, shape_words
from .questions import Context, Question, expected_text

LEVELS = 3
RULES = {
    "value": "evaluate the operation on the values of its operands",
    "tangent": "forward mode: v̇ᵢ = Σⱼ ∂vᵢ/∂vⱼ · v̇ⱼ, one term per operand j that depends on the seed",
    "adjoint": "reverse mode: v̄ⱼ = Σᵢ v̄ᵢ · ∂vᵢ/∂vⱼ, one term from each consumer i of vⱼ",
    "term": "reverse mode: each consumer i sends vⱼ the term v̄ⱼ += v̄ᵢ · ∂vᵢ/∂vⱼ",
}


class Mistake(NamedTuple):
    """A recognised mistake: `name` is stable (the session record's), `title` names it for people
    (`forgetting a consumer's term on a shared node`), `text` says what happened here."""

    name: str
    title: str
    text: str


# ------------------------------------------------------------------ formulas with numbers

_MARKS = "\u0300-\u036f₀-₉"     # combining dots and bars, subscripts: part of a name (v̄₁₀)
_POWERS = "ᵀ⁰¹²³⁴⁵⁶⁷⁸⁹⁻"         # superscripts after a name: not part of it (Xᵀ, u²)


def fill_numbers(text: str, numbers: dict) -> tuple[str, list[str]]:
    """A formula with each known quantity's name replaced by its number (scalars), and the
    `where` lines of the arrays it names (their names stay in the formula). `numbers` maps names
    as written in formulas (v, u, v̄₁₀) to values; names the formula does not use are left out."""
    def pattern(names):
        alternatives = "|".join(re.escape(k) for k in sorted(names, key=len, reverse=True))
        return re.compile(rf"(?<![\w{_MARKS}])(?:{alternatives})(?!(?![{_POWERS}])[\w{_MARKS}])")
    used = {m.group() for m in pattern(numbers).finditer(text)} if numbers else set()
    where, table = [], {}
    for name, v in numbers.items():
        if v is None or name not in used:
            continue
        if np.ndim(v) == 0:
            s = num(v)
            table[name] = f"({s})" if s.startswith("-") or "e" in s else s
        else:
            where.append(f"{name} = {value_text(v, width=72)}")
    if table:
        text = pattern(table).sub(lambda m: table[m.group()], text)
    return text, where


def where_lines(where: list[str], indent: str = "  ") -> list[str]:
    """`where X = …` and the other arrays under it."""
    return [f"{indent}{'where' if k == 0 else '     '} {w}" for k, w in enumerate(where)]


def primal_formula(ctx: Context, node: int) -> str:
    """`v / u` for v8 = div(v, u): the operation in the notation of the textbook."""
    n = ctx.g.node(node)
    return fill(OPS[n.op].code.pseudo, formulas(ctx.g).mapping(n))


def local_partial(ctx: Context, dst: int, slot: int) -> str | None:
    """∂y/∂x_k of an elementwise op as a formula (`3·v^2`, `1/u`), None for other ops (their term's
    formula is the linear map itself: `Aᵀ z̄`)."""
    n = ctx.g.node(dst)
    tpl = OPS[n.op].code
    if not tpl.elementwise:
        return None
    return fill(tpl.pseudo_partials[slot], formulas(ctx.g).mapping(n))


def _term_numbers(ctx: Context, term) -> dict:
    """The known quantities a term's formula names: the operands' and the node's values, and the
    other factor (the consumer's adjoint in reverse mode, the operand's tangent in forward mode)."""
    g, mode = ctx.g, ctx.mode
    n = g.node(term.dst)
    numbers = {operand_text(g, j): ctx.values[j] for j in n.operands if g.node(j).op != "const" or g.node(j).names}
    numbers[g.label(n.id)] = ctx.values[n.id]
    other = term.dst if mode == "reverse" else term.src
    numbers[dname(g.label(other), mode)] = ctx.derivative(other)
    return numbers


def _term_line(ctx: Context, term) -> tuple[str, list[str]]:
    """One term with its numbers: `v̄₁₀·3·v^2 = (-1)·3·0.652667^2 = -1 × 1.27792`."""
    expr = term_expr(ctx.g, term, ctx.mode)
    filled, where = fill_numbers(expr, _term_numbers(ctx, term))
    line = f"{expr} = {filled}" if filled != expr else expr
    other = ctx.derivative(term.dst if ctx.mode == "reverse" else term.src)
    if np.ndim(term.partial) == 0 and term.partial is not None and np.ndim(other) == 0 and np.ndim(term.term) == 0:
        a, b = (other, term.partial) if ctx.mode == "reverse" else (term.partial, other)
        line += f" = {num(a)} × {num(b)}"
    return line, where


# ------------------------------------------------------------------ hints

def hint(ctx: Context, q: Question, level: int, *, answered: dict | None = None) -> list[str]:
    """The lines of hint `level` (1: the rule, 2: with numbers, 3: the answer) for a question.
    `answered` holds the values of the term questions already done ({term position: value})."""
    if level >= LEVELS:
        return [f"the answer: {q.what} = {expected_text(q)}"]
    fn = _STEP_HINTS.get(q.kind) if q.is_step else _OTHER_HINTS[q.kind]
    lines = fn(ctx, q, level, answered or {})
    if level == 1 and np.ndim(q.expected) > 0:
        lines.append(f"(the answer is {shape_words(np.shape(q.expected))}: type it as "
                     f"{'[[a, b], …]' if np.ndim(q.expected) == 2 else '[a, b, …]'} or as an expression; "
                     ".T transposes, @ is the matrix product)")
    return lines


def _value_hint(ctx, q, level, answered):
    g = ctx.g
    formula = primal_formula(ctx, q.node)
    if level == 1:
        return [f"{RULES['value']}: {g.label(q.node)} = {formula}"]
    n = g.node(q.node)
    numbers = {operand_text(g, j): ctx.values[j] for j in n.operands}
    filled, where = fill_numbers(formula, numbers)
    return [f"{g.label(q.node)} = {filled}"] + where_lines(where)


def _derivative_hint(ctx, q, level, answered):
    g, s = ctx.g, ctx.step_at[q.node]
    me = ctx.symbol(q.node)
    if q.kind == "term":
        t = s.terms[q.term]
        if level == 1:
            partial = local_partial(ctx, t.dst, t.slot)
            why = f", with ∂{g.label(t.dst)}/∂{g.label(t.src)} = {partial} (the local partial of {g.node(t.dst).op})" \
                if partial else f" (the transposed linear map of {g.node(t.dst).op})"
            return [RULES["term"], f"here {wengert(g, t.dst)} sends {me} += {term_expr(g, t, ctx.mode)}{why}"]
        line, where = _term_line(ctx, t)
        return [f"{me} += {line}"] + where_lines(where)
    if level == 1:
        lines = [RULES[q.kind], f"here {sum_rule(g, s, ctx.mode)}"]
        for t in s.terms:
            j, slot = (t.dst, t.slot)
            partial = local_partial(ctx, j, slot)
            if partial is not None:
                lines.append(f"  ∂{g.label(t.dst)}/∂{g.label(t.src)} = {partial}   ({wengert(g, t.dst)})")
        return lines
    if q.kind == "adjoint" and len(s.terms) > 1 and len(answered) == len(s.terms):
        if all(np.ndim(v) == 0 for v in answered.values()):
            parts = " + ".join(num(answered[k]) for k in range(len(s.terms)))
            return [f"{me} = the sum of the terms you found: {parts}".replace("+ -", "− ")]
        return [f"{me} = the sum of the terms you found:"] + \
            [f"  {'+' if k else ' '} {value_text(answered[k], width=72)}   (from {g.label(t.dst)})"
             for k, t in enumerate(s.terms)]
    if len(s.terms) == 1:
        line, where = _term_line(ctx, s.terms[0])
        return [f"{me} = {line}"] + where_lines(where)
    lines = []
    for t in s.terms:
        line, where = _term_line(ctx, t)
        lines.append(f"  {'+' if lines else ' '} {line}")
        lines += where_lines(where, "      ")
    return [f"{me} ="] + lines


def _count_hint(ctx, q, level, answered):
    g = ctx.g
    if level == 1:
        return ["count the nodes that apply an operation (not inputs, not constants); in the expression tree "
                "(no sharing) a node appears once for every path from it to the outputs"]
    ops = [n for n in g.node_list() if not n.is_leaf]
    if q.kind == "ops_dag":
        return [f"the operations: {_listed([g.label(n.id) for n in ops])}"]
    copies = g.tree_copies()
    shared = [f"{g.label(n.id)} × {count(copies[n.id])}" for n in ops if copies[n.id] > 1]
    return [f"the DAG has {len(ops)} operation node{'s' * (len(ops) != 1)}; shared nodes and their copies in "
            f"the tree: {_listed(shared) if shared else 'none (nothing is shared)'}"]


def _listed(items: list[str], most: int = 12) -> str:
    """`a, b, c`, or the first `most` and an ellipsis."""
    return ", ".join(items) if len(items) <= most else ", ".join(items[:most]) + ", …"


def _cost_hint(ctx, q, level, answered):
    r = ctx.cost_report
    if level == 1:
        return ["forward mode needs one tangent sweep per input entry (n), reverse mode one adjoint sweep per "
                "output entry (m); the full Jacobian costs primal + n × tangent sweep, or primal + m × adjoint sweep"]
    return [f"forward: {r.primal} + {r.n_inputs} × {r.tangent_sweep} = {r.jacobian_forward} flops; "
            f"reverse: {r.primal} + {r.n_outputs} × {r.adjoint_sweep} = {r.jacobian_reverse} flops"]


def _final_hint(ctx, q, level, answered):
    if level == 1:
        return ["at the end of a reverse sweep seeded at an output f, the adjoint x̄ of an input is ∂f/∂x; at the "
                "end of a forward sweep seeded at an input x, the tangent ḟ of an output is ∂f/∂x"]
    s = ctx.step_at[q.node]
    number = ctx.number_of.get(s.index, 0)
    return [f"it is {ctx.symbol(q.node)} (typed {ctx.typed(q.node)}), found at step {number}"]


_STEP_HINTS = {"value": _value_hint, "tangent": _derivative_hint, "adjoint": _derivative_hint,
               "term": _derivative_hint}
_OTHER_HINTS = {"derivative": _final_hint, "ops_dag": _count_hint, "ops_tree": _count_hint,
                "cheaper": _cost_hint, "factor": _cost_hint}


# ------------------------------------------------------------------ mistakes

def diagnose(ctx: Context, q: Question, answer) -> list[Mistake]:
    """The named mistakes an answer matches (usually none or one)."""
    if q.words:
        return []
    found = []
    for mistake, wrong in candidates(ctx, q):
        if wrong is None or close(wrong, q.expected, ctx.tol):
            continue   # this mistake would give the right answer here: it cannot be told apart
        if close(answer, wrong, ctx.tol) and mistake.name not in {m.name for m in found}:
            found.append(mistake)
    return found


def candidates(ctx: Context, q: Question):
    """(Mistake, the value it would produce) pairs for a question."""
    e = q.expected
    if q.kind in ("ops_dag", "ops_tree"):
        st = ctx.g.stats()
        if q.kind == "ops_tree":
            yield Mistake("dag_for_tree", "the DAG's count for the tree's", "in the tree every shared node is "
                          "repeated once per path to the outputs"), st["ops"]
        elif st["tree_ops"] < 10 ** EXACT_DIGITS:
            yield Mistake("tree_for_dag", "the tree's count for the DAG's", "in the DAG a shared node is one "
                          "node"), st["tree_ops"]
        yield Mistake("counted_leaves", "inputs and constants counted", "they are not operations"), st["nodes"]
        return
    if q.kind == "factor":
        yield Mistake("ratio_inverted", "the ratio upside down", "divide the larger count by the smaller"), 1 / e
        return
    yield Mistake("sign", "a sign slip", "the answer has the opposite sign"), -np.asarray(e)
    if np.ndim(e) == 2:
        yield Mistake("transposed", "a transposed matrix", "the entries are right, rows and columns "
                      "swapped"), np.asarray(e).T
    if q.node is None or q.kind == "value":
        return
    yield from _wrong_seed(ctx, q)
    if q.kind == "derivative":
        return
    g, mode = ctx.g, ctx.mode
    s = ctx.step_at[q.node]
    what = "tangent" if mode == "forward" else "adjoint"
    title = f"the value instead of the {what}"
    if q.kind in ("tangent", "adjoint"):
        yield Mistake("value_for_derivative", title, f"that is the value of {g.label(q.node)}"), s.value
    terms = [s.terms[q.term]] if q.kind == "term" else list(s.terms)
    swapped = [_with_values(ctx, t) for t in terms]
    if all(v is not None for v in swapped):
        whose = "a consumer's value v" if mode == "reverse" else "an operand's value v"
        symbol = "v̄ᵢ" if mode == "reverse" else "v̇ⱼ"
        yield Mistake("value_for_derivative", title, f"{whose} where its {what} {symbol} belongs"), _sum(swapped)
    if len(terms) == 1:
        t = terms[0]
        other = ctx.derivative(t.dst if mode == "reverse" else t.src)
        who = f"{g.label(t.dst)}'s adjoint" if mode == "reverse" else f"{g.label(t.src)}'s tangent"
        yield Mistake("chain_factor_only", "the local partial left out",
                      f"that is {who} alone: multiply it by ∂{g.label(t.dst)}/∂{g.label(t.src)}"), other
        if np.ndim(t.partial) == 0 and t.partial is not None:
            yield Mistake("partial_only", f"the {what} left out", f"that is the local partial "
                          f"∂{g.label(t.dst)}/∂{g.label(t.src)} alone: multiply it by {who}"), t.partial
    if len(terms) > 1:
        for k, t in enumerate(terms):
            rest = terms[:k] + terms[k + 1:]
            if mode == "reverse":
                m = Mistake("forgot_term", "forgetting a consumer's term on a shared node",
                            f"the term from {wengert(g, t.dst)} is missing: {g.label(q.node)} collects one "
                            f"term from each of its {len(terms)} consumers")
            else:
                m = Mistake("forgot_term", "forgetting an operand's term",
                            f"the term through {g.label(t.src)} is missing: the tangent sums one term per "
                            "operand that depends on the seed")
            yield m, _sum([r.term for r in rest])
        for k, t in enumerate(terms):
            flipped = [r.term if r is not t else -np.asarray(r.term) for r in terms]
            yield Mistake("sign", "a sign slip", f"the term from "
                          f"{g.label(t.dst if mode == 'reverse' else t.src)} has the wrong sign"), _sum(flipped)


def _sum(values):
    total = values[0]
    for v in values[1:]:
        total = total + v
    return total


def _with_values(ctx: Context, term):
    """The term as it would be with the other factor's value in place of its derivative."""
    g, mode = ctx.g, ctx.mode
    n = g.node(term.dst)
    spec = OPS[n.op]
    args = tuple(ctx.values[j] for j in n.operands)
    y = ctx.values[n.id]
    try:
        with np.errstate(all="ignore"):
            if mode == "reverse":
                return spec.vjp(term.slot, ctx.values[term.dst], args, y, n.kw)
            t = spec.jvp(term.slot, ctx.values[term.src], args, y, n.kw)
            return np.broadcast_to(t, n.shape) if np.shape(t) != n.shape else t
    except (ArithmeticError, ValueError):
        return None


def _wrong_seed(ctx: Context, q: Question):
    """The same quantity from another seed: the tangent of the wrong input entry, the adjoint of the
    wrong output entry."""
    if ctx.mode == "primal" or q.kind == "term":
        return
    what = "tangent" if ctx.mode == "forward" else "adjoint"
    for label, derivs in ctx.alternatives:
        v = derivs.get(q.node)
        if v is not None:
            yield Mistake("wrong_seed", f"the {what} of the wrong seed",
                          f"that is the {what} for the seed {label}, not {ctx.seed_label}"), v


def mistake_text(mistakes: list[Mistake]) -> str:
    """`a sign slip (the answer has the opposite sign)`, several joined by `; `."""
    return "; ".join(f"{m.title} ({m.text})" for m in mistakes)


