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
KEYWORDS = ("input", "const", "output", "def", "return", "for", "in")
DECLARATIONS = ("input", "const", "output")   # the statements of the top level only
MAX_BLOCKS = 20      # how deeply for loops may nest (a def's body counts as one)
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
        self.consts: set[str] = set()   # names of the top level bound to constants (a def's body sees them)
        self.functions: dict[str, A.Def] = {}   # the functions defined so far
        self.forward: set[str] = set()  # functions called in a def's body before they were defined
        self.blocks: list[Token] = []   # the `def` and `for` whose bodies are being read, innermost last
        self.body: dict | None = None   # the def being read: its name, its local names, its calls

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
            self.end_of_statement()
            yield statement
        for d in self.functions.values():   # a function called in a body but never defined
            for fn, span in d.calls:
                if fn not in self.functions:
                    err = unknown_function(fn, fn, -1, span, self.functions)
                    err.message += f" (called in the body of '{d.name}'; no def of '{fn}' in the file)"
                    err.args = (err.message,)
                    raise err

    def end_of_statement(self) -> None:
        t = self.tok
        if t.kind not in ("newline", "eof"):
            if t.kind == "op" and t.text in (")", "]"):
                raise GraphError(f"unmatched '{t.text}': no '{'(' if t.text == ')' else '['}' is open", t.span)
            raise GraphError(f"expected the end of the statement, found {describe(t)}", t.span)

    def statement(self):
        """One statement: a declaration, an assignment, or a def or a for with its body."""
        t = self.tok
        if t.kind == "name" and t.text in KEYWORDS:
            if t.text in DECLARATIONS:
                if self.blocks:
                    where = "a def" if self.body is not None else "a for loop"
                    raise GraphError(f"'{t.text}' is a statement of the top level of the file, not of the body "
                                     f"of {where}", t.span,
                                     hint="declare inputs, constants and outputs outside the def or the for")
                return self.declaration()
            if t.text == "def":
                return self.definition()
            if t.text == "for":
                return self.loop()
            if t.text == "return":
                if self.body is None:
                    raise GraphError("'return' outside a def: it ends the body of a function", t.span,
                                     hint="define a function with def NAME(PARAMS): and an indented body "
                                          "ending in return EXPR, or name the value with NAME = EXPR")
                raise GraphError(f"'return' inside a for loop: the return of '{self.body['name']}' ends "
                                 "its body, after the loop", t.span)
        if t.kind == "name" and self.tokens[self.pos + 1].kind == "op" and self.tokens[self.pos + 1].text == "=":
            self.advance()
            self.check_bindable(t)
            self.advance()
            statement = A.Statement("assign", t.text, self.expression(), t.span)
            self.bound(t.text, statement.expr)
            return statement
        raise GraphError(f"expected a statement (input, const, output, def, for or NAME = expression), "
                         f"found {describe(t)}", t.span)

    def declaration(self) -> A.Statement:
        """input NAME [= LITERAL], const NAME = LITERAL, output NAME [= EXPR]."""
        t = self.advance()
        name = self.expect_name(f"a name after '{t.text}'")
        self.check_bindable(name)
        expr = None
        if self.at("="):
            self.advance()
            expr = self.literal() if t.text in ("input", "const") else self.expression()
        elif t.text == "const":
            raise GraphError(f"expected '=' and a value after 'const {name.text}'", self.tok.span)
        self.bound(name.text, expr if t.text == "const" else None)
        return A.Statement(t.text, name.text, expr, name.span)

    def bound(self, name: str, expr=None) -> None:
        """A name is bound (at the top level, or locally in the def being read) to the value of
        expr; at the top level, a constant (a literal, or a constant's name) is seen by defs."""
        if self.body is not None:
            self.body["locals"].add(name)
            return
        self.defined.add(name)
        if isinstance(expr, (A.Num, A.Array)) or isinstance(expr, A.Name) and expr.id in self.consts:
            self.consts.add(name)
        else:
            self.consts.discard(name)

    # -------------------------------------------------------------- def and for

    def definition(self) -> A.Def:
        """def NAME(PARAMS) = EXPR, or def NAME(PARAMS): and a body ending in return EXPR."""
        kw = self.advance()
        if self.blocks:
            raise GraphError("a def inside another def or a for loop: functions are defined at the top level "
                             "of the file", kw.span, hint="move this def above, unindented")
        name = self.expect_name("a function name after 'def'")
        self.check_bindable(name)
        if name.text in FUNCTIONS:
            _, lo, hi = FUNCTIONS[name.text]
            raise GraphError(f"'{name.text}' is a built-in function ({name.text} takes {_arguments(lo, hi)}) "
                             "and cannot be defined again", name.span,
                             hint=f"give your function another name, such as my_{name.text}")
        if name.text in self.functions:
            first = self.functions[name.text]
            raise GraphError(f"'{name.text}' is already defined, at line {first.span.line}: a function is "
                             "defined once", name.span,
                             hint=f"the first is {signature(first)}; give this one another name")
        opener = self.tok
        if not self.at("("):
            raise GraphError(f"expected '(' and the parameters after 'def {name.text}', found {describe(opener)}",
                             opener.span, hint=f"write def {name.text}(x, y) = … (or def {name.text}() = … without any)")
        self.advance()
        self.open.append(opener)
        params: list[str] = []
        while not self.at(")"):
            p = self.expect_name("a parameter name")
            self.check_bindable(p)
            if p.text in params:
                raise GraphError(f"parameter '{p.text}' appears twice in def {name.text}", p.span,
                                 hint="each parameter of a function has its own name")
            params.append(p.text)
            if not self.at(")"):
                if not self.at(","):
                    raise GraphError(f"expected ',' or ')' in the parameters of def {name.text}, found "
                                     f"{describe(self.tok)}", self.tok.span)
                self.advance()
        self.close(")", opener)
        self.body = {"name": name.text, "params": tuple(params), "locals": set(params), "calls": {}}
        try:
            if self.at("="):
                self.advance()
                body, result = (), self.expression()
            elif self.at(":"):
                self.advance()
                body, result = self.def_body(kw, name)
            else:
                raise GraphError(f"expected '=' and an expression, or ':' and a body, after "
                                 f"def {name.text}({', '.join(params)})", self.tok.span,
                                 hint=f"def {name.text}({', '.join(params)}) = EXPR on one line, or end the line "
                                      "with ':' and indent the body below it, ending in return EXPR")
            calls = tuple(self.body["calls"].items())
        finally:
            self.body = None
        d = A.Def(name.text, tuple(params), body, result, calls, name.span)
        self.check_recursion(d)
        self.functions[name.text] = d
        return d

    def def_body(self, kw: Token, name: Token) -> tuple:
        """The statements of a def's body up to its return, and the returned expression."""
        body: list = []
        for t in self.block(kw):
            if t.kind == "name" and t.text == "return":
                self.advance()
                result = self.expression()
                self.end_of_statement()
                after = self.next_in_block(kw)
                if after is not None:
                    raise GraphError(f"'return' ends the body of '{name.text}': this statement comes after it",
                                     after.span, hint="move it above the return, or unindent it")
                return tuple(body), result
            body.append(self.statement())
        where = self.tok if self.tok.kind == "eof" else self.tokens[self.pos + 1]
        raise GraphError(f"def {name.text} has no return: its body must end with return EXPR", name.span,
                         hint=f"the body of '{name.text}' ends before line {where.span.line}" if where.kind != "eof"
                         else f"the body of '{name.text}' ends at the end of the file")

    def loop(self) -> A.For:
        """for VAR in START..STOP: and its body (on the same line, or indented below)."""
        kw = self.advance()
        var = self.expect_name("a loop variable after 'for'")
        self.check_bindable(var)
        if not (self.tok.kind == "name" and self.tok.text == "in"):
            raise GraphError(f"expected 'in' after 'for {var.text}', found {describe(self.tok)}", self.tok.span,
                             hint=f"write for {var.text} in 1..10:")
        self.advance()
        start = self.expression()
        if not self.at(".."):
            raise GraphError(f"expected '..' between the bounds of the loop, found {describe(self.tok)}",
                             self.tok.span, hint=f"write for {var.text} in 1..10: (both bounds included)")
        self.advance()
        stop = self.expression()
        if not self.at(":"):
            raise GraphError(f"expected ':' after for {var.text} in …, found {describe(self.tok)}", self.tok.span,
                             hint="a loop's body follows ':' on the same line, or on the lines below, indented")
        self.advance()
        local = self.body["locals"] if self.body is not None else self.defined
        fresh = var.text not in local
        local.add(var.text)
        body = []
        for _ in self.block(kw):
            body.append(self.statement())
        if fresh:          # the loop variable ends with the loop
            local.discard(var.text)
        return A.For(var.text, start, stop, tuple(body), var.span)

    def block(self, header: Token):
        """The body of a def or a for whose header ends at the current token (after its ':'): yields
        once for each of its statements, at its first token, and returns at the newline after the
        last one. A body on the header's line runs to the end of that line (statements separated
        by ';'); else it is the lines below indented deeper than the header's line."""
        if len(self.blocks) >= MAX_BLOCKS:
            raise GraphError(f"loops nested too deeply (more than {MAX_BLOCKS} levels)", header.span)
        self.blocks.append(header)
        try:
            if self.tok.kind != "newline" and self.tok.kind != "eof":    # a body on the header's line
                yield self.tok
                self.end_of_statement()
                while self.tok.kind == "newline" and not self.first_on_line(self.tokens[self.pos + 1]):
                    self.advance()
                    yield self.tok
                    self.end_of_statement()
                below = self.tokens[self.pos + 1] if self.tok.kind == "newline" else self.tok
                if below.kind != "eof" and self.indent(below) > self.indent(header):
                    raise GraphError(f"this line is indented under a one-line '{header.text}': its body is the rest "
                                     f"of line {header.span.line}", below.span,
                                     hint="write the whole body on the lines below the ':', indented")
                return
            first = self.next_in_block(header)
            if first is None:
                t = self.tokens[self.pos + 1] if self.tok.kind == "newline" else self.tok
                raise GraphError(f"expected an indented body after '{self.written(header, self.tokens[self.pos - 1])}'",
                                 t.span, hint="indent the lines of the body deeper than the line of "
                                              f"'{header.text}'")
            while True:
                self.advance()             # the newline before the statement
                yield self.tok
                self.end_of_statement()
                if self.next_in_block(header) is None:
                    return
        finally:
            self.blocks.pop()

    def next_in_block(self, header: Token):
        """The first token of the next statement when it belongs to the body of `header` (the current
        token being the newline before it), else None."""
        if self.tok.kind != "newline":
            return None
        t = self.tokens[self.pos + 1]
        if t.kind == "eof":
            return None
        if not self.first_on_line(t) or self.indent(t) > self.indent(header):
            return t
        return None

    def first_on_line(self, t: Token) -> bool:
        text, o = self.src.text, t.span.offset
        return not text[text.rfind("\n", 0, o) + 1:o].strip(" \t\f\v")

    def indent(self, t: Token) -> int:
        """The indentation of the line of token t (tabs to multiples of 8)."""
        text, o = self.src.text, t.span.offset
        start = text.rfind("\n", 0, o) + 1
        line = text[start:o]
        return len(line[:len(line) - len(line.lstrip(" \t\f\v"))].expandtabs(8))

    def check_recursion(self, d: A.Def) -> None:
        """A def may call functions defined later (a call is resolved when it is made), but no
        function may reach itself: follow the calls from d through the functions defined so far.
        Only a function called before its def can close a cycle."""
        if d.name not in self.forward:
            return
        stack = [(callee, (d.name, callee), span) for callee, span in reversed(d.calls)]
        seen = set()
        while stack:
            fn, chain, span = stack.pop()
            if fn == d.name:
                raise GraphError(f"recursion: {' → '.join(chain)} (a function may not call itself, directly or "
                                 "through other functions)", span,
                                 hint="graphdiff inlines every call; write a repeated step as a for loop")
            if fn in seen or fn not in self.functions:
                continue
            seen.add(fn)
            stack.extend((callee, chain + (callee,), span) for callee, _ in reversed(self.functions[fn].calls))

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
            if self.body is not None and t.text not in self.body["locals"] and t.text not in self.consts:
                raise self.unknown_in_body(t)
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
        if spec is not None:
            _, lo, hi = spec
            if not lo <= len(args) <= hi:
                raise GraphError(f"{name.text} takes {_arguments(lo, hi)}, got {len(args)}", name.span)
            return A.Call(name.text, tuple(args), name.span)
        body = self.body
        fn = self.functions.get(name.text)
        if fn is not None:
            check_arity(fn, len(args), name.span)
        elif body is None or name.text in body["locals"]:
            raise self.not_a_function(name, len(args))
        elif name.text == body["name"]:
            raise GraphError(f"recursion: {name.text} → {name.text} (a function may not call itself, directly "
                             "or through other functions)", name.span,
                             hint="graphdiff inlines every call; write a repeated step as a for loop")
        if body is not None:     # a function defined later is found when the call is made
            body["calls"].setdefault(name.text, name.span)
            if fn is None:
                self.forward.add(name.text)
        return A.Call(name.text, tuple(args), name.span)

    def unknown_in_body(self, t: Token) -> GraphError:
        """A name in a def's body that is neither a parameter, nor bound above it in the body, nor a
        name of the file defined before the def."""
        body = self.body
        params = ", ".join((*body["params"], t.text))
        if t.text in self.defined:
            return GraphError(f"'{t.text}' is not known inside '{body['name']}': a function sees its parameters, the "
                              "names its body binds and the constants defined before it", t.span,
                              hint=f"pass {t.text} as an argument: def {body['name']}({params})")
        hint = did_you_mean(t.text, [*body["locals"], *self.consts])
        return GraphError(f"unknown name '{self.written(t, t)}' in the body of '{body['name']}'", t.span, hint=hint)

    def not_a_function(self, name: Token, n_args: int) -> GraphError:
        """The error for a call of a name that is no function: a misspelt function (those that
        take this many arguments suggested first), or a product written without '*'."""
        text = self.written(name, name)
        local = self.body["locals"] if self.body is not None else self.defined
        if name.text in CONSTANTS or name.text in local:
            what = f"the constant {name.text}" if name.text in CONSTANTS else "a name defined above"
            return GraphError(f"'{text}' is {what}, not a function", name.span,
                              hint=f"did you mean {text}*(…)? (a product is written with *)")
        return unknown_function(name.text, text, n_args, name.span, self.functions)

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

    def index_literal(self):
        """A whole number, or an expression over loop variables and constants (`x[t]`, `x[t - 1]`),
        worked out when the graph is built."""
        t = self.tok
        e = self.expression()
        if isinstance(e, A.Num) and float(e.value).is_integer():   # inf and nan are not
            return int(e.value)
        if isinstance(e, (A.Name, A.Binary)) or isinstance(e, A.Unary) and e.op == "neg":
            return e
        raise GraphError(INDEX_WORDS, t.span)


