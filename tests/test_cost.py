"""The cost model (graphdiff.cost and `graphdiff cost`): counts derived by hand from the op table's
documented model, the forward/reverse verdict, reverse-mode memory, tree vs DAG, Jacobian chains.

The model (graphdiff/ops.py, `Cost`): elementwise ops cost 1 flop per output entry to evaluate and
2·arity per entry for a JVP or VJP over all operands; a sweep pays only for the operands that carry
a derivative (a constant operand's share is dropped). A matrix product (a×b)(b×c) costs 2abc to
evaluate and 4abc for the JVP/VJP over both operands (2abc each); dot of two n-vectors 2n / 4n;
indexing is free. Chains: dense Jacobian products, (a×b)(b×c) = 2abc.
"""
import json
import random

import numpy as np
import pytest

import graphdiff as gd
from graphdiff.cost import SWEEP_KEYS, _matrix_chain, accumulation_text, chain, cost, primal_flops
from graphdiff.source import GraphError
from conftest import GRAPHS, run


# ------------------------------------------------------------------ seed 000, Section 2

def tanh_network(N: int, H: int) -> gd.Graph:
    """y = σ(Σᵢ wᵢ vᵢ(Σⱼ wᵢⱼ xⱼ)) with σ = vᵢ = tanh (seed 000, equation (1)); x is data."""
    rng = np.random.default_rng(N * 100 + H)
    g = gd.Graph()
    x = g.const("x", rng.normal(size=N))
    w = g.input("w", rng.normal(size=H))
    W = g.input("W", rng.normal(size=(H, N)))
    g.output("y", gd.tanh(gd.dot(w, gd.tanh(W @ x))))
    return g


@pytest.mark.parametrize("N,H", [(3, 2), (5, 4), (10, 7), (1, 1)])
def test_one_layer_network_counts_by_hand(N, H):
    r = cost(tanh_network(N, H))
    # primal: W@x (H×N)(N) = 2HN, tanh H, dot 2H, tanh 1
    assert r.primal == 2 * H * N + H + 2 * H + 1
    # one sweep: W@x, only W carries a derivative: half of 4HN; tanh 2H; dot, both active, 4H; tanh 2
    sweep = 2 * H * N + 2 * H + 4 * H + 2
    assert r.tangent_sweep == r.adjoint_sweep == sweep
    # n = the N·H + H parameters (x is data), m = 1
    assert (r.n_inputs, r.n_outputs) == (N * H + H, 1)
    assert r.jacobian_forward == r.primal + (N * H + H) * sweep
    assert r.jacobian_reverse == r.primal + sweep
    assert r.verdict().startswith("reverse mode is ")
    assert r.verdict().endswith(f"cheaper here because 1 output entry {'≪' if N * H + H >= 10 else '<'} "
                                f"{N * H + H} input entr{'y' if N * H + H == 1 else 'ies'}.")
    # the adjoint sweep reads v = tanh(Wx) (tanh's own partial 1 − v² and dot's partial for w),
    # w (dot's partial for v) and y (the outer tanh's partial): 2H + 1 entries in 3 nodes; x is a
    # constant, not a stored value
    assert (r.stored_values, r.stored_nodes) == (2 * H + 1, 3)


def test_one_layer_network_file_matches_the_formulas():
    r = cost(gd.load(GRAPHS / "sheet0" / "tanh_network.gd"))   # N = 3, H = 2
    assert (r.primal, r.tangent_sweep, r.adjoint_sweep) == (19, 26, 26)
    assert (r.jacobian_forward, r.jacobian_reverse) == (19 + 8 * 26, 19 + 26)
    assert r.ratio == pytest.approx(227 / 45)


@pytest.mark.parametrize("N,H", [(3, 2), (5, 4), (10, 7)])
def test_questions_8_and_9_as_a_jacobian_chain(N, H):
    """∇_W y = J4 J3 J2 J1 with J1 = ∂z/∂W (H × NH), J2 = diag(v′) (H × H), J3 = wᵀ (1 × H),
    J4 = σ′ (1 × 1). The sheet counts nmp per product; graphdiff counts 2nmp (a multiply and an add).
      from the input layer  (J4 (J3 (J2 J1))):  2(H·H·NH + 1·H·NH + 1·1·NH)
      from the output layer (((J4 J3) J2) J1):  2(1·1·H + 1·H·H + 1·H·NH)"""
    ch = chain(tanh_network(N, H), wrt="W")
    assert [(f[3], f[4]) for f in ch.factors] == [(H, N * H), (H, H), (1, H), (1, 1)]
    assert ch.forward == 2 * (H * H * N * H + H * N * H + N * H)
    assert ch.reverse == 2 * (H + H * H + H * N * H)
    assert ch.optimal == ch.reverse < ch.forward   # starting from the output layer is optimal here
    assert ch.bracketing == "(((J4 J3) J2) J1)" == accumulation_text(4, reverse=True)


