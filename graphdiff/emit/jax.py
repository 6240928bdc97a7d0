"""The JAX emitter (`codegen --lang jax`): the graph as a JAX function, for jax.jit and jax.grad.

    evaluate(x=0.7, …) -> {output: value}     every output
    value(x=0.7, …) -> the scalar output       (with a scalar output, or --of NAME)
    gradient(x=0.7, …) -> (value, {input: gradient})    by jax.value_and_grad

The evaluation trace is the Python emitter's (the op stanzas' NumPy code), written with `jnp` for
`np`, on arrays only (the float forms call `math`, which JAX cannot trace); JAX differentiates it.
Parameters are positional, in declaration order, so `jax.grad(value, argnums=…)` works; an input
whose name is not a Python identifier (`params.W1`) gets one (`params_W1`, listed in the docstring).

Where a template does not translate by np → jnp, the op's helper has a JAX form here (JAX_FORMS):
sigmoid (jax.nn.sigmoid), softmax, logsumexp, the p-norm and inv (the NumPy helpers branch on the
values, which JAX cannot trace), sqrtm (SciPy; JAX's has no derivative rule, so its JVP is given:
it solves √X·Ż + Ż·√X = Ẋ) and where. An op whose code calls a helper without a JAX form is an
error naming the op.
"""
from __future__ import annotations

import keyword
import re

from ..graph import Graph
from ..ops import OPS, literal
from ..source import GraphError
from .plan import Line
from .python import PythonEmitter, comment_text

JAX_FORMS = {
    "_expit": '''
def _expit(a):
    return jax.nn.sigmoid(a)
''',
    "_softmax": '''
def _softmax(a):
    return jax.nn.softmax(a, axis=-1)
''',
    "_logsumexp": '''
def _logsumexp(a):
    return jax.scipy.special.logsumexp(a)
''',
    "_pnorm": '''
def _pnorm(a, p):
    m = jax.lax.stop_gradient(jnp.max(jnp.abs(a)))      # scaled so that |a|^p cannot overflow
    m = jnp.where((m > 0) & jnp.isfinite(m), m, 1.0)
    return m * jnp.sum((jnp.abs(a) / m) ** p) ** (1.0 / p)
''',
    "_inv": '''
def _inv(a):
    return jnp.linalg.inv(a)
''',
    "_sqrtm": '''
@jax.custom_jvp
def _sqrtm(a):
    return jax.scipy.linalg.sqrtm(a).real


@_sqrtm.defjvp
def _sqrtm_jvp(primals, tangents):
    (a,), (t,) = primals, tangents
    y = _sqrtm(a)
    n = a.shape[-1]
    eye = jnp.eye(n)
    k = jnp.kron(eye, y) + jnp.kron(y.T, eye)             # y Z + Z y, on Z stacked by columns
    z = jnp.linalg.solve(k, t.T.reshape(-1)).reshape(n, n).T
    return y, z
''',
    "_where": '''
def _where(c, a, b):
    return jnp.where(c != 0, a, b)
''',
}

_HELPER_CALL = re.compile(r"\b(_[A-Za-z]\w*)\(")
_NUMPY = re.compile(r"\bnp\.")


def jax_code(text: str) -> str:
    """A NumPy template's text with `jnp` for `np`."""
    return _NUMPY.sub("jnp.", text)


def _identifier(name: str, taken: set) -> str:
    """A Python parameter name for an input: itself when it is one, else a close spelling."""
    base = name if name.isidentifier() and name.isascii() else re.sub(r"\W", "_", name.encode("ascii", "replace")
                                                                        .decode().replace("?", "_"))
    if not base or base[0].isdigit():
        base = "x_" + base
    if keyword.iskeyword(base) or base in _RESERVED or base.startswith("_") or re.fullmatch(r"[vCD]\d+.*", base):
        base = "in_" + base.lstrip("_")
    out, k = base, 2
    while out in taken:
        out, k = f"{base}_{k}", k + 1
    taken.add(out)
    return out


_RESERVED = {"jax", "jnp", "math", "evaluate", "value", "gradient", "INPUTS", "OUTPUTS"}


