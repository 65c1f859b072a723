"""Read ``.tf.json`` (Terraform's JSON syntax) into the same blocks as ``.tf``.

python-hcl2 does not read JSON syntax. The standard library's pure-Python JSON
scanner lets us record where each object starts, which gives blocks their lines.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
from typing import Any

from .expr import Lit, ObjectExpr, TupleExpr
from .hcl import Attribute, Block, ParseError
from .templates import TemplateError, parse_template

# Block types whose JSON form nests labels: {"resource": {"type": {"name": {...}}}}
_LABEL_DEPTH = {
    "resource": 2,
    "data": 2,
    "module": 1,
    "variable": 1,
    "output": 1,
    "provider": 1,
    "locals": 0,
    "terraform": 0,
}
# Nested blocks that matter to iaccert (others stay attributes holding objects).
_NESTED_BLOCKS = {
    "lifecycle",
    "endpoint_configuration",
    "domain_name_configuration",
    "mutual_tls_authentication",
    "options",
    "validation_option",
    "required_providers",
    "backend",
}


class LinedDict(dict):
    """A JSON object that remembers the line it starts on."""

    line = 1
    end_line = 1


def _decoder(text: str) -> json.JSONDecoder:
    decoder = json.JSONDecoder()

    def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):
        s, end = s_and_end
        pairs, new_end = json.decoder.JSONObject(
            s_and_end, strict, scan_once, None, list, memo if memo is not None else {}
        )
        obj = LinedDict(pairs)
        obj.line = text.count("\n", 0, end) + 1
        obj.end_line = text.count("\n", 0, new_end) + 1
        return obj, new_end

    decoder.parse_object = parse_object
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    return decoder


def _expr(value: Any) -> Any:
    if isinstance(value, str):
        return parse_template(value)
    if isinstance(value, list):
        return TupleExpr(tuple(_expr(v) for v in value))
    if isinstance(value, dict):
        return ObjectExpr(tuple((Lit(k), _expr(v)) for k, v in value.items() if k != "//"))
    return Lit(value)


def _body(obj: dict, type_: str, labels: tuple, file: str) -> Block:
    block = Block(type_, labels, file=file, line=getattr(obj, "line", 1))
    block.end_line = getattr(obj, "end_line", block.line)
    for key, value in obj.items():
        if key == "//":
            continue
        line = getattr(value, "line", block.line)
        nested = key in _NESTED_BLOCKS or (type_ in ("terraform",) and isinstance(value, dict))
        if nested and isinstance(value, dict | list):
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    block.blocks.append(_body(item, key, (), file))
            continue
        if key == "dynamic":
            continue
        block.attrs[key] = Attribute(key, _expr(value), line, getattr(value, "end_line", line))
    return block


def _checked_body(item: Any, type_: str, labels: tuple, file: str) -> Block:
    """One block; one Terraform refuses (not an object, a bad template) carries its problem,
    so that the file's other blocks are still analysed."""
    line = getattr(item, "line", 1)
    if not isinstance(item, dict):
        block = Block(type_, labels, file=file, line=line, end_line=line)
        block.problem = f"the block's body is a JSON {type(item).__name__}, not an object"
        block.problem_line = line
        return block
    try:
        return _body(item, type_, labels, file)
    except TemplateError as exc:
        block = Block(type_, labels, file=file, line=line, end_line=getattr(item, "end_line", line))
        block.problem, block.problem_line = str(exc), line
        return block


def _blocks(type_: str, value: Any, depth: int, labels: tuple, file: str) -> list[Block]:
    items = value if isinstance(value, list) else [value]
    out: list[Block] = []
    for item in items:
        if depth == 0:
            out.append(_checked_body(item, type_, labels, file))
            continue
        if not isinstance(item, dict):
            continue
        for label, inner in item.items():
            if label != "//":
                out.extend(_blocks(type_, inner, depth - 1, (*labels, label), file))
    return out


def load_tfjson(text: str, file: str) -> list[Block]:
    """Top-level blocks of one ``.tf.json`` file."""
    try:
        root = _decoder(text).decode(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise ParseError("invalid JSON: nested too deeply") from None
    if not isinstance(root, dict):
        raise ParseError("a .tf.json file must hold a JSON object")
    blocks: list[Block] = []
    try:
        for type_, value in root.items():
            if type_ == "//":
                continue
            blocks.extend(_blocks(type_, value, _LABEL_DEPTH.get(type_, 0), (), file))
    except TemplateError as exc:
        raise ParseError(str(exc)) from None
    return blocks