# ------------------------------------------------------------------ seed 003, Part 6

@pytest.mark.parametrize("p,q", [(3, 2), (8, 5), (20, 16)])
def test_two_layer_network_complexity_in_p_and_q(p, q):
    """f(x, A, b) = b ρ(Ax), the inputs x ∈ ℝ^p, A ∈ ℝ^{q×p}, b ∈ ℝ^{1×q} (Part 6 q2–3)."""
    rng = np.random.default_rng(p + q)
    g = gd.Graph()
    x, A, b = g.input("x", rng.normal(size=p)), g.input("A", rng.normal(size=(q, p))), g.input("b", rng.normal(size=(1, q)))
    g.output("f", (b @ gd.tanh(A @ x))[0])
    r = cost(g)
    # primal: A@x 2qp, tanh q, b@ρ 2q, [0] free.  sweep: A@x 4qp, tanh 2q, b@ρ 4q (all operands active)
    assert r.primal == 2 * q * p + 3 * q
    assert r.tangent_sweep == r.adjoint_sweep == 4 * q * p + 6 * q
    n = p + q * p + q
    # the chain rule from the inputs: n sweeps, O(q²p²); backward: one sweep, O(qp)
    assert r.jacobian_forward == 2 * q * p + 3 * q + n * (4 * q * p + 6 * q)
    assert r.jacobian_reverse == 6 * q * p + 9 * q


# ------------------------------------------------------------------ the verdict

def linear_map(rows: int, cols: int) -> gd.Graph:
    g = gd.Graph()
    x = g.input("x", np.linspace(0.1, 1.0, cols))
    A = g.const("A", np.arange(rows * cols, dtype=float).reshape(rows, cols) / 10)
    g.output("y", gd.tanh(A @ x))
    return g


def test_the_verdict_flips_with_more_outputs_than_inputs():
    wide = cost(linear_map(1, 12))    # 12 inputs, 1 output
    tall = cost(linear_map(12, 1))    # 1 input, 12 outputs
    assert wide.jacobian_reverse < wide.jacobian_forward
    assert tall.jacobian_forward < tall.jacobian_reverse
    assert wide.verdict().startswith("reverse mode is ") and "1 output entry ≪ 12 input entries." in wide.verdict()
    assert tall.verdict().startswith("forward mode is ") and "1 input entry ≪ 12 output entries." in tall.verdict()
    # the factor it states is the ratio of the two Jacobian costs
    assert f"{wide.jacobian_forward / wide.jacobian_reverse:.3g}×" in wide.verdict()
    assert f"{tall.jacobian_reverse / tall.jacobian_forward:.3g}×" in tall.verdict()
    # a few more outputs than inputs: "<", not "≪"
    assert "2 input entries < 5 output entries" in cost(linear_map(5, 2)).verdict()


def test_one_input_one_output_is_a_tie_and_says_why_forward():
    r = cost(gd.load(GRAPHS / "peyre.gd"))
    assert r.jacobian_forward == r.jacobian_reverse
    assert r.verdict().startswith("forward and reverse mode cost the same here")
    assert "5 stored value entries" in r.verdict()


def test_a_graph_without_inputs_has_nothing_to_differentiate():
    g = gd.Graph()
    g.output("c", gd.exp(g.const("a", 1.0)))
    assert cost(g).verdict() == "nothing to differentiate: the graph has no inputs."


# ------------------------------------------------------------------ per-op rules

def test_matmul_costs_2abc():
    a, b, c = 3, 4, 5
    g = gd.Graph()
    X, Y = g.input("X", np.ones((a, b))), g.input("Y", np.ones((b, c)))
    g.output("Z", X @ Y)
    r = cost(g)
    assert r.primal == 2 * a * b * c
    assert r.tangent_sweep == r.adjoint_sweep == 4 * a * b * c     # Ẋ Y + X Ẏ
    assert (r.n_inputs, r.n_outputs) == (a * b + b * c, a * c)
    assert r.jacobian_forward == 2 * a * b * c + (a * b + b * c) * 4 * a * b * c
    assert r.jacobian_reverse == 2 * a * b * c + a * c * 4 * a * b * c


def test_a_constant_operand_costs_no_derivative_work():
    g = gd.Graph()
    x = g.input("x", np.ones(6))
    g.output("y", gd.sum(x * 3.0))   # 3.0 is a constant: one of mul's two terms
    r = cost(g)
    assert r.primal == 6 + 6                      # 6 products, a sum of 6
    assert r.tangent_sweep == 2 * 6 + 6           # half of mul's 4·6, then the sum
    g2 = gd.Graph()
    x, z = g2.input("x", np.ones(6)), g2.input("z", np.ones(6))
    g2.output("y", gd.sum(x * z))
    assert cost(g2).tangent_sweep == 4 * 6 + 6


