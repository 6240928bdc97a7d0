"""A Pratt parser for the graph language: tokens -> statements of frozen AST nodes.

One binding-power table drives every infix operator. Left-associative chains are loops;
only parentheses, unary minus and right-associative `^` recurse, and that nesting is capped
(MAX_DEPTH) with a clear error, so no input can reach Python's recursion limit.
"""
from __future__ import annotations

import numpy as np

from . import syntax as A
from .lexer import Token, tokenize
from ..ops import OPS
from ..source import GraphError, Source, did_you_mean, normalize

# operator -> (left binding power, op name); `^` is right-associative
BINARY = {
    "+": (10, "add"), "-": (10, "sub"),
    "*": (20, "mul"), "/": (20, "div"), "@": (20, "matmul"),
    "^": (40, "pow"), "**": (40, "pow"),
}
RIGHT_ASSOC = {"pow"}
UNARY_BP = 30      # -x^2 is -(x^2); -x*y is (-x)*y
POSTFIX_BP = 50    # x[i], x.T
MAX_DEPTH = 200

# function name -> (op name, fewest args, most args): generated from the op table, where each
# op's stanza says how the language spells it (its operands, then its optional parameters).
FUNCTIONS = {op.syntax.function: (op.name, *op.syntax.arg_range(op.arity))
             for op in OPS.values() if op.syntax.function}
KEYWORDS = ("input", "const", "output")


