"""The op table: one stanza per primitive — its code (NumPy, floats, textbook notation), from which
its numeric rules are compiled, its shape rule, cost, notes, language and API spelling, sampler.

    OPS["sin"].eval(x)                 NumPy evaluation (compiled from the stanza's code)
    OPS["sin"].partial(k, args, y)     elementwise ops: ∂y/∂x_k, entrywise
    OPS["matmul"].jvp(k, x_dot, args, y, attrs) / .vjp(k, y_bar, args, y, attrs)

`elementwise.py` holds the elementwise ops, `arrays.py` the reductions, products and linear
algebra, `helpers.py` the functions their code calls, `table.py` the record and the compiler,
`indexing.py` the canonical form of the `index` op's attribute (whole numbers and slices).
"""
from . import arrays, elementwise  # noqa: F401  (each registers its stanzas)
from .helpers import HELPERS
from .helpers import lift, unbroadcast   # for the sweeps (one definition)
from .indexing import attr_text, canonical_index, index_key, index_text
from .table import OPERANDS, OPS, Code, Cost, Op, Syntax, fill, literal, number, size, static_mapping

__all__ = ["OPS", "Op", "Code", "Cost", "Syntax", "HELPERS", "fill", "literal", "number", "size",
           "static_mapping", "lift", "unbroadcast", "OPERANDS", "attr_text", "canonical_index", "index_key",
           "index_text"]
