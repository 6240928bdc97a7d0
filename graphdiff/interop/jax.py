"""JAX functions as graphs (the extra graphdiff[jax]).

    g = gd.from_jax(loss, params, x)      # params may be a dict, list or tuple of arrays

reads the function's jaxpr (jax.make_jaxpr, in 64-bit floats) and maps each primitive onto ops of
the table, by op name (PRIMITIVES, and a few handlers for the primitives that need a shape
decision: dot_general, reduce_sum, broadcast_in_dim, reshape, squeeze, slice, transpose,
select_n). Equations whose operands are all constants are evaluated by JAX itself (an identity
matrix built from iota, say) and become one constant. Nested calls are inlined: `jit` and
`custom_jvp_call`/`custom_vjp_call` bodies (graphdiff has no groups yet), except the named calls
NAMED_CALLS maps onto a single op (`relu`, `logaddexp`, `softplus`, `det`, `inv`). A primitive with
no op is an error that names it.

Broadcasting: a jaxpr broadcasts explicitly; graphdiff's elementwise ops broadcast as NumPy
does, so `broadcast_in_dim` to trailing axes makes no node, and a value is widened (x + 0) only
where an op that does not broadcast needs its full shape.

JAX is imported when `from_jax` is first called, never by `import graphdiff`.
"""
from __future__ import annotations

import inspect

import numpy as np

from ..source import GraphError
from . import numpy as gnp

# Elementwise primitives that are one op of the table, by name.
PRIMITIVES = {
    "add": "add", "add_any": "add", "sub": "sub", "mul": "mul", "div": "div", "neg": "neg",
    "max": "max", "min": "min", "pow": "pow", "atan2": "atan2",
    "sin": "sin", "cos": "cos", "tan": "tan", "tanh": "tanh", "exp": "exp", "log": "log",
    "sqrt": "sqrt", "log1p": "log1p", "expm1": "expm1", "abs": "abs", "logistic": "sigmoid",
    "lt": "lt", "le": "le", "gt": "gt", "ge": "ge", "eq": "eq", "ne": "ne",
}

# Calls (jit, custom_jvp_call) whose name says which op they are: name → (op, operands).
NAMED_CALLS = {"relu": ("relu", 1), "softplus": ("softplus", 1), "logaddexp": ("logaddexp", 2),
               "det": ("det", 1), "inv": ("inv", 1), "trace": ("trace", 1)}

PASS_THROUGH = {"convert_element_type", "copy", "copy_p", "reduce_precision", "optimization_barrier"}
CALLS = {"jit", "pjit", "closed_call", "core_call", "remat", "checkpoint", "custom_jvp_call",
         "custom_vjp_call", "custom_vjp_call_jaxpr", "custom_lin"}


def _jax():
    try:
        import jax
    except ImportError:
        raise GraphError("JAX is not installed", hint="pip install 'graphdiff[jax]'") from None
    return jax


def from_jax(f, *example_args, static_argnums=()):
    """The graph of a JAX function at example arguments (numbers, arrays, or dicts, lists and
    tuples of them): one input per array, named after the parameter and its place in the
    structure (`params.W1`, `layers.0`); outputs named after the function, or a returned dict's
    keys. `static_argnums` as in jax.jit (those arguments stay Python values)."""
    jax = _jax()
    from ..api import Graph, Ref
    if not callable(f):
        raise GraphError(f"gd.from_jax needs a function, got {type(f).__name__}")
    static = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
    fname = getattr(f, "__name__", "f")
    fname = fname if fname.isidentifier() else "f"
    params = _parameter_names(f, len(example_args))
    with _x64(jax):
        try:
            closed, out_shape = jax.make_jaxpr(f, static_argnums=static, return_shape=True)(*example_args)
        except GraphError:
            raise
        except Exception as e:
            raise GraphError(f"JAX could not trace {fname}: {type(e).__name__}: {e}") from None
        leaves = jax.tree_util.tree_flatten_with_path([a for k, a in enumerate(example_args) if k not in static])[0]
        dyn_params = [p for k, p in enumerate(params) if k not in static]
        g = Graph()
        names = [_path_name(jax, path, dyn_params) for path, _ in leaves]
        ins = [Ref(g, g.add_input(name, np.asarray(leaf, dtype=float))) for name, (_, leaf) in zip(names, leaves)]
        outs = _Converter(jax, g).run(closed.jaxpr, closed.consts, ins)
        out_leaves = jax.tree_util.tree_flatten_with_path(out_shape)[0]
        _set_outputs(g, jax, out_leaves, outs, fname)
        _agree(g, jax.tree_util.tree_leaves(jax.jit(f, static_argnums=static)(*example_args)), fname)
    return g


