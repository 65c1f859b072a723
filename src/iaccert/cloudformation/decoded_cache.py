"""Decoded templates remembered in the parse cache, so a warm run never imports cfn-lint.

A decoded template is cfn-lint's data: dicts, lists and strings that carry their start and
end marks (line and column), and plain numbers, booleans and nulls. It is stored as JSON
data (cache.py's rules: never pickled, checked on load) and rebuilt into ``Marked*``
containers with the same values and marks, which is all the loaders read of cfn-lint's
node types. A template holding anything else (a YAML timestamp, say) is not remembered.
The entry is keyed by the template's bytes and the cfn-lint release that decoded it.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, NamedTuple

from ..cache import ParseCache
from ..model import ParseProblem
from .decode import Decoded, decode_template
from .detect import MAX_TEMPLATE_BYTES

_MAX_DEPTH = 200  # deeper than any template cfn-lint decodes within Python's recursion limit


class Mark(NamedTuple):
    """Where a node starts or ends (0-based, as PyYAML and cfn-lint count)."""

    line: int
    column: int


class MarkedStr(str):
    def __new__(cls, value, start_mark, end_mark):
        node = super().__new__(cls, value)
        node.start_mark, node.end_mark = start_mark, end_mark
        return node


class MarkedDict(dict):
    def __init__(self, value, start_mark, end_mark):
        super().__init__(value)
        self.start_mark, self.end_mark = start_mark, end_mark


class MarkedList(list):
    def __init__(self, value, start_mark, end_mark):
        super().__init__(value)
        self.start_mark, self.end_mark = start_mark, end_mark


class _NotStorable(Exception):
    pass


@functools.lru_cache(maxsize=1)
def _kind() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"cfn-decoded-1-cfn-lint-{version('cfn-lint')}"
    except PackageNotFoundError:
        return "cfn-decoded-1"


def _marks(node: Any) -> list | None:
    start, end = getattr(node, "start_mark", None), getattr(node, "end_mark", None)
    if start is None or end is None:
        return None
    return [int(start.line), int(start.column), int(end.line), int(end.column)]


def encode_node(node: Any, depth: int = 0) -> Any:
    """JSON data for one decoded node: ``["s"|"d"|"l", marks, value]`` or a plain scalar."""
    if depth > _MAX_DEPTH:
        raise _NotStorable
    if node is None or type(node) in (bool, int, float):
        return node
    marks = _marks(node)
    if isinstance(node, str):
        return ["s", marks, str(node)]
    if isinstance(node, dict):
        items = [[encode_node(k, depth + 1), encode_node(v, depth + 1)] for k, v in node.items()]
        return ["d", marks, items]
    if isinstance(node, list):
        return ["l", marks, [encode_node(v, depth + 1) for v in node]]
    raise _NotStorable


def decode_node(data: Any, depth: int = 0) -> Any:
    """The node ``encode_node`` stored; ValueError/TypeError on anything else."""
    if depth > _MAX_DEPTH:
        raise ValueError("too deep")
    if data is None or type(data) in (bool, int, float):
        return data
    if not (type(data) is list and len(data) == 3):
        raise ValueError("not a node")
    tag, marks, value = data
    start = end = None
    if marks is not None:
        if not (type(marks) is list and len(marks) == 4 and all(type(m) is int for m in marks)):
            raise ValueError("bad marks")
        start, end = Mark(marks[0], marks[1]), Mark(marks[2], marks[3])
    if tag == "s" and type(value) is str:
        return MarkedStr(value, start, end) if start is not None else value
    if tag == "d" and type(value) is list:
        pairs = []
        for pair in value:
            if not (type(pair) is list and len(pair) == 2):
                raise ValueError("bad pair")
            key = decode_node(pair[0], depth + 1)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise ValueError("bad key")
            pairs.append((key, decode_node(pair[1], depth + 1)))
        return MarkedDict(pairs, start, end) if start is not None else dict(pairs)
    if tag == "l" and type(value) is list:
        items = [decode_node(v, depth + 1) for v in value]
        return MarkedList(items, start, end) if start is not None else items
    raise ValueError("bad node")


def _encode(decoded: Decoded) -> dict:
    problems = [[p.line, p.column, p.message] for p in decoded.problems]
    data = encode_node(decoded.data) if decoded.data is not None else None
    return {"data": data, "problems": problems, "partial": decoded.partial}


def _decoder(path: Path, display: str):
    def decode(entry: Any) -> Decoded:
        if not (isinstance(entry, dict) and type(entry.get("partial")) is bool):
            raise ValueError("bad entry")
        problems = []
        for item in entry["problems"]:
            line, column, message = item
            if not (type(line) is int and type(column) is int and type(message) is str):
                raise ValueError("bad problem")
            problems.append(ParseProblem(display, line, column, message))
        data = decode_node(entry["data"]) if entry["data"] is not None else None
        if data is not None and not isinstance(data, dict):
            raise ValueError("not a template")
        return Decoded(path, display, data, problems, entry["partial"])

    return decode


def _content(path: Path, roots) -> bytes | None:
    """The template's bytes, read as every scanned file is (src/iaccert/safe_read.py); None
    when it may not be read (the decoder then says why)."""
    from ..safe_read import read_bytes

    try:
        return read_bytes(path, roots, MAX_TEMPLATE_BYTES)
    except OSError:
        return None


def cached_decode(path: Path, display: str, cache: ParseCache | None, roots=None) -> Decoded:
    """``decode_template``, answered from the parse cache when the same bytes were decoded
    before by the same cfn-lint; what cannot be stored is decoded every time."""
    content = _content(path, roots) if cache is not None else None
    if content is None:
        return decode_template(path, display, roots)
    found = cache.get(_kind(), content, _decoder(path, display))
    if found is not None:
        return found
    decoded = decode_template(path, display, roots)
    if _content(path, roots) != content:  # changed while being decoded: not remembered under either
        return decoded
    try:
        entry = _encode(decoded)
    except (_NotStorable, RecursionError):
        return decoded
    cache.put(_kind(), content, entry)
    return decoded
