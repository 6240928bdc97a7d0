"""A Pratt parser for the graph language: tokens -> statements of frozen AST nodes.

One binding-power table drives every infix operator. Left-associative chains are loops;
only parentheses, prefix operators and right-associative `^` recurse, and that nesting is capped
(MAX_DEPTH) with a clear error, so no input can reach Python's recursion limit.

The language's syntax is in tables (grammar.py: BINARY, PREFIX, FUNCTIONS, CONSTANTS, KEYWORDS;
imported here too), the Unicode spellings in the lexer's (lexer.UNICODE, lexer.SUPERSCRIPTS);
`def` and `for` are read by the Blocks part of the parser (blocks.py).
"""
from __future__ import annotations

import numpy as np

from . import syntax as A
from .blocks import Blocks
from .grammar import (BINARY, COMPARE_BP, CONSTANTS, DECLARATIONS, FUNCTIONS, INDEX_WORDS, KEYWORDS, MAX_DEPTH,
                      POSTFIX_BP, POWER_BP, PREFIX, RESERVED, RIGHT_ASSOC, UNARY_BP, arguments, check_arity,
                      describe, unknown_function)
from .lexer import Token, tokenize
from ..source import GraphError, Source, Span, normalize

_RESERVED = dict.fromkeys(RESERVED)   # one lookup for a name in an expression
# the operators other than BINARY's that may follow an operand: postfix, or the start of a second
# operand written without an operator (2(x+1), 2√x), which is an error
_AFTER_OPERAND = {"[": True, ".T": True, "(": False, "√": False}
# the texts of the tokens that end an operand read at a binding power of at least the value: the
# binary operators; the operators that never continue an expression, the line ends ('\n', ';') and
# the end of the file ('') end any. Any other token ('[', '.T', '(', '√', a superscript, a name, a
# number) goes on with the operand, or is an error to report. (These texts are of one kind each.)
_ENDS = {**{text: bp for text, (bp, _) in BINARY.items()},
         ")": 0, "]": 0, ",": 0, ":": 0, "..": 0, "=": 0, "\n": 0, ";": 0, "": 0}
_GOES_ON = 100      # more than any binding power
_new = tuple.__new__       # syntax nodes made without the named tuples' Python-level __new__
_Name, _Num, _Binary, _Call = A.Name, A.Num, A.Binary, A.Call


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