def test_nodes_that_do_not_reach_an_output_cost_nothing():
    g = gd.parse("input x = 2\nunused = exp(x) * sin(x)\noutput y = x * x\n")
    r = cost(g)
    assert r.primal == 1 and [row.op for row in r.nodes] == ["mul"]


# ------------------------------------------------------------------ memory

def test_reverse_mode_memory_of_the_peyre_dag():
    """The adjoint sweep reads x (for x²'s partial 2x), u = √(x²+1) (√'s partial 1/2u and the
    quotient's −y/u), x + u (log's 1/(x+u)), v = log(x+u) (v³'s 3v²), and v/u (the quotient's −y/u):
    5 scalars. Peak: all 5 stored, plus f̄, then its two operands' adjoints: 8 entries."""
    r = cost(gd.load(GRAPHS / "peyre.gd"))
    assert (r.stored_values, r.stored_nodes) == (5, 5)
    assert r.peak_live == 8
    assert r.to_json()["memory"] == {"stored_values": 5, "stored_nodes": 5, "peak_live": 8, "peak_live_bytes": 64}


def test_linear_ops_store_nothing():
    g = gd.parse("input x = [1, 2, 3]\nconst A = [[1, 2, 3], [4, 5, 6]]\noutput y = sum(A @ x + 1)\n")
    r = cost(g)
    assert r.stored_values == 0


def test_peak_live_set_drops_values_after_their_last_reader():
    # a long chain of sin: each step reads only its own operand, so at most a handful are alive
    g = gd.Graph()
    y = g.input("x", 0.3)
    for _ in range(200):
        y = gd.sin(y)
    g.output("f", y)
    r = cost(g)
    assert r.stored_values == 200             # every sin's operand is read by its partial cos(a)
    assert r.peak_live <= r.stored_values + 2  # never more than the stored values and two adjoints
    assert r.peak_live >= 2


# ------------------------------------------------------------------ tree vs DAG

def test_tree_costs_of_the_peyre_files(capsys):
    for name in ("peyre.gd", "peyre_oneline.gd"):
        r = cost(gd.load(GRAPHS / name))
        assert (r.primal, r.tree["primal"]) == (8, 16)
        code, out, _ = run(capsys, "stats", str(GRAPHS / name), "--json")
        doc = json.loads(out)
        assert code == 0 and (doc["ops"], doc["tree_ops"]) == (8, 16)
        assert (doc["flops"], doc["tree_flops"]) == (8, 16)


def test_repeated_squaring_is_exponential_as_a_tree():
    g = gd.Graph()
    y = g.input("x", 1.01)
    for _ in range(20):
        y = y * y
    g.output("f", y)
    r = cost(g)
    assert r.primal == 20
    assert r.tree["primal"] == 2 ** 20 - 1    # level k appears 2^k times
    assert r.tree["jacobian_forward"] == r.tree["primal"] + r.tree["tangent_sweep"]


def test_an_output_with_two_names_is_one_tree(capsys):
    g = gd.parse("input x = 1\ny = exp(x)\noutput a = y\noutput b = y\n")   # a and b are one node
    r = cost(g)
    assert r.tree["primal"] == r.primal == 1
    assert g.tree_counts() == (2, 1)   # x and exp(x): the same tree the cost model counts


# ------------------------------------------------------------------ chains

def brute_force_chain(d):
    """Cheapest bracketing of J_k ⋯ J_1 by trying every binary tree."""
    def best(i, j):
        if i == j:
            return 0
        return min(best(i, s) + best(s + 1, j) + 2 * d[j] * d[s] * d[i - 1] for s in range(i, j))
    return best(1, len(d) - 1)


def test_optimal_bracketing_against_brute_force():
    rng = random.Random(5)
    for _ in range(60):
        d = [rng.randint(1, 40) for _ in range(rng.randint(2, 7))]
        opt, text = _matrix_chain(d)
        assert opt == brute_force_chain(d)
        assert sorted(text.replace("(", " ").replace(")", " ").split()) == sorted(f"J{i}" for i in range(1, len(d)))


def test_bracketing_text_costs_what_it_claims():
    d = [30, 2, 40, 3, 25]    # J1 2×30, J2 40×2, J3 3×40, J4 25×3
    opt, text = _matrix_chain(d)
    assert opt < 2 * (d[2] * d[1] * d[0] + d[3] * d[2] * d[0] + d[4] * d[3] * d[0])   # beats forward
    assert text not in (accumulation_text(4, reverse=True), accumulation_text(4, reverse=False))


