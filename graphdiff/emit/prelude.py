"""The functions a generated module defines before its own: the op table's helpers (copied from
their one definition in graphdiff.ops.helpers, so the module runs without graphdiff installed)
and the scaffolding of the dict-based functions (seeds, batches, identity blocks)."""
from __future__ import annotations

import functools
import inspect
import re

from ..ops import HELPERS

SCAFFOLDING = {
    "_get": '''
def _get(d, name, shape, batch):
    """A seed (tangent or adjoint) from a dict, zeros when absent."""
    v = d.get(name)
    return np.zeros(batch + shape) if v is None else (np.asarray(v, dtype=float) if shape or np.ndim(v) else float(v))
''',
    "_batch": '''
def _batch(d, shapes):
    """The leading seed axes shared by the given tangents or adjoints (() when unbatched)."""
    for name, v in d.items():
        if name in shapes:
            s = np.shape(v)
            return s[:len(s) - len(shapes[name])]
    return ()
''',
    "_identity": '''
def _identity(shapes):
    """One unit seed per scalar entry of the named arrays: {name: (n, *shape)}, and n."""
    n = sum(math.prod(s) for s in shapes.values())
    seeds, offset = {}, 0
    for name, s in shapes.items():
        k = math.prod(s)
        block = np.zeros((n, k))
        block[offset:offset + k] = np.eye(k)
        seeds[name] = block.reshape((n,) + s)
        offset += k
    return seeds, n
''',
}

_CALL = re.compile(r"\b(_[A-Za-z]\w*)\(")


@functools.lru_cache(maxsize=None)
def helper_source(name: str) -> str:
    """The source of one helper, as the generated module defines it (read once: inspect reads
    the file each time)."""
    if name in SCAFFOLDING:
        return SCAFFOLDING[name]
    return "\n" + inspect.getsource(HELPERS[name])


def helpers_called(code: str) -> list[str]:
    """The helpers `code` calls, and those they call in turn, in a stable order. Each known name
    is looked for as `name(` (a substring search: a regular expression scans a module of tens of
    megabytes several times slower)."""
    return helper_closure(names_called(code))


def names_called(text: str) -> set[str]:
    """The helpers and scaffolding functions `text` calls, looked for as `name(` (at worst one
    too many, `_step(` inside `_half_step(`: harmless)."""
    if "(" not in text:
        return set()
    return {name for name, call in _KNOWN_CALLS if call in text}


def helper_closure(found) -> list[str]:
    """The helpers `found` and those they call in turn (found through their own sources, which
    are short, by the regular expression), in a stable order."""
    found = set(found)
    todo = [helper_source(name) for name in found]
    while todo:
        for name in _CALL.findall(todo.pop()):
            if name in _KNOWN and name not in found:
                found.add(name)
                todo.append(helper_source(name))
    return sorted(found)


_KNOWN = frozenset(HELPERS) | frozenset(SCAFFOLDING)
_KNOWN_CALLS = tuple((name, name + "(") for name in sorted(_KNOWN))