class JaxEmitter(PythonEmitter):
    """The evaluation trace of the Python emitter, in jnp, as JAX-traceable functions."""

    def __init__(self, g: Graph, *, wrt=None, output=None, title: str = ""):
        super().__init__(g, mode="primal", wrt=wrt, output=output, title=title)
        taken: set = set()
        self.params = {i: _identifier(g.input_name(i), taken) for i in g.inputs}

    def primal_expr(self, node) -> str:
        return jax_code(OPS[node.op].code.primal_text(self.mapping(node), scalar=False))

    def input_line(self, i: int, source: str) -> Line:
        name = self.g.input_name(i)
        return Line(i, f"    v{i} = jnp.asarray({self.params[i]}, dtype=_FLOAT)  # input {comment_text(name)}")

    def ref(self, j: int) -> str:
        n = self.nodes[j]
        if n.op == "const" and n.shape == ():
            x = literal(n.value)
            return f"({x})" if x.startswith("-") else x
        return super().ref(j)

    def signature(self, fn: str) -> str:
        """Positional parameters in declaration order, each with the input's value as its default
        (None, checked, for an input without one that follows an input with one)."""
        params, defaults_seen = [], False
        for i in self.g.inputs:
            n = self.nodes[i]
            if n.value is not None:
                defaults_seen = True
                params.append(f"{self.params[i]}=" + (literal(n.value) if n.shape == () else f"D{i}"))
            else:
                params.append(f"{self.params[i]}=None" if defaults_seen else self.params[i])
        return f"def {fn}({', '.join(params)}):"

    def _required(self) -> list[Line]:
        lines, defaults_seen = [], False
        for i in self.g.inputs:
            n = self.nodes[i]
            defaults_seen = defaults_seen or n.value is not None
            if n.value is None and defaults_seen:
                p = self.params[i]
                lines.append(Line(i, f"    if {p} is None:\n        raise TypeError(\"the input "
                                     f"{comment_text(self.g.input_name(i))} needs a value\")"))
        return lines

    def functions(self) -> list[list[Line]]:
        call = ", ".join(self.params[i] for i in self.g.inputs)
        body = self._required() + self.evaluation("param")
        outs = ", ".join(f"{name!r}: {self._out_ref(i, '', '')}" for name, i in self.outputs())
        fns = [self._function(self.signature("evaluate"), "The outputs' values: {output: value} (jax.jit works on it).",
                              body, f"return {{{outs}}}")]
        if self.plan.output is not None:
            name, _ = self.plan.output
            fns.append(self._function(self.signature("value"),
                                      f"The scalar output {comment_text(name)}: differentiate it with jax.grad.",
                                      [], f"return evaluate({call})[{name!r}]"))
            position = {i: k for k, i in enumerate(self.g.inputs)}
            argnums = tuple(position[i] for i in self.plan.wrt)
            grads = ", ".join(f"{self.g.input_name(i)!r}: _g[{k}]" for k, i in enumerate(self.plan.wrt))
            compiled = [Line(None, f"_value_and_grad = jax.jit(jax.value_and_grad(value, argnums={argnums!r}))"),
                        Line(None, ""), Line(None, "")]
            fns.append(compiled + self._function(
                self.signature("gradient"), f"({comment_text(name)}, {{input: gradient}}) by jax.value_and_grad "
                                            "(compiled by jax.jit on the first call).",
                [Line(None, f"    _v, _g = _value_and_grad({call})")], f"return _v, {{{grads}}}"))
        return fns

    def lines(self) -> list[Line]:
        fns = self.functions()
        code = "\n".join(ln.text for fn in fns for ln in fn)
        out = self.header(self._helpers(code))
        for fn in fns:
            out += [Line(None, ""), Line(None, "")] + fn
        return out

    def _helpers(self, code: str) -> list[str]:
        names = sorted(set(_HELPER_CALL.findall(code)) - {"_value_and_grad"})
        for name in names:
            if name not in JAX_FORMS:
                ops = sorted({n.op for n in self.plan.ops() if name + "(" in self.primal_expr(n)})
                raise GraphError(f"codegen --lang jax: the op '{ops[0] if ops else name}' has no JAX form yet "
                                 f"(its code calls {name}, which graphdiff.emit.jax.JAX_FORMS does not define)")
        return names

    def header(self, helpers: list[str]) -> list[Line]:
        g = self.g
        doc = [f'"""{comment_text(self.title) or "A graph"}: generated by graphdiff (codegen --lang jax).', "",
               "The evaluation trace in jax.numpy, one statement per node (`# vN` names it): jax.jit, jax.grad and",
               "jax.vmap work on `evaluate` and `value`. 64-bit floats are switched on below (graphdiff computes",
               "in float64); take that line out to run in float32."]
        renamed = [(g.input_name(i), p) for i, p in self.params.items() if g.input_name(i) != p]
        if renamed:
            doc += ["", "Parameters for inputs whose names are not Python names: " +
                    ", ".join(f"{comment_text(a)} → {b}" for a, b in renamed) + "."]
        doc.append('"""')
        out = [Line(None, s) for s in doc]
        out += [Line(None, s) for s in ("import math", "", "import jax", "import jax.numpy as jnp", "",
                                        'jax.config.update("jax_enable_x64", True)',
                                        "_FLOAT = jnp.result_type(float)   # float64 with x64 on, else float32", "")]
        shapes = lambda pairs: "{" + ", ".join(f"{k!r}: {tuple(s)!r}" for k, s in pairs) + "}"  # noqa: E731
        out.append(Line(None, "INPUTS = " + shapes((g.input_name(i), self.nodes[i].shape) for i in g.inputs)
                        + "  # input shapes, in parameter order"))
        out.append(Line(None, "OUTPUTS = " + shapes((nm, self.nodes[i].shape) for nm, i in g.outputs)))
        for n in self.nodes:
            if n.op == "const" and n.shape != () and self.plan.needed[n.id]:
                nm = f" (const {comment_text('/'.join(n.names))})" if n.names else " (const)"
                out.append(Line(n.id, f"C{n.id} = jnp.array({literal(n.value)})  # v{n.id}{nm}"))
            if n.op == "input" and n.shape != () and n.value is not None:
                out.append(Line(n.id, f"D{n.id} = jnp.array({literal(n.value)})  # v{n.id}: default of input "
                                      f"{comment_text(n.names[0])}"))
        for h in helpers:
            out += [Line(None, "")] + [Line(None, s) for s in JAX_FORMS[h].strip("\n").split("\n")]
        return out


def jax_lines(g: Graph, *, wrt=None, output=None, title: str = "") -> list[Line]:
    """The JAX module as lines, each with the node it comes from (None for scaffolding); `wrt`:
    the inputs `gradient` differentiates (default all), `output`: the scalar output of `value`."""
    return JaxEmitter(g, wrt=wrt, output=output, title=title).lines()


def jax_source(g: Graph, *, wrt=None, output=None, title: str = "") -> str:
    """The generated JAX module's text."""
    return "\n".join(ln.text for ln in jax_lines(g, wrt=wrt, output=output, title=title)) + "\n"