def test_chain_on_a_layer_stack(capsys):
    g = gd.parse("""
input x = [1, 2, 3, 4]
const A = [[1, 0, 0, 0], [0, 1, 0, 0]]
const B = [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]
h = tanh(A @ x)
output y = sum(B @ h)
""")
    ch = chain(g)
    dims = [4] + [f[3] for f in ch.factors]
    assert dims == [4, 2, 2, 5, 1]
    assert ch.forward == sum(2 * dims[i] * dims[i - 1] * dims[0] for i in range(2, 5))
    assert ch.reverse == sum(2 * dims[4] * dims[i] * dims[i - 1] for i in range(1, 4))
    assert ch.optimal == brute_force_chain(dims)
    assert ch.to_json()["dims"] == dims


def test_chain_errors_name_the_place():
    with pytest.raises(GraphError, match="not a chain of Jacobians") as e:
        chain(gd.load(GRAPHS / "peyre.gd"))
    assert e.value.span is not None
    with pytest.raises(GraphError, match="needs one input"):
        chain(tanh_network(3, 2))
    g = gd.parse("input x = 1\ninput z = 2\noutput y = sin(z)\n")
    with pytest.raises(GraphError, match="does not depend on input 'x'"):
        chain(g, wrt="x")


# ------------------------------------------------------------------ the CLI

def test_cost_json_has_the_spec_keys(capsys):
    code, out, _ = run(capsys, "cost", str(GRAPHS / "sheet0" / "tanh_network.gd"), "--json")
    doc = json.loads(out)
    assert code == 0
    assert {k: doc[k] for k in (*SWEEP_KEYS, "n_inputs", "n_outputs")} == {
        "primal": 19, "tangent_sweep": 26, "adjoint_sweep": 26, "jacobian_forward": 227,
        "jacobian_reverse": 45, "n_inputs": 8, "n_outputs": 1}
    assert doc["verdict"] == "reverse mode is 5.04× cheaper here because 1 output entry < 8 input entries."
    assert doc["tree"]["primal"] == 19


def test_cost_json_with_chain_and_nodes(capsys):
    code, out, _ = run(capsys, "cost", str(GRAPHS / "sheet0" / "tanh_network.gd"), "--chain", "--wrt", "W",
                       "--nodes", "--json")
    doc = json.loads(out)
    assert code == 0
    assert doc["chain"]["forward"] == 84 and doc["chain"]["reverse"] == 36
    assert doc["chain"]["bracketing"] == "(((J4 J3) J2) J1)"
    assert [n["op"] for n in doc["nodes"]] == ["matmul", "tanh", "dot", "tanh"]
    assert sum(n["primal"] for n in doc["nodes"]) == doc["primal"]


def test_cost_text_report(capsys):
    code, out, _ = run(capsys, "cost", str(GRAPHS / "peyre.gd"))
    assert code == 0
    assert "primal (evaluation)" in out and "sharing saves 8 flops, 2× on the primal" in out
    assert "verdict: forward and reverse mode cost the same here" in out
    code, out, _ = run(capsys, "cost", str(GRAPHS / "sheet0" / "tanh_network.gd"), "--chain", "--wrt", "W")
    assert "optimal bracketing:" in out and "(((J4 J3) J2) J1)" in out and "J1 = ∂z/∂W" in out


@pytest.mark.parametrize("argv,message", [
    (["--chain"], "not a chain of Jacobians"),
    (["--chain", "--wrt", "y"], "no input named 'y'"),
])
def test_cost_errors_exit_2_without_traceback(capsys, argv, message):
    code, out, err = run(capsys, "cost", str(GRAPHS / "peyre.gd"), *argv)
    assert code == 2 and message in err and "Traceback" not in err


def test_cost_of_a_malformed_file(capsys, tmp_path):
    bad = tmp_path / "bad.gd"
    bad.write_text("input x = 1\noutput y = x +* 2\n")
    code, _, err = run(capsys, "cost", str(bad))
    assert code == 2 and "bad.gd:2:" in err and "^" in err


@pytest.mark.parametrize("path", sorted(GRAPHS.rglob("*.gd")), ids=lambda p: str(p.relative_to(GRAPHS)))
def test_every_curriculum_graph_has_a_consistent_cost(path):
    g = gd.load(path)
    r = cost(g)
    assert r.primal == sum(row.primal for row in r.nodes)
    assert r.tangent_sweep == sum(row.tangent for row in r.nodes)
    assert r.jacobian_forward == r.primal + r.n_inputs * r.tangent_sweep
    assert r.jacobian_reverse == r.primal + r.n_outputs * r.adjoint_sweep
    assert r.tree["primal"] >= r.primal
    assert primal_flops(g) == (r.primal, r.tree["primal"])   # what `stats` reports
    assert r.peak_live >= r.stored_values   # all stored values are alive when the sweep starts
    assert r.n_inputs == sum(int(np.size(v)) for v in (g.node(i).value for i in g.inputs))
