"""Tracing: a Python function written with NumPy becomes a graph.

    g = gd.trace(f, x=0.7, W=np.ones((3, 2)))

runs `f` once on node handles (graphdiff.Ref): each parameter given a value becomes an input of
that name (a dict, list or tuple of arrays becomes one input per entry: `params.W1`, `layers.0`),
and so does a parameter whose default is a float or an array of floats; other parameters keep
their Python defaults. NumPy functions on the handles build nodes (graphdiff.interop.numpy).
The outputs are named after the returned value: a dict's keys, else the local variable that
holds it, else the function's name. The function's other local variables name their nodes, so
the debugger shows `u` and `v` rather than `v7`.

Python itself runs at trace time: loops unroll, and an `if` on a traced value is an error that
says so. `load_function("path/mod.py:func", at)` is the command line's way in (it runs the file).
"""
from __future__ import annotations

import importlib.util
import inspect
import os
import re
import stat
import sys

import numpy as np

from .api import FUNCTIONS, Graph, Ref
from .interop.callsite import span_at, traceback_span
from .source import GraphError, did_you_mean


def trace(f, /, *args, **kwargs) -> Graph:
    """The graph of `f`, run once on node handles. Arguments are the example inputs (by name or
    position), as `f` takes them. `gd.trace(A)` on a node is the matrix trace, as before."""
    if isinstance(f, Ref):
        return FUNCTIONS["trace"](f, *args, **kwargs)
    if not callable(f):
        raise GraphError(f"gd.trace needs a Python function, got {type(f).__name__}")
    name = _function_name(f)
    g = Graph()
    call_args, call_kwargs = _inputs(g, f, name, args, kwargs)
    result, local_names = _run(f, call_args, call_kwargs, g)
    _name_locals(g, local_names, result)
    _outputs(g, result, local_names, name)
    return g


# ------------------------------------------------------------------ inputs

def _function_name(f) -> str:
    name = getattr(f, "__name__", None) or type(f).__name__
    return name if name.isidentifier() else "f"          # a lambda's name is '<lambda>'


def _inputs(g: Graph, f, fname: str, args: tuple, kwargs: dict):
    """Declare the inputs; returns the arguments to call `f` with (handles in place of values)."""
    try:
        sig = inspect.signature(f)
    except (TypeError, ValueError):
        sig = None
    if sig is None:
        if args:
            raise GraphError(f"cannot read the parameters of {fname}: give the example inputs by name")
        return (), {k: _declare(g, k, v) for k, v in kwargs.items()}
    try:
        bound = sig.bind_partial(*args, **kwargs)
    except TypeError as e:
        raise GraphError(f"{fname}{sig}: {e}",
                         hint=f"give each parameter's example value by name: gd.trace({fname}, "
                              + ", ".join(f"{p}=…" for p in sig.parameters) + ")") from None
    call_args, call_kwargs = [], {}
    for p in sig.parameters.values():
        if p.name in bound.arguments:
            value = bound.arguments[p.name]
            if p.kind is p.VAR_POSITIONAL:
                call_args += [_declare(g, f"{p.name}.{k}", v) for k, v in enumerate(value)]
                continue
            if p.kind is p.VAR_KEYWORD:
                call_kwargs.update({k: _declare(g, k, v) for k, v in value.items()})
                continue
            if not (p.default is not p.empty and not _is_float_value(p.default) and _is_setting(value)):
                value = _declare(g, p.name, value)      # (a setting given a new setting stays one)
        elif p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        elif p.default is not p.empty:
            if not _is_float_value(p.default):
                continue                                   # a setting (an int, None, a string …): kept
            value = _declare(g, p.name, p.default)
        else:
            raise GraphError(f"{fname}'s parameter '{p.name}' needs an example value",
                             hint=f"gd.trace({fname}, {p.name}=0.5), or on the command line --at {p.name}=0.5")
        if p.kind is p.POSITIONAL_ONLY:
            call_args.append(value)
        else:
            call_kwargs[p.name] = value
    return tuple(call_args), call_kwargs


def _is_float_value(v) -> bool:
    """A float, a NumPy float or a float array: a default that becomes an input."""
    if isinstance(v, (float, np.floating)):
        return True
    return isinstance(v, np.ndarray) and v.dtype.kind == "f"


def _is_setting(v) -> bool:
    """A whole number, a flag, a string, None …: not a float or an array (or a structure of them)."""
    return not (_is_float_value(v) or isinstance(v, (np.ndarray, list, tuple, dict)))


