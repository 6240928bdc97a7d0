"""`graphdiff fmt`: a .gd file in its ASCII or its Unicode spelling, comments and layout kept.

The two spellings are one language: the lexer reads every Unicode form as its ASCII form
(lexer.UNICODE, lexer.SUPERSCRIPTS) and the parser reads a prefix `√` as sqrt. fmt rewrites the
tokens that have another spelling and copies everything between tokens (spaces, comments, line
breaks) as it stands, but for the spaces before a comment after code, which keep the comment in
its column:

    ASCII      x - 1   x * y   A.T   pi   x^2   x^-1   x^n   sqrt(x)   sqrt(x + 1)   x ** 2
    Unicode    x − 1   x · y   Aᵀ    π    x²    x⁻¹    xⁿ    √x        √(x + 1)      x²

`*` between two arrays is written ⊙ (the entrywise product), else ·. A power becomes a
superscript only where nothing changes but the spelling: a whole-number (or n) exponent written
right after `^` with no spaces, the base not a matrix (on paper X² of a matrix is X·X, so the
language refuses a superscript there), nothing binding to the exponent after it; `sqrt(…)` becomes
`√` unless a power or an index follows it. Going back, a superscript followed by an index, a
transpose or another power is bracketed, `(x^2)[0]`, since `x^2[0]` would index the exponent.

Round trip: for every file F, ascii(unicode(ascii(F))) == ascii(F), and all of them build the same
graph (`format_text` checks the graph of what it writes against the graph of what it read).
"""
from __future__ import annotations

from collections import defaultdict

from . import syntax as A
from .lexer import TO_SUPERSCRIPT
from .lower import Lowerer
from .grammar import POWER_BP, UNARY_BP
from .parser import Parser, left_bp
from ..graph import Graph
from ..source import GraphError, Source, Span, normalize


class _Reader(Parser):
    """The parser, noting where the operands of superscripts and of √ start and end."""

    def __init__(self, src: Source):
        super().__init__(src)
        self.bases: dict[int, int] = {}   # superscript token -> first token of its base
        self.roots: dict[int, int] = {}   # √ token -> last token of its operand

    def on_superscript(self, sup: int, base: int) -> None:
        self.bases[sup] = base

    def on_sqrt(self, root: int, end: int) -> None:
        self.roots[root] = end


class _Shapes(Lowerer):
    """The lowerer, noting the operands' dimensions of each `*` and power, by operator offset.

    The body of a function or a loop is built once per call or iteration, maybe on operands of
    other shapes: a `*` keeps the fewest dimensions seen (⊙ only where both operands were always
    arrays), a power the most (a superscript only where the base was never a matrix)."""

    def __init__(self, at):
        super().__init__(Graph(), at)
        self.ndims: dict[int, tuple] = {}

    def binary(self, e: A.Binary, left: int, right: int) -> int:
        if e.op in ("mul", "pow"):
            dims = (len(self.g.node(left).shape), len(self.g.node(right).shape))
            seen = self.ndims.get(e.span.offset, dims)
            keep = min if e.op == "mul" else max
            self.ndims[e.span.offset] = tuple(keep(a, b) for a, b in zip(seen, dims))
        return super().binary(e, left, right)


def _read(text: str, filename: str, at):
    """The parser's tokens and notes, and the operands' dimensions where the graph could be built
    (None past the first statement it could not: an input without a value, a shape error …)."""
    reader = _Reader(Source(normalize(text), filename))
    shapes = _Shapes(at)
    built = True
    for statement in reader.statements():
        if built:
            try:
                shapes.statement(statement)
            except GraphError:
                built = False
    return reader, shapes.ndims, (shapes.g if built else None)


def format_text(text: str, filename: str = "<string>", *, unicode: bool = True, at=None) -> str:
    """The text in the Unicode (or, with unicode=False, the ASCII) spelling. A file that does not
    parse raises its GraphError; `at` gives input values, so that shapes are known (for ⊙ and for
    the superscripts) where the file declares an input without one."""
    reader, ndims, graph = _read(text, filename, at)
    rewrite = _Rewrite(reader)
    if unicode:
        rewrite.to_unicode(ndims)
    else:
        rewrite.to_ascii()
    out = rewrite.text()
    _check_same(graph, reader, out, filename, at)
    if "\r\n" in text:     # the lexer reads "\n" line ends: give the file its own back
        out = out.replace("\n", "\r\n")
    return ("\ufeff" if text.startswith("\ufeff") else "") + out


