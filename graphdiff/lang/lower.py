"""Lowering: statements -> a hash-consed Graph.

One loop over an explicit stack of tasks builds expressions, inlines calls of the file's
functions and unrolls for loops, so neither long expressions nor deep chains of calls nor long
loops can reach Python's recursion limit.

A call of a function of the file is inlined into the graph as one group instance
(`Graph.open_group(fname, function=fname, inputs=args)` … `close_group(outputs=(result,))`): its
parameters are bound to the argument nodes, its body is lowered in its own scope, and every node it
makes keeps the call path. Each iteration of a for loop is a group instance named `t=3` (function
None) whose body runs in the scope around the loop, so it may rebind outer names.
"""
from __future__ import annotations

import gc
import itertools
import math

import numpy as np

from . import syntax as A
from ..graph import Graph, as_value
from ..ops import OPS, canonical_index
from .lexer import SUPERSCRIPTS
from .grammar import FUNCTIONS, INDEX_WORDS, check_arity, signature, unknown_function
from .parser import iter_statements
from ..source import GraphError, did_you_mean

MAX_ITERATIONS = 100_000       # of one for loop
MAX_UNROLLED = 1_000_000       # calls inlined and iterations unrolled in one file


def _children(e) -> tuple:
    if isinstance(e, A.Unary):
        return (e.operand,)
    if isinstance(e, A.Binary):
        return (e.left, e.right)
    if isinstance(e, A.Call):   # the operands; later arguments are the op's parameters
        spec = FUNCTIONS.get(e.fn)
        return e.args if spec is None else e.args[:OPS[spec[0]].arity]
    if isinstance(e, (A.Index, A.Transpose)):
        return (e.target,)
    return ()


def shape_words(shape: tuple) -> str:
    """'a scalar value', 'shape (3,)', 'shape (2, 2)': a shape in an error message."""
    return "a scalar value" if shape == () else f"shape {tuple(shape)}"


class Frame:
    """The names a statement sees: the top level of the file, or one call of a function.

    `names` maps each name to its node; `numbers` the loop variables of the loops running in
    this frame to their whole numbers; a function's frame also sees `consts`, the constants of
    the top level when it was defined. `iterations` holds, for each loop iteration running in
    this frame, the names it has bound (its group's outputs)."""

    __slots__ = ("names", "numbers", "consts", "function", "iterations")

    def __init__(self, names: dict, consts: dict | None = None, function: A.Def | None = None):
        self.names = names
        self.numbers: dict[str, int] = {}
        self.consts = consts
        self.function = function
        self.iterations: list[dict] = []


class Function:
    """A def of the file, with the constants its body may use."""

    __slots__ = ("d", "consts")

    def __init__(self, d: A.Def, consts: dict):
        self.d, self.consts = d, consts


# the tasks of the lowering loop
EXPR, BUILD, CALL, RETURN, STMT, BIND, OUTPUT, ITER, END_ITER, BINARY, BINARY_NAME, UNARY, APPLY = range(13)
# built-in function -> (its op, its number of operands): a call giving just the operands is the op
# on them, with no attributes (the op's parameters left at their defaults)
_OPERANDS = {fn: (op, OPS[op].arity) for fn, (op, _, _) in FUNCTIONS.items()}
_NOT_SIMPLE = (None, -1)


