"""Every op of the table is reachable from every surface: the language, the Python API, both
emitters, the cost model, the renderer's labels and the generated reference. Adding an op to
graphdiff/ops needs no new code here (or anywhere but its stanza)."""
import operator
import pathlib

import numpy as np
import pytest

import graphdiff as gd
from graphdiff import reference
from graphdiff.cost import cost
from graphdiff.emit import pseudo_code, python_source
from graphdiff.ops import OPS, index_key, index_text
from graphdiff.lang.parser import BINARY, FUNCTIONS
from graphdiff.render.build import op_symbol, to_dot

ROOT = pathlib.Path(__file__).resolve().parent.parent

# The operators of the language and of Python's Ref handles, as expressions of the operands.
PREFIX = {"-": lambda a: -a}
INFIX = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
         "@": operator.matmul, "^": operator.pow, "**": operator.pow, "<": operator.lt, "<=": operator.le,
         ">": operator.gt, ">=": operator.ge, "==": lambda a, b: a.eq(b), "!=": lambda a, b: a.ne(b)}
NAMES = "abc"   # the inputs holding an op's operands


def _literal(v) -> str:
    return repr(np.asarray(v).tolist())


def _source(op, args, attrs) -> list[str]:
    """Every spelling of the op in the language, applied to inputs a, b, c."""
    names = NAMES[:op.arity]
    params = [repr(float(attrs[p])) for p, _ in op.syntax.params if p in attrs]
    forms = []
    if op.syntax.function:
        forms.append(f"{op.syntax.function}({', '.join(list(names) + params)})")
    for o in op.syntax.operators:
        if o.startswith("["):
            forms.append(f"a[{index_text(attrs['index'])}]")
        elif o == ".T":
            forms.append("a.T")
        elif op.arity == 1:
            forms.append(f"{o}a")
        else:
            forms.append(f"a {o} b")
    return forms


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_is_written_in_the_language(name):
    op = OPS[name]
    args, attrs = op.sample(np.random.default_rng(0))
    forms = _source(op, args, attrs)
    assert forms, f"{name} has no spelling in the language (give it a function name or an operator)"
    for form in forms:
        text = "".join(f"input {n} = {_literal(v)}\n" for n, v in zip(NAMES, args)) + f"output f = {form}\n"
        g = gd.parse(text)
        node = g.node(g.outputs[0][1])
        assert node.op == name and dict(node.attrs) == {k: v for k, v in attrs.items()
                                                        if dict(op.syntax.params).get(k) != v}, form
        np.testing.assert_allclose(g.eval()["f"], op.eval(*args, **attrs), rtol=1e-12)


def test_the_parser_tables_come_from_the_op_table():
    assert {fn: spec[0] for fn, spec in FUNCTIONS.items()} == \
        {op.syntax.function: name for name, op in OPS.items() if op.syntax.function}
    for symbol, (_, name) in BINARY.items():
        assert symbol in OPS[name].syntax.operators


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_is_in_the_python_api(name):
    op = OPS[name]
    args, attrs = op.sample(np.random.default_rng(1))
    g = gd.Graph()
    refs = [g.input(n, v) for n, v in zip(NAMES, args)]
    built = []
    if op.syntax.function:
        fn = getattr(gd, op.syntax.function)
        built.append(fn(*refs, **{k: v for k, v in attrs.items() if k in dict(op.syntax.params)}))
    for o in op.syntax.operators:
        if o in INFIX and op.arity == 2:
            built.append(INFIX[o](*refs))
        elif o in PREFIX and op.arity == 1:
            built.append(PREFIX[o](refs[0]))
        elif o == ".T":
            built.append(refs[0].T)
        elif o.startswith("["):
            built.append(refs[0][index_key(attrs["index"])])
    assert built, f"{name} cannot be built from Python"
    for ref in built:
        assert ref.node.op == name
        np.testing.assert_allclose(gd.primal(g).values[ref.id], op.eval(*args, **attrs), rtol=1e-12)


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_reaches_the_emitters_the_cost_model_and_the_pictures(name):
    op = OPS[name]
    args, attrs = op.sample(np.random.default_rng(2))
    g = gd.Graph()
    refs = [g.input(n, v) for n, v in zip(NAMES, args)]
    y = gd.Ref(g, g.apply(name, [r.id for r in refs], tuple(attrs.items())))
    g.output("f", gd.sum(y * y))
    node = y.node
    src = python_source(g)
    assert f"v{node.id} = " in src and "TODO" not in src
    compile(src, "<generated>", "exec")
    pseudo = pseudo_code(g, mode="all")
    assert f"v{node.id} = " in pseudo and f"v̇{node.id} = " in pseudo and f"v̄{node.id}" in pseudo
    report = cost(g)
    assert report.primal > 0 or name in ("transpose", "index")
    assert op_symbol(node)
    dot = to_dot(g, gd.reverse(g), 1).source
    assert f"n{node.id} [" in dot


def test_the_reference_is_generated_from_the_table():
    """docs/operations.md is what `make docs` writes today (regenerate it after changing an op)."""
    committed = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    assert committed == reference.markdown(), "docs/operations.md is stale: run `make docs`"
    for name in OPS:
        assert f"| `{name}` |" in committed