class _Rewrite:
    """Replacements of single tokens, and brackets inserted before or after tokens."""

    def __init__(self, reader: _Reader):
        self.r = reader
        self.src = reader.src.text
        self.tokens = reader.tokens[:-1]   # without the end-of-file token
        self.new: dict[int, str] = {}
        self.before: dict[int, str] = defaultdict(str)
        self.after: dict[int, str] = defaultdict(str)
        self.match = _matching_brackets(self.tokens)

    def written(self, k: int) -> str:
        s = self.tokens[k].span
        return self.src[s.offset:s.offset + s.length]

    def adjacent(self, k: int) -> bool:
        """Token k follows token k − 1 with nothing between them."""
        a, b = self.tokens[k - 1].span, self.tokens[k].span
        return k > 0 and a.offset + a.length == b.offset

    def next_bp(self, k: int) -> int:
        return left_bp(self.tokens[k + 1]) if k + 1 < len(self.tokens) else 0

    def text(self) -> str:
        out, pos = [], 0
        for k, t in enumerate(self.tokens):
            out += [self.src[pos:t.span.offset], self.before.get(k, ""), self.new.get(k, self.written(k)),
                    self.after.get(k, "")]
            pos = t.span.offset + t.span.length
        out.append(self.src[pos:])
        return _keep_comment_columns(self.src, "".join(out))

    # ---------------------------------------------------------------- to ASCII

    def to_ascii(self) -> None:
        for k, t in enumerate(self.tokens):
            w = self.written(k)
            if t.kind == "sup":
                self.new[k] = "^" + t.text
                if self.next_bp(k) >= POWER_BP:   # x²[0] is (x^2)[0]: x^2[0] would index the 2
                    self.before[self.r.bases[k]] += "("
                    self.after[k] += ")"
            elif w == "√":
                end = self.r.roots[k]
                if self.tokens[k + 1].text == "(" and self.match.get(k + 1) == end:
                    self.new[k] = "sqrt"            # √(x + 1) is sqrt(x + 1)
                else:
                    self.new[k] = "sqrt("           # √x² is sqrt(x^2)
                    self.after[end] += ")"
            elif w != t.text and t.kind in ("op", "name"):
                self.new[k] = t.text                # − · × ⊙ ᵀ π
            elif w == "**":
                self.new[k] = "^"

    # ---------------------------------------------------------------- to Unicode

    def to_unicode(self, ndims: dict) -> None:
        done = set()
        for k, t in enumerate(self.tokens):
            if t.kind == "op" and t.text in ("^", "**"):
                done |= self.superscript(k, ndims)
            elif t.kind == "name" and t.text == "sqrt" and k + 1 < len(self.tokens) and self.tokens[k + 1].text == "(":
                done |= self.root(k)
        for k, t in enumerate(self.tokens):
            if k in done or t.kind != "op":
                continue
            if t.text == "-":
                self.new[k] = "−"
            elif t.text == "*":
                arrays = ndims.get(t.span.offset, (0, 0))
                self.new[k] = "⊙" if min(arrays) > 0 else "·"
            elif t.text == ".T":
                self.new[k] = "ᵀ"
            elif t.text == "**":
                self.new[k] = "^"
        for k, t in enumerate(self.tokens):
            if t.kind == "name" and t.text == "pi":
                self.new[k] = "π"

    def superscript(self, k: int, ndims: dict) -> set:
        """x^2, x^-1, x^n as x², x⁻¹, xⁿ where that is the same expression; the tokens rewritten."""
        base = ndims.get(self.tokens[k].span.offset)
        if base is None or base[0] >= 2 or not self.adjacent(k) or self.tokens[k - 1].kind == "sup":
            return set()   # x²^2 stays: x²² would be x^22
        j = k + 1
        parts = []
        if j < len(self.tokens) and self.tokens[j].text == "-" and self.tokens[j].kind == "op" and self.adjacent(j):
            parts.append(j)
            j += 1
        if j >= len(self.tokens) or not self.adjacent(j):
            return set()
        e = self.tokens[j]
        w = self.written(j)
        if not ((e.kind == "number" and w.isascii() and w.isdigit()) or (e.kind == "name" and w == "n")):
            return set()
        if self.next_bp(j) >= POWER_BP:   # x^2^3, x^2[0]: the exponent is more than the number
            return set()
        self.new[k] = ""
        for i in parts + [j]:
            self.new[i] = self.tokens[i].text.translate(TO_SUPERSCRIPT)
        return {k, j, *parts}

    def root(self, k: int) -> set:
        """sqrt(x) as √x, sqrt(x + 1) as √(x + 1), unless a power or an index follows the call
        (√(x)² would be √(x²))."""
        close = self.match.get(k + 1)
        if close is None or self.next_bp(close) > UNARY_BP:
            return set()
        self.new[k] = "√"
        if close == k + 3 and self.tokens[k + 2].kind in ("name", "number"):
            self.new[k + 1] = self.new[close] = ""
        return {k}

