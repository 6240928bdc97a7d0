"""The fast paths of the sweeps say exactly what the general ones say: the one-call scalar note of
every op with kinks (looped over the op table, so a new op is covered without new test code),
and the step records of a reverse sweep whatever the number of consumers."""
import itertools
import math

import numpy as np
import pytest

import graphdiff as gd
from graphdiff.ops import OPS

POINTS = (0.0, -0.0, 1.0, -1.0, 0.5, -2.0, 2.0, math.inf, -math.inf, math.nan)
KINKED = sorted(name for name, op in OPS.items() if op.kinks)


def test_every_op_with_kinks_has_a_scalar_note():
    assert KINKED and all(OPS[name].scalar_note is not None for name in KINKED)


@pytest.mark.parametrize("name", KINKED)
def test_the_scalar_note_is_the_note_at_every_point(name):
    op = OPS[name]
    kw = dict(op.params)
    for args in itertools.product(POINTS, repeat=op.arity):
        with np.errstate(all="ignore"):
            y = float(op.eval(*(np.float64(a) for a in args), **kw) if kw else op.eval(*(np.float64(a) for a in args)))
        try:
            fast = op.scalar_note(*args, y)
        except (ArithmeticError, ValueError):
            continue       # the sweeps fall back to the general note then
        assert fast == op.note(args, y, kw), (name, args)


def test_reverse_steps_keep_every_term_with_one_or_many_consumers():
    g = gd.parse("input x = 0.5\nu = sin(x)\nv = u * x + u\noutput f = v * u\n")
    rev = gd.reverse(g)
    by_node = {s.node: s for s in rev.steps}
    x, u, v = (g.names[k] for k in ("x", "u", "v"))
    assert type(by_node[v].terms) is tuple and [t.dst for t in by_node[v].terms] == [g.names["f"]]
    assert type(by_node[u].terms) is tuple and len(by_node[u].terms) == 3     # v's product, v's sum, f
    assert sum(t.term for t in by_node[u].terms) == pytest.approx(by_node[u].adjoint)
    assert sum(t.term for t in by_node[x].terms) == pytest.approx(by_node[x].adjoint)
    xv = 0.5
    assert by_node[x].adjoint == pytest.approx(
        math.cos(xv) * (math.sin(xv) * xv + math.sin(xv)) + math.sin(xv) * (math.cos(xv) * xv + math.sin(xv) + math.cos(xv)))
