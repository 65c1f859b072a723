"""Parsed blocks as plain JSON data, for the parse cache.

The cache directory is outside the scanned repository but not beyond reach (a shared or
restored CI cache), so an entry is data, never code: JSON lists and scalars, rebuilt into
blocks by a decoder that checks every field and raises ``ValueError`` on a wrong shape
(the caller treats that as a cache miss).

An expression is a literal scalar (``"x"``, ``1``, ``true``) or a list whose first item
names its kind (``["N", "var"]`` is ``Name("var")``). ``null`` stands for an absent
optional part, so ``Lit(None)`` is written ``["L", null]``; a template's text parts are
strings, so a literal part is ``["L", value]`` too.
"""

from __future__ import annotations

from typing import Any

from . import expr as E
from .hcl import Attribute, Block

_SCALARS = (str, int, float, bool)
_BINARY_OPS = frozenset({"==", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%", "&&", "||"})
_UNARY_OPS = frozenset({"!", "-"})


# -- encoding ---------------------------------------------------------------------------


def encode_blocks(blocks: list[Block]) -> list:
    """JSON data for blocks; raises ValueError for anything it cannot write exactly."""
    return [_encode_block(block) for block in blocks]


def _encode_block(block: Block) -> list:
    attrs = {name: [_encode(a.expr), a.line, a.end_line] for name, a in block.attrs.items()}
    if any(name != a.name for name, a in block.attrs.items()):
        raise ValueError("attribute stored under another name")
    return [
        block.type,
        list(block.labels),
        attrs,
        [_encode_block(b) for b in block.blocks],
        block.line,
        block.end_line,
        block.problem,
        block.problem_line,
    ]


def _encode_optional(node: Any) -> Any:
    return None if node is None else _encode(node)


def _encode_part(part: Any) -> Any:
    if type(part) is str:
        return part
    if isinstance(part, E.Lit):
        return ["L", _scalar(part.value)]
    return _encode(part)


def _scalar(value: Any) -> Any:
    if value is None or type(value) in _SCALARS:
        return value
    raise ValueError(f"literal of type {type(value).__name__}")


def _encode(node: Any) -> Any:  # noqa: C901 - one branch per node kind
    kind = type(node)
    if kind is E.Lit:
        value = _scalar(node.value)
        return ["L", None] if value is None else value
    if kind is E.Name:
        return ["N", node.name]
    if kind is E.GetAttr:
        return ["A", _encode(node.obj), node.attr]
    if kind is E.Index:
        return ["I", _encode(node.obj), _encode(node.key)]
    if kind is E.Splat:
        return ["S", _encode(node.obj), _encode(node.rest)]
    if kind is E.Template:
        return ["T", [_encode_part(p) for p in node.parts]]
    if kind is E.Call:
        return ["C", node.name, [_encode(a) for a in node.args], node.expand]
    if kind is E.Cond:
        return ["?", _encode(node.cond), _encode(node.true), _encode(node.false)]
    if kind is E.BinOp:
        return ["B", node.op, _encode(node.left), _encode(node.right)]
    if kind is E.Unary:
        return ["U", node.op, _encode(node.operand)]
    if kind is E.TupleExpr:
        return ["[", [_encode(item) for item in node.items]]
    if kind is E.ObjectExpr:
        return ["{", [[_encode(k), _encode(v)] for k, v in node.items]]
    if kind is E.ForExpr:
        return [
            "F",
            node.key_var,
            node.value_var,
            _encode(node.collection),
            _encode_optional(node.key),
            _encode(node.value),
            _encode_optional(node.cond),
            node.group,
        ]
    if kind is E.Unsupported:
        return ["X", node.what]
    raise ValueError(f"cannot store {kind.__name__}")


# -- decoding (every field checked) -----------------------------------------------------


def decode_blocks(data: Any, file: str) -> list[Block]:
    """Blocks from JSON data; ValueError when the data is not exactly what we write."""
    return [_decode_block(item, file) for item in _list(data)]


def _decode_block(data: Any, file: str) -> Block:
    # an entry of 6 (written before blocks carried their problem) is a miss: re-parsed
    type_, labels, attrs, blocks, line, end_line, problem, problem_line = _list(data, 8)
    if not isinstance(attrs, dict):
        raise ValueError("attributes are not an object")
    block = Block(
        _str(type_),
        tuple(_str(label) for label in _list(labels)),
        file=file,
        line=_int(line),
        end_line=_int(end_line),
    )
    for name, value in attrs.items():
        expr, a_line, a_end = _list(value, 3)
        block.attrs[name] = Attribute(name, _decode(expr), _int(a_line), _int(a_end))
    block.blocks = [_decode_block(item, file) for item in _list(blocks)]
    block.problem, block.problem_line = _str(problem), _int(problem_line)
    return block


def _list(data: Any, length: int | None = None) -> list:
    if type(data) is not list or (length is not None and len(data) != length):
        raise ValueError("not a list of the expected length")
    return data


def _str(data: Any) -> str:
    if type(data) is not str:
        raise ValueError("not a string")
    return data


def _int(data: Any) -> int:
    if type(data) is not int:
        raise ValueError("not an integer")
    return data


def _bool(data: Any) -> bool:
    if type(data) is not bool:
        raise ValueError("not a boolean")
    return data


def _optional_str(data: Any) -> str | None:
    return None if data is None else _str(data)


def _optional(data: Any) -> Any:
    return None if data is None else _decode(data)


def _op(data: Any, allowed: frozenset) -> str:
    if data not in allowed:
        raise ValueError("unknown operator")
    return data


def _part(data: Any) -> Any:
    return data if type(data) is str else _decode(_list(data))


def _literal(value: Any) -> E.Lit:
    if value is not None and type(value) not in _SCALARS:
        raise ValueError("literal is not a scalar")
    return E.Lit(value)


_DECODERS = {
    "L": (1, lambda d: _literal(d[1])),
    "N": (1, lambda d: E.Name(_str(d[1]))),
    "A": (2, lambda d: E.GetAttr(_decode(d[1]), _str(d[2]))),
    "I": (2, lambda d: E.Index(_decode(d[1]), _decode(d[2]))),
    "S": (2, lambda d: E.Splat(_decode(d[1]), _decode(d[2]))),
    "T": (1, lambda d: E.Template(tuple(_part(p) for p in _list(d[1])))),
    "C": (
        3,
        lambda d: E.Call(_str(d[1]), tuple(_decode(a) for a in _list(d[2])), _bool(d[3])),
    ),
    "?": (3, lambda d: E.Cond(_decode(d[1]), _decode(d[2]), _decode(d[3]))),
    "B": (3, lambda d: E.BinOp(_op(d[1], _BINARY_OPS), _decode(d[2]), _decode(d[3]))),
    "U": (2, lambda d: E.Unary(_op(d[1], _UNARY_OPS), _decode(d[2]))),
    "[": (1, lambda d: E.TupleExpr(tuple(_decode(i) for i in _list(d[1])))),
    "{": (1, lambda d: E.ObjectExpr(tuple(_pair(i) for i in _list(d[1])))),
    "F": (
        7,
        lambda d: E.ForExpr(
            _optional_str(d[1]),
            _str(d[2]),
            _decode(d[3]),
            _optional(d[4]),
            _decode(d[5]),
            _optional(d[6]),
            _bool(d[7]),
        ),
    ),
    "X": (1, lambda d: E.Unsupported(_str(d[1]))),
}


def _pair(data: Any) -> tuple:
    key, value = _list(data, 2)
    return _decode(key), _decode(value)


def _decode(data: Any) -> Any:
    kind = type(data)
    if kind is list:
        if not data:
            raise ValueError("empty node")
        entry = _DECODERS.get(data[0]) if type(data[0]) is str else None
        if entry is None or len(data) != entry[0] + 1:
            raise ValueError("unknown node")
        return entry[1](data)
    if kind in _SCALARS:
        return E.Lit(data)
    raise ValueError("not an expression")
