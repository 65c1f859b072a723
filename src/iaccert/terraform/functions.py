"""Terraform's built-in functions that certificate and domain code uses.

Each takes evaluated arguments. A function that meets an unknown argument where it
needs a real value returns an unknown carrying that argument's references; a
function we do not implement returns an unknown naming it (never a crash).
Functions that read files or run things (``file``, ``templatefile``) are never run.

A function whose result can be much larger than its arguments (``join``, ``format``,
``replace``, ``concat``, ``flatten``, ``range``…) checks the result's size against the
root's budget before it builds it (see ``limits``). Regular expressions are RE2, as in
Terraform: linear in the text, whatever the pattern.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from ..model import Computed, Unknown
from .limits import Budget, EvalError, LimitError

__all__ = ["Budget", "EvalError", "LimitError", "call", "has_unknown", "unknown_from"]

_WALK_NODES = 100_000  # how much of a value unknown_from looks through for references


def unknown_from(args: Any, reason: str, budget: Budget | None = None) -> Unknown:
    """An unknown result carrying the references of everything it was computed from
    (the first 100,000 parts of it: a huge value must not make this slow). Looking is work:
    each part counts as a step of ``budget``."""
    refs: set = set()
    first: Unknown | None = None
    stack, seen = [args], 0
    while stack and seen < _WALK_NODES:
        item = stack.pop()
        seen += 1
        if isinstance(item, Computed):
            refs.add(item)
        elif isinstance(item, Unknown):
            refs |= item.refs
            first = first or item
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list | tuple):
            stack.extend(reversed(item))
    if budget is not None:
        budget.step(seen)
    return Unknown(first.reason if first is not None else reason, frozenset(refs))


def has_unknown(value: Any) -> bool:
    return Budget().has_unknown(value)


def _need_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, str):
        return value
    raise EvalError(f"expected a string, got {type(value).__name__}")


def _need_list(value: Any) -> list:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        raise EvalError("expected a list, got a map")
    raise EvalError(f"expected a list, got {type(value).__name__}")


_VERB = re.compile(r"%([-+# 0]*)([0-9]*)(?:\.([0-9]*))?([sdvqtfgx%])")


def _format(b: Budget, fmt: Any, *args: Any) -> str:
    """Go-style verbs as Terraform's ``format`` has them; widths are measured before padding."""
    fmt = _need_str(fmt)
    values = list(args)
    pieces: list[str] = []
    length, pos = 0, 0
    for match in _VERB.finditer(fmt):
        flags, width, precision, verb = match.groups()
        piece = fmt[pos : match.start()]
        pos = match.end()
        if verb == "%":
            piece += "%"
        else:
            if not values:
                raise EvalError("format: not enough arguments")
            b.string(length + len(piece) + int(width or 0) + int(precision or 0), "format()")
            piece += _verb(flags, width, precision, verb, values.pop(0))
        length += len(piece)
        b.string(length, "format()")
        pieces.append(piece)
    pieces.append(fmt[pos:])
    b.string(length + len(pieces[-1]), "format()")
    return "".join(pieces)


def _verb(flags: str, width: str, precision: str | None, verb: str, value: Any) -> str:
    spec = "%" + flags.replace("#", "") + width + ("." + precision if precision is not None else "")
    if verb == "d":
        return (spec + "d") % int(_number(value))
    if verb in "fg":
        return (spec + verb) % float(_number(value))
    if verb == "x":
        return (spec + "x") % int(_number(value))
    if verb == "q":
        return (spec + "s") % (
            '"' + _need_str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
        )
    if verb == "t" and not isinstance(value, bool):
        raise EvalError("format: %t needs a bool")
    return (spec + "s") % _need_str(value)


def _number(value: Any) -> int | float:
    """A number as Terraform converts it: numbers, and strings that spell one."""
    if isinstance(value, bool) or value is None:
        raise EvalError(f"expected a number, got {value!r}")
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text) if re.fullmatch(r"[-+]?[0-9]{1,100}", text) else float(text)
        except ValueError:
            raise EvalError(f"cannot convert {value[:40]!r} to a number") from None
    raise EvalError(f"expected a number, got {type(value).__name__}")


def _coalesce(*args: Any) -> Any:
    for arg in args:
        if isinstance(arg, Unknown):
            return arg
        if arg is not None and arg != "":
            return arg
    raise EvalError("coalesce: no non-null arguments")


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if isinstance(mapping, Unknown | Computed) or isinstance(key, Unknown | Computed):
        return unknown_from((mapping, key), "lookup of an unknown")
    if not isinstance(mapping, dict):
        raise EvalError("lookup: expected a map")
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise EvalError(f"lookup: no key {key!r}")


