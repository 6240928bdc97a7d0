"""What every emitter needs to know about a graph: which nodes the programs keep, in which order.

  needed  nodes the outputs depend on (the evaluation trace skips the others)
  active  nodes that depend on the differentiated inputs (only they get tangents / adjoints)
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import NamedTuple

from ..graph import Graph
from ..sweeps import scalar_output


class Line(NamedTuple):
    """One generated line and the node it comes from (None for scaffolding), for line ↔ node links."""

    node: int | None
    text: str


@contextmanager
def gc_paused():
    """The cyclic garbage collector paused while a module is written: an emitter makes millions
    of lines and no cycles, and repeated collections would only rescan them (a third of the time
    of a 100,000-node module)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Plan:
    """Reachability facts of one graph, for one choice of differentiated inputs and output."""

    def __init__(self, g: Graph, *, wrt=None, output: str | None = None):
        self.g = g
        self.nodes = g.node_list()
        self.outputs = list(g.outputs)
        names = list(wrt) if wrt else list(g.input_names())
        self.wrt = [g.input_node(n) for n in names]
        self.wrt_names = names
        self.needed = g.ancestors([i for _, i in self.outputs])   # shared with the sweeps: read-only
        self.active = g.descendants(self.wrt)
        self.output = self._scalar_output(output)

    def _scalar_output(self, output):
        """The output `gradient` differentiates: the one named, else the only one (if scalar)."""
        if output is None and (len(self.outputs) != 1 or self.nodes[self.outputs[0][1]].shape != ()):
            return None     # no gradient in the module, not an error: a module of values and vjps
        return scalar_output(self.g, output)

    def scalar_code(self, node) -> bool:
        """Whether node and its operands are scalars (Python floats in the generated code)."""
        return node.scalar   # the graph works this out once, when the node is made

    def ops(self):
        """The op nodes the outputs depend on, in topological order."""
        return [n for n in self.nodes if self.needed[n.id] and not n.is_leaf]
