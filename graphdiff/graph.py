"""The graph: a hash-consed DAG whose node list is always in topological order."""
from __future__ import annotations

from typing import Iterable

import numpy as np

from .ops import OPS
from .source import GraphError, Span, did_you_mean


def as_value(v):
    """A user value as graphdiff stores it: np.float64 for scalars, a float64 array otherwise."""
    a = np.asarray(v, dtype=float)
    return a[()] if a.ndim == 0 else a


_NO_KW: dict = {}    # the kw of every node without attributes (shared: never mutated)
_ALL_SLOTS = {0: (), 1: (0,), 2: (0, 1), 3: (0, 1, 2)}


def _choices(name: str, names, what: str) -> str:
    """'did you mean …?' when a name is close, and always the list of valid names."""
    names = list(names)
    listed = f"the {what} are {', '.join(names)}" if names else f"the graph has no {what}"
    close = did_you_mean(name, names)
    return f"{close} ({listed})" if close else listed


class Node:
    """One node: an input, a constant, or an op applied to earlier nodes.

    Nodes are created only by `Graph`; the graph adds author names to `names` as they are
    bound, nothing else changes after creation. `var_slots` are the operand positions whose
    operand is not a constant (the ones a derivative flows through).
    """

    __slots__ = ("id", "op", "operands", "attrs", "kw", "shape", "scalar", "var_slots", "names", "value", "span")

    def __init__(self, id, op, operands, attrs, shape, value=None, span=None):
        self.id = id
        self.op = op
        self.operands = operands
        self.attrs = attrs
        self.kw = dict(attrs) if attrs else _NO_KW   # attrs as keyword arguments for the op's rules
        self.shape = shape
        self.scalar = False     # set by Graph: this node and all its operands are scalars
        self.var_slots = ()     # set by Graph
        self.names: tuple[str, ...] = ()
        self.value = value
        self.span = span

    @property
    def is_leaf(self) -> bool:
        return self.op in ("input", "const")

    def __repr__(self) -> str:
        ops = ", ".join(f"v{j}" for j in self.operands)
        return f"Node(v{self.id} = {self.op}({ops}){' ' + '/'.join(self.names) if self.names else ''})"


