"""Values in and out: reading numbers and arrays that people type (`--at`, `--seed`, the TUI's
input editor) and writing values as JSON.

Typed values use the graph language's own literal syntax (`0.5`, `.5`, `+1`, `-1e-3`, `[1, 2]`,
`[[1, 0], [0, 1]]`), read by its parser, so a value that works in a `.gd` file works on the
command line too; `nan`, `inf` and `-inf` are accepted as whole values (JSON output writes them
as those strings).
"""
from __future__ import annotations

import json
import math

import numpy as np

from .source import GraphError

NONFINITE = {"nan": np.nan, "inf": np.inf, "+inf": np.inf, "-inf": -np.inf,
             "infinity": np.inf, "+infinity": np.inf, "-infinity": -np.inf}
LITERAL_HINT = "write a number such as 0.5 or -1e-3, or an array such as [1, 2] or [[1, 0], [0, 1]]"


def parse_value(text: str, what: str = "value"):
    """A number or an array typed by a person, as a float64 scalar or array (GraphError when it
    is not one: the message names `what`, e.g. "--at value for 'x'")."""
    from .lang.parser import parse_literal   # the language's own literal grammar
    t = str(text).strip()
    if t.lower() in NONFINITE:
        return np.float64(NONFINITE[t.lower()])
    if not t:
        raise GraphError(f"bad {what}: it is empty", hint=LITERAL_HINT)
    try:
        return parse_literal(t)
    except GraphError as e:
        raise GraphError(f"bad {what} '{_short(t)}': " + e.message.replace("the end of the file", "the end of the value"),
                         hint=LITERAL_HINT) from None


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def parse_at(items) -> dict:
    """`--at NAME=VALUE` options (a list of strings) as {name: value}."""
    at = {}
    for item in items or ():
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise GraphError(f"bad --at '{_short(item)}': expected NAME=VALUE, e.g. --at x=0.5 or --at w=[1,2]")
        at[name.strip()] = parse_value(value, f"--at value for '{name.strip()}'")
    return at


def parse_seed(text: str | None):
    """`x`, `x[1]`, `x[0,1]` (an entry by its index) or a JSON object {"x": direction}."""
    if text is None:
        return None
    text = text.strip()
    if text.startswith("{"):
        try:
            d = json.loads(text)
        except (ValueError, RecursionError):   # JSONDecodeError, and ints beyond 4,300 digits
            raise GraphError(f"bad --seed '{_short(text)}': not valid JSON") from None
        if not isinstance(d, dict):
            raise GraphError(f"bad --seed '{_short(text)}': expected a JSON object such as {{\"x\": [1, 0]}}")
        return {k: _json_direction(v, f"--seed direction for '{k}'") for k, v in d.items()}
    if "[" in text:
        name, _, rest = text.partition("[")
        if "][" in rest:
            raise GraphError(f"bad --seed '{_short(text)}': write the indices of an entry in one pair of "
                             f"brackets, {name.strip()}[{rest.replace('][', ',').rstrip(']')}]")
        if not rest.endswith("]"):
            raise GraphError(f"bad --seed '{_short(text)}': expected NAME, NAME[i] or NAME[i,j]")
        parts = [p.strip() for p in rest[:-1].split(",")]
        if not all(p.lstrip("-").isdigit() and p.isascii() and len(p) < 20 for p in parts):
            raise GraphError(f"bad --seed '{_short(text)}': indices must be whole numbers, as in {name.strip()}[0,1]")
        return (name.strip(), tuple(int(p) for p in parts))
    return text


def _json_direction(v, what: str):
    """A direction from a JSON document: numbers and rectangular arrays of numbers only."""
    if isinstance(v, bool) or not isinstance(v, (int, float, list)):
        raise GraphError(f"bad {what}: expected a number or an array of numbers")
    try:
        return parse_value(json.dumps(v), what)
    except (ValueError, RecursionError, OverflowError):
        raise GraphError(f"bad {what}: expected a number or an array of numbers") from None


def resolve_seed(g, seed, kind: str):
    """Turn (name, (i, j)) into (name, flat entry) now that the node's shape is known."""
    if isinstance(seed, tuple) and isinstance(seed[1], tuple):
        name, index = seed
        node = g.node(g.input_node(name) if kind == "input" else g.output_node(name))
        if len(index) != len(node.shape) or not all(-n <= i < n for i, n in zip(index, node.shape)):
            shape = "a scalar (no index)" if not node.shape else f"shape {node.shape}"
            raise GraphError(f"seed {name}[{','.join(map(str, index))}] does not fit {name}: {shape}")
        index = tuple(i % n for i, n in zip(index, node.shape))
        return (name, int(np.ravel_multi_index(index, node.shape)) if node.shape else 0)
    return seed


def jsonable(v):
    """A value as JSON: nested lists in NumPy's shape, non-finite floats as strings."""
    if v is None:
        return None
    if type(v) is float or type(v) is np.float64:    # the common case, without an array
        x = float(v)
        return x if x - x == 0.0 else ("nan" if x != x else "inf" if x > 0 else "-inf")
    a = np.asarray(v, dtype=float)
    if a.ndim == 0:
        x = float(a)
        if np.isnan(x):
            return "nan"
        if np.isinf(x):
            return "inf" if x > 0 else "-inf"
        return x
    return [jsonable(r) for r in a]


def json_text(v) -> str:
    """`jsonable(v)` written as JSON, as `json.dumps` writes it: a finite float is its repr, read
    without building a Python object first (the common case of a long trace); anything else goes
    through `jsonable` and `json.dumps`."""
    if type(v) is float or type(v) is np.float64:
        x = float(v)
        if x - x == 0.0:
            return repr(x)
    return json.dumps(jsonable(v), ensure_ascii=False)


def json_string(text: str) -> str:
    """A string as a JSON string literal, as `json.dumps(text, ensure_ascii=False)` writes it."""
    return _encode_string(text)


_encode_string = json.encoder.encode_basestring   # the C escaper json.dumps uses with ensure_ascii=False


EXACT_DIGITS = 15   # counts up to this many digits are written out; larger ones as a power of ten


def count(n: int):
    """A count as people read it: exact while it is short, else `≈ 1.2e5021` (a string), so that a
    tree of astronomically many nodes neither floods the screen nor trips Python's 4,300-digit
    limit on printing integers."""
    if n < 10 ** EXACT_DIGITS:
        return n
    shift = max(0, n.bit_length() - 64)
    exponent = math.log10(n >> shift) + shift * math.log10(2)
    e = math.floor(exponent)
    mantissa = 10 ** (exponent - e)
    if mantissa >= 9.95:
        mantissa, e = 1.0, e + 1
    return f"≈ {mantissa:.1f}e{e}"
