"""The `index` op's attribute: which entries of an array `a[…]` takes, in one canonical form.

An index is a tuple with one entry per leading axis: a whole number (that axis is dropped) or a
slice, kept as a tuple `(start, stop, step)` (the axis stays, with the entries the slice takes).
The form is canonical, so that two spellings of the same entries are one node when hash-consed
(`x[1:]` and `x[1:4]` of a 4-vector, `A[0]` and `A[0, :]`), and hashable (a node's attributes are
a dictionary key):

  * a whole number is in 0 … n−1 (`x[-1]` of a 4-vector is 3);
  * a slice's `start` and `stop` are None where the slice runs to that end of the axis (in the
    direction of its step), else numbers in 0 … n (`stop` the first entry *not* taken), and its
    `step` is a non-zero whole number;
  * trailing whole-axis slices (`:`) are left out, unless the index is nothing else.
"""
from __future__ import annotations


def canonical_index(entries, shape) -> tuple:
    """The canonical index of `entries` (whole numbers, and slices as (start, stop, step) with
    None for a bound left out) on an array of `shape`; ValueError, with a message for a person,
    when it does not fit."""
    entries = tuple(entries)
    if len(entries) > len(shape):
        raise ValueError(f"{len(entries)} indices for an array of shape {tuple(shape)}")
    out = []
    for e, n in zip(entries, shape):
        if isinstance(e, tuple):
            out.append(_canonical_slice(e, n, shape))
        else:
            if not -n <= e < n:
                raise ValueError(f"index {e} is out of range for an axis of length {n} (shape {tuple(shape)})")
            out.append(e % n)
    while len(out) > 1 and out[-1] == (None, None, 1):
        out.pop()
    return tuple(out)


def _canonical_slice(s: tuple, n: int, shape) -> tuple:
    start, stop, step = s
    step = 1 if step is None else step
    if step == 0:
        raise ValueError("a slice's step cannot be 0")
    taken = range(*slice(start, stop, step).indices(n))
    if not taken:
        raise ValueError(f"the slice [{slice_text(s)}] takes no entries of an axis of length {n} "
                         f"(shape {tuple(shape)})")
    first, after = taken[0], taken[-1] + step
    start = None if first == (0 if step > 0 else n - 1) else first
    stop = None if (after >= n if step > 0 else after < 0) else after
    return start, stop, step


def slice_text(s: tuple) -> str:
    """`1:`, `:-1`, `::2`, `:` — a slice as written inside brackets."""
    start, stop, step = s
    text = ("" if start is None else str(start)) + ":" + ("" if stop is None else str(stop))
    return text if step in (None, 1) else f"{text}:{step}"


def index_text(index) -> str:
    """An index as written inside brackets: `2`, `1, 0`, `1:`, `:, 0`."""
    return ", ".join(slice_text(e) if isinstance(e, tuple) else str(e) for e in index)


def index_key(index) -> tuple:
    """An index as NumPy takes it (a tuple of ints and `slice` objects)."""
    return tuple(slice(*e) if isinstance(e, tuple) else e for e in index)


def index_shape(shape, index) -> tuple:
    """The shape of a[index]; ValueError when the index does not fit the shape."""
    canonical_index(index, shape)   # the same checks, the same messages
    kept = [len(range(*slice(*e).indices(n))) for e, n in zip(index, shape) if isinstance(e, tuple)]
    return tuple(kept) + tuple(shape)[len(index):]


def attr_text(key: str, value) -> str:
    """An op attribute as a Wengert line shows it: `index=[::2]`, `index=[1, 0]`, `p=3`."""
    if key == "index":
        return f"index=[{index_text(value)}]"
    return f"{key}={value:g}" if isinstance(value, float) else f"{key}={value}"