class Parser(Blocks):
    """Reads the token arrays (lexer.Tokens) by index; a Token (`self.tok`, `self.tokens[k]`) is
    made only off the common path (declarations, blocks, errors), a Span only for a syntax node."""

    def __init__(self, src: Source):
        self.src = src
        self.tokens = tokenize(src)
        self.kinds, self.texts, self.starts = self.tokens.kinds, self.tokens.texts, self.tokens.starts
        self.pos = 0
        self.depth = 0
        self.open: list[int] = []     # the brackets being read (token indices), innermost last (for errors)
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
        return self.texts[self.pos] == text and self.kinds[self.pos] == "op"

    def span(self, k: int) -> Span:
        """The span of token k."""
        return self.tokens.span(k)

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
        kinds = self.kinds
        while kinds[self.pos] != "eof":
            if kinds[self.pos] == "newline":
                self.pos += 1
                continue
            statement = self.statement()
            if kinds[self.pos] != "newline":
                self.end_of_statement()
            yield statement
        for d in self.functions.values():   # a function called in a body but never defined
            for fn, span, _ in d.calls:
                if fn not in self.functions:
                    err = unknown_function(fn, fn, -1, span, self.functions)
                    err.message += f" (called in the body of '{d.name}'; no def of '{fn}' in the file)"
                    err.args = (err.message,)
                    raise err

    def end_of_statement(self) -> None:
        kind = self.kinds[self.pos]
        if kind != "newline" and kind != "eof":
            t = self.tok
            if t.kind == "op" and t.text in (")", "]"):
                raise GraphError(f"unmatched '{t.text}': no '{'(' if t.text == ')' else '['}' is open", t.span)
            raise GraphError(f"expected the end of the statement, found {describe(t)}", t.span)

    def statement(self):
        """One statement: a declaration, an assignment, or a def or a for with its body."""
        p, kinds, texts = self.pos, self.kinds, self.texts
        if kinds[p] == "name" and texts[p + 1] == "=" and kinds[p + 1] == "op" and texts[p] not in _RESERVED:
            name = texts[p]          # NAME = EXPR, the common statement
            self.pos = p + 2
            statement = _new(A.Statement, ("assign", name, self.expression(), Span(self.src, self.starts[p], len(name))))
            self.bound(name, statement[2])
            return statement
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
        t = type(expr)
        if t is A.Num or t is A.Array or t is A.Name and expr.id in self.consts:
            self.consts.add(name)
        else:
            self.consts.discard(name)

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
        start = p = self.pos
        kinds, texts = self.kinds, self.texts
        if kinds[p] == "name" and texts[p] not in _RESERVED:   # prefix's common cases, without its call
            if texts[p + 1] == "(":
                left = self.call(p)
            elif self.body is None:
                self.pos = p + 1
                left = _new(_Name, (texts[p], self.starts[p], self.src))
            else:
                left = self.prefix()
        else:
            left = self.prefix()
        compared = False
        while True:
            p = self.pos
            kind = kinds[p]
            if kind == "op":
                text = texts[p]
                binary = BINARY.get(text)
                if binary is not None:
                    lbp, op = binary
                    if lbp <= rbp:
                        break
                    if lbp == COMPARE_BP:
                        if compared:
                            raise GraphError(f"comparisons do not chain: write (a {text} b) with "
                                             "parentheses, or combine two comparisons with *", self.span(p))
                        compared = True
                    right_bp = lbp - 1 if op in RIGHT_ASSOC else lbp
                    q = p + 1
                    kind = kinds[q]
                    # Most right operands are one name or number that the next token ends (`* x +`,
                    # `+ t5` at the end of a line): read here, as prefix() would, without the call
                    # of expression() (there is nothing to nest, so no depth to count).
                    if ((kind == "name" and self.body is None and texts[q] not in _RESERVED or kind == "number")
                            and _ENDS.get(texts[q + 1], _GOES_ON) <= right_bp):
                        self.pos = q + 1
                        word = texts[q]
                        right = (_new(_Name, (word, self.starts[q], self.src)) if kind == "name" else
                                 _new(_Num, (float(word), Span(self.src, self.starts[q], len(word)))))
                    else:
                        self.pos = q
                        right = self.expression(right_bp)
                    # a binary operator is written as long as its ASCII text (− · × ⊙ are one character)
                    left = _new(_Binary, (op, left, right, Span(self.src, self.starts[p], len(text))))
                    continue
                postfix = _AFTER_OPERAND.get(text)
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
                t = self.advance()
                self.on_superscript(p, start)
                left = A.Binary("pow", left, _exponent(t), t.span)
            elif kind == "number" or kind == "name":
                self.implicit_product(start)
            else:
                break
        self.depth -= 1
        return left

    def prefix(self):
        p = self.pos
        self.pos = p + 1
        kind, text = self.kinds[p], self.texts[p]
        if kind == "name" and text not in _RESERVED:
            if self.texts[p + 1] == "(" and self.kinds[p + 1] == "op":
                return self.call(p)
            if self.body is not None and text not in self.body["locals"] and text not in self.consts:
                raise self.unknown_in_body(self.tokens[p])
            return _new(_Name, (text, self.starts[p], self.src))
        if kind == "number":
            return _new(_Num, (float(text), Span(self.src, self.starts[p], len(text))))
        t = self.tokens[p]
        if t.kind == "name":      # a reserved word
            if t.text in KEYWORDS:
                raise GraphError(f"'{t.text}' starts a statement and cannot appear in an expression", t.span)
            if not self.at("("):
                return A.Num(CONSTANTS[t.text], t.span)
            return self.call(p)
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
                self.open.append(p)
                e = self.expression()
                self.close(")", p)
                return e
            if t.text == "[":
                return self.array(p)
        raise GraphError(f"expected an expression, found {describe(t)}", t.span)

    def close(self, text: str, at: int) -> None:
        """The closing bracket `text` of the bracket at token `at`."""
        p = self.pos
        if self.texts[p] == text and self.kinds[p] == "op":
            self.pos = p + 1
            self.open.pop()
            return
        t, opener = self.tokens[p], self.tokens[at]
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
            opener = self.tokens[self.open[-1]]
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

    def call(self, at: int):
        """A call: the function's name at token `at`, '(' after it."""
        opener = at + 1
        texts = self.texts
        if self.kinds[at + 2] == "name" and texts[at + 3] == ")" and self.body is None and texts[at + 2] not in _RESERVED:
            # f(name), the most common call: its argument read here, as expression() would
            args = [_new(_Name, (texts[at + 2], self.starts[at + 2], self.src))]
            self.pos = at + 4
        else:
            self.pos = at + 2
            self.open.append(opener)
            args = []
            if texts[at + 2] != ")":
                args.append(self.expression())
                while texts[self.pos] == ",":       # (',' and ')' are only ever the text of an op token)
                    self.pos += 1
                    args.append(self.expression())
            self.close(")", opener)
        fn = texts[at]
        spec = FUNCTIONS.get(fn)
        if spec is not None:
            _, lo, hi = spec
            if not lo <= len(args) <= hi:
                raise GraphError(f"{fn} takes {arguments(lo, hi)}, got {len(args)}", self.span(at))
            return _new(_Call, (fn, tuple(args), Span(self.src, self.starts[at], len(fn))))
        name = self.tokens[at]
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
            body["calls"].append((name.text, name.span, len(args)))
            if fn is None:
                self.forward.add(name.text)
        return A.Call(name.text, tuple(args), name.span)

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

    def array(self, at: int):
        """A vector or matrix literal of numbers: [1, -1] or [[3, 1], [1, 0]], its '[' at token `at`."""
        opener = self.tokens[at]
        self.open.append(at)
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
        self.close("]", at)
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
        at = self.pos
        t = self.advance()
        if t.text == ".T":
            return A.Transpose(target, t.span)
        self.open.append(at)
        self.in_list += 1
        entries = [self.index_entry()]
        while self.at(","):
            self.advance()
            entries.append(self.index_entry())
        self.close("]", at)
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


def _exponent(t: Token):
    """The exponent of a superscript power: a number, n, or either negated."""
    if t.text.lstrip("-") == "n":
        name = A.Name("n", t.span.offset + len(t.text) - 1, t.span.source)   # at the ⁿ
        return A.Unary("neg", name, t.span) if t.text.startswith("-") else name
    return A.Num(float(t.text), t.span)


def _short(text: str, width: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def _shape(value) -> tuple:
    shape = []
    while isinstance(value, tuple):
        shape.append(len(value))
        value = value[0]
    return tuple(shape)


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
