"""Terraform's built-in functions that certificate and domain code uses.

Each takes evaluated arguments. A function that meets an unknown argument where it
needs a real value returns an unknown carrying that argument's references; a
function we do not implement returns an unknown naming it (never a crash).
Functions that read files or run things (``file``, ``templatefile``) are never run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..model import Computed, Unknown, leaves, refs_of


class EvalError(Exception):
    """Terraform itself would fail here (wrong type, missing key, index out of range)."""


def unknown_from(args: Any, reason: str) -> Unknown:
    """An unknown result carrying the references of everything it was computed from."""
    refs = frozenset(refs_of(list(args) if isinstance(args, tuple) else args))
    first = next((a for a in leaves(args) if isinstance(a, Unknown)), None)
    return Unknown(first.reason if first is not None else reason, refs)


def has_unknown(value: Any) -> bool:
    return any(isinstance(v, Unknown | Computed) for v in leaves(value))


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


def _format(fmt: str, *args: Any) -> str:
    values = list(args)

    def repl(match: re.Match) -> str:
        verb = match.group(2)
        if verb == "%":
            return "%"
        if not values:
            raise EvalError("format: not enough arguments")
        value = values.pop(0)
        if verb == "d":
            return str(int(value))
        if verb == "q":
            return '"' + _need_str(value) + '"'
        if verb in "fg":
            return str(float(value))
        return _need_str(value)

    return re.sub(r"%([-+# 0-9.]*)([sdvqtfg%])", repl, fmt)


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


def _toset(items: Any) -> list:
    items = _need_list(items)
    if has_unknown(items):
        return list(items)
    unique = []
    for item in items:
        if item not in unique:
            unique.append(item)
    if all(isinstance(i, str) for i in unique):
        return sorted(unique)
    return unique


def _merge(*maps: Any) -> dict:
    out: dict = {}
    for m in maps:
        if m is None:
            continue
        if not isinstance(m, dict):
            raise EvalError("merge: expected maps")
        out.update(m)
    return out


def _concat(*lists: Any) -> list:
    out: list = []
    for item in lists:
        out.extend(_need_list(item))
    return out


def _flatten(items: Any) -> list:
    out: list = []
    for item in _need_list(items):
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def _replace(text: Any, old: Any, new: Any) -> str:
    text, old, new = _need_str(text), _need_str(old), _need_str(new)
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        try:
            return re.sub(old[1:-1], re.sub(r"\$(\d)", r"\\\1", new), text)
        except re.error as exc:
            raise EvalError(f"replace: bad pattern: {exc}") from None
    return text.replace(old, new)


def _range(*args: Any) -> list:
    nums = [int(a) for a in args]
    result = range(*nums)
    if len(result) > 10_000:
        raise EvalError("range: more than 10,000 elements")
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
    "distinct": lambda v: [x for i, x in enumerate(_need_list(v)) if x not in _need_list(v)[:i]],
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
    "format": lambda fmt, *a: _format(_need_str(fmt), *a),
    "join": lambda sep, items: _need_str(sep).join(_need_str(i) for i in _need_list(items)),
    "split": lambda sep, s: _need_str(s).split(_need_str(sep)),
    "replace": _replace,
    "trimsuffix": lambda s, x: _need_str(s).removesuffix(_need_str(x)),
    "trimprefix": lambda s, x: _need_str(s).removeprefix(_need_str(x)),
    "trimspace": lambda s: _need_str(s).strip(),
    "trim": lambda s, chars: _need_str(s).strip(_need_str(chars)),
    "startswith": lambda s, p: _need_str(s).startswith(_need_str(p)),
    "endswith": lambda s, p: _need_str(s).endswith(_need_str(p)),
    "tostring": lambda v: None if v is None else _need_str(v),
    "tonumber": lambda v: v if isinstance(v, int | float) else float(_need_str(v)),
    "tobool": lambda v: v if isinstance(v, bool) else {"true": True, "false": False}[v],
    "substr": lambda s, o, n: _need_str(s)[int(o) : None if int(n) < 0 else int(o) + int(n)],
    "min": lambda *a: min(a),
    "max": lambda *a: max(a),
    "abs": abs,
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


def call(name: str, args: list) -> Any:
    """Apply a Terraform function to evaluated arguments."""
    name = name.removeprefix("provider::").split("::")[-1]
    if name in NEVER:
        return Unknown(f"{name}() reads files, which iaccert does not evaluate")
    passed = _passthrough(name, args)
    if passed is not None:
        return passed
    if name in STRUCTURAL:
        if name not in ("coalesce", "lookup") and any(
            isinstance(a, Unknown | Computed) for a in args
        ):
            return unknown_from(tuple(args), f"{name}() of an unknown value")
        try:
            return STRUCTURAL[name](*args)
        except (TypeError, ValueError, KeyError) as exc:
            raise EvalError(f"{name}: {exc}") from None
    if name in SCALAR:
        if has_unknown(args):
            return unknown_from(tuple(args), f"{name}() of an unknown value")
        try:
            return SCALAR[name](*args)
        except (TypeError, ValueError, KeyError, IndexError) as exc:
            raise EvalError(f"{name}: {exc}") from None
    return unknown_from(tuple(args), f"function {name}() is not evaluated by iaccert")
