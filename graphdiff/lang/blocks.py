"""Blocks of the graph language: `def` (one line, or a body ending in `return`) and `for` (a body
on its line, or indented below), read by the parser (this is its part for them).

A body is the rest of its header's line, statements separated by ';', or the lines below it
indented deeper than the header's line; lines of the top level may be indented any way. A def's
calls of functions of the file are noted, so that recursion is found when a def is read.
"""
from __future__ import annotations

from . import syntax as A
from .grammar import FUNCTIONS, MAX_BLOCKS, arguments, check_arity, describe, signature
from .lexer import Token
from ..source import GraphError, did_you_mean


class Blocks:
    """The parser's reading of def and for (a mixin of parser.Parser, whose state it uses)."""

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
            raise GraphError(f"'{name.text}' is a built-in function ({name.text} takes {arguments(lo, hi)}) "
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
        self.open.append(self.pos)
        self.advance()
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
        self.close(")", self.open[-1])
        self.body = {"name": name.text, "params": tuple(params), "locals": set(params), "calls": []}
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
            calls = tuple(self.body["calls"])
        finally:
            self.body = None
        d = A.Def(name.text, tuple(params), body, result, calls, name.span)
        if d.name in self.forward:            # called in a body above: check those calls
            for f in self.functions.values():
                for fn, span, n in f.calls:
                    if fn == d.name:
                        check_arity(d, n, span)
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
        Only a function called before its def can close a cycle (direct recursion is found in
        `call`)."""
        stack = [(callee, (d.name, callee), span) for callee, span, _ in reversed(d.calls)]
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
            stack.extend((callee, chain + (callee,), span) for callee, _, _ in reversed(self.functions[fn].calls))

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
