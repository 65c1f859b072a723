"""Variable type constraints, as far as they change a value: optional object attributes.

Terraform converts a module input to its declared type before the module reads it: an
object attribute declared ``optional(T)`` that the caller leaves out is null, and one
declared ``optional(T, default)`` left out or null is the default. Modules written for
Terraform 1.3 and later read such attributes directly (``each.value.certificate_arn``), so
without this step iaccert would see an error where Terraform sees null. Only the shape is
applied (no primitive conversion); a value that does not fit the type is left as given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import expr as E


def with_type_defaults(type_expr: Any, value: Any, evaluate: Callable[[Any], Any]) -> Any:
    """``value`` with the attributes its type constraint makes optional filled in;
    ``evaluate`` gives an optional attribute's default expression its value."""
    if not isinstance(type_expr, E.Call) or not type_expr.args:
        return value
    name, inner = type_expr.name, type_expr.args[0]
    if name == "object" and isinstance(inner, E.ObjectExpr) and isinstance(value, dict):
        return _object(inner, value, evaluate)
    if name == "map" and isinstance(value, dict):
        return {k: with_type_defaults(inner, v, evaluate) for k, v in value.items()}
    if name in ("list", "set") and isinstance(value, list):
        return [with_type_defaults(inner, v, evaluate) for v in value]
    if name == "tuple" and isinstance(inner, E.TupleExpr) and isinstance(value, list):
        if len(inner.items) != len(value):
            return value
        return [with_type_defaults(t, v, evaluate) for t, v in zip(inner.items, value, strict=True)]
    return value


def _object(attrs: E.ObjectExpr, value: dict, evaluate: Callable[[Any], Any]) -> dict:
    out = dict(value)
    for key_expr, attr_type in attrs.items:
        if not isinstance(key_expr, E.Lit) or not isinstance(key_expr.value, str):
            return value  # not a type constraint iaccert can read: leave the value alone
        key = key_expr.value
        optional = isinstance(attr_type, E.Call) and attr_type.name == "optional"
        if optional and attr_type.args:
            attr_type, default = attr_type.args[0], attr_type.args[1:]
            if out.get(key) is None:
                out[key] = evaluate(default[0]) if default else None
        if out.get(key) is not None:
            out[key] = with_type_defaults(attr_type, out[key], evaluate)
    return out