class Lowerer:
    def __init__(self, g: Graph, at: dict | None):
        self.g = g
        self.at = dict(at or {})
        # each name of the file -> the node it is bound to now; names the graph already has (a
        # practice answer is read over the quantities revealed so far) are known from the start
        self.scope: dict[str, int] = dict(g.names)
        self.versions: dict[str, int] = {}  # how many times a name has been bound again
        self.functions: dict[str, Function] = {}
        self.frames = [Frame(self.scope)]
        self.calls: list[str] = []          # the functions being called, outermost first
        self.context: list[tuple] = []      # the calls (call, def) and iterations (for, t) being unrolled
        self.ended: dict[str, int] = {}     # loop variables whose loop has ended -> the loop's line
        self.unrolled = 0
        self.last: A.Statement | None = None   # the last assignment of the top level

    # ------------------------------------------------------------ names

    def name(self, e: A.Name) -> int:
        frame = self.frames[-1]
        t = frame.numbers.get(e.id)
        if t is not None:
            return self.g.add_const(float(t), span=e.span)
        i = frame.names.get(e.id)
        if i is None and frame.consts is not None:
            i = frame.consts.get(e.id)
        if i is not None:
            return i
        if e.id in FUNCTIONS or e.id in self.functions:
            raise GraphError(f"'{e.id}' is a function: call it as {e.id}(...)", e.span)
        visible = [*frame.numbers, *frame.names, *(frame.consts or ())]
        if frame.function is not None and e.id in self.scope:
            d = frame.function
            raise GraphError(f"'{e.id}' is not known inside '{d.name}': a function sees its parameters, the "
                             "names its body binds and the constants defined before it", e.span,
                             hint=f"pass {e.id} as an argument: {signature(d)[:-1]}, {e.id})" if d.params
                             else f"pass {e.id} as an argument: def {d.name}({e.id})")
        hint = did_you_mean(e.id, visible + list(FUNCTIONS))
        if e.id in self.ended:
            hint = f"'{e.id}' was the variable of the loop at line {self.ended[e.id]}: it ends with the loop"
        raise GraphError(f"unknown name '{e.id}'", e.span, hint=hint)

    def bind(self, name: str, i: int, span) -> None:
        """Bind a name of the current frame to node i. Binding it again (`x = x + 1`) makes the
        name mean the new node from then on. The graph names each node after the names bound to
        it, and keeps those names unique: a name bound again anywhere (rebinding, a second call of
        a function, a later iteration of a loop) names its node x#2, then x#3 …, so every node
        keeps one meaning and an input keeps its name."""
        frame = self.frames[-1]
        if name in frame.numbers:
            raise GraphError(f"'{name}' is the variable of a for loop running here: it cannot be bound "
                             "inside the loop", span, hint="give the new value another name")
        old = frame.names.get(name)
        frame.names[name] = i
        if frame.iterations:
            frame.iterations[-1][name] = i
        if old == i:
            return
        g = self.g
        known = g.names.get(name)
        if known is not None and known != i and old is None and frame is self.frames[0]:
            self.make_room(name)
            known = None
        if known is None:
            g.bind(name, i, span=span)
        elif known != i:
            g.bind(self.version(name), i, span=span)

    def version(self, name: str) -> str:
        """The next name#k for a name bound again."""
        k = self.versions.get(name, 1) + 1
        while f"{name}#{k}" in self.g.names:
            k += 1
        self.versions[name] = k
        return f"{name}#{k}"

    def make_room(self, name: str) -> None:
        """The top level binds a name that so far named a node made in a function (a local name):
        the top level's names stay as written, so that node is renamed name#k."""
        g = self.g
        j = g.names.pop(name)
        new = self.version(name)
        node = g.node(j)
        node.names = tuple(new if n == name else n for n in node.names)
        g.names[new] = j

    def number(self, e, what: str) -> float:
        """The value of an expression known when the file is read (a loop's bound, an index): numbers,
        loop variables and scalar constants, with + - * / ^ and negation."""
        frame = self.frames[-1]
        stack, results = [(e, False)], []
        while stack:
            x, done = stack.pop()
            if isinstance(x, A.Num):
                results.append(x.value)
            elif isinstance(x, A.Name):
                results.append(self.constant(x, frame, what))
            elif isinstance(x, (A.Unary, A.Binary)) and x.op in _ARITHMETIC:
                if not done:
                    stack.append((x, True))
                    stack.extend((c, False) for c in reversed(_children(x)))
                    continue
                k = len(_children(x))
                args = results[len(results) - k:]
                del results[len(results) - k:]
                try:
                    with np.errstate(all="raise"):
                        results.append(float(_ARITHMETIC[x.op](*args)))
                except (ZeroDivisionError, OverflowError, FloatingPointError, ValueError):
                    raise GraphError(f"{what} cannot be worked out here (a division by zero or an "
                                     "overflow)", x.span) from None
            else:
                raise GraphError(f"{what} must be a whole number known when the file is read: numbers, "
                                 "loop variables and constants, with + - * / ^", getattr(x, "span", None))
        return results[-1]

    def constant(self, x: A.Name, frame: Frame, what: str) -> float:
        if x.id in frame.numbers:
            return frame.numbers[x.id]
        i = frame.names.get(x.id)
        if i is None and frame.consts is not None:
            i = frame.consts.get(x.id)
        if i is None:
            return self.g.node(self.name(x)).value    # the error for an unknown name
        n = self.g.node(i)
        if n.op != "const" or n.shape != ():
            kind = "an array" if n.op == "const" else f"{'an input' if n.op == 'input' else 'computed'}"
            raise GraphError(f"'{x.id}' is {kind}, not a whole number: {what} is known when the file is read "
                             "(a number, a loop variable or a scalar constant)", x.span)
        return float(n.value)

    def whole(self, e, what: str) -> int:
        v = self.number(e, what)
        if not (math.isfinite(v) and float(v).is_integer()):
            raise GraphError(f"{what} must be a whole number, and {_short_number(v)} is not", _span_of(e))
        return int(v)

    def indices(self, e: A.Index) -> tuple:
        """The entries of an index with their expressions worked out (`x[t - 1]` in a loop)."""
        return tuple(A.Slice(*(self.index_part(p) for p in entry)) if isinstance(entry, A.Slice)
                     else self.index_part(entry) for entry in e.indices)

    def index_part(self, p):
        if p is None or type(p) is int:
            return p
        v = self.number(p, "an index")
        if not (math.isfinite(v) and float(v).is_integer()):
            raise GraphError(INDEX_WORDS + f"; this one is {_short_number(v)}", _span_of(p))
        return int(v)

    def binary(self, e: A.Binary, left: int, right: int) -> int:
        """The node of a power on its operands' nodes (the lowering loop applies the other binary
        ops itself, unless a subclass overrides this method: then it sees them all)."""
        if e.op == "pow" and len(self.g.node(left).shape) == 2 and e.span.source.text[e.span.offset] in SUPERSCRIPTS:
            raise _matrix_power(e)
        return self.g.apply(e.op, (left, right), span=e.span)

    def build(self, e, operands: list[int]) -> int:
        """The node of a transpose, an index or a call of a built-in function on its operands' nodes
        (binary and prefix expressions are built by the lowering loop's BINARY and UNARY tasks)."""
        g = self.g
        if isinstance(e, A.Transpose):
            return g.apply("transpose", operands, span=e.span)
        if isinstance(e, A.Index):
            try:
                index = canonical_index(self.indices(e), g.node(operands[0]).shape)
            except ValueError as err:
                raise GraphError(str(err), e.span) from None
            return g.apply("index", operands, (("index", index),), span=e.span)
        if isinstance(e, A.Call):
            spec = OPS[FUNCTIONS[e.fn][0]]
            attrs = []
            for (name, default), arg in zip(spec.syntax.params, e.args[spec.arity:]):
                if not isinstance(arg, A.Num):
                    raise GraphError(f"the {name} of {e.fn}(…) must be a number written in the file",
                                     getattr(arg, "span", e.span))
                if arg.value != default:   # the default is left out, so norm(x) and norm(x, 2) are one node
                    attrs.append((name, float(arg.value)))
            return g.apply(spec.name, operands, tuple(attrs), span=e.span)
        raise GraphError("cannot build this expression", getattr(e, "span", None))

    # ------------------------------------------------------------ the lowering loop

    def expr(self, root) -> int:
        """The node of an expression in the current frame."""
        return self.run([(EXPR, root)])[-1]

    def statement(self, s) -> None:
        """Lower one statement of the top level."""
        self.run([(STMT, s)])

    def statements(self, statements) -> None:
        """Lower statements of the top level in turn, each built before the next is taken (so the
        parser reads a statement only when the one before it is built)."""
        self.run([], statements)

    def run(self, tasks: list, statements=()) -> list:
        """Work through a stack of tasks (last first), then through `statements` (each a STMT task,
        taken when the stack is empty); returns the nodes left as results.

        EXPR e        push e's node: post-order, its operands first
        BINARY e      the op of a binary expression on the two nodes its operands left
        BINARY_NAME e the same, its right operand a name, looked up now (after the left operand, as
                      post-order would: one task fewer)
        UNARY e       the op of a prefix expression on the node its operand left
        APPLY e       the op of a call of a built-in function, given only its operands, on their nodes
        BUILD e, k    the op of any other e on the k nodes its operands left
        CALL e        a call of a function of the file: open its group and frame, then its body
        RETURN e      close them, leaving the returned node
        STMT s        a statement: BIND and OUTPUT take the node its expression left
        ITER s, t     iteration t of a for loop, then ITER s, t + 1; END_ITER closes its group
        """
        try:
            return self.work(tasks, statements)
        except GraphError as e:
            if self.context:     # say which call and which iteration the error is in
                where = "in " + ", in ".join(_place(x, k) for x, k in reversed(self.context))
                e.hint = f"{where}{'; ' + e.hint if e.hint else ''}"
            raise

    def work(self, tasks: list, statements=()) -> list:
        results: list[int] = []
        pop, push, extend = tasks.pop, tasks.append, tasks.extend
        g = self.g
        apply, binary, frames, name = g.apply, self.binary, self.frames, self.name
        noted = type(self).binary is not Lowerer.binary   # a subclass sees every binary expression (fmt)
        Num, Name, Binary, Unary, Call, simple = A.Num, A.Name, A.Binary, A.Unary, A.Call, _OPERANDS
        more = iter(statements)
        while True:
            while tasks:
                kind, x = pop()
                if kind == EXPR:
                    t = type(x)
                    # A binary expression: the task of its operator (and of its right operand), then its
                    # left operand at once; so a chain `a*b + c` is one task an operator, none for its
                    # left operands. (Below, a name's node is looked up as name() would first, without
                    # the call; the names of a frame running a loop are looked up by name().)
                    while t is Binary:
                        if type(x.right) is Name:
                            push((BINARY_NAME, x))
                        else:
                            push((BINARY, x))
                            push((EXPR, x.right))
                        x = x.left
                        t = type(x)
                    if t is Name:
                        frame = frames[-1]
                        i = None if frame.numbers else frame.names.get(x.id)
                        results.append(name(x) if i is None else i)
                    elif t is Call and len(x.args) == simple.get(x.fn, _NOT_SIMPLE)[1]:
                        if len(x.args) == 1 and type(x.args[0]) is Name:   # f(name): no task needed
                            arg = x.args[0]
                            frame = frames[-1]
                            i = None if frame.numbers else frame.names.get(arg.id)
                            results.append(apply(simple[x.fn][0], (name(arg) if i is None else i,), span=x.span))
                        else:
                            push((APPLY, x))
                            extend([(EXPR, c) for c in reversed(x.args)])
                    elif t is Num:
                        results.append(g.add_const(x.value, span=x.span))
                    elif t is Unary:
                        push((UNARY, x))
                        push((EXPR, x.operand))
                    elif t is A.Array:
                        results.append(g.add_const(np.array(x.value, dtype=float), span=x.span))
                    else:
                        children = _children(x)
                        push((CALL if t is A.Call and x.fn not in FUNCTIONS else BUILD, (x, len(children))))
                        extend([(EXPR, c) for c in reversed(children)])
                elif kind == BINARY_NAME or kind == BINARY:
                    if kind == BINARY:
                        right = results.pop()
                    else:
                        frame = frames[-1]
                        right = None if frame.numbers else frame.names.get(x.right.id)
                        if right is None:
                            right = name(x.right)
                    if x.op == "pow" or noted:
                        results[-1] = binary(x, results[-1], right)
                    else:
                        results[-1] = apply(x.op, (results[-1], right), span=x.span)
                elif kind == BIND:     # (the tasks of every line first: the rest are rarer)
                    self.bind(x.name, results.pop(), x.span)
                    if len(self.frames) == 1:
                        self.last = x
                elif kind == STMT:
                    if type(x) is A.Statement and x.kind == "assign":
                        push((BIND, x))
                        push((EXPR, x.expr))
                    else:
                        self.statement_task(x, push)
                elif kind == UNARY:
                    results[-1] = apply(x.op, (results[-1],), span=x.span)
                elif kind == APPLY:
                    op, k = simple[x.fn]
                    if k == 1:
                        results[-1] = apply(op, (results[-1],), span=x.span)
                    else:
                        node = apply(op, tuple(results[-k:]), span=x.span)
                        del results[-k:]
                        results.append(node)
                elif kind == BUILD:
                    x, k = x
                    if k:
                        operands = results[-k:]
                        del results[-k:]
                    else:
                        operands = []
                    results.append(self.build(x, operands))
                elif kind == CALL:
                    x, k = x
                    args = results[-k:] if k else []
                    if k:
                        del results[-k:]
                    d = self.enter(x, args)
                    push((RETURN, x))
                    push((EXPR, d.result))
                    extend([(STMT, b) for b in reversed(d.body)])
                elif kind == RETURN:
                    g.close_group((results[-1],))
                    self.frames.pop()
                    self.calls.pop()
                    self.context.pop()
                elif kind == OUTPUT:
                    self.bind(x.name, results.pop(), x.span)
                    g.set_output(x.name, self.scope[x.name], span=x.span)
                elif kind == ITER:
                    s, t, stop = x
                    frame = self.frames[-1]
                    if t > stop:
                        del frame.numbers[s.var]
                        self.ended[s.var] = s.span.line
                        continue
                    self.count(s.span)
                    frame.numbers[s.var] = t
                    frame.iterations.append({})
                    self.context.append((s, t))
                    g.open_group(f"{s.var}={t}", span=s.span)
                    push((ITER, (s, t + 1, stop)))
                    push((END_ITER, s))
                    extend([(STMT, b) for b in reversed(s.body)])
                elif kind == END_ITER:
                    frame = self.frames[-1]
                    bound = frame.iterations.pop()
                    self.context.pop()
                    if frame.iterations:
                        frame.iterations[-1].update(bound)
                    g.close_group(tuple(dict.fromkeys(bound.values())))
            s = next(more, None)   # the next statement of the top level (when lowering a file)
            if s is None:
                return results
            push((STMT, s))

    def count(self, span) -> None:
        self.unrolled += 1
        if self.unrolled > MAX_UNROLLED:
            raise GraphError(f"the file unrolls into more than {MAX_UNROLLED:,} function calls and loop "
                             "iterations", span, hint="graphdiff draws and steps every node: make the loops shorter")

    def enter(self, e: A.Call, args: list[int]) -> A.Def:
        """Start a call of a function of the file: check it, open its group and its frame."""
        f = self.functions.get(e.fn)
        if f is None:
            caller = self.frames[-1].function
            err = unknown_function(e.fn, e.fn, len(e.args), e.span, {k: v.d for k, v in self.functions.items()})
            if caller is not None:
                err.message += f" (called in the body of '{caller.name}')"
                err.args = (err.message,)
                err.hint = err.hint or "a function is known from its def on: define it before the line that calls it"
            raise err
        d = f.d
        check_arity(d, len(args), e.span)
        if d.name in self.calls:      # the parser refuses recursion: this is a second guard
            chain = self.calls[self.calls.index(d.name):] + [d.name]
            raise GraphError(f"recursion: {' → '.join(chain)}", e.span)
        self.count(e.span)
        g = self.g
        # the arguments handed in; a number written in the call is no input (as in graphdiff.function)
        inputs = tuple(i for i in dict.fromkeys(args) if g.node(i).op != "const" or g.node(i).names)
        g.open_group(d.name, function=d.name, inputs=inputs, span=e.span)
        self.frames.append(Frame(dict(zip(d.params, args)), f.consts, d))
        self.calls.append(d.name)
        self.context.append((e, d))
        return d

    def statement_task(self, s, push) -> None:
        if isinstance(s, A.For):
            self.loop(s, push)
        elif isinstance(s, A.Def):
            g = self.g
            consts = {n: i for n, i in self.scope.items() if g.node(i).op == "const"}
            self.functions[s.name] = Function(s, consts)
        elif s.kind == "assign":
            push((BIND, s))
            push((EXPR, s.expr))
        elif s.kind == "output" and s.expr is not None:
            push((OUTPUT, s))
            push((EXPR, s.expr))
        else:
            self.declaration(s)

    def loop(self, s: A.For, push) -> None:
        frame = self.frames[-1]
        if s.var in frame.numbers or s.var in frame.names or frame.consts and s.var in frame.consts:
            what = "the variable of a loop around it" if s.var in frame.numbers else "already a name here"
            raise GraphError(f"'{s.var}' is {what}: a loop variable is a new name", s.span,
                             hint="choose another name for the loop variable (t, k, i …)")
        start = self.whole(s.start, "the start of a loop")
        stop = self.whole(s.stop, "the end of a loop")
        if stop < start:
            raise GraphError(f"the loop runs from {start} down to {stop}: {start}..{stop} counts up, so its "
                             "end must be at least its start", _span_of(s.stop))
        if stop - start + 1 > MAX_ITERATIONS:
            raise GraphError(f"the loop {start}..{stop} would unroll {stop - start + 1:,} iterations (at most "
                             f"{MAX_ITERATIONS:,})", s.span,
                             hint="graphdiff draws and steps every iteration: make the loop shorter")
        push((ITER, (s, start, stop)))

    def declaration(self, s: A.Statement) -> None:
        """input, const and output NAME (the statements of the top level)."""
        g = self.g
        if s.kind == "input" and s.name in self.scope:
            raise GraphError(f"'{s.name}' is already defined: an input is declared once", s.span,
                             hint=f"to give '{s.name}' a new meaning from here on, write {s.name} = …")
        if s.kind == "input":
            default = as_value(s.expr.value) if s.expr is not None else None
            value = self.at.get(s.name, default)
            if value is None:
                raise GraphError(f"input '{s.name}' has no value: give one with --at {s.name}=VALUE", s.span)
            try:
                value = as_value(value)
            except (TypeError, ValueError):
                raise GraphError(f"the value given for '{s.name}' is not a number or an array", s.span) from None
            if default is not None and np.shape(value) != np.shape(default):
                # Refused, never reshaped: declare `input NAME` without a value to take any shape.
                raise GraphError(f"the value given for '{s.name}' has {shape_words(np.shape(value))}, but "
                                 f"'{s.name}' is declared with {shape_words(np.shape(default))}", s.span,
                                 hint=f"give a value of the declared shape, or declare `input {s.name}` "
                                      "without a value to set it to any shape")
            if s.name in g.names:
                self.make_room(s.name)
            self.scope[s.name] = g.add_input(s.name, value, span=s.span)
        elif s.kind == "const":
            self.bind(s.name, g.add_const(s.expr.value, name=s.name, span=s.span), s.span)
        elif s.kind == "output":
            if s.name not in self.scope:
                raise GraphError(f"unknown name '{s.name}'", s.span, hint=did_you_mean(s.name, list(self.scope)))
            g.set_output(s.name, self.scope[s.name], span=s.span)