def _element(items: Any, index: Any) -> Any:
    items = _need_list(items)
    if not items:
        raise EvalError("element: empty list")
    return items[int(index) % len(items)]


def _one(items: Any) -> Any:
    items = list(items.values()) if isinstance(items, dict) else _need_list(items)
    if len(items) > 1:
        raise EvalError("one: more than one element")
    return items[0] if items else None


def _key(value: Any) -> Any:
    """A hashable stand-in for a value, so that sets and distinct are linear, not quadratic."""
    if isinstance(value, list | tuple):
        return ("list", tuple(_key(v) for v in value))
    if isinstance(value, dict):
        return ("map", tuple((k, _key(value[k])) for k in sorted(value)))
    if isinstance(value, bool):
        return ("bool", value)
    try:
        hash(value)
    except TypeError:
        return ("id", id(value))
    return ("value", value)


def _distinct(items: Any) -> list:
    seen: set = set()
    out = []
    for item in _need_list(items):
        key = _key(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _toset(b: Budget, items: Any) -> list:
    items = _need_list(items)
    if b.has_unknown(items):
        return list(items)
    unique = _distinct(items)
    if all(isinstance(i, str) for i in unique):
        return sorted(unique)
    return unique


def _merge(b: Budget, *maps: Any) -> dict:
    out: dict = {}
    for m in maps:
        if m is None:
            continue
        if not isinstance(m, dict):
            raise EvalError("merge: expected maps")
        b.items(len(out) + len(m), "merge()")
        out.update(m)
    return out


def _concat(b: Budget, *lists: Any) -> list:
    lists_ = [_need_list(item) for item in lists]
    b.items(sum(len(item) for item in lists_), "concat()")
    return [x for item in lists_ for x in item]


def _flatten(b: Budget, items: Any) -> list:
    out: list = []
    stack = [iter(_need_list(items))]
    while stack:
        item = next(stack[-1], _END)
        if item is _END:
            stack.pop()
        elif isinstance(item, list):
            if len(stack) > 60:
                raise EvalError("flatten: lists nested too deeply")
            stack.append(iter(item))
        else:
            b.items(len(out) + 1, "flatten()")
            out.append(item)
    return out


_END = object()


def _join(b: Budget, sep: Any, items: Any) -> str:
    sep = _need_str(sep)
    parts = [_need_str(i) for i in _need_list(items)]
    b.string(sum(len(p) for p in parts) + len(sep) * max(0, len(parts) - 1), "join()")
    return sep.join(parts)


def _split(b: Budget, sep: Any, text: Any) -> list:
    sep, text = _need_str(sep), _need_str(text)
    if not sep:
        b.items(len(text), "split()")
        return list(text)
    b.items(text.count(sep) + 1, "split()")
    return text.split(sep)


def _replace(b: Budget, text: Any, old: Any, new: Any) -> Any:
    text, old, new = _need_str(text), _need_str(old), _need_str(new)
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        return _regex_replace(b, text, old[1:-1], new)
    count = len(text) + 1 if old == "" else text.count(old)
    b.string(len(text) + count * (len(new) - len(old)), "replace()")
    return text.replace(old, new)


# -- regular expressions: RE2, as Terraform's (Go's regexp) ----------------------------------
@functools.cache
def _re2() -> tuple[Any, Any]:
    """The re2 module and its options, imported on first use (20 ms a run otherwise)."""
    import re2

    options = re2.Options()
    options.log_errors = False
    options.max_mem = 32 << 20  # bytes RE2 may use for one compiled pattern
    return re2, options


def _compile(pattern: str, fn: str) -> Any:
    """The compiled pattern, or an Unknown saying why RE2 does not take it."""
    re2, options = _re2()
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        return Unknown(f"{fn}(): the pattern {pattern[:80]!r} is not valid RE2 syntax: {detail}")


_TEMPLATE_REF = re.compile(r"\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")


def _template(template: str, rx: Any) -> list:
    """A replacement as Go's Regexp.Expand reads it: ``$1``, ``${1}``, ``$name``, ``$$``;
    a name that is no group (``$1x`` is the group named "1x") is empty."""
    parts: list = []
    pos = 0
    for match in _TEMPLATE_REF.finditer(template):
        parts.append(template[pos : match.start()])
        pos = match.end()
        if match.group(1) == "$":
            parts.append("$")
            continue
        name = match.group(2) or match.group(3)
        index = int(name) if name.isdigit() else rx.groupindex.get(name)
        parts.append(index if index is not None and index <= rx.groups else "")
    parts.append(template[pos:])
    return parts


def _regex_replace(b: Budget, text: str, pattern: str, new: str) -> Any:
    rx = _compile(pattern, "replace")
    if isinstance(rx, Unknown):
        return rx
    template = _template(new, rx)
    pieces: list[str] = []
    length, pos = 0, 0
    for match in rx.finditer(text):
        spans = [match.span(p) if isinstance(p, int) else p for p in template]
        length += match.start() - pos + sum(_span_length(p) for p in spans)
        b.string(length + len(text) - match.end(), "replace()")  # before building it
        pieces.append(text[pos : match.start()])
        pieces.extend(p if isinstance(p, str) else text[p[0] : p[1]] for p in spans)
        pos = match.end()
    pieces.append(text[pos:])
    return "".join(pieces)


def _span_length(part: Any) -> int:
    if isinstance(part, str):
        return len(part)
    return max(0, part[1] - part[0])  # (-1, -1): the group did not take part


def _captures(rx: Any, match: Any) -> Any:
    """What ``regex`` gives for one match: the text, a list of groups, or a map of names."""
    if rx.groups == 0:
        return match.group(0)
    if rx.groupindex:
        if len(rx.groupindex) != rx.groups:
            raise EvalError("regex: named and unnamed groups cannot be mixed")
        return {name: match.group(i) for name, i in rx.groupindex.items()}
    return [match.group(i) for i in range(1, rx.groups + 1)]


def _regex(b: Budget, pattern: Any, text: Any) -> Any:
    rx = _compile(_need_str(pattern), "regex")
    if isinstance(rx, Unknown):
        return rx
    match = rx.search(_need_str(text))
    if match is None:
        raise EvalError("regex: the pattern does not match")
    return _captures(rx, match)


def _regexall(b: Budget, pattern: Any, text: Any) -> Any:
    rx = _compile(_need_str(pattern), "regexall")
    if isinstance(rx, Unknown):
        return rx
    out = []
    for match in rx.finditer(_need_str(text)):
        b.items(len(out) + 1, "regexall()")
        out.append(_captures(rx, match))
    return out


def _formatlist(b: Budget, fmt: Any, *args: Any) -> list:
    """``format`` once per element: list arguments go in step, others repeat."""
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        raise EvalError("formatlist: the list arguments have different lengths")
    count = lengths.pop() if lengths else 1
    b.items(count, "formatlist()")
    return [
        _format(b, fmt, *(a[i] if isinstance(a, list) else a for a in args)) for i in range(count)
    ]


def _setproduct(b: Budget, *sets: Any) -> list:
    """Every combination of one element from each list, counted before it is built."""
    lists = [_need_list(s) for s in sets]
    count = 1
    for item in lists:
        count *= len(item)
        b.items(count, "setproduct()")
    combos: list[list] = [[]]
    for item in lists:
        combos = [combo + [x] for combo in combos for x in item]
    return combos


def _pow(b: Budget, base: Any, exponent: Any) -> Any:
    x, y = _number(base), _number(exponent)
    if isinstance(x, int) and isinstance(y, int) and y >= 0:
        if abs(x) <= 1:
            return x**y
        b.number_bits(max(1, x.bit_length()) * y, "pow()")
        return x**y
    return float(x) ** float(y)


def _indent(b: Budget, spaces: Any, text: Any) -> str:
    n, text = int(_number(spaces)), _need_str(text)
    b.string(len(text) + max(0, n) * text.count("\n"), "indent()")
    return text.replace("\n", "\n" + " " * n)


def _range(b: Budget, *args: Any) -> list:
    result = range(*(int(_number(a)) for a in args))
    b.items(len(result), "range()")
    return list(result)


def _keys(m: Any) -> list:
    if not isinstance(m, dict):
        raise EvalError("keys: expected a map")
    return sorted(m)


def _values(m: Any) -> list:
    if not isinstance(m, dict):
        raise EvalError("values: expected a map")
    return [m[k] for k in sorted(m)]


def _length(v: Any) -> int:
    if isinstance(v, str | list | dict):
        return len(v)
    raise EvalError("length: expected a string or collection")


# Functions that accept unknown elements inside collections (they move values around).
STRUCTURAL: dict[str, Callable[..., Any]] = {
    "coalesce": _coalesce,
    "lookup": _lookup,
    "element": _element,
    "one": _one,
    "tolist": lambda v: list(v.values()) if isinstance(v, dict) else _need_list(v),
    "toset": _toset,
    "tomap": lambda v: dict(v),
    "merge": _merge,
    "concat": _concat,
    "flatten": _flatten,
    "keys": _keys,
    "values": _values,
    "length": _length,
    "compact": lambda v: [x for x in _need_list(v) if x not in (None, "")],
    "distinct": _distinct,
    "reverse": lambda v: list(reversed(_need_list(v))),
    "coalescelist": lambda *ls: next((x for x in ls if x), []),
    "zipmap": lambda ks, vs: dict(
        zip([_need_str(k) for k in _need_list(ks)], _need_list(vs), strict=True)
    ),
    "contains": lambda coll, v: v in _need_list(coll),
}

# Functions that need every argument known.
SCALAR: dict[str, Callable[..., Any]] = {
    "lower": lambda s: _need_str(s).lower(),
    "upper": lambda s: _need_str(s).upper(),
    "title": lambda s: _need_str(s).title(),
    "format": _format,
    "join": _join,
    "split": _split,
    "replace": _replace,
    "regex": _regex,
    "regexall": _regexall,
    "formatlist": _formatlist,
    "setproduct": _setproduct,
    "pow": _pow,
    "indent": _indent,
    "trimsuffix": lambda s, x: _need_str(s).removesuffix(_need_str(x)),
    "trimprefix": lambda s, x: _need_str(s).removeprefix(_need_str(x)),
    "trimspace": lambda s: _need_str(s).strip(),
    "trim": lambda s, chars: _need_str(s).strip(_need_str(chars)),
    "startswith": lambda s, p: _need_str(s).startswith(_need_str(p)),
    "endswith": lambda s, p: _need_str(s).endswith(_need_str(p)),
    "tostring": lambda v: None if v is None else _need_str(v),
    "tonumber": lambda v: v if isinstance(v, int | float) else float(_number(v)),
    "tobool": lambda v: v if isinstance(v, bool) else {"true": True, "false": False}[v],
    "substr": lambda s, o, n: _need_str(s)[int(o) : None if int(n) < 0 else int(o) + int(n)],
    "min": lambda *a: min(a),
    "max": lambda *a: max(a),
    "abs": lambda n: abs(_number(n)),
    "range": _range,
    "sort": lambda v: sorted(_need_str(x) for x in _need_list(v)),
    "can": lambda v: True,
}

# Never evaluated: they read files or reach outside the code under analysis.
NEVER = {"file", "templatefile", "filebase64", "fileexists", "fileset", "filemd5", "filesha256"}


def _passthrough(name: str, args: list) -> Any:
    """Idioms that hand one value through unchanged, even one known only after apply:
    ``join("", aws_x.y[*].arn)`` and ``format("%s", x)`` / ``tostring(x)`` of a computed."""
    if name == "join" and len(args) == 2 and isinstance(args[1], list):
        items = [a for a in args[1] if a != ""]
        if len(items) == 1 and isinstance(items[0], Computed):
            return items[0]
    if name == "format" and args and args[0] == "%s" and len(args) == 2:
        return args[1] if isinstance(args[1], Computed) else None
    if name == "tostring" and len(args) == 1 and isinstance(args[0], Computed):
        return args[0]
    return None


# Functions whose result can be larger than their arguments: they take the budget first and
# check the size of what they would build before building it.
SIZED = {
    "toset",
    "merge",
    "concat",
    "flatten",
    "format",
    "join",
    "split",
    "replace",
    "regex",
    "regexall",
    "range",
    "formatlist",
    "setproduct",
    "pow",
    "indent",
}


def call(name: str, args: list, budget: Budget | None = None) -> Any:
    """Apply a Terraform function to evaluated arguments, within ``budget``."""
    b = budget or Budget()
    name = name.removeprefix("provider::").split("::")[-1]
    if name in NEVER:
        return Unknown(f"{name}() reads files, which iaccert does not evaluate")
    passed = _passthrough(name, args)
    if passed is not None:
        return passed
    # reading a collection argument is work in proportion to its length
    b.step(sum(len(a) for a in args if isinstance(a, list | dict)))
    if name in STRUCTURAL:
        if name not in ("coalesce", "lookup") and any(
            isinstance(a, Unknown | Computed) for a in args
        ):
            return unknown_from(tuple(args), f"{name}() of an unknown value", b)
        fn = STRUCTURAL[name]
    elif name in SCALAR:
        if any(b.has_unknown(a) for a in args):
            return unknown_from(tuple(args), f"{name}() of an unknown value", b)
        fn = SCALAR[name]
    else:
        return unknown_from(tuple(args), f"function {name}() is not evaluated by iaccert", b)
    try:
        result = fn(b, *args) if name in SIZED else fn(*args)
    except (TypeError, ValueError, KeyError, IndexError, OverflowError) as exc:
        raise EvalError(f"{name}: {exc}") from None
    return b.built(b.number(result, f"{name}()"), f"{name}()")