def _agree(g, expected: list, fname: str) -> None:
    """The graph's outputs at the example inputs must be JAX's own (a safeguard for the mappings:
    a named call whose options change its meaning, say)."""
    got = g.eval()
    for (name, _), want in zip(g.outputs, expected):
        want = np.asarray(want, dtype=float)
        if not np.allclose(got[name], want, rtol=1e-9, atol=1e-12, equal_nan=True):
            raise GraphError(f"the graph of {fname} disagrees with JAX at the example inputs (output '{name}'): "
                             "a primitive was mapped onto an op of another meaning; please report it")


def _x64(jax):
    """64-bit floats while the function is traced (graphdiff computes in float64)."""
    if hasattr(jax, "enable_x64"):
        return jax.enable_x64(True)
    from jax.experimental import enable_x64     # JAX before 0.6
    return enable_x64()


def _parameter_names(f, n: int) -> list[str]:
    try:
        ps = [p for p in inspect.signature(f).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]
    except (TypeError, ValueError):
        ps = []
    names = []
    for k in range(n):
        if k < len(ps) and ps[k].kind is not ps[k].VAR_POSITIONAL:
            names.append(ps[k].name)
        else:
            names.append(f"arg{k}")
    return names


def _key_text(key) -> str:
    for attr in ("key", "idx", "name"):
        if hasattr(key, attr):
            return str(getattr(key, attr))
    return str(key)


def _path_name(jax, path, params) -> str:
    head = params[path[0].idx] if hasattr(path[0], "idx") and path[0].idx < len(params) else "arg"
    return ".".join([head] + [_key_text(k) for k in path[1:]])


def _set_outputs(g, jax, out_leaves, outs, fname) -> None:
    if not outs:
        raise GraphError(f"{fname} returns nothing")
    single = len(out_leaves) == 1 and not out_leaves[0][0]
    for k, ((path, _), value) in enumerate(zip(out_leaves, outs)):
        if single:
            name = fname
        elif len(path) == 1 and hasattr(path[0], "idx"):
            name = f"{fname}{path[0].idx + 1}"
        else:
            name = ".".join(_key_text(p) for p in path)
        if name in g.input_names():
            name = f"{name}_out"
        i = value.id if isinstance(value, gnp.ArrayProtocol) else g.add_const(value)
        g.set_output(name, i)