INDEX_WORDS = ("an index must be a whole number such as 0, 2 or -1 (or a loop variable, or a constant, "
               "such as t or t - 1), or a slice such as 1:, :-1, ::2 or : (a whole axis)")


def _exponent(t: Token):
    """The exponent of a superscript power: a number, n, or either negated."""
    if t.text.lstrip("-") == "n":
        name = A.Name("n", t.span)
        return A.Unary("neg", name, t.span) if t.text.startswith("-") else name
    return A.Num(float(t.text), t.span)


def _arguments(lo: int, hi: int) -> str:
    return f"{lo if lo == hi else f'{lo} or {hi}'} argument{'s' if hi != 1 else ''}"


def signature(d: A.Def) -> str:
    """`def layer(x, W, b)`, as written in the file (for messages)."""
    return f"def {d.name}({', '.join(d.params)})"


def check_arity(d: A.Def, n_args: int, span) -> None:
    """A call of a function of the file must give one argument per parameter."""
    if n_args != len(d.params):
        n = len(d.params)
        raise GraphError(f"{d.name} takes {n} argument{'' if n == 1 else 's'}, got {n_args}", span,
                         hint=f"it is {signature(d)}, at line {d.span.line}")


def unknown_function(fn: str, text: str, n_args: int, span, functions: dict) -> GraphError:
    """An unknown function, with the function it most likely meant: those taking this many
    arguments first, built-in or defined in the file."""
    ranges = {f: (lo, hi) for f, (_, lo, hi) in FUNCTIONS.items()}
    ranges.update((f, (len(d.params),) * 2) for f, d in functions.items())
    fits = [f for f, (lo, hi) in ranges.items() if lo <= n_args <= hi]
    match, nearest = closest(fn, fits), closest(fn, ranges)
    hint = None
    if nearest is not None and nearest != match:
        other = f"'{nearest}', which takes {_arguments(*ranges[nearest])}"
        hint = f"did you mean '{match}'? (or {other})" if match else f"did you mean {other}?"
    elif match is not None:
        hint = f"did you mean '{match}'?"
    return GraphError(f"unknown function '{text}'", span, hint=hint)


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
