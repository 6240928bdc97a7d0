"""Every op in the table, at random points: JVP against central finite differences, VJP against
JVP (⟨ȳ, J ẋ⟩ = ⟨Jᵀȳ, ẋ⟩), batched rules against one-at-a-time rules, declared shapes against
evaluated shapes. Adding an op to graphdiff.ops needs no new code here."""
import numpy as np
import pytest

from graphdiff.check import adjoint_identity
from graphdiff.ops import OPS

SEEDS = range(6)


def _jvp_total(op, args, attrs, x_dots):
    y = op.eval(*args, **attrs)
    return sum(np.broadcast_to(op.jvp(k, x_dots[k], args, y, attrs), np.shape(y)) for k in range(len(args)))


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("seed", SEEDS)
def test_jvp_matches_central_differences(name, seed):
    op, rng = OPS[name], np.random.default_rng(seed)
    args, attrs = op.sample(rng)
    x_dots = [rng.standard_normal(np.shape(a)) for a in args]
    h = 1e-6
    plus = op.eval(*[a + h * d for a, d in zip(args, x_dots)], **attrs)
    minus = op.eval(*[a - h * d for a, d in zip(args, x_dots)], **attrs)
    fd = (np.asarray(plus) - np.asarray(minus)) / (2 * h)
    np.testing.assert_allclose(_jvp_total(op, args, attrs, x_dots), fd, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("seed", SEEDS)
def test_adjoint_identity(name, seed):
    op, rng = OPS[name], np.random.default_rng(seed)
    args, attrs = op.sample(rng)
    assert adjoint_identity(name, args, attrs, rng) < 1e-10


@pytest.mark.parametrize("name", sorted(OPS))
def test_shape_rule_matches_evaluation(name):
    op, rng = OPS[name], np.random.default_rng(1)
    for _ in range(8):
        args, attrs = op.sample(rng)
        assert tuple(op.shape(*[np.shape(a) for a in args], **attrs)) == np.shape(op.eval(*args, **attrs))


@pytest.mark.parametrize("name", sorted(OPS))
def test_batched_rules_equal_one_seed_at_a_time(name):
    op, rng = OPS[name], np.random.default_rng(2)
    args, attrs = op.sample(rng)
    y = op.eval(*args, **attrs)
    for k, a in enumerate(args):
        x_dots = rng.standard_normal((3,) + np.shape(a))
        batched = np.broadcast_to(op.jvp(k, x_dots, args, y, attrs), (3,) + np.shape(y))
        single = [np.broadcast_to(op.jvp(k, x, args, y, attrs), np.shape(y)) for x in x_dots]
        np.testing.assert_allclose(batched, np.stack(single), rtol=1e-12, atol=1e-12)
        y_bars = rng.standard_normal((3,) + np.shape(y))
        batched = np.broadcast_to(op.vjp(k, y_bars, args, y, attrs), (3,) + np.shape(a))
        single = [np.broadcast_to(op.vjp(k, yb, args, y, attrs), np.shape(a)) for yb in y_bars]
        np.testing.assert_allclose(batched, np.stack(single), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_has_label_cost_and_doc(name):
    op = OPS[name]
    args, attrs = op.sample(np.random.default_rng(3))
    cost = op.cost([np.shape(a) for a in args], np.shape(op.eval(*args, **attrs)), attrs)
    assert op.label and all(c >= 0 for c in cost)


def test_kinks_are_reported():
    assert "not differentiable" in OPS["relu"].note((np.array([1.0, 0.0]),), None, {})
    assert "not differentiable" in OPS["abs"].note((np.float64(0.0),), None, {})
    assert "not differentiable" in OPS["sqrt"].note((np.float64(0.0),), 0.0, {})
    assert "not differentiable" in OPS["norm"].note((np.zeros(3),), 0.0, {})
    assert OPS["relu"].note((np.array([1.0, -2.0]),), None, {}) is None