def _keep_comment_columns(old: str, new: str) -> str:
    """A comment after code stays in its column where the code got shorter or longer (down to one
    space before it), so aligned comments stay aligned; going back restores the spaces exactly.
    Rewriting never adds or removes a line break, and '#' only starts comments."""
    lines = new.split("\n")
    for k, (a, b) in enumerate(zip(old.split("\n"), lines)):
        i, j = a.find("#"), b.find("#")
        if i < 0 or j < 0:
            continue
        code_a, code_b = a[:i].rstrip(" "), b[:j].rstrip(" ")
        gap = i - len(code_a)
        if code_a.strip() and gap >= 1 and j - len(code_b) == gap:
            lines[k] = code_b + " " * max(1, gap - (len(code_b) - len(code_a))) + b[j:]
    return "\n".join(lines)


def _matching_brackets(tokens) -> dict:
    """Token index of each opening bracket -> that of its closing one."""
    match, stack = {}, []
    for k, t in enumerate(tokens):
        if t.kind == "op" and t.text in ("(", "["):
            stack.append(k)
        elif t.kind == "op" and t.text in (")", "]") and stack:
            match[stack.pop()] = k
    return match


def _check_same(graph, reader: _Reader, out: str, filename: str, at) -> None:
    """What fmt writes must be the program it read: the same graph (or, when the graph cannot be
    built, the same statements)."""
    try:
        again, _, graph_again = _read(out, filename, at)
    except GraphError as e:
        raise RuntimeError(f"graphdiff fmt wrote a file it cannot read ({e.message}); please report this file") from None
    if graph is not None:
        same = graph_again is not None and _nodes(graph) == _nodes(graph_again)
    else:
        same = _statements(reader) == _statements(again)
    if not same:
        raise RuntimeError("graphdiff fmt would change what the file means; please report this file")


def _nodes(g: Graph) -> list:
    return [(n.op, n.operands, n.attrs, n.shape, n.names, None if n.value is None else n.value.tobytes())
            for n in g.node_list()]


def _statements(reader: _Reader) -> list:
    return [_strip(s) for s in Parser(reader.src).statements()]


_PLACE = ("span", "offset", "source")    # the fields of a syntax node that say where it was written


def _strip(e):
    """A syntax tree without its spans (and a prefix √ as the call it means)."""
    if isinstance(e, Span):
        return None
    if isinstance(e, tuple) and hasattr(e, "_fields"):
        if isinstance(e, A.Unary) and e.op == "sqrt":
            return ("call", "sqrt", (_strip(e.operand),))
        if isinstance(e, A.Call):
            return ("call", e.fn, tuple(_strip(a) for a in e.args))
        return (type(e).__name__,) + tuple(_strip(getattr(e, f)) for f in e._fields if f not in _PLACE)
    if isinstance(e, tuple):
        return tuple(_strip(x) for x in e)
    return e
