"""A Pratt parser for the graph language: tokens -> statements of frozen AST nodes.

One binding-power table drives every infix operator. Left-associative chains are loops;
only parentheses, prefix operators and right-associative `^` recurse, and that nesting is capped
(MAX_DEPTH) with a clear error, so no input can reach Python's recursion limit.

The tables below are the language's syntax, read by the docs and the fuzzer too: BINARY (infix
operators), PREFIX, FUNCTIONS (generated from the op table), CONSTANTS and KEYWORDS; the Unicode
spellings are the lexer's (lexer.UNICODE, lexer.SUPERSCRIPTS).
"""
from __future__ import annotations

import math

import numpy as np

from . import syntax as A
from .lexer import Token, tokenize
from ..ops import OPS
from ..source import GraphError, Source, closest, did_you_mean, normalize

# operator -> (left binding power, op name); `^` is right-associative, comparisons do not chain
BINARY = {
    "<": (5, "lt"), "<=": (5, "le"), ">": (5, "gt"), ">=": (5, "ge"), "==": (5, "eq"), "!=": (5, "ne"),
    "+": (10, "add"), "-": (10, "sub"),
    "*": (20, "mul"), "/": (20, "div"), "@": (20, "matmul"),
    "^": (40, "pow"), "**": (40, "pow"),
}
RIGHT_ASSOC = {"pow"}
COMPARE_BP = 5
NON_ASSOC = {op for bp, op in BINARY.values() if bp == COMPARE_BP}   # a < b < c is an error, not (a < b) < c
# prefix operator -> op name (None: no op); all bind at UNARY_BP
PREFIX = {"-": "neg", "+": None, "√": "sqrt"}
UNARY_BP = 30      # -x^2 is -(x^2), -x*y is (-x)*y; the same for √: √x² is √(x²), √x·y is (√x)·y
POWER_BP = 40      # a superscript power (x², x⁻¹, xⁿ) binds like ^
POSTFIX_BP = 50    # x[i], x.T
MAX_DEPTH = 200

# function name -> (op name, fewest args, most args): generated from the op table, where each
# op's stanza says how the language spells it (its operands, then its optional parameters).
FUNCTIONS = {op.syntax.function: (op.name, *op.syntax.arg_range(op.arity))
             for op in OPS.values() if op.syntax.function}
KEYWORDS = ("input", "const", "output")
CONSTANTS = {"pi": math.pi, "e": math.e}   # reserved: read as their values, never names
RESERVED = KEYWORDS + tuple(CONSTANTS)
_RESERVED = dict.fromkeys(RESERVED)   # one lookup for a name in an expression
# the operators other than BINARY's that may follow an operand: postfix, or the start of a second
# operand written without an operator (2(x+1), 2√x), which is an error
_AFTER_OPERAND = {"[": True, ".T": True, "(": False, "√": False}


def left_bp(t: Token) -> int:
    """How tightly a token binds to the operand before it (0: it does not continue an expression)."""
    if t.kind == "sup":
        return POWER_BP
    if t.kind == "op":
        if t.text in BINARY:
            return BINARY[t.text][0]
        if t.text == "[" or t.text == ".T":
            return POSTFIX_BP
    return 0


