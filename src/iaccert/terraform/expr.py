"""A small expression tree for HCL, built from python-hcl2's Lark tree.

Why our own tree: Lark trees are large and slow to store, and python-hcl2's
``loads`` turns expressions back into strings. We keep only what evaluation
needs: literals, templates, traversals, calls, operators and ``for`` expressions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Lark is imported only where a file is actually parsed (a warm parse cache never needs
# it): trees are recognised by their ``data`` attribute, tokens are ``str`` subclasses.
Tree = Any


@dataclass(frozen=True, slots=True)
class Lit:
    value: Any


@dataclass(frozen=True, slots=True)
class Template:
    parts: tuple  # str or Expr


@dataclass(frozen=True, slots=True)
class Name:
    name: str


@dataclass(frozen=True, slots=True)
class GetAttr:
    obj: Any
    attr: str


@dataclass(frozen=True, slots=True)
class Index:
    obj: Any
    key: Any


@dataclass(frozen=True, slots=True)
class Splat:
    """``obj[*].rest`` / ``obj.*.rest``: ``rest`` is applied to each element via ``Name('@')``."""

    obj: Any
    rest: Any


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple
    expand: bool = False


@dataclass(frozen=True, slots=True)
class Cond:
    cond: Any
    true: Any
    false: Any


@dataclass(frozen=True, slots=True)
class BinOp:
    op: str
    left: Any
    right: Any


@dataclass(frozen=True, slots=True)
class Unary:
    op: str
    operand: Any


@dataclass(frozen=True, slots=True)
class TupleExpr:
    items: tuple


@dataclass(frozen=True, slots=True)
class ObjectExpr:
    items: tuple  # (key expr, value expr)


@dataclass(frozen=True, slots=True)
class ForExpr:
    key_var: str | None
    value_var: str
    collection: Any
    key: Any  # None for a tuple comprehension
    value: Any
    cond: Any
    group: bool = False


@dataclass(frozen=True, slots=True)
class Unsupported:
    """A construct we do not evaluate (template directives); evaluates to unknown."""

    what: str


SPLAT_ITEM = Name("@")


class ConversionError(ValueError):
    """The Lark tree has a shape this converter does not know."""


def _is_tree(node: Any) -> bool:
    return hasattr(node, "data") and hasattr(node, "children")


def _children(tree: Tree) -> list:
    """Children without layout noise (newlines, comments, punctuation tokens)."""
    return [c for c in tree.children if _is_tree(c) and c.data != "new_line_or_comment"]


def convert(node: Any) -> Any:
    """Convert an expression node of python-hcl2's Lark tree to our tree."""
    if isinstance(node, str):
        raise ConversionError(f"unexpected token {node.type}")
    handler = _HANDLERS.get(node.data)
    if handler is None:
        raise ConversionError(f"unsupported expression {node.data}")
    return handler(node)


def _expr_term(node: Tree) -> Any:
    kids = _children(node)
    if len(kids) != 1:
        raise ConversionError("empty expression")
    return convert(kids[0])


def _identifier(node: Tree) -> Any:
    return Name(str(node.children[0]))


def _literal(node: Tree) -> Any:
    text = str(node.children[0])
    return Lit({"true": True, "false": False, "null": None}[text])


def _int(node: Tree) -> Any:
    text = str(node.children[0])
    # a literal of hundreds of digits is a float, as Terraform's big numbers round it
    # (and Python refuses to convert more than 4,300 digits to an int)
    return Lit(int(text) if len(text) <= 100 else float(text))


def _float(node: Tree) -> Any:
    return Lit(float(str(node.children[0])))


def unescape(text: str) -> str:
    """HCL string escapes (a subset of JSON's plus ``$${`` / ``%%{``)."""
    if "\\" not in text and "$${" not in text and "%%{" not in text:
        return text
    out, i = [], 0
    simple = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in simple:
                out.append(simple[nxt])
                i += 2
                continue
            if nxt == "u" and i + 6 <= len(text):
                try:
                    out.append(chr(int(text[i + 2 : i + 6], 16)))
                    i += 6
                    continue
                except ValueError:
                    pass
        out.append(ch)
        i += 1
    return "".join(out).replace("$${", "${").replace("%%{", "%{")


def _string(node: Tree) -> Any:
    parts: list = []
    for part in node.children:
        if not _is_tree(part) or part.data != "string_part":
            continue
        inner = part.children[0]
        if isinstance(inner, str):
            parts.append(unescape(str(inner)))
        elif inner.data == "interpolation":
            parts.append(convert(_children(inner)[0]))
        else:
            return Unsupported("template directive")
    return simplify_template(parts)


def simplify_template(parts: list) -> Any:
    """Merge adjacent text; a lone interpolation keeps its value's type, as in HCL."""
    merged: list = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    if not merged:
        return Lit("")
    if len(merged) == 1:
        return Lit(merged[0]) if isinstance(merged[0], str) else merged[0]
    return Template(tuple(merged))


def _heredoc(node: Tree) -> Any:
    from .templates import parse_template

    raw = str(node.children[0])
    first_nl = raw.index("\n")
    marker = raw[2:first_nl].lstrip("-").strip()
    body = raw[first_nl + 1 :].rstrip("\r\n")
    body = body[: len(body) - len(marker)] if body.rstrip().endswith(marker) else body
    lines = body.split("\n")
    if node.data == "heredoc_template_trim":
        indents = [len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()]
        cut = min(indents) if indents else 0
        lines = [ln[cut:] for ln in lines]
    return parse_template("\n".join(lines).rstrip(" \t"), escapes=False)


