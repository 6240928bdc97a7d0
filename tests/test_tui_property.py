"""The debugger never crashes: random graphs that the language accepts, covering the edge cases of
issue 10 (no inputs, constant outputs, a lone input, NaN and inf values, non-differentiable
points, 1×1 arrays, a thousand nodes), driven by random key sequences through Pilot. Every key
either acts or shows a notice; none raises, and no internal error is reported.

The default run is short (a few examples); HYPOTHESIS_PROFILE=tui-long runs many more."""
import os
import random
import tempfile

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

import graphdiff as gd
from graphdiff.tui.app import GraphdiffApp
from graphdiff.tui.layout import layered

settings.register_profile("tui-default", max_examples=6, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("tui-long", max_examples=200, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
PROFILE = "tui-long" if os.environ.get("HYPOTHESIS_PROFILE") == "tui-long" else "tui-default"

KEYS = ["n", "n", "n", "p", "right", "left", "s", "c", "g", "G", "b", "e", "f", "r", "d", "i", "x", "v", "w",
        "t", "z", "0", "o", "left_square_bracket", "right_square_bracket", "h", "j", "k", "l", "up", "down",
        "full_stop", "m", "pageup", "pagedown", "question_mark", "escape", "escape", "enter", "tab",
        "backspace", "1"]

# ------------------------------------------------------------------ graphs the language accepts

SCALAR_LEAVES = ["x", "y", "2", "0.5", "0"]
RISKY = ["log({})", "1 / ({})", "sqrt({})", "abs({})", "relu({})", "({})^0.5", "log(-1 + {})",
         "exp(1000 * {})", "{} - {}", "{} * 0"]
SMOOTH = ["sin({})", "tanh({})", "({})^2", "-{}", "sigmoid({})"]
BINARY = ["{} + {}", "{} * {}", "{} / {}", "{} - {}"]


def scalar_expr():
    return st.recursive(
        st.sampled_from(SCALAR_LEAVES),
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(RISKY + SMOOTH), inner).map(lambda t: t[0].format(t[1], t[1])),
            st.tuples(st.sampled_from(BINARY), inner, inner).map(lambda t: "(" + t[0].format(t[1], t[2]) + ")"),
        ),
        max_leaves=6,
    )


ARRAY_PROGRAMS = [
    "input W = [[2]]\ninput v = [0.5]\noutput f = sum(W @ v)\n",                                  # 1×1 arrays
    "input W = [[2]]\noutput F = W @ W\noutput g = trace(W)\n",
    "input x = [0, 0]\noutput f = norm(x)\n",                                                   # not differentiable at 0
    "input x = [1, -1, 0]\noutput f = sum(relu(x)) + sum(abs(x))\n",
    "input A = [[1, 2], [2, 4]]\noutput f = det(A)\noutput B = inv(A)\n",                          # singular: inf/NaN
    "input x = [1, 2, 3]\ninput A = [[1, 0, 2], [0, 1, 1]]\noutput y = softmax(A @ x)\n",
    "const M = [[3, 1], [1, 0]]\ninput x = [1, 1]\noutput f = dot(x, M @ x)\n",
]


def scalar_program():
    return st.tuples(scalar_expr(), scalar_expr(), st.sampled_from(["0.3", "0", "-1", "5"])).map(
        lambda t: f"input x = {t[2]}\ninput y = 0.5\na = {t[0]}\noutput f = a * ({t[1]})\n")


def no_input_program():
    return scalar_expr().map(lambda e: "const x = 2\nconst y = 0.5\noutput f = " + e + " + 1\n")


PROGRAMS = st.one_of(
    scalar_program(),
    no_input_program(),
    st.just("input x = 2\noutput f = 3\n"),                      # an output that depends on no input
    st.just("input x = 2\noutput f = x\n"),                      # a lone input
    st.just("input x = 2\ninput y = 1\noutput f = x\noutput g = 3\n"),
    st.just("const a = 2\noutput f = a^2 + 1\n"),                 # no inputs at all
    st.sampled_from(ARRAY_PROGRAMS),
)


def big_program(n: int = 1000, seed: int = 1) -> str:
    """A thousand-node graph in the language: each line an op of two recent lines."""
    rng = random.Random(seed)
    lines = ["input x = 0.3", "input y = 0.7", "t0 = x * y", "t1 = x + y"]
    for k in range(2, n // 2):
        a, b = f"t{k - 1 - rng.randrange(min(k, 4))}", f"t{k - 1 - rng.randrange(min(k, 20))}"
        lines.append(f"t{k} = {rng.choice(['sin', 'tanh', 'cos'])}({a}) * {b}")
    lines.append(f"output f = t{n // 2 - 1}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def folder():
    with tempfile.TemporaryDirectory() as d:
        yield d


@pytest.fixture
def colour(monkeypatch):
    """The colour code paths too (Pilot's short idle waits come from conftest._quick_pilot)."""
    monkeypatch.delenv("NO_COLOR", raising=False)


async def drive(source: str, keys: list[str], folder: str, size=(80, 24)) -> GraphdiffApp:
    g = gd.parse(source)
    app = GraphdiffApp(g, path=os.path.join(folder, "random.gd"), preset_layout=layered(g),
                       mode=random.Random(len(source)).choice(["primal", "forward", "reverse"]))
    async with app.run_test(size=size) as pilot:
        for key in keys:
            await pilot.press(key)
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.internal_errors == [], app.internal_errors[0]
    return app


@settings(settings.get_profile(PROFILE))
@given(source=PROGRAMS, keys=st.lists(st.sampled_from(KEYS), min_size=4, max_size=16),
       size=st.sampled_from([(80, 24), (120, 35)]))
@example(source=big_program(), keys=["r", "G", "z", "o", "right_square_bracket", "p", "0", "v", "escape", "f", "c"],
         size=(120, 35))
@example(source="input x = 2\noutput f = 3\n", keys=["r", "v", "escape", "n", "s", "x", "enter", "w"], size=(80, 24))
@example(source="const a = 2\noutput f = a^2 + 1\n", keys=["f", "v", "d", "i", "r", "G", "x", "escape"], size=(80, 24))
async def test_random_graphs_and_keys_never_crash(source, keys, size, folder, colour):
    await drive(source, keys, folder, size)