def _is_structure(v) -> bool:
    """A dict, or a list or tuple that holds arrays, handles or containers (not a literal array)."""
    if isinstance(v, dict):
        return True
    if isinstance(v, (list, tuple)):
        return any(isinstance(e, (dict, list, tuple, np.ndarray, Ref)) and not _is_number_list(e) for e in v) \
            or any(isinstance(e, np.ndarray) for e in v)
    return False


def _is_number_list(v) -> bool:
    if isinstance(v, (list, tuple)):
        return all(_is_number_list(e) for e in v)
    return isinstance(v, (int, float, np.number)) and not isinstance(v, bool)


def _declare(g: Graph, name: str, value):
    """An input (or one per entry of a dict, list or tuple of arrays), as handles in that structure."""
    if isinstance(value, Ref):
        raise GraphError(f"the example value of '{name}' is a node of another graph: give a number or an array")
    if _is_structure(value):
        if isinstance(value, dict):
            return {k: _declare(g, f"{name}.{k}", v) for k, v in value.items()}
        return type(value)(_declare(g, f"{name}.{k}", v) for k, v in enumerate(value))
    if isinstance(value, (bool, np.bool_)):
        raise GraphError(f"the example value of '{name}' is {value}, not a number",
                         hint="a flag is a setting, not an input: give it a default in the function")
    try:
        return g.input(name, value)
    except (TypeError, ValueError):
        raise GraphError(f"the example value of '{name}' is not a number or an array of numbers: {_short(value)}") from None


def _short(v) -> str:
    text = repr(v)
    return text if len(text) <= 50 else text[:49] + "…"


# ------------------------------------------------------------------ running the function

def _run(f, args, kwargs, g: Graph):
    """Call f once, and catch its local variables as it returns (they name their nodes)."""
    code = getattr(f, "__code__", None)
    captured: dict = {}
    old = sys.getprofile()

    def profile(frame, event, arg):
        if event == "return" and frame.f_code is code and "locals" not in captured:
            captured["locals"] = dict(frame.f_locals)
        if old is not None:
            old(frame, event, arg)

    if code is not None:
        sys.setprofile(profile)
    try:
        result = f(*args, **kwargs)
    except GraphError as e:
        if e.span is None:
            e.span = traceback_span(e.__traceback__)
        raise
    except TypeError as e:
        if re.search(r"not supported between instances of '(Ref|\w+)' and '(Ref|\w+)'", str(e)) and "Ref" in str(e):
            raise GraphError("a comparison (<, <=, >, >=) of a traced value: graphdiff's comparison ops are not in "
                             "this version's op table, and an `if` on a traced value cannot work at all (Python "
                             "control flow runs once, when the function is traced)",
                             traceback_span(e.__traceback__),
                             hint="choose between values with np.maximum, np.minimum, np.abs") from None
        raise
    finally:
        if code is not None:
            sys.setprofile(old)
    return result, captured.get("locals", {})


def _name_locals(g: Graph, local_names: dict, result) -> None:
    """Give each op node held by a local variable of the function that variable's name."""
    inputs = set(g.input_names())
    for name, v in local_names.items():
        if isinstance(v, Ref) and v.graph is g and name not in inputs and not name.startswith("_"):
            node = g.node(v.id)
            if not node.is_leaf and not node.names and name not in g.names:
                g.bind(name, v.id)


# ------------------------------------------------------------------ outputs

def _outputs(g: Graph, result, local_names: dict, fname: str) -> None:
    """Mark the outputs: a dict's keys, a tuple's entries, or one value named after its variable."""
    if isinstance(result, dict):
        items = [(str(k), v) for k, v in result.items()]
    elif isinstance(result, (tuple, list)):
        items = [(_name_of(g, v, local_names) or f"{fname}{k + 1}", v) for k, v in enumerate(result)]
    else:
        items = [(_name_of(g, result, local_names) or fname, result)]
    if not items:
        raise GraphError(f"{fname} returned an empty {type(result).__name__}: return the value to differentiate")
    if not any(isinstance(v, Ref) and v.graph is g for _, v in items):
        raise GraphError(f"{fname} returned {_short(result)}, which does not depend on its inputs: "
                         "there is nothing to differentiate",
                         hint="return the value computed from the parameters (or a dict of values)")
    inputs = set(g.input_names())
    for name, v in items:
        if name in inputs and not (isinstance(v, Ref) and v.id == g.names[name]):
            name = fname if fname not in inputs else f"{name}_out"     # x = f(x); return x
        if isinstance(v, Ref):
            if v.graph is not g:
                raise GraphError(f"{fname}'s output '{name}' is a node of another graph")
            i = v.id
        else:
            try:
                i = g.add_const(v)
            except (TypeError, ValueError):
                raise GraphError(f"{fname}'s output '{name}' is {_short(v)}, not a number or a node") from None
        g.set_output(name, i)