class Parser:
    def __init__(self, src: Source):
        self.src = src
        self.tokens = tokenize(src)
        self.pos = 0
        self.depth = 0

    # -------------------------------------------------------------- token helpers

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        t = self.tokens[self.pos]
        self.pos += 1
        return t

    def at(self, text: str) -> bool:
        return self.tok.kind == "op" and self.tok.text == text

    def expect_name(self, what: str) -> Token:
        if self.tok.kind != "name":
            raise GraphError(f"expected {what}, found {describe(self.tok)}", self.tok.span)
        return self.advance()

    # -------------------------------------------------------------- statements

    def parse(self) -> list[A.Statement]:
        return list(self.statements())

    def statements(self):
        """The statements one at a time (lowering builds each before the next is parsed)."""
        while self.tok.kind != "eof":
            if self.tok.kind == "newline":
                self.advance()
                continue
            statement = self.statement()
            if self.tok.kind not in ("newline", "eof"):
                raise GraphError(f"expected the end of the statement, found {describe(self.tok)}",
                                 self.tok.span)
            yield statement

    def statement(self) -> A.Statement:
        t = self.tok
        if t.kind == "name" and t.text in KEYWORDS:
            self.advance()
            name = self.expect_name(f"a name after '{t.text}'")
            self.check_bindable(name)
            expr = None
            if self.at("="):
                self.advance()
                expr = self.literal() if t.text in ("input", "const") else self.expression()
            elif t.text == "const":
                raise GraphError(f"expected '=' and a value after 'const {name.text}'", self.tok.span)
            return A.Statement(t.text, name.text, expr, name.span)
        if t.kind == "name" and self.tokens[self.pos + 1].kind == "op" and self.tokens[self.pos + 1].text == "=":
            self.advance()
            self.check_bindable(t)
            self.advance()
            return A.Statement("assign", t.text, self.expression(), t.span)
        raise GraphError(f"expected a statement (input, const, output or NAME = expression), "
                         f"found {describe(t)}", t.span)

    def check_bindable(self, name: Token) -> None:
        """Keywords cannot be names. Function names can: `dot = x * 2` is a variable, while
        `dot(a, b)` still calls the function (a call is always followed by '(')."""
        if name.text in KEYWORDS:
            raise GraphError(f"'{name.text}' is a keyword of the language and cannot be a name "
                             f"(the keywords are {', '.join(KEYWORDS)})", name.span)

    def literal(self):
        """A number, a negated number, or a vector/matrix literal."""
        start = self.tok
        e = self.expression()
        if not isinstance(e, (A.Num, A.Array)):
            raise GraphError("expected a number or an array literal such as [1, 2] or [[1, 0], [0, 1]]",
                             start.span)
        return e

    # -------------------------------------------------------------- expressions

    def expression(self, rbp: int = 0):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise GraphError(f"expression nested too deeply (more than {MAX_DEPTH} levels)", self.tok.span)
        left = self.prefix()
        while True:
            t = self.tok
            if t.kind != "op":
                break
            if t.text in BINARY:
                lbp, op = BINARY[t.text]
                if lbp <= rbp:
                    break
                self.advance()
                right = self.expression(lbp - 1 if op in RIGHT_ASSOC else lbp)
                left = A.Binary(op, left, right, t.span)
            elif t.text in ("[", ".T") and POSTFIX_BP > rbp:
                left = self.postfix(left)
            else:
                break
        self.depth -= 1
        return left

    def prefix(self):
        t = self.advance()
        if t.kind == "number":
            return A.Num(float(t.text), t.span)
        if t.kind == "name":
            if t.text in KEYWORDS:
                raise GraphError(f"'{t.text}' starts a statement and cannot appear in an expression", t.span)
            if self.at("("):
                return self.call(t)
            return A.Name(t.text, t.span)
        if t.kind == "op" and t.text == "-":
            operand = self.expression(UNARY_BP)
            if isinstance(operand, A.Num):
                return A.Num(-operand.value, t.span)
            return A.Unary("neg", operand, t.span)
        if t.kind == "op" and t.text == "+":
            return self.expression(UNARY_BP)
        if t.kind == "op" and t.text == "(":
            e = self.expression()
            self.close(")", t)
            return e
        if t.kind == "op" and t.text == "[":
            return self.array(t)
        raise GraphError(f"expected an expression, found {describe(t)}", t.span)

    def close(self, text: str, opener: Token) -> None:
        if not self.at(text):
            raise GraphError(f"expected '{text}' to close the '{opener.text}' at "
                             f"{opener.span.line}:{opener.span.col}, found {describe(self.tok)}", self.tok.span)
        self.advance()

    def call(self, name: Token):
        if name.text not in FUNCTIONS:
            raise GraphError(f"unknown function '{name.text}'", name.span,
                             hint=did_you_mean(name.text, FUNCTIONS))
        opener = self.advance()
        args = []
        if not self.at(")"):
            args.append(self.expression())
            while self.at(","):
                self.advance()
                args.append(self.expression())
        self.close(")", opener)
        _, lo, hi = FUNCTIONS[name.text]
        if not lo <= len(args) <= hi:
            want = f"{lo}" if lo == hi else f"{lo} or {hi}"
            raise GraphError(f"{name.text} takes {want} argument{'s' if hi > 1 else ''}, got {len(args)}",
                             name.span)
        return A.Call(name.text, tuple(args), name.span)

    def array(self, opener: Token):
        """A vector or matrix literal of numbers: [1, -1] or [[3, 1], [1, 0]]."""
        items = []
        if not self.at("]"):
            while True:
                e = self.expression()
                if not isinstance(e, (A.Num, A.Array)):
                    raise GraphError("array literals hold numbers only (build arrays of expressions "
                                     "with operations instead)", getattr(e, "span", opener.span))
                items.append(e)
                if not self.at(","):
                    break
                self.advance()
        self.close("]", opener)
        if not items:
            raise GraphError("empty array literal", opener.span)
        if all(isinstance(e, A.Num) for e in items):
            return A.Array(tuple(e.value for e in items), opener.span)
        if not all(isinstance(e, A.Array) for e in items):
            raise GraphError("an array literal mixes numbers and rows", opener.span)
        rows = [e.value for e in items]
        if any(_shape(r) != _shape(rows[0]) for r in rows):
            raise GraphError("the rows of this matrix literal have different lengths", opener.span)
        return A.Array(tuple(rows), opener.span)

    def postfix(self, target):
        t = self.advance()
        if t.text == ".T":
            return A.Transpose(target, t.span)
        indices = [self.index_literal()]
        while self.at(","):
            self.advance()
            indices.append(self.index_literal())
        self.close("]", t)
        return A.Index(target, tuple(indices), t.span)

    def index_literal(self) -> int:
        t = self.tok
        e = self.expression()
        if not isinstance(e, A.Num) or not float(e.value).is_integer():   # inf and nan are not
            raise GraphError("an index must be a whole number such as 0, 2 or -1", t.span)
        return int(e.value)


def _shape(value) -> tuple:
    shape = []
    while isinstance(value, tuple):
        shape.append(len(value))
        value = value[0]
    return tuple(shape)


def describe(t: Token) -> str:
    if t.kind == "eof":
        return "the end of the file"
    if t.kind == "newline":
        return "the end of the line"
    return f"'{t.text}'"


def parse_literal(text: str, filename: str = "<value>"):
    """One literal (a number or a vector/matrix of numbers) and nothing else, as a float64
    scalar or array: how values typed on the command line or in the debugger are read."""
    p = Parser(Source(normalize(text), filename))
    while p.tok.kind == "newline":
        p.advance()
    e = p.literal()
    while p.tok.kind == "newline":
        p.advance()
    if p.tok.kind != "eof":
        raise GraphError(f"expected the end of the value, found {describe(p.tok)}", p.tok.span)
    a = np.array(e.value, dtype=float)
    return a[()] if a.ndim == 0 else a


def parse_statements(text: str, filename: str = "<string>") -> list[A.Statement]:
    """Parse graph-language text into statements (no graph is built yet)."""
    return Parser(Source(normalize(text), filename)).parse()


def iter_statements(text: str, filename: str = "<string>"):
    """The statements of graph-language text, parsed one at a time."""
    return Parser(Source(normalize(text), filename)).statements()