_ARITHMETIC = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
               "div": lambda a, b: a / b, "pow": lambda a, b: a ** b, "neg": lambda a: -a}


def _place(x, k) -> str:
    """A call or a loop iteration being unrolled, for an error inside it."""
    if isinstance(x, A.For):
        return f"iteration {x.var}={k} of the loop at line {x.span.line}"
    return f"the call of {k.name} at line {x.span.line}"


def _span_of(e):
    return getattr(e, "span", None)


def _short_number(v: float) -> str:
    return f"{v:.6g}"


def _matrix_power(e: A.Binary) -> GraphError:
    """A superscript power of a matrix: on paper X² is X·X and X⁻¹ the inverse, but the language
    reads a superscript as ^ (entrywise), so it refuses to guess."""
    k = e.span.source.text[e.span.offset:e.span.offset + e.span.length]
    if k == "⁻¹":
        hint = "write inv(X) for the inverse, or X^-1 for the entrywise reciprocal"
    elif k == "²":
        hint = "write X @ X for the matrix square, or X^2 for the entrywise square"
    else:
        hint = f"write a matrix product with @, or X^{k.translate(str.maketrans(SUPERSCRIPTS))} for the entrywise power"
    return GraphError(f"a superscript power of a matrix ({k}) is ambiguous: graphdiff reads it as "
                      f"the entrywise ^, while on paper it is a matrix power", e.span, hint=hint)