class Graph:
    """A DAG of nodes, hash-consed so that structurally equal subexpressions are one node.

    `share=False` turns interning off: every application makes a new node (an expression tree).
    This is the core every layer uses; `graphdiff.Graph` (graphdiff.api) adds the Python-facing
    conveniences: input/const/output handles, eval, grad, jacobian and notebook display.
    """

    def __init__(self, *, share: bool = True):
        self.share = share
        self._nodes: list[Node] = []
        self._table: dict[tuple, int] = {}
        self._consumers: list[list[int]] | None = []
        self.inputs: tuple[int, ...] = ()
        self.outputs: tuple[tuple[str, int], ...] = ()
        self.names: dict[str, int] = {}
        self.cache: dict = {}  # derived facts whose keys include len(self): reachability, compiled code

    # ------------------------------------------------------------ construction

    @property
    def nodes(self) -> tuple[Node, ...]:
        return tuple(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)

    def node(self, i: int) -> Node:
        return self._nodes[i]

    def node_list(self) -> list[Node]:
        """The nodes in topological order, without copying (read-only by convention)."""
        return self._nodes

    def _add(self, node: Node) -> int:
        nodes = self._nodes
        scalar, slots = node.shape == (), []
        for k, j in enumerate(node.operands):
            o = nodes[j]
            if o.shape != ():
                scalar = False
            if o.op != "const":
                slots.append(k)
        node.scalar = scalar
        node.var_slots = (_ALL_SLOTS.get(len(slots)) or tuple(slots)) if len(slots) == len(node.operands) else tuple(slots)
        nodes.append(node)
        self._consumers = None    # rebuilt on demand
        return node.id

    def add_input(self, name: str, value=None, *, shape=None, span: Span | None = None) -> int:
        """Declare an independent variable; its shape comes from its value (or `shape`)."""
        if name in self.names:
            raise GraphError(f"'{name}' is already defined", span)
        if value is not None:
            value = as_value(value)
            shape = np.shape(value)
        shape = tuple(shape or ())
        i = self._add(Node(len(self._nodes), "input", (), (), shape, value, span))
        self.inputs += (i,)
        self.bind(name, i, span=span)
        return i

    def add_const(self, value, *, span: Span | None = None) -> int:
        """A constant node (interned by value, so equal literals are one node)."""
        if type(value) is float or type(value) is int:      # the common case, without NumPy
            value = float(value)
            key = ("const", value.hex())                     # tells −0.0 from 0.0, and NaN from NaN
            value = np.float64(value)
        else:
            value = as_value(value)
            key = ("const", np.shape(value), np.asarray(value).tobytes()) if np.ndim(value) else \
                ("const", float(value).hex())
        if self.share:
            i = self._table.get(key)
            if i is not None:
                return i
        i = self._add(Node(len(self._nodes), "const", (), (), np.shape(value), value, span))
        self._table[key] = i
        return i

    def apply(self, op: str, operands: Iterable[int], attrs: tuple = (), *, span: Span | None = None) -> int:
        """The node op(operands) with attrs, reusing an equal node when sharing is on."""
        if type(operands) is not tuple:
            operands = tuple(operands)
        key = (op, operands, attrs)
        if self.share:
            i = self._table.get(key)
            if i is not None:
                return i
        spec = OPS.get(op)
        if spec is None:
            raise GraphError(f"unknown operation '{op}'", span, hint=did_you_mean(op, OPS))
        if len(operands) != spec.arity:
            raise GraphError(f"{op} takes {spec.arity} operand(s), got {len(operands)}", span)
        nodes = self._nodes
        try:
            shapes = [nodes[j].shape for j in operands]
            shape = tuple(spec.shape(*shapes, **dict(attrs)) if attrs else spec.shape(*shapes))
        except ValueError as e:
            raise GraphError(f"{op}: {e}", span) from None
        except IndexError:
            raise GraphError(f"{op}: an operand is not a node of this graph", span) from None
        i = self._add(Node(len(nodes), op, operands, attrs, shape, None, span))
        self._table[key] = i
        return i

    def bind(self, name: str, i: int, *, span: Span | None = None) -> None:
        """Give node i an author name (a node may carry several)."""
        self.names[name] = i
        node = self._nodes[i]
        if name not in node.names:
            node.names = node.names + (name,)

    def set_output(self, name: str, i: int, *, span: Span | None = None) -> None:
        """Mark node i as the output `name`."""
        if any(n == name for n, _ in self.outputs):
            raise GraphError(f"output '{name}' is already declared", span)
        if name not in self.names or self.names[name] != i:
            self.bind(name, i, span=span)
        self.outputs += ((name, i),)

    # ------------------------------------------------------------ queries

    def label(self, i: int) -> str:
        """The display name of node i: its author's first name, else v{i}."""
        names = self._nodes[i].names
        return names[0] if names else f"v{i}"

    def _consumer_lists(self) -> list[list[int]]:
        """Who uses each node (one entry per operand slot), built when first asked for."""
        if self._consumers is None:
            lists = [[] for _ in self._nodes]
            for n in self._nodes:
                for j in n.operands:
                    lists[j].append(n.id)
            self._consumers = lists
        return self._consumers

    def consumers(self, i: int) -> tuple[int, ...]:
        return tuple(self._consumer_lists()[i])

    def fanout(self, i: int) -> int:
        """How many distinct nodes use node i."""
        return len(set(self._consumer_lists()[i]))

    def input_names(self) -> tuple[str, ...]:
        return tuple(self.input_name(i) for i in self.inputs)

    def input_name(self, i: int) -> str:
        return self._nodes[i].names[0]

    def output_node(self, name: str) -> int:
        for n, i in self.outputs:
            if n == name:
                return i
        raise GraphError(f"no output named '{name}'", hint=_choices(name, [n for n, _ in self.outputs], "outputs"))

    def input_node(self, name: str) -> int:
        for i in self.inputs:
            if self._nodes[i].names[0] == name:
                return i
        raise GraphError(f"no input named '{name}'", hint=_choices(name, self.input_names(), "inputs"))

    def n_ops(self) -> int:
        return sum(1 for n in self._nodes if not n.is_leaf)

    def descendants(self, roots) -> list[bool]:
        """Which nodes depend on the roots (roots included). Cached on the graph (graphs only
        grow, so its length is part of the key): read-only for callers."""
        key = ("descendants", tuple(sorted(roots)), len(self))
        if key not in self.cache:
            hit = [False] * len(self)
            for r in roots:
                hit[r] = True
            for n in self._nodes:
                if not hit[n.id] and any(hit[j] for j in n.operands):
                    hit[n.id] = True
            self.cache[key] = hit
        return self.cache[key]

    def ancestors(self, roots) -> list[bool]:
        """Which nodes the roots depend on (roots included), cached like `descendants`."""
        key = ("ancestors", tuple(sorted(roots)), len(self))
        if key not in self.cache:
            hit = [False] * len(self)
            for r in roots:
                hit[r] = True
            for n in reversed(self._nodes):
                if hit[n.id]:
                    for j in n.operands:
                        hit[j] = True
            self.cache[key] = hit
        return self.cache[key]

    def tree_copies(self) -> list[int]:
        """How many times the expression tree (sharing off) repeats each node: its number of paths
        to the outputs (an output named twice is one tree). Counted over the DAG in reverse, so a
        deep DAG whose tree is astronomically large is still counted exactly."""
        copies = [0] * len(self._nodes)
        for i in {i for _, i in self.outputs}:
            copies[i] = 1
        for n in reversed(self._nodes):
            for j in n.operands:
                copies[j] += copies[n.id]
        return copies

    def tree_counts(self) -> tuple[int, int]:
        """(nodes, op nodes) of the expression tree: sharing off, only inputs kept single."""
        copies = self.tree_copies()
        nodes = sum(c for n, c in zip(self._nodes, copies) if n.op != "input")
        ops = sum(c for n, c in zip(self._nodes, copies) if not n.is_leaf)
        return nodes + len(self.inputs), ops

    def tree(self, *, limit: int = 200_000) -> "Graph":
        """The expression tree of this graph (sharing off): each use of a node gets its own copy."""
        nodes, _ = self.tree_counts()
        if nodes > limit:
            raise GraphError(f"the expression tree would have {nodes} nodes (more than {limit})")
        t = type(self)(share=False)
        t_input = {}
        for i in self.inputs:
            n = self._nodes[i]
            t_input[i] = t.add_input(n.names[0], n.value, shape=n.shape, span=n.span)
        for name, root in self.outputs:
            # Post-order copy with an explicit stack: (node id, operands done?)
            stack, results = [(root, False)], []
            while stack:
                i, done = stack.pop()
                n = self._nodes[i]
                if n.op == "input":
                    results.append(t_input[i])
                elif n.op == "const":
                    results.append(t.add_const(n.value, span=n.span))
                elif not done:
                    stack.append((i, True))
                    for j in reversed(n.operands):
                        stack.append((j, False))
                else:
                    k = len(n.operands)
                    ops_ = results[len(results) - k:]
                    del results[len(results) - k:]
                    new = t.apply(n.op, ops_, n.attrs, span=n.span)
                    for nm in n.names:
                        if nm not in t.names:
                            t.bind(nm, new)
                    results.append(new)
            t.set_output(name, results[-1])
        return t

    def to_networkx(self):
        """A networkx.DiGraph: edges operand → consumer, with op, label and shape on nodes."""
        import networkx as nx

        G = nx.DiGraph()
        for n in self._nodes:
            G.add_node(n.id, op=n.op, label=self.label(n.id), shape=n.shape, names=n.names)
        for n in self._nodes:
            for slot, j in enumerate(n.operands):
                if G.has_edge(j, n.id):
                    G.edges[j, n.id]["slots"].append(slot)
                else:
                    G.add_edge(j, n.id, slots=[slot])
        return G

    def stats(self) -> dict:
        """Node and edge counts, with and without sharing (the `stats --json` document)."""
        tree_nodes, tree_ops = self.tree_counts()
        return {
            "nodes": len(self._nodes),
            "edges": sum(len(n.operands) for n in self._nodes),
            "ops": self.n_ops(),
            "inputs": len(self.inputs),
            "consts": sum(1 for n in self._nodes if n.op == "const"),
            "tree_nodes": tree_nodes,
            "tree_ops": tree_ops,
        }