class _Converter:
    """Walks a jaxpr's equations in order (nested calls inlined), building nodes."""

    def __init__(self, jax, g):
        self.jax, self.g = jax, g

    # values: a handle (a node; its `shape` may be smaller than JAX's when broadcasting is left to
    # the ops) or a NumPy array (a constant); `full(v, shape)` widens a handle when an op needs it

    def run(self, jaxpr, consts, args):
        env = {}
        for v, c in zip(jaxpr.constvars, consts):
            env[v] = np.asarray(c)
        for v, a in zip(jaxpr.invars, args):
            env[v] = a

        def read(v):
            return np.asarray(v.val) if type(v).__name__ == "Literal" else env[v]
        for eqn in jaxpr.eqns:
            for v, o in zip(eqn.outvars, self.equation(eqn, [read(v) for v in eqn.invars])):
                env[v] = o
        return [self.full(read(v), tuple(v.aval.shape)) for v in jaxpr.outvars]

    def equation(self, eqn, ins) -> list:
        name = eqn.primitive.name
        if name in CALLS:
            return self.call(eqn, ins)
        if not any(isinstance(v, gnp.ArrayProtocol) for v in ins):      # constants only: JAX computes it
            out = eqn.primitive.bind(*ins, **eqn.params)
            outs = out if eqn.primitive.multiple_results else [out]
            return [np.asarray(o) for o in outs]
        shape = tuple(eqn.outvars[0].aval.shape)
        if name in PASS_THROUGH:
            return [ins[0]]
        op = PRIMITIVES.get(name)
        if op is not None:
            return [self.op(op, *ins, what=name)]
        handler = getattr(self, "p_" + name, None)
        if handler is None:
            raise GraphError(f"the JAX primitive '{name}' has no op in graphdiff's op table",
                             hint=self._hint(name))
        return [handler(eqn, ins, shape)]

    @staticmethod
    def _hint(name: str) -> str:
        if name in ("scan", "while", "cond", "fori_loop"):
            return "lax control flow is not unrolled: write a Python loop or if (it runs when JAX traces)"
        if name == "stop_gradient":
            return "graphdiff has no op that stops derivatives (jax.nn.logsumexp and softmax use one)"
        return "docs/python.md lists the JAX primitives that map to ops"

    def op(self, op: str, *operands, attrs=(), what: str = ""):
        from ..ops import OPS
        if op not in OPS:
            raise GraphError(f"the JAX primitive '{what or op}' needs graphdiff's '{op}' op, which this version's "
                             "op table does not have")
        return gnp.apply(op, *operands, attrs=attrs, what=f"JAX's {what or op}")

    def full(self, v, shape: tuple):
        """A value at its full shape (a handle broadcast by NumPy's rules is widened with + 0)."""
        if not isinstance(v, gnp.ArrayProtocol):
            return np.broadcast_to(v, shape) if np.shape(v) != shape else v
        if v.shape == shape:
            return v
        return self.op("add", v, np.zeros(shape), what="broadcast_in_dim")

    # ---------------------------------------------------------------- nested calls

    def call(self, eqn, ins) -> list:
        params = eqn.params
        closed = params.get("jaxpr") or params.get("call_jaxpr") or params.get("fun_jaxpr")
        if closed is None:
            raise GraphError(f"the JAX primitive '{eqn.primitive.name}' has no body graphdiff can read")
        name = _call_name(eqn, closed)
        if name in NAMED_CALLS and any(isinstance(v, gnp.ArrayProtocol) for v in ins):
            op, n = NAMED_CALLS[name]
            args = ins[len(ins) - n:]
            if len(args) == n:
                if op == "logaddexp":
                    return [self.logaddexp(*args)]
                from ..ops import OPS
                if op in OPS:
                    return [self.op(op, *args, what=name)]
        jaxpr = getattr(closed, "jaxpr", closed)
        consts = getattr(closed, "consts", ())
        return self.run(jaxpr, consts, ins[len(ins) - len(jaxpr.invars):])

    def logaddexp(self, a, b):
        if not isinstance(a, gnp.ArrayProtocol) and np.all(a == 0):
            return self.op("softplus", b, what="logaddexp")
        if not isinstance(b, gnp.ArrayProtocol) and np.all(b == 0):
            return self.op("softplus", a, what="logaddexp")
        return self.op("add", b, self.op("softplus", self.op("sub", a, b, what="logaddexp"), what="logaddexp"),
                       what="logaddexp")

    # ---------------------------------------------------------------- primitives that need a decision

    def p_integer_pow(self, eqn, ins, shape):
        return self.op("pow", ins[0], float(eqn.params["y"]), what="integer_pow")

    def p_square(self, eqn, ins, shape):
        return self.op("pow", ins[0], 2.0, what="square")

    def p_rsqrt(self, eqn, ins, shape):
        return self.op("div", 1.0, self.op("sqrt", ins[0], what="rsqrt"), what="rsqrt")

    def p_exp2(self, eqn, ins, shape):
        return self.op("pow", 2.0, ins[0], what="exp2")

    def p_select_n(self, eqn, ins, shape):
        if len(ins) != 3:
            raise GraphError(f"select_n with {len(ins) - 1} cases has no op (where chooses between two)")
        pred, if_false, if_true = ins
        return self.op("where", pred, if_true, if_false, what="select_n")

    def p_reduce_sum(self, eqn, ins, shape):
        x = self.full(ins[0], tuple(eqn.invars[0].aval.shape))
        axes = tuple(eqn.params["axes"])
        if not axes:
            return x
        if len(axes) == len(x.shape):
            return self.op("sum", x, what="reduce_sum")
        if len(axes) == 1 and len(x.shape) == 2:
            return np.sum(x, axis=axes[0])
        raise GraphError(f"reduce_sum over axes {axes} of an array of shape {x.shape} has no op")

    def p_reduce_prod(self, eqn, ins, shape):
        x = self.full(ins[0], tuple(eqn.invars[0].aval.shape))
        if len(eqn.params["axes"]) != len(x.shape):
            raise GraphError(f"reduce_prod over some axes of an array of shape {x.shape} has no op")
        return self.op("prod", x, what="reduce_prod")

    def p_dot_general(self, eqn, ins, shape):
        (lc, rc), (lb, rb) = eqn.params["dimension_numbers"]
        a = self.full(ins[0], tuple(eqn.invars[0].aval.shape))
        b = self.full(ins[1], tuple(eqn.invars[1].aval.shape))
        na, nb = len(np.shape(a)), len(np.shape(b))
        if lb or rb or len(lc) > 1 or na > 2 or nb > 2:
            raise GraphError(f"dot_general with batch axes or several contracted axes (shapes {np.shape(a)} and "
                             f"{np.shape(b)}) has no op")
        if not lc:                                     # no contraction: an outer product
            if na == 0 or nb == 0:
                return self.op("mul", a, b, what="dot_general")
            if na == 1 and nb == 1:
                return self.op("outer", a, b, what="dot_general")
            raise GraphError(f"dot_general without contraction of shapes {np.shape(a)} and {np.shape(b)} has no op")
        if na == 2 and lc[0] == 0:
            a = self.transpose(a)
        if nb == 2 and rc[0] == 1:
            b = self.transpose(b)
        if na == 1 and nb == 1:
            return self.op("dot", a, b, what="dot_general")
        return self.op("matmul", a, b, what="dot_general")

    def transpose(self, v):
        return self.op("transpose", v, what="transpose") if isinstance(v, gnp.ArrayProtocol) else np.transpose(v)

    def p_transpose(self, eqn, ins, shape):
        perm = tuple(eqn.params["permutation"])
        x = self.full(ins[0], tuple(eqn.invars[0].aval.shape))
        if perm == tuple(range(len(perm))):
            return x
        if perm == (1, 0):
            return self.transpose(x)
        raise GraphError(f"transpose with permutation {perm} has no op (only a matrix's transpose)")

    def p_broadcast_in_dim(self, eqn, ins, shape):
        x = ins[0]
        dims = tuple(eqn.params["broadcast_dimensions"])
        s = x.shape
        if dims == tuple(range(len(shape) - len(s), len(shape))):
            return x                                  # trailing axes: NumPy's broadcasting does it
        if len(s) == 1 and len(shape) == 2 and dims == (0,):
            return self.op("outer", x, np.ones(shape[1]), what="broadcast_in_dim")   # a column, repeated
        raise GraphError(f"broadcast_in_dim of shape {s} to {shape} along axes {dims} has no op")

    def p_reshape(self, eqn, ins, shape):
        if eqn.params.get("dimensions") not in (None, ()):
            raise GraphError("reshape with a permutation of the axes has no op")
        return self.reshape(self.full(ins[0], tuple(eqn.invars[0].aval.shape)), shape)

    def p_squeeze(self, eqn, ins, shape):
        return self.reshape(self.full(ins[0], tuple(eqn.invars[0].aval.shape)), shape)

    def p_expand_dims(self, eqn, ins, shape):
        return self.reshape(self.full(ins[0], tuple(eqn.invars[0].aval.shape)), shape)

    def reshape(self, x, shape: tuple):
        """A reshape that only adds or removes axes of length 1 (the others have no op)."""
        s = tuple(x.shape)
        core = tuple(n for n in s if n != 1)
        if core != tuple(n for n in shape if n != 1):
            raise GraphError(f"reshape from {s} to {shape} has no op (only axes of length 1 come and go)")
        while s and s[0] == 1 and len(s) > len(core):             # leading 1s: the first entry
            x, s = x[0], s[1:]
        if len(s) == 2 and s[1] == 1:                              # (n, 1) → (n,)
            x, s = self.op("matmul", x, np.ones(1), what="reshape"), s[:1]
        if s == shape:
            return x
        if shape[len(shape) - len(s):] == s:                        # new leading axes: broadcasting
            return x
        if len(s) == 1 and shape == (s[0], 1):                      # (n,) → (n, 1)
            return self.op("outer", x, np.ones(1), what="reshape")
        if len(s) == 1 and len(shape) == 2 and shape[1] == 1 and shape[0] == s[0]:
            return self.op("outer", x, np.ones(1), what="reshape")
        raise GraphError(f"reshape from {tuple(x.shape)} to {shape} has no op")

    def p_slice(self, eqn, ins, shape):
        x = self.full(ins[0], tuple(eqn.invars[0].aval.shape))
        starts, limits = eqn.params["start_indices"], eqn.params["limit_indices"]
        strides = eqn.params.get("strides") or (1,) * len(starts)
        key = tuple(slice(int(a), int(b), int(c)) for a, b, c in zip(starts, limits, strides))
        try:
            return x[key]                             # index with slices, where the op table has them
        except GraphError:
            pass
        # else as products with 0/1 selection matrices (exact, and so are their derivatives)
        rows = [np.eye(n)[k] for n, k in zip(x.shape, key)]
        if len(x.shape) == 1:
            return self.op("matmul", rows[0], x, what="slice")
        if len(x.shape) == 2:
            return self.op("matmul", self.op("matmul", rows[0], x, what="slice"), rows[1].T, what="slice")
        raise GraphError(f"slice of an array of shape {x.shape} has no op")


def _call_name(eqn, closed) -> str | None:
    name = eqn.params.get("name")
    if name:
        return str(name)
    info = getattr(getattr(closed, "jaxpr", closed), "debug_info", None)
    src = getattr(info, "func_src_info", None) or ""
    return src.split(" ", 1)[0] or None