def build_graph(text: str, filename: str = "<string>", *, at=None, share: bool = True, cls=Graph) -> Graph:
    """Parse and lower graph-language text. `at` supplies (or overrides) input values; `cls` is
    the Graph class to build (graphdiff.api passes its own, with the Python conveniences).

    The cyclic garbage collector is paused while the file is read: a read makes hundreds of
    thousands of objects that all live on (nodes, spans) or are freed by reference counting
    (syntax trees), and the collector's passes over them cost more than the read itself; it is on
    again when the read ends, however it ends."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(text, filename, at, share, cls)
    finally:
        if collecting:
            gc.enable()


def _build(text: str, filename: str, at, share: bool, cls) -> Graph:
    g = cls()
    low = Lowerer(g, at)
    statements = iter_statements(text, filename)
    first = next(statements, None)
    if first is None:
        raise GraphError("the file holds no statements: a graph needs at least an input and an output",
                         where=filename)
    low.statements(itertools.chain((first,), statements))   # each built before the next is read
    unknown = set(low.at) - set(g.input_names())
    if unknown:
        name = sorted(unknown)[0]
        raise GraphError(f"'{name}' is not an input of this graph",
                         hint=did_you_mean(name, g.input_names()) or
                         f"inputs: {', '.join(g.input_names()) or 'none'}")
    if not g.outputs:
        if low.last is None:
            raise GraphError("the graph has no output: add `output NAME = expression`", where=filename)
        g.set_output(low.last.name, low.scope[low.last.name], span=low.last.span)
    return g.tree() if not share else g
