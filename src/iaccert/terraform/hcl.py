"""Read ``.tf`` files into blocks with line numbers, via python-hcl2's Lark tree.

python-hcl2 8.1.4's ``loads`` drops line numbers; its Lark tree keeps them on
every node (``meta.line``), so we walk the tree ourselves (see DESIGN.md).

A top-level block that Terraform would reject (an argument given twice, an argument
and a block of the same name) is kept with its ``problem``: the loader reports it as
IAC000 for that block alone, and the rest of the file is analysed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .expr import ConversionError, Lit, Unsupported, convert

_parser = None


@dataclass(slots=True)
class Attribute:
    name: str
    expr: Any
    line: int
    end_line: int


@dataclass(slots=True)
class Block:
    """One HCL block: ``resource "type" "name" { … }``."""

    type: str
    labels: tuple[str, ...]
    attrs: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    file: str = ""
    line: int = 0
    end_line: int = 0
    problem: str = ""  # why Terraform rejects this block ("" when it is valid)
    problem_line: int = 0

    def children(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]


class BlockError(Exception):
    """A construct Terraform rejects inside one block; the file itself parsed."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


class ParseError(Exception):
    """A file that cannot be parsed; carries the line the parser stopped at."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.line = line
        self.column = column


def _get_parser():
    """python-hcl2's parser, from the LALR tables shipped with iaccert (never its pickle)."""
    global _parser
    if _parser is None:
        from .hcl_tables import load_parser

        _parser = load_parser()
    return _parser


_HEREDOC_OPEN = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)\r?\n")


def close_heredocs(text: str) -> str:
    """Terraform ends a heredoc at a line holding only its marker, with any blanks around it;
    python-hcl2 8.1.4 refuses blanks after the marker. Drop those blanks (only there), so
    that every line keeps its number."""
    if "<<" not in text:
        return text
    lines = text.split("\n")
    starts: dict[int, str] = {}  # line index of each opener -> its marker
    line, position = 0, 0
    for match in _HEREDOC_OPEN.finditer(text):
        line += text.count("\n", position, match.end() - 1)
        position = match.end() - 1
        starts[line] = match.group(1)
    marker = None
    for number, line in enumerate(lines):
        if marker is not None:
            body = line.rstrip("\r")
            if body.strip(" \t") == marker:
                lines[number] = body.rstrip(" \t") + line[len(body) :]
                marker = None
            continue
        marker = starts.get(number)
    return "\n".join(lines)


def parse_tree(text: str):
    """Lark parse tree of HCL text; raises ParseError with line and column."""
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        return _get_parser().parse(close_heredocs(text) + "\n")
    except UnexpectedInput as exc:
        line = getattr(exc, "line", 1) or 1
        column = getattr(exc, "column", 1) or 1
        token = getattr(exc, "token", None)
        if token is not None and getattr(token, "type", "") == "$END":
            opened = _unclosed_line(text)
            if opened:
                raise ParseError(
                    f"unexpected end of file: the block opened on line {opened} is not closed",
                    opened,
                    1,
                ) from None
            raise ParseError(
                "unexpected end of file: a block, bracket or string is not closed", max(line, 1), 1
            ) from None
        raise ParseError(_short_message(exc), max(line, 1), max(column, 1)) from None
    except (LarkError, RecursionError) as exc:
        raise ParseError(f"cannot parse: {type(exc).__name__}") from None


def _unclosed_line(text: str) -> int | None:
    """Line of the last ``{`` never closed, as Terraform says."""
    stack: list[int] = []
    for brace, line in _braces(text):
        if brace == "{":
            stack.append(line)
        elif stack:
            stack.pop()
    return stack[-1] if stack else None