def _tuple(node: Tree) -> Any:
    return TupleExpr(tuple(convert(c) for c in _children(node)))


def _object(node: Tree) -> Any:
    items = []
    for elem in _children(node):
        key_node, value_node = _children(elem)
        key_kids = _children(key_node)
        if key_kids and key_kids[0].data == "keyword":
            key: Any = Lit(str(key_kids[0].children[0]))
        elif key_kids:
            key = convert(key_kids[0])
            if isinstance(key, Name):  # bare identifiers are literal keys
                key = Lit(key.name)
        else:
            key = Lit(str(key_node.children[0]))
        items.append((key, convert(value_node)))
    return ObjectExpr(tuple(items))


def _function_call(node: Tree) -> Any:
    kids = _children(node)
    names = [str(k.children[0]) for k in kids if k.data == "identifier"]
    args_node = next((k for k in kids if k.data == "arguments"), None)
    args: tuple = ()
    expand = False
    if args_node is not None:
        args = tuple(convert(c) for c in _children(args_node))
        expand = any(
            isinstance(t, str) and getattr(t, "type", None) == "ELLIPSIS"
            for t in args_node.children
        )
    return Call("::".join(names), args, expand)


def _get_attr_term(node: Tree) -> Any:
    obj, attr = _children(node)
    return _apply_accessor(convert(obj), attr)


def _index_term(node: Tree) -> Any:
    obj, index = _children(node)
    return _apply_accessor(convert(obj), index)


def _apply_accessor(obj: Any, acc: Tree) -> Any:
    if acc.data == "get_attr":
        target = _children(acc)[0]
        return GetAttr(obj, str(target.children[0]))
    if acc.data == "braces_index":
        return Index(obj, convert(_children(acc)[0]))
    if acc.data == "short_index":
        return Index(obj, Lit(int(str(acc.children[-1]))))
    raise ConversionError(f"unsupported accessor {acc.data}")


def _splat_term(node: Tree) -> Any:
    obj, splat = _children(node)
    rest: Any = SPLAT_ITEM
    for acc in _children(splat):
        rest = _apply_accessor(rest, acc)
    return Splat(convert(obj), rest)


def _conditional(node: Tree) -> Any:
    cond, true, false = _children(node)
    return Cond(convert(cond), convert(true), convert(false))


def _binary_op(node: Tree) -> Any:
    left, term = _children(node)
    op_node, right = _children(term)
    return BinOp(str(op_node.children[0]), convert(left), convert(right))


def _unary(node: Tree) -> Any:
    op = next(t for t in node.children if isinstance(t, str))
    return Unary(str(op), convert(_children(node)[0]))


def _for_intro(node: Tree) -> tuple[str | None, str, Any]:
    kids = _children(node)
    names = [str(k.children[0]) for k in kids if k.data == "identifier"]
    collection = convert(kids[-1])
    if len(names) == 2:
        return names[0], names[1], collection
    return None, names[0], collection


def _for_cond(node: Tree | None) -> Any:
    return convert(_children(node)[0]) if node is not None else None


def _for_tuple(node: Tree) -> Any:
    kids = _children(node)
    key_var, value_var, coll = _for_intro(kids[0])
    cond = next((k for k in kids if k.data == "for_cond"), None)
    body = [k for k in kids[1:] if k.data != "for_cond"]
    return ForExpr(key_var, value_var, coll, None, convert(body[0]), _for_cond(cond))


def _for_object(node: Tree) -> Any:
    kids = _children(node)
    key_var, value_var, coll = _for_intro(kids[0])
    cond = next((k for k in kids if k.data == "for_cond"), None)
    body = [k for k in kids[1:] if k.data != "for_cond"]
    group = any(
        isinstance(t, str) and getattr(t, "type", None) == "ELLIPSIS" for t in node.children
    )
    return ForExpr(
        key_var, value_var, coll, convert(body[0]), convert(body[1]), _for_cond(cond), group
    )


_HANDLERS = {
    "expr_term": _expr_term,
    "identifier": _identifier,
    "literal_value": _literal,
    "int_lit": _int,
    "float_lit": _float,
    "string": _string,
    "heredoc_template": _heredoc,
    "heredoc_template_trim": _heredoc,
    "tuple": _tuple,
    "object": _object,
    "function_call": _function_call,
    "get_attr_expr_term": _get_attr_term,
    "index_expr_term": _index_term,
    "attr_splat_expr_term": _splat_term,
    "full_splat_expr_term": _splat_term,
    "conditional": _conditional,
    "binary_op": _binary_op,
    "unary_op": _unary,
    "for_tuple_expr": _for_tuple,
    "for_object_expr": _for_object,
    "template_string": lambda n: Unsupported("template string"),
}


def traversal_root(expr: Any) -> list[str] | None:
    """Leading names of a traversal: ``module.acm.out[0]`` -> ['module', 'acm', 'out']."""
    path: list = []
    while isinstance(expr, GetAttr | Index | Splat):
        path.append(expr)
        expr = expr.obj
    if not isinstance(expr, Name):
        return None
    names = [expr.name]
    for step in reversed(path):
        if not isinstance(step, GetAttr):
            break
        names.append(step.attr)
    return names