def _name_of(g: Graph, v, local_names: dict) -> str | None:
    """The local variable that holds v (a handle of this graph), if any."""
    if not isinstance(v, Ref) or v.graph is not g:
        return None
    node = g.node(v.id)
    if node.names and not node.is_leaf:
        return node.names[0]
    for name, w in local_names.items():
        if w is v or (isinstance(w, Ref) and w.graph is g and w.id == v.id):
            return name
    return None


# ------------------------------------------------------------------ the command line's FILE.py:FUNC

_SPEC = re.compile(r"(?P<path>.+\.py):(?P<func>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)")


def load_function(spec: str, at: dict | None = None) -> Graph:
    """The graph of the function `func` of the Python file in `path/mod.py:func`, traced with the
    values of `at` ({parameter: value}). This runs the file (as `import` would), unlike a .gd file,
    which is only parsed. Every error, the file's own included, is a GraphError at its line."""
    m = _SPEC.fullmatch(str(spec))
    if m is None:
        raise GraphError("a Python file needs the function to trace after a colon: FILE.py:FUNCTION",
                         where=str(spec), hint=f"e.g. graphdiff tui {spec}:f --at x=0.7")
    path, func_name = m.group("path"), m.group("func")
    folder = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, folder)          # the file imports its neighbours, as `python mod.py` would
    try:
        return _trace_file(path, func_name, at)
    finally:
        if folder in sys.path:
            sys.path.remove(folder)


def _trace_file(path: str, func_name: str, at: dict | None) -> Graph:
    module = _run_file(path)
    f = module
    for part in func_name.split("."):
        if not hasattr(f, part):
            names = [n for n, v in vars(module).items() if callable(v) and not n.startswith("_")
                     and getattr(v, "__module__", None) == module.__name__]
            raise GraphError(f"no function '{func_name}' in this file", where=path,
                             hint=did_you_mean(part, names) or
                             (f"its functions are {', '.join(names)}" if names else "it defines no function"))
        f = getattr(f, part)
    if not callable(f):
        raise GraphError(f"'{func_name}' is a {type(f).__name__}, not a function", where=path)
    at = dict(at or {})
    try:
        params = inspect.signature(f).parameters
    except (TypeError, ValueError):
        params = {}
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
    for name in at:
        if params and name not in params and not takes_any and "." not in name:
            raise GraphError(f"--at {name}: {func_name} has no parameter '{name}'",
                             hint=did_you_mean(name, params) or f"its parameters are {', '.join(params) or 'none'}")
    examples = _nest(at)
    try:
        return trace(f, **examples)
    except GraphError as e:
        if e.span is None and e.where is None:
            e.where = f"{path}:{func_name}"
        raise
    except Exception as e:    # the user's code failed: say where, in their file
        raise GraphError(f"{func_name} raised {type(e).__name__}: {e}", traceback_span(e.__traceback__),
                         where=f"{path}:{func_name}") from None


def _nest(at: dict) -> dict:
    """--at params.W=… values as the structure the parameter takes ({"params": {"W": …}})."""
    out: dict = {}
    for name, value in at.items():
        head, *rest = name.split(".")
        if not rest:
            out[name] = value
            continue
        d = out.setdefault(head, {})
        if not isinstance(d, dict):
            raise GraphError(f"--at {name}: '{head}' is given both whole and by entry")
        for part in rest[:-1]:
            d = d.setdefault(part, {})
        d[rest[-1]] = value
    return out


def _run_file(path: str):
    """Run a Python file as a module (its `if __name__ == "__main__":` block does not run)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise GraphError("no such file", where=path) from None
    except OSError as e:
        raise GraphError(f"cannot read the file ({e.strerror})", where=path) from None
    if not stat.S_ISREG(st.st_mode):
        raise GraphError("is not a regular file", where=path)
    full = os.path.abspath(path)
    name = "graphdiff_user_" + re.sub(r"\W", "_", os.path.splitext(os.path.basename(full))[0])
    spec = importlib.util.spec_from_file_location(name, full)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as e:
        sys.modules.pop(name, None)
        span = span_at(full, e.lineno or 0)
        if span is not None and e.offset:
            span.offset = span.source.text.rfind("\n", 0, span.offset) + 1 + max(0, e.offset - 1)
            span.length = 1
        raise GraphError(f"Python syntax error: {e.msg}", span, where=path) from None
    except SystemExit:
        sys.modules.pop(name, None)
        raise GraphError("the file called sys.exit() when it was run", where=path) from None
    except Exception as e:
        sys.modules.pop(name, None)
        raise GraphError(f"running the file raised {type(e).__name__}: {e}",
                         traceback_span(e.__traceback__, filename=full), where=path) from None
    return module