class Parser:
    def __init__(self, src: Source):
        self.src = src
        self.tokens = tokenize(src)
        self.pos = 0
        self.depth = 0
        self.open: list[Token] = []   # the brackets being read, innermost last (for errors)
        self.in_list = 0              # > 0 inside an array literal or an index: entries need ','
        self.defined: set[str] = set()  # names bound so far (so `x(y + 1)` can suggest x*(y + 1))

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

    def written(self, first: Token, last: Token) -> str:
        """The source text from one token to another (both included), as written."""
        return self.src.text[first.span.offset:last.span.offset + last.span.length]

    # -------------------------------------------------------------- hooks (graphdiff fmt)

    def on_superscript(self, sup: int, base: int) -> None:
        """A superscript power: token `sup` raises the operand starting at token `base`."""

    def on_sqrt(self, root: int, end: int) -> None:
        """A prefix √ at token `root` whose operand ends at token `end` (included)."""

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
                t = self.tok
                if t.kind == "op" and t.text in (")", "]"):
                    raise GraphError(f"unmatched '{t.text}': no '{'(' if t.text == ')' else '['}' is open",
                                     t.span)
                raise GraphError(f"expected the end of the statement, found {describe(t)}", t.span)
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
            self.defined.add(name.text)
            return A.Statement(t.text, name.text, expr, name.span)
        if t.kind == "name" and self.tokens[self.pos + 1].kind == "op" and self.tokens[self.pos + 1].text == "=":
            self.advance()
            self.check_bindable(t)
            self.advance()
            statement = A.Statement("assign", t.text, self.expression(), t.span)
            self.defined.add(t.text)
            return statement
        raise GraphError(f"expected a statement (input, const, output or NAME = expression), "
                         f"found {describe(t)}", t.span)

    def check_bindable(self, name: Token) -> None:
        """Keywords and constants cannot be names. Function names can: `dot = x * 2` is a variable,
        while `dot(a, b)` still calls the function (a call is always followed by '(')."""
        if name.text in KEYWORDS:
            raise GraphError(f"'{name.text}' is a keyword of the language and cannot be a name "
                             f"(the reserved words are {', '.join(RESERVED)})", name.span)
        if name.text in CONSTANTS:
            raise GraphError(f"'{self.written(name, name)}' is the constant {name.text} = "
                             f"{CONSTANTS[name.text]:.6g}… and cannot be a name "
                             f"(the reserved words are {', '.join(RESERVED)})", name.span)

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
        start = self.pos
        left = self.prefix()
        compared = False
        tokens = self.tokens
        while True:
            t = tokens[self.pos]
            kind = t.kind
            if kind == "op":
                binary = BINARY.get(t.text)
                if binary is not None:
                    lbp, op = binary
                    if lbp <= rbp:
                        break
                    if lbp == COMPARE_BP:
                        if compared:
                            raise GraphError(f"comparisons do not chain: write (a {t.text} b) with "
                                             "parentheses, or combine two comparisons with *", t.span)
                        compared = True
                    self.pos += 1
                    right = self.expression(lbp - 1 if op in RIGHT_ASSOC else lbp)
                    left = A.Binary(op, left, right, t.span)
                    continue
                postfix = _AFTER_OPERAND.get(t.text)
                if postfix is None:
                    break
                if not postfix:
                    self.implicit_product(start)
                if POSTFIX_BP <= rbp:
                    break
                left = self.postfix(left)
            elif kind == "newline" or kind == "eof":
                break
            elif kind == "sup":
                if POWER_BP <= rbp:
                    break
                self.pos += 1
                self.on_superscript(self.pos - 1, start)
                left = A.Binary("pow", left, _exponent(t), t.span)
            elif kind == "number" or kind == "name":
                self.implicit_product(start)
            else:
                break
        self.depth -= 1
        return left

    def prefix(self):
        t = self.advance()
        if t.kind == "number":
            return A.Num(float(t.text), t.span)
        if t.kind == "name":
            if t.text in _RESERVED:
                if t.text in KEYWORDS:
                    raise GraphError(f"'{t.text}' starts a statement and cannot appear in an expression", t.span)
                if not self.at("("):
                    return A.Num(CONSTANTS[t.text], t.span)
            nxt = self.tokens[self.pos]
            if nxt.kind == "op" and nxt.text == "(":
                return self.call(t)
            return A.Name(t.text, t.span)
        if t.kind == "op":
            if t.text in PREFIX:
                root = self.pos - 1
                operand = self.expression(UNARY_BP)
                op = PREFIX[t.text]
                if op is None:
                    return operand
                if op == "neg" and isinstance(operand, A.Num):
                    return A.Num(-operand.value, t.span)
                if op == "sqrt":
                    self.on_sqrt(root, self.pos - 1)
                return A.Unary(op, operand, t.span)
            if t.text == "(":
                self.open.append(t)
                e = self.expression()
                self.close(")", t)
                return e
            if t.text == "[":
                return self.array(t)
        raise GraphError(f"expected an expression, found {describe(t)}", t.span)

    def close(self, text: str, opener: Token) -> None:
        t = self.tokens[self.pos]
        if t.text == text and t.kind == "op":
            self.pos += 1
            self.open.pop()
            return
        if t.kind == "op" and t.text in (")", "]"):
            raise GraphError(f"'{t.text}' does not match the '{opener.text}' at {opener.span.line}:{opener.span.col}",
                             t.span, hint=f"close that '{opener.text}' with '{text}'")
        raise GraphError(f"expected '{text}' to close the '{opener.text}' at "
                         f"{opener.span.line}:{opener.span.col}, found {describe(t)}", t.span)

    def implicit_product(self, start: int):
        """Two operands side by side (`2x`, `2(x+1)`, `x y`): an error suggesting the product,
        or, across a line break inside brackets, pointing at the bracket left open."""
        t, prev = self.tok, self.tokens[self.pos - 1]
        gap = self.src.text[prev.span.offset + prev.span.length:t.span.offset]
        if "\n" in gap and self.open:
            opener = self.open[-1]
            raise GraphError(f"'{opener.text}' was not closed before line {t.span.line}", opener.span,
                             hint=f"inside brackets a statement runs on to the next line: close the "
                                  f"'{opener.text}' on line {opener.span.line}")
        if self.in_list:
            raise GraphError(f"expected ',' or a closing bracket, found {describe(t)}", t.span,
                             hint="separate the entries with commas")
        left = _short(self.written(self.tokens[start], prev))
        right = _short(self.operand_text())
        raise GraphError(f"expected an operator between {left} and {right}", t.span,
                         hint=f"did you mean {left}*{right}? (a product is written with *)")

    def operand_text(self) -> str:
        """The source of the operand at the current token, as `*` would take it (for a hint)."""
        first = last = self.tok
        try:
            self.expression(BINARY["*"][0])
            last = self.tokens[self.pos - 1]
        except GraphError:
            pass
        return self.written(first, last)

    def call(self, name: Token):
        opener = self.advance()
        self.open.append(opener)
        args = []
        if not self.at(")"):
            args.append(self.expression())
            while self.at(","):
                self.advance()
                args.append(self.expression())
        self.close(")", opener)
        spec = FUNCTIONS.get(name.text)
        if spec is None:
            raise self.not_a_function(name, len(args))
        _, lo, hi = spec
        if not lo <= len(args) <= hi:
            raise GraphError(f"{name.text} takes {_arguments(lo, hi)}, got {len(args)}", name.span)
        return A.Call(name.text, tuple(args), name.span)

    def not_a_function(self, name: Token, n_args: int) -> GraphError:
        """The error for a call of a name that is no function: a misspelt function (those that
        take this many arguments suggested first), or a product written without '*'."""
        text = self.written(name, name)
        if name.text in CONSTANTS or name.text in self.defined:
            what = f"the constant {name.text}" if name.text in CONSTANTS else "a name defined above"
            return GraphError(f"'{text}' is {what}, not a function", name.span,
                              hint=f"did you mean {text}*(…)? (a product is written with *)")
        fits = [f for f, (_, lo, hi) in FUNCTIONS.items() if lo <= n_args <= hi]
        match, nearest = closest(name.text, fits), closest(name.text, FUNCTIONS)
        hint = None
        if nearest is not None and nearest != match:
            _, lo, hi = FUNCTIONS[nearest]
            other = f"'{nearest}', which takes {_arguments(lo, hi)}"
            hint = f"did you mean '{match}'? (or {other})" if match else f"did you mean {other}?"
        elif match is not None:
            hint = f"did you mean '{match}'?"
        return GraphError(f"unknown function '{text}'", name.span, hint=hint)

    def array(self, opener: Token):
        """A vector or matrix literal of numbers: [1, -1] or [[3, 1], [1, 0]]."""
        self.open.append(opener)
        self.in_list += 1
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
        self.in_list -= 1
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
        self.open.append(t)
        self.in_list += 1
        entries = [self.index_entry()]
        while self.at(","):
            self.advance()
            entries.append(self.index_entry())
        self.close("]", t)
        self.in_list -= 1
        return A.Index(target, tuple(entries), t.span)

    def index_entry(self):
        """One entry of an index: a whole number, or a slice start:stop:step (each part optional)."""
        start = None if self.at(":") else self.index_literal()
        if not self.at(":"):
            return start
        self.advance()
        stop = None if self.at(":") or self.at(",") or self.at("]") else self.index_literal()
        step = None
        if self.at(":"):
            self.advance()
            if not (self.at(",") or self.at("]")):
                step = self.index_literal()
        return A.Slice(start, stop, step)

    def index_literal(self) -> int:
        t = self.tok
        e = self.expression()
        if not isinstance(e, A.Num) or not float(e.value).is_integer():   # inf and nan are not
            raise GraphError("an index must be a whole number such as 0, 2 or -1, or a slice such as "
                             "1:, :-1, ::2 or : (a whole axis)", t.span)
        return int(e.value)


def _exponent(t: Token):
    """The exponent of a superscript power: a number, n, or either negated."""
    if t.text.lstrip("-") == "n":
        name = A.Name("n", t.span)
        return A.Unary("neg", name, t.span) if t.text.startswith("-") else name
    return A.Num(float(t.text), t.span)


def _arguments(lo: int, hi: int) -> str:
    return f"{lo if lo == hi else f'{lo} or {hi}'} argument{'s' if hi > 1 else ''}"


def _short(text: str, width: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


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
    s = t.span
    return f"'{s.source.text[s.offset:s.offset + s.length]}'"


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
