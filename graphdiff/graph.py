"""The graph: a hash-consed DAG whose node list is always in topological order."""
from __future__ import annotations

import re
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
# the var_slots of a node of two operands, by which are not constants (1: the first, 2: the second)
_VAR_SLOTS_2 = ((), (0,), (1,), (0, 1))


class Group:
    """One instance of a group: a call of a function of the language (`layer(x, W1, b1)`), an
    iteration of a loop, or a `with g.group("name"):` block of the Python API.

    `name` is the instance's part of a call path (`layer1`, `cell[3]`), `function` the function
    it instantiates (None for a plain block), `parent` the enclosing group (-1: the top level),
    `inputs` the nodes from outside handed to it (a call's arguments; empty for a block until it
    is closed, when they are found from its members) and `outputs` the nodes it hands back.
    Members are the nodes whose `group` is this group or a group inside it.
    """

    __slots__ = ("id", "name", "function", "parent", "inputs", "outputs", "span", "depth")

    def __init__(self, id, name, function, parent, depth, inputs=(), span=None):
        self.id = id
        self.name = name
        self.function = function
        self.parent = parent
        self.depth = depth      # 1 for a top-level group
        self.inputs: tuple[int, ...] = tuple(inputs)
        self.outputs: tuple[int, ...] = ()
        self.span = span

    def __repr__(self) -> str:
        return f"Group({self.id}: {self.name}{f' = {self.function}(…)' if self.function else ''}, depth {self.depth})"


_INSTANCE = re.compile(r"(#\d+|\[[^\]]*\])$")