def _short_message(exc: Exception) -> str:
    """The parser's complaint, quoting only the offending token, bounded: Lark's own message
    quotes the token whole, and a token can be the rest of the file (a secret, when the file
    is not HCL at all)."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    from ..safe_read import bound, quote

    if isinstance(exc, UnexpectedToken) and exc.token is not None:
        return f"unexpected token {quote(str(exc.token))} ({exc.token.type})"
    if isinstance(exc, UnexpectedCharacters):
        return f"unexpected character {quote(exc.char)}"
    return bound(str(exc), 120) or type(exc).__name__


def parse_expression_text(source: str) -> Any:
    """Parse a lone expression (used for template interpolations)."""
    tree = parse_tree(f"x = {source}\n")
    attribute = _first(tree, "attribute")
    if attribute is None:
        from ..safe_read import quote

        raise ParseError(f"not an expression: {quote(source)}")
    return _convert_safely(_tree_kids(attribute)[-1])


def _first(tree, data: str):
    for node in tree.iter_subtrees_topdown():
        if node.data == data:
            return node
    return None


def _tree_kids(node) -> list:
    return [
        c
        for c in node.children
        if hasattr(c, "data") and hasattr(c, "children") and c.data != "new_line_or_comment"
    ]


def _convert_safely(node) -> Any:
    try:
        return convert(node)
    except ConversionError as exc:
        return Unsupported(str(exc))
    except RecursionError:
        return Unsupported("expression nested too deeply")


def _name_of(node) -> str:
    """Text of a block label or attribute name node (identifier, keyword, string)."""
    if node.data == "string":
        expr = _convert_safely(node)
        return expr.value if isinstance(expr, Lit) else ""
    return str(node.children[0])


def _body(body_node, file: str) -> tuple[dict[str, Attribute], list[Block]]:
    """Arguments and blocks of a body; raises BlockError where Terraform would refuse it."""
    attrs: dict[str, Attribute] = {}
    blocks: list[Block] = []
    for child in _tree_kids(body_node):
        if child.data == "attribute":
            kids = _tree_kids(child)
            name = _name_of(kids[0])
            if name in attrs:
                raise BlockError(
                    f'argument "{name}" is set twice (lines {attrs[name].line} and '
                    f"{child.meta.line}); Terraform refuses a repeated argument",
                    child.meta.line,
                )
            attrs[name] = Attribute(
                name, _convert_safely(kids[-1]), child.meta.line, child.meta.end_line
            )
        elif child.data == "block":
            blocks.append(_block(child, file))
    for block in blocks:
        name = block.labels[0] if block.type == "dynamic" and block.labels else block.type
        if name in attrs:
            raise BlockError(
                f'"{name}" is both an argument (line {attrs[name].line}) and a block '
                f"(line {block.line}); Terraform refuses one name used as both",
                attrs[name].line,
            )
    return attrs, blocks


def _block(node, file: str) -> Block:
    kids = _tree_kids(node)
    inner = kids[-1]
    names = [_name_of(k) for k in kids[:-1]]
    attrs, blocks = _body(inner, file)
    return Block(
        names[0], tuple(names[1:]), attrs, blocks, file, node.meta.line, node.meta.end_line
    )


def _top_block(node, file: str) -> Block:
    """A top-level block; one Terraform refuses carries its problem instead of its body."""
    try:
        return _block(node, file)
    except BlockError as exc:
        names = [_name_of(k) for k in _tree_kids(node)[:-1]]
        block = Block(names[0], tuple(names[1:]), file=file, line=node.meta.line)
        block.end_line = node.meta.end_line
        block.problem, block.problem_line = str(exc), exc.line
        return block


def load_hcl(text: str, file: str) -> list[Block]:
    """Top-level blocks of one ``.tf`` file. When the file does not parse, each top-level
    block is parsed on its own: a broken one carries its problem, the others are kept."""
    try:
        tree = parse_tree(text)
    except ParseError as whole:
        return _salvage(text, file, whole)
    body = _tree_kids(tree)[0] if _tree_kids(tree) else None
    if body is None:
        return []
    return [_top_block(child, file) for child in _tree_kids(body) if child.data == "block"]


SALVAGE_MAX_BLOCKS = 1000  # beyond this, a file that does not parse is one IAC000
_HEADER = re.compile(r'\s*([A-Za-z_][\w-]*)((?:\s+(?:"(?:[^"\\\n]|\\.)*"|[A-Za-z_][\w-]*))*)\s*\{')
_LABEL = re.compile(r'"((?:[^"\\\n]|\\.)*)"|([A-Za-z_][\w-]*)')


def _salvage(text: str, file: str, whole: ParseError) -> list[Block]:
    """Blocks of a file that does not parse as a whole, one top-level block at a time.
    Raises ``whole`` when the error lies outside every block or nothing can be told apart."""
    chunks = top_level_blocks(text)
    if not 2 <= len(chunks) <= SALVAGE_MAX_BLOCKS:
        raise whole
    lines = text.split("\n")
    outside = list(lines)
    for first, last in chunks:
        outside[first - 1 : last] = [""] * (last - first + 1)
    try:
        parse_tree("\n".join(outside))
    except ParseError:
        raise whole from None
    blocks: list[Block] = []
    for first, last in chunks:
        try:
            tree = parse_tree("\n".join(lines[first - 1 : last]))
        except ParseError as exc:
            exc.line += first - 1
            blocks.append(_broken_block(lines[first - 1], file, first, last, exc))
            continue
        body = _tree_kids(tree)[0] if _tree_kids(tree) else None
        kids = _tree_kids(body) if body is not None else []
        for child in kids:
            if child.data == "block":
                blocks.append(_shifted(_top_block(child, file), first - 1))
    return blocks


def _shifted(block: Block, offset: int) -> Block:
    """A block parsed from a chunk of its file, moved to its lines in the file."""
    stack = [block]
    while stack:
        item = stack.pop()
        item.line += offset
        item.end_line += offset
        if item.problem_line:
            item.problem_line += offset
        for attr in item.attrs.values():
            attr.line += offset
            attr.end_line += offset
        stack.extend(item.blocks)
    return block


def _broken_block(header: str, file: str, first: int, last: int, exc: ParseError) -> Block:
    match = _HEADER.match(header)
    names = ["unknown"]
    if match:
        labels = [a or b for a, b in _LABEL.findall(match.group(2))]
        names = [match.group(1), *labels]
    block = Block(names[0], tuple(names[1:]), file=file, line=first, end_line=last)
    where = re.sub(r"\s*at line \d+, column \d+\.?", "", str(exc))  # chunk-relative: dropped
    block.problem, block.problem_line = f"does not parse: {where}", exc.line
    return block


def _braces(text: str):
    """(``{`` or ``}``, line) of every brace that is HCL structure: none inside strings,
    comments or heredoc bodies. One scanner for the messages and the salvage of a bad file."""
    line, i, n = 1, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
        elif ch == "#" or text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            line += text.count("\n", i, end)
            i = end
            continue
        elif ch == '"':
            i += 1
            while i < n and text[i] not in '"\n':
                i += 2 if text[i] == "\\" else 1
        elif text.startswith("<<", i) and (opener := _HEREDOC_OPEN.match(text, i)):
            closing = re.compile(rf"^[ \t]*{re.escape(opener.group(1))}[ \t]*\r?$", re.M)
            found = closing.search(text, opener.end())
            end = n if found is None else found.end()
            line += text.count("\n", i, end)
            i = end
            continue
        elif ch in "{}":
            yield ch, line
        i += 1


def top_level_blocks(text: str) -> list[tuple[int, int]]:
    """(first line, last line) of each top-level ``{ … }`` region; an unclosed last region
    runs to the end of the file."""
    out: list[tuple[int, int]] = []
    depth, start = 0, 0
    for brace, line in _braces(text):
        if brace == "{":
            if depth == 0:
                start = line
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                out.append((start, line))
    if depth:
        out.append((start, text.count("\n") + 1))
    return out