def base_name(name: str) -> str:
    """A group instance's name without its instance mark: `layer#2` → `layer`, `cell[3]` → `cell`,
    and a loop iteration's `t=3` (or `t=1#2`, the second loop over t) → `t`."""
    return _INSTANCE.sub("", name).split("=")[0]


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

    __slots__ = ("id", "op", "operands", "attrs", "kw", "shape", "scalar", "var_slots", "names", "value", "span",
                 "group")

    def __init__(self, id, op, operands, attrs, shape, value=None, span=None, scalar=False, var_slots=(), group=-1):
        self.id = id
        self.op = op
        self.operands = operands
        self.attrs = attrs
        self.kw = dict(attrs) if attrs else _NO_KW   # attrs as keyword arguments for the op's rules
        self.shape = shape
        self.scalar = scalar    # set by Graph: this node and all its operands are scalars
        self.var_slots = var_slots   # set by Graph
        self.names: tuple[str, ...] = ()
        self.value = value
        self.span = span
        self.group = group      # set by Graph: the innermost group the node was made in (-1: none)

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
        self._table: dict[tuple, int] = {}     # constants: their value -> node
        self._shared: dict[str, dict] = {}     # op -> {operands (and attrs) -> node}: the nodes to reuse
        self._consumers: list[list[int]] | None = []
        self.inputs: tuple[int, ...] = ()
        self.outputs: tuple[tuple[str, int], ...] = ()
        self.names: dict[str, int] = {}
        self.groups: list[Group] = []
        self._open: list[tuple[int, int]] = []   # the groups being built (id, first node), innermost last
        self._group = -1                 # the group new nodes go in
        self._instances: dict[tuple[int, str], int] = {}   # (parent, name) -> instances so far
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

    def _add_leaf(self, node: Node) -> int:
        """Append an input or a constant (op nodes are made whole in `apply`)."""
        node.scalar = node.shape == ()
        node.group = self._group
        self._nodes.append(node)
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
        i = self._add_leaf(Node(len(self._nodes), "input", (), (), shape, value, span))
        self.inputs += (i,)
        self.bind(name, i, span=span)
        return i

    def add_const(self, value, *, name: str | None = None, span: Span | None = None) -> int:
        """A constant node, interned by value: equal literals are one node. A named constant
        (`const a = 2`; the caller binds the name) is a node of its own: were it one node with
        the literal 2, `a^2` would read `pow(a, a)`."""
        if type(value) is float or type(value) is int:      # the common case, without NumPy
            value = float(value)
            key = ("const", value.hex())                     # tells −0.0 from 0.0, and NaN from NaN
            value = np.float64(value)
        else:
            value = as_value(value)
            key = ("const", np.shape(value), np.asarray(value).tobytes()) if np.ndim(value) else \
                ("const", float(value).hex())
        if name is not None:
            key = (name,) + key
        if self.share:
            i = self._table.get(key)
            if i is not None:
                return i
        i = self._add_leaf(Node(len(self._nodes), "const", (), (), np.shape(value), value, span))
        self._table[key] = i
        return i

    def apply(self, op: str, operands: Iterable[int], attrs: tuple = (), *, span: Span | None = None) -> int:
        """The node op(operands) with attrs, reusing an equal node when sharing is on."""
        if type(operands) is not tuple:
            operands = tuple(operands)
        key = (operands, attrs) if attrs else operands   # no key tuple to make for most nodes
        shared = self._shared.get(op)
        if shared is None:
            shared = self._shared[op] = {}
        elif self.share:
            i = shared.get(key)
            if i is not None:
                return i
        spec = OPS.get(op)
        if spec is None:
            raise GraphError(f"unknown operation '{op}'", span, hint=did_you_mean(op, OPS))
        n = len(operands)
        if n != spec.arity:
            raise GraphError(f"{op} takes {spec.arity} operand(s), got {n}", span)
        nodes = self._nodes
        try:
            # One and two operands (nearly every node) unrolled: this runs once per node built.
            if n == 2:
                a, b = nodes[operands[0]], nodes[operands[1]]
                shapes = (a.shape, b.shape)
                scalars = not (a.shape or b.shape)       # every operand a scalar (shape ())
                var_slots = _VAR_SLOTS_2[(a.op != "const") + 2 * (b.op != "const")]
            elif n == 1:
                a = nodes[operands[0]]
                shapes = (a.shape,)
                scalars = not a.shape
                var_slots = (0,) if a.op != "const" else ()
            else:
                shapes = tuple(nodes[j].shape for j in operands)
                scalars = not any(shapes)
                var_slots = tuple(k for k, j in enumerate(operands) if nodes[j].op != "const")
                var_slots = _ALL_SLOTS.get(len(var_slots), var_slots) if len(var_slots) == n else var_slots
        except IndexError:
            raise GraphError(f"{op}: an operand is not a node of this graph", span) from None
        if scalars and spec.partials is not None:
            shape = ()      # an elementwise op of scalars (most nodes): no need to ask its shape rule
        else:
            try:
                shape = spec.shape(*shapes, **dict(attrs)) if attrs else spec.shape(*shapes)
            except ValueError as e:
                raise GraphError(f"{op}: {e}", span) from None
            if type(shape) is not tuple:
                shape = tuple(shape)
        i = len(nodes)
        nodes.append(Node(i, op, operands, attrs, shape, None, span, scalars and shape == (), var_slots, self._group))
        self._consumers = None    # rebuilt on demand
        shared[key] = i
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

    # ------------------------------------------------------------ groups

    def open_group(self, name: str, *, function: str | None = None, inputs=(), span: Span | None = None) -> int:
        """Start a group instance inside the current one; nodes made until `close_group` belong
        to it. A node that already exists (sharing) keeps the group it was first made in."""
        parent = self._group
        depth = self.groups[parent].depth + 1 if parent >= 0 else 1
        k = self._instances[parent, name] = self._instances.get((parent, name), 0) + 1
        gid = len(self.groups)
        # the second `layer` inside one parent is `layer#2`, as a name bound again is `x#2`
        self.groups.append(Group(gid, name if k == 1 else f"{name}#{k}", function, parent, depth, inputs, span))
        self._open.append((gid, len(self._nodes)))
        self._group = gid
        return gid

    def close_group(self, outputs=()) -> int:
        """End the innermost open group, with the nodes it hands back. A group that made no node
        of its own (a second call on the same arguments: every node was shared) is dropped, and
        the id of the instance that made its outputs is returned instead (-1 if none did)."""
        if not self._open:
            raise GraphError("no group is open")
        gid, first = self._open.pop()
        self._group = self._open[-1][0] if self._open else -1
        group = self.groups[gid]
        group.outputs = tuple(outputs)
        own = range(first, len(self._nodes))             # every node made while it was open
        if not own:
            for dropped in self.groups[gid:]:             # it and any empty groups inside it
                base = dropped.name.split("#")[0]
                self._instances[dropped.parent, base] -= 1
            del self.groups[gid:]
            made = {self._nodes[o].group for o in outputs}
            return made.pop() if len(made) == 1 else -1
        if not group.inputs:
            inside = set(own)
            seen, ins = set(), []
            for i in own:
                for j in self._nodes[i].operands:
                    if j not in inside and j not in seen and self._nodes[j].op != "const":
                        seen.add(j)
                        ins.append(j)
            group.inputs = tuple(ins)
        return gid

    def group_path(self, gid: int) -> tuple[int, ...]:
        """The groups from the top level down to gid (empty for -1)."""
        path = []
        while gid >= 0:
            path.append(gid)
            gid = self.groups[gid].parent
        return tuple(reversed(path))

    def call_path(self, i: int) -> str:
        """Node i's call path, dotted: `net.layer1.tanh` (its op last; its label for a leaf)."""
        n = self._nodes[i]
        parts = [self.groups[g].name for g in self.group_path(n.group)]
        return ".".join(parts + [self.label(i) if n.is_leaf or n.names else n.op])

    def group_children(self, gid: int) -> list[Group]:
        """The groups directly inside group gid (-1: the top-level groups), in order."""
        key = ("group children", len(self), len(self.groups))
        children = self.cache.get(key)
        if children is None:
            children = self.cache[key] = {}
            for grp in self.groups:
                children.setdefault(grp.parent, []).append(grp)
        return children.get(gid, [])

    def members(self, gid: int) -> list[int]:
        """The nodes made in group gid or in a group inside it, in topological order."""
        inside, todo = set(), [gid]
        while todo:
            k = todo.pop()
            inside.add(k)
            todo.extend(grp.id for grp in self.group_children(k))
        return [n.id for n in self._nodes if n.group in inside]

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
        for grp in self.groups:         # the same groups; a copy of a node stays in its group
            t.groups.append(Group(grp.id, grp.name, grp.function, grp.parent, grp.depth, (), grp.span))
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
                    t._group = n.group
                    new = t.apply(n.op, ops_, n.attrs, span=n.span)
                    t._group = -1
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
